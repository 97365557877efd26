"""Temporary PostgreSQL logins (`credentials.postgres`) against a real PostgreSQL server.

Needs PATGATE_TEST_POSTGRES_ADMIN_URL (scripts/test exports it: a role with CREATEROLE,
pg_signal_backend and ADMIN OPTION on `patgate_test_reader`, which may read the table
`patgate_test_readable` but not `patgate_test_secret`).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from patgate_e2e import TYPE_ACCESS_TOKEN, assert_oauth_error, free_port, poll, run_cli
from test_third_party_upstream import AuthlibUpstream

ADMIN_URL = os.environ.get("PATGATE_TEST_POSTGRES_ADMIN_URL", "")
READER = "patgate_test_reader"
SCOPES = ["openid", "credentials"]

pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="PATGATE_TEST_POSTGRES_ADMIN_URL is not set (scripts/test sets it)")


def admin_connect() -> psycopg.Connection:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)


def roles_with_prefix(prefix: str) -> list[str]:
    with admin_connect() as conn:
        rows = conn.execute("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname::text, %s) ORDER BY 1",
                            (prefix,)).fetchall()
    return [row[0] for row in rows]


def role_exists(name: str) -> bool:
    with admin_connect() as conn:
        return conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (name,)).fetchone()[0] == 1


@pytest.fixture
def prefix():
    """A name prefix of the test's own; every role with it is dropped afterwards."""
    value = f"e2e{secrets.token_hex(4)}_"
    yield value
    with admin_connect() as conn:
        for name in roles_with_prefix(value):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def pg_env(prefix: str, **extra: str) -> dict[str, str]:
    env = {
        "PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": ADMIN_URL,
        "PATGATE_CREDENTIALS_POSTGRES_ROLES": READER,
        "PATGATE_CREDENTIALS_POSTGRES_NAME_PREFIX": prefix,
    }
    env.update(extra)
    return env


def login(body: dict, **kwargs) -> psycopg.Connection:
    return psycopg.connect(host=body["db_host"], port=body["db_port"], dbname=body["db_database"],
                           user=body["db_username"], password=body["db_password"], sslmode="disable",
                           connect_timeout=5, autocommit=True, **kwargs)


def test_exchange_returns_a_login_that_reads_what_its_role_may(patgate_factory, prefix):
    # The admin URL from a variable named by admin_url_env, as a deployment would keep it.
    server = patgate_factory().start(env={
        "PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL_ENV": "E2E_PG_ADMIN_URL", "E2E_PG_ADMIN_URL": ADMIN_URL,
        "PATGATE_CREDENTIALS_POSTGRES_ROLES": READER, "PATGATE_CREDENTIALS_POSTGRES_NAME_PREFIX": prefix})
    pat = server.create_pat(scopes=SCOPES)["token"]
    body = server.mint(pat, scope="openid credentials")

    assert body["db_platform"] == "postgresql"
    assert isinstance(body["db_port"], int) and body["db_host"] == "127.0.0.1" and body["db_database"] == "patgate"
    assert body["db_username"].startswith(prefix + "alice_") and len(body["db_username"].encode()) <= 63
    assert len(body["db_password"]) >= 40
    with login(body) as conn:
        assert conn.execute("SELECT note FROM patgate_test_readable").fetchall() == [("readable",)]
        assert conn.execute("SELECT current_user").fetchone()[0] == body["db_username"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT note FROM patgate_test_secret")
    with pytest.raises(psycopg.OperationalError):
        login({**body, "db_password": body["db_password"][:-2] + "xx"}).close()

    # The login expires with the token (VALID UNTIL), and patgate marks it as its own.
    with admin_connect() as conn:
        valid_until, comment = conn.execute(
            "SELECT extract(epoch FROM rolvaliduntil)::bigint, shobj_description(oid, 'pg_authid') "
            "FROM pg_roles WHERE rolname = %s", (body["db_username"],)).fetchone()
    assert abs(valid_until - (int(time.time()) + body["expires_in"])) <= 3
    marker = "patgate temporary login "
    assert comment.startswith(marker)
    assert json.loads(comment[len(marker):]) == {"pat": server.list_pats()[0]["id"], "sub": "alice"}   # the PAT's id, never its value

    # The non-secret settings are published; the audit log names the role, never the password.
    published = server.get("/.well-known/configuration").json()
    assert "postgres" in published["credential_providers"]
    assert {k: published[k] for k in ("db_host", "db_port", "db_database", "db_platform")} == \
        {k: body[k] for k in ("db_host", "db_port", "db_database", "db_platform")}
    assert "db_password" not in published and "db_username" not in published
    def issued_events(events: list[dict]) -> list[dict]:
        return [e for e in events if e.get("event") == "credential.issued"]
    issued = issued_events(server.audit_events(until=issued_events))
    assert issued and issued[-1]["target"] == body["db_username"]
    assert body["db_password"] not in (server.data_dir / "audit.jsonl").read_text()
    assert body["db_password"] not in server.stderr_text() + server.stdout_text()
    assert ADMIN_URL.split("@")[0].split(":")[-1] not in server.stderr_text()   # the admin password


def test_without_the_credentials_scope_no_role_is_made(patgate_factory, prefix):
    server = patgate_factory().start(env=pg_env(prefix))
    pat = server.create_pat(scopes=SCOPES)["token"]
    body = server.mint(pat, scope="openid")
    assert not [k for k in body if k.startswith("db_")]
    assert roles_with_prefix(prefix) == []
    assert server.mint(pat, scope="openid credentials")["db_username"].startswith(prefix)
    assert len(roles_with_prefix(prefix)) == 1


def test_login_expires_and_the_reaper_drops_it_but_no_role_patgate_did_not_make(patgate_factory, prefix):
    server = patgate_factory().start(env=pg_env(
        prefix, PATGATE_POLICY_MAX_TOKEN_LIFETIME_SECONDS="5", PATGATE_CREDENTIALS_POSTGRES_REAP_INTERVAL_SECONDS="1"))
    foreign = prefix + "foreign"   # the prefix, but not made by patgate: must survive
    with admin_connect() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN VALID UNTIL '2001-01-01Z'").format(sql.Identifier(foreign)))
    pat = server.create_pat(scopes=SCOPES)["token"]
    body = server.mint(pat, scope="openid credentials")
    assert body["expires_in"] <= 5
    session = login(body)
    assert session.execute("SELECT count(*) FROM patgate_test_readable").fetchone() == (1,)

    assert poll(lambda: not role_exists(body["db_username"]), timeout=15), "the reaper did not drop the login"
    with pytest.raises(psycopg.OperationalError):
        login(body).close()
    with pytest.raises(psycopg.OperationalError):   # its session was ended too
        session.execute("SELECT 1")
    session.close()
    assert role_exists(foreign)
    assert "dropped expired logins" in server.stderr_text()


def login_fails(body: dict) -> bool:
    try:
        login(body).close()
    except psycopg.OperationalError:
        return True
    return False


def test_revoking_the_pat_drops_its_logins_at_once_and_ends_their_sessions(patgate_factory, prefix):
    server = patgate_factory().start(env=pg_env(prefix, PATGATE_CREDENTIALS_POSTGRES_REAP_INTERVAL_SECONDS="0"))
    revoked, kept = server.create_pat(scopes=SCOPES), server.create_pat(scopes=SCOPES)
    body = server.mint(revoked["token"], scope="openid credentials")
    other = server.mint(kept["token"], scope="openid credentials")
    session = login(body)
    assert session.execute("SELECT count(*) FROM patgate_test_readable").fetchone() == (1,)

    server.revoke(revoked["id"])   # `patgate pat revoke`: another process, the same store
    since = time.monotonic()
    assert poll(lambda: login_fails(body), timeout=1.0), "the login still works a second after the revocation"
    print(f"login refused {(time.monotonic() - since) * 1000:.0f} ms after `patgate pat revoke` returned")
    with pytest.raises(psycopg.OperationalError):   # the open session was ended too
        session.execute("SELECT 1")
    session.close()
    assert not role_exists(body["db_username"])

    # The other PAT's login lives on; the audit log names the dropped role.
    with login(other) as conn:
        assert conn.execute("SELECT count(*) FROM patgate_test_readable").fetchone() == (1,)
    def withdrawn_events(events: list[dict]) -> list[dict]:
        return [e for e in events if e.get("event") == "credential.withdrawn"]
    withdrawn = withdrawn_events(server.audit_events(until=withdrawn_events))
    assert [e["target"] for e in withdrawn] == [body["db_username"]]
    assert revoked["id"] in withdrawn[0]["detail"] and body["db_password"] not in json.dumps(withdrawn)

    # Through the management API the login is gone before the DELETE answers.
    third = server.create_pat(scopes=SCOPES + ["tokens"])
    login_body = server.mint(third["token"], scope="openid credentials")
    response = server.session.delete(server.url(f"/api/v1/tokens/{third['id']}"),
                                     headers={"Authorization": f"Bearer {third['token']}"}, timeout=15)
    assert response.status_code == 204, response.text
    assert not role_exists(login_body["db_username"]) and login_fails(login_body)


def test_reap_on_demand_from_the_command_line(patgate_factory, prefix):
    server = patgate_factory().start(env=pg_env(
        prefix, PATGATE_POLICY_MAX_TOKEN_LIFETIME_SECONDS="2", PATGATE_CREDENTIALS_POSTGRES_REAP_INTERVAL_SECONDS="0"))
    pat = server.create_pat(scopes=SCOPES)["token"]
    name = server.mint(pat, scope="openid credentials")["db_username"]
    assert "no expired logins" in server.cli("credentials", "reap").stdout
    time.sleep(3)
    assert role_exists(name)   # no background reaper with an interval of 0
    assert server.cli("credentials", "reap").stdout.strip() == f"dropped 1: {name}"
    assert not role_exists(name)


HOSTILE_USERS = [
    "O'Brien",
    '"; DROP ROLE patgate_admin; --',
    "robert'); DROP TABLE patgate_test_readable; --",
    "Zoë Çelik 山田 😀",
    "\\'\\\"%s%I%L$1",
    "x" * 300,
]


def test_hostile_user_names_get_a_working_login_and_inject_nothing(patgate_factory, prefix):
    server = patgate_factory().start(env=pg_env(prefix))
    names = []
    for user in HOSTILE_USERS:
        pat = server.create_pat(user=user, scopes=SCOPES)["token"]
        body = server.mint(pat, scope="openid credentials")
        name = body["db_username"]
        assert name.startswith(prefix) and len(name.encode()) <= 63
        assert all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name), name
        with login(body) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == name
            assert conn.execute("SELECT note FROM patgate_test_readable").fetchall() == [("readable",)]
        names.append(name)
    assert sorted(names) == roles_with_prefix(prefix)
    assert role_exists("patgate_admin") and role_exists(READER)


def test_hostile_subjects_from_a_third_party_upstream(tmp_path, processes, patgate_factory, prefix):
    """An upstream answers any `sub` and `username` (authlib's RFC 7662 endpoint), also ones the
    built-in issuer would never hold: the login is still a safe, working identifier."""
    upstream = AuthlibUpstream(tmp_path, processes)
    expires = int(time.time()) + 300
    subjects = {f"opaque-{secrets.token_hex(8)}": record for record in [
        {"sub": "x'; DROP ROLE patgate_admin; --"},
        {"sub": "uid=42,ou=people", "username": '"); GRANT patgate_test_reader TO PUBLIC; --'},
        {"username": "日本語のユーザー"},
        {"sub": "\u00e9\\" + "z" * 500},
    ]}
    for token, record in subjects.items():
        upstream.table[token] = {**record, "scope": "openid credentials", "exp": expires, "expires_at": expires}
    upstream.start()
    server = patgate_factory().start(env=upstream.patgate_env(PATGATE_ISSUER_ENABLED="false", **pg_env(prefix)))
    names = []
    for token in subjects:
        body = server.mint(token, subject_token_type=TYPE_ACCESS_TOKEN, scope="openid credentials")
        name = body["db_username"]
        assert name.startswith(prefix) and len(name.encode()) <= 63 and name.isascii()
        with login(body) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == name
            assert conn.execute("SELECT note FROM patgate_test_readable").fetchall() == [("readable",)]
        names.append(name)
    assert sorted(names) == roles_with_prefix(prefix)
    assert role_exists("patgate_admin")


def test_unreachable_database_gives_503_and_no_token(patgate_factory, prefix):
    dead = f"postgres://patgate_admin:hunter2-not-used@127.0.0.1:{free_port()}/patgate?sslmode=disable"
    server = patgate_factory().start(env=pg_env(
        prefix, PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL=dead, PATGATE_CREDENTIALS_POSTGRES_TIMEOUT_SECONDS="2"))
    pat = server.create_pat(scopes=SCOPES)["token"]
    started = time.monotonic()
    response = server.exchange(pat, scope="openid credentials")
    assert time.monotonic() - started < 10
    body = assert_oauth_error(response, 503, "temporarily_unavailable")
    assert "access_token" not in body and "db_password" not in body
    assert "hunter2" not in response.text and "hunter2" not in server.stderr_text()
    # Without the credentials scope the database is not needed.
    assert "access_token" in server.mint(pat, scope="openid")
    assert any(e.get("event") == "credential.failed"
               for e in server.audit_events(until=lambda events: any(e.get("event") == "credential.failed" for e in events)))


class FreezableProxy:
    """Relays TCP to the PostgreSQL server until `freeze()`: then it keeps every connection
    open but passes no byte either way, as a stalled network would."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.frozen = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.05)
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.frozen.clear()
        self.listener.close()
        for sock in self.sockets:
            sock.close()


def test_a_stalled_database_connection_gives_503_within_the_timeout(patgate_factory, prefix):
    parts = urlsplit(ADMIN_URL)
    proxy = FreezableProxy((parts.hostname, parts.port or 5432))
    try:
        proxied = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"))
        server = patgate_factory().start(env=pg_env(
            prefix, PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL=proxied, PATGATE_CREDENTIALS_POSTGRES_TIMEOUT_SECONDS="2",
            PATGATE_CREDENTIALS_POSTGRES_REAP_INTERVAL_SECONDS="0"))
        pat = server.create_pat(scopes=SCOPES)["token"]
        assert server.mint(pat, scope="openid credentials")["db_username"].startswith(prefix)   # the pool is connected

        proxy.frozen.set()   # a query now runs on a connection that never answers
        started = time.monotonic()
        response = server.exchange(pat, scope="openid credentials")
        elapsed = time.monotonic() - started
        body = assert_oauth_error(response, 503, "temporarily_unavailable")
        assert "access_token" not in body and "db_password" not in body
        assert elapsed < 2 + 5, f"answered after {elapsed:.1f} s"

        proxy.frozen.clear()   # the network is back: so are the logins
        assert poll(lambda: server.exchange(pat, scope="openid credentials").status_code == 200, timeout=15)
    finally:
        proxy.close()


def test_bad_settings_are_refused_at_start_without_echoing_the_url(patgate_factory, prefix):
    server = patgate_factory().bootstrap()
    result = run_cli("check-config", "--data-dir", str(server.data_dir), check=False, env={
        "PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL": "mysql://root:hunter2-secret@db/x",
        "PATGATE_CREDENTIALS_POSTGRES_NAME_PREFIX": "Bad-Prefix"})
    assert result.returncode != 0
    assert "credentials.postgres.admin_url" in result.stderr and "credentials.postgres.name_prefix" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    result = run_cli("check-config", "--data-dir", str(server.data_dir), check=False,
                     env={"PATGATE_CREDENTIALS_POSTGRES_ROLES": READER})
    assert result.returncode != 0 and "credentials.postgres.admin_url" in result.stderr
