# Installs the Debian packages patgate needs when they are missing (run as root, or with sudo).
# Sourced by scripts/serve and scripts/test.
ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "patgate: installing ${missing[*]}" >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Build and run-time libraries: libcurl (OpenSSL flavour), OpenSSL, SQLite, pkg-config.
PATGATE_BUILD_PACKAGES=(libcurl4-openssl-dev libssl-dev libsqlite3-dev pkg-config openssl)

# Test-only: the PostgreSQL server the store tests run against (scripts/lib/postgres.sh starts
# it), headless Chromium, its WebDriver and a font for the console's browser tests, and HAProxy
# in front of the fleet test's three replicas (also `haproxy -c` on deploy/compose/haproxy.cfg).
# systemd checks deploy/systemd (systemd-analyze verify and security); readelf (binutils) and
# unshare/setpriv (util-linux) test the container recipe's runtime steps. nginx (auth_request) and
# git (git http-backend, git clone) run the forward-auth tests (Tests/e2e/test_forward_auth_*.py).
# Prometheus (and its promtool) scrapes a running patgate and checks deploy/observability's alert rules.
PATGATE_TEST_PACKAGES=(postgresql chromium chromium-driver fonts-dejavu-core haproxy systemd binutils util-linux nginx git prometheus)
