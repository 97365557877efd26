# A local PostgreSQL for the store tests (sourced by scripts/test, after packages.sh).
#
# ensure_test_postgres installs Debian's postgresql when it is missing, starts its cluster
# (or uses the one already running), gives the role `patgate` a new random password, creates
# its database `patgate` (each test creates and drops a schema there), and exports
# PATGATE_TEST_POSTGRES_URL. A URL already set in the environment is used as is.
#
# For the PostgreSQL credentials provider it also makes the role `patgate_admin` (CREATEROLE,
# pg_signal_backend, CREATE on the database (tests make schemas a login may own objects in),
# ADMIN OPTION on the group `patgate_test_reader`, which may read the table
# `patgate_test_readable` but not `patgate_test_secret`) and exports
# PATGATE_TEST_POSTGRES_ADMIN_URL, unless that is already set.

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

ensure_test_postgres() {
  if [[ -n "${PATGATE_TEST_POSTGRES_URL:-}" ]]; then
    echo "patgate: PostgreSQL tests use the given PATGATE_TEST_POSTGRES_URL" >&2
    return 0
  fi
  _start_test_postgres || return 1
  local password
  password=$(openssl rand -hex 16)
  as_postgres psql -p "$PATGATE_TEST_POSTGRES_PORT" -q -v ON_ERROR_STOP=1 -v password="$password" >/dev/null <<'SQL'
SELECT 'CREATE ROLE patgate LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'patgate') \gexec
ALTER ROLE patgate WITH LOGIN PASSWORD :'password';
SELECT 'CREATE DATABASE patgate OWNER patgate' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'patgate') \gexec
SQL
  export PATGATE_TEST_POSTGRES_URL="postgres://patgate:${password}@127.0.0.1:${PATGATE_TEST_POSTGRES_PORT}/patgate?sslmode=disable"
  [[ -n "${PATGATE_TEST_POSTGRES_ADMIN_URL:-}" ]] || ensure_test_postgres_admin
  echo "patgate: PostgreSQL ready on 127.0.0.1:$PATGATE_TEST_POSTGRES_PORT (role patgate, database patgate)" >&2
}

# The role the credentials provider connects as, with just the rights it needs, and a group
# role with SELECT on one test table for the temporary logins it creates.
ensure_test_postgres_admin() {
  local password
  password=$(openssl rand -hex 16)
  as_postgres psql -p "$PATGATE_TEST_POSTGRES_PORT" -d patgate -q -v ON_ERROR_STOP=1 -v password="$password" >/dev/null <<'SQL'
SELECT 'CREATE ROLE patgate_admin LOGIN CREATEROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'patgate_admin') \gexec
ALTER ROLE patgate_admin WITH LOGIN CREATEROLE PASSWORD :'password';
SELECT 'CREATE ROLE patgate_test_reader NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'patgate_test_reader') \gexec
GRANT patgate_test_reader TO patgate_admin WITH ADMIN OPTION;
GRANT pg_signal_backend TO patgate_admin;
GRANT CREATE ON DATABASE patgate TO patgate_admin;
CREATE TABLE IF NOT EXISTS public.patgate_test_readable (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO public.patgate_test_readable VALUES (1, 'readable') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS public.patgate_test_secret (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO public.patgate_test_secret VALUES (1, 'secret') ON CONFLICT DO NOTHING;
REVOKE ALL ON public.patgate_test_readable, public.patgate_test_secret FROM PUBLIC;
GRANT SELECT ON public.patgate_test_readable TO patgate_test_reader;
SQL
  export PATGATE_TEST_POSTGRES_ADMIN_URL="postgres://patgate_admin:${password}@127.0.0.1:${PATGATE_TEST_POSTGRES_PORT}/patgate?sslmode=disable"
}

# Installs, creates and starts the newest cluster as needed; exports PATGATE_TEST_POSTGRES_PORT.
_start_test_postgres() {
  ensure_packages postgresql
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"

  # The first cluster of the newest version; Debian's postinst normally made one.
  local version name port status
  read -r version name port status _ < <(pg_lsclusters -h | sort -k1,1nr | head -n 1) || true
  if [[ -z "${version:-}" ]]; then
    version=$(ls /usr/lib/postgresql | sort -nr | head -n 1)
    name=main
    $sudo pg_createcluster "$version" "$name" >&2
    read -r version name port status _ < <(pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1==v && $2==n')
  fi
  if [[ "$status" != online* ]]; then
    echo "patgate: starting PostgreSQL $version/$name on port $port" >&2
    $sudo pg_ctlcluster "$version" "$name" start
  fi
  local tries=0
  until pg_isready -q -h 127.0.0.1 -p "$port"; do
    ((++tries > 60)) && { echo "patgate: PostgreSQL did not start on 127.0.0.1:$port" >&2; return 1; }
    sleep 0.5
  done

  export PATGATE_TEST_POSTGRES_PORT="$port"
}
