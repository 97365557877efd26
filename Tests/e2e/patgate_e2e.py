"""Helpers for the end-to-end tests: run `patgate` as a real process and talk to it.

Everything listens on 127.0.0.1 on free ports; every process started here is stopped by
the fixtures in conftest.py (terminate, then kill after a timeout: some runners start
processes with SIGTERM blocked).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import jwt as pyjwt
import pytest
import requests
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

REPO = Path(__file__).resolve().parents[2]
PATGATE_BIN = os.environ.get("PATGATE_BIN") or str(REPO / ".build" / "debug" / "patgate")

GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
TYPE_PAT = "urn:ietf:params:oauth:token-type:pat"
TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt"

MAX_LIFETIME = 600
DEFAULT_AUDIENCE = "patgate"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def ipv6_loopback_available() -> bool:
    try:
        free_port("::1")
        return True
    except OSError:
        return False


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process's environment without any PATGATE_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATGATE_")}
    env.pop("PATGATE_BIN", None)
    env.update(extra or {})
    return env


def http_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only: never a proxy from the environment
    return session


def stop_process(proc: subprocess.Popen | None, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time (SIGTERM may be blocked)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


def wait_http_ok(url: str, proc: subprocess.Popen, log: Path | None, timeout: float = STARTUP_TIMEOUT) -> None:
    """Polls `url` until it answers 200; fails early if `proc` exits."""
    session = http_session()
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if proc.poll() is not None:
            text = log.read_text(errors="replace") if log and log.exists() else ""
            raise RuntimeError(f"process exited with {proc.returncode} before {url} was ready:\n{text[-4000:]}")
        try:
            if session.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not ready after {timeout} s")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


def run_cli(*args: str, env: Mapping[str, str] | None = None, check: bool = True,
            timeout: float = 60, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([PATGATE_BIN, *args], env=child_env(env), capture_output=True, text=True,
                            timeout=timeout, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"patgate {' '.join(args)} exited {result.returncode}:\n"
                             f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def poll(predicate, timeout: float, interval: float = 0.1):
    """Calls `predicate` until it returns a truthy value or `timeout` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Patgate:
    """One `patgate serve` process and its data directory."""

    def __init__(self, workdir: Path, name: str = "patgate"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.workdir / "data"
        self.stderr_path = self.workdir / f"{name}.stderr.log"
        self.stdout_path = self.workdir / f"{name}.stdout.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.host = "127.0.0.1"
        self.issuer: str | None = None
        self.env: dict[str, str] = {}
        self.config: Path | None = None
        self.session = http_session()
        self.created_pats: list[str] = []
        self.known_users: set[str] = set()

    # -- process ---------------------------------------------------------------------------

    def bootstrap(self) -> "Patgate":
        """Creates the embedded default data directory without starting the server."""
        if not (self.data_dir / "patgate.yaml").exists():
            run_cli("pat", "list", "--data-dir", str(self.data_dir), "--user", "nobody")
        return self

    def start(self, env: Mapping[str, str] | None = None, config: Path | str | None = None,
              port: int | None = None, issuer: str | None = None, host: str | None = None,
              wait: bool = True, preexec_fn=None) -> "Patgate":
        """`preexec_fn` runs in the child before `patgate` (e.g. to set a resource limit)."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.env = dict(env or {})
        self.config = Path(config) if config else None
        self.host = host or "127.0.0.1"
        self.issuer = issuer
        for attempt in range(3):
            self.port = port or free_port(self.host)
            args = [PATGATE_BIN, "serve", "--data-dir", str(self.data_dir), "--port", str(self.port)]
            if host:
                args += ["--host", host]
            if self.config:
                args += ["--config", str(self.config)]
            if issuer:
                args += ["--issuer", issuer]
            with open(self.stderr_path, "ab") as err, open(self.stdout_path, "ab") as out:
                self.proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                             env=child_env(self.env), start_new_session=True,
                                             preexec_fn=preexec_fn)
            if not wait:
                return self
            try:
                wait_http_ok(self.url("/readyz"), self.proc, self.stderr_path)
                return self
            except RuntimeError:
                stop_process(self.proc)
                in_use = "address already in use" in self.stderr_text().lower()
                if port is None and in_use and attempt < 2:
                    continue
                raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        stop_process(self.proc)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def restart(self, **kwargs: Any) -> "Patgate":
        self.stop()
        kwargs.setdefault("env", self.env)
        kwargs.setdefault("config", self.config)
        kwargs.setdefault("issuer", self.issuer)
        kwargs.setdefault("host", self.host if self.host != "127.0.0.1" else None)
        return self.start(**kwargs)

    def reload(self, expect_failure: bool = False, timeout: float = 10) -> str:
        """SIGHUP, then waits for the log line that says how the reload went; returns that line."""
        import signal
        marker = "configuration reload failed" if expect_failure else "configuration reloaded"
        before = self.stderr_text().count(marker)
        self.proc.send_signal(signal.SIGHUP)
        assert poll(lambda: self.stderr_text().count(marker) > before, timeout), \
            f"no '{marker}' in the log after SIGHUP:\n{self.stderr_text()[-2000:]}"
        return [line for line in self.stderr_text().splitlines() if marker in line][-1]

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- files -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def issuer_url(self) -> str:
        """`iss` and the discovery base: --issuer if given, else the listening address."""
        return self.issuer or self.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def config_path(self) -> Path:
        return self.config or self.data_dir / "patgate.yaml"

    def secret(self, name: str) -> str:
        return (self.data_dir / "secrets" / name).read_text().strip()

    @property
    def ci_secret(self) -> str:
        return self.secret("ci.secret")

    @property
    def gateway_secret(self) -> str:
        return self.secret("gateway-introspection.secret")

    @property
    def hash_key(self) -> str:
        return self.secret("pat-hash.key")

    def signing_key_files(self) -> list[Path]:
        return sorted((self.data_dir / "keys").glob("*.pem"))

    def audit_events(self, until=lambda events: True, seconds: float = 5) -> list[dict]:
        """The audit log's events, read again for up to `seconds` until `until` holds: the log is
        written on its own queue (lines under load wait a moment to share a write), so a line
        may land just after the answer it belongs to."""
        path = self.data_dir / "audit.jsonl"
        deadline = time.monotonic() + seconds
        while True:
            events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
            if until(events) or time.monotonic() >= deadline:
                return events
            time.sleep(0.05)

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    # -- CLI -------------------------------------------------------------------------------

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Runs `patgate ARGS --data-dir DIR [--config FILE]` with this server's environment."""
        location = ["--data-dir", str(self.data_dir)]
        if self.config:
            location += ["--config", str(self.config)]
        return run_cli(*args, *location, env=self.env, check=check)

    def ensure_user(self, user: str) -> None:
        """Makes `user` an existing, enabled account: PATs are only made for those. A name the
        account rules refuse (the providers' hostile-name tests) is written into the SQLite store
        directly, as an account made by another tool would be."""
        if user in self.known_users:
            return
        if re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", user):
            location = ["--data-dir", str(self.data_dir)] + (["--config", str(self.config)] if self.config else [])
            # Cheap bcrypt: the password is never used. An existing user is fine.
            run_cli("user", "add", user, "--generate", *location,
                    env={**self.env, "PATGATE_USERS_BCRYPT_COST": "4"}, check=False)
        else:
            db = sqlite3.connect(self.data_dir / "patgate.sqlite")
            try:
                with db:
                    db.execute("INSERT OR IGNORE INTO app_user (username, display_name, role, disabled, password_hash, "
                               "created_at) VALUES (?, ?, 'user', 0, '!', ?)", (user, user[:100], int(time.time())))
            finally:
                db.close()
        self.known_users.add(user)

    def create_pat(self, user: str = "alice", name: str | None = None, scopes: Iterable[str] = (),
                   expires_in: str | int | None = None) -> dict:
        self.ensure_user(user)
        name = name or f"pat-{time.monotonic_ns()}"
        args = ["pat", "create", "--user", user, "--name", name, "--json"]
        for scope in scopes:
            args += ["--scope", scope]
        if expires_in is not None:
            args += ["--expires-in", str(expires_in)]
        created = json.loads(self.cli(*args).stdout)
        assert created.get("token"), (
            f"`patgate pat create` printed no token value: {created} (a stale incremental build of "
            f"{PATGATE_BIN}? rebuild it)")
        self.created_pats.append(created["token"])
        return created

    def list_pats(self, user: str = "alice") -> list[dict]:
        return json.loads(self.cli("pat", "list", "--user", user, "--json").stdout)

    def revoke(self, pat_id: str) -> subprocess.CompletedProcess:
        return self.cli("pat", "revoke", pat_id)

    # -- HTTP ------------------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.get(self.url(path), **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 15)
        return self.session.post(self.url(path), **kwargs)

    def jwks(self) -> dict:
        response = self.get("/.well-known/jwks.json")
        assert response.status_code == 200, response.text
        return response.json()

    def exchange(self, subject_token: str, auth: str = "basic", *, client_id: str | None = None,
                 secret: str | None = None, subject_token_type: str = TYPE_PAT, scope: str | None = None,
                 audience: str | list[str] | None = None, resource: str | list[str] | None = None,
                 requested_token_type: str | None = None, extra: list[tuple[str, str]] | None = None,
                 ) -> requests.Response:
        """POST /token with one of the client authentication methods: basic, post, public, none."""
        form: list[tuple[str, str]] = [
            ("grant_type", GRANT_TOKEN_EXCHANGE),
            ("subject_token", subject_token),
            ("subject_token_type", subject_token_type),
        ]
        if scope is not None:
            form.append(("scope", scope))
        for name, value in (("audience", audience), ("resource", resource)):
            for item in ([value] if isinstance(value, str) else value or []):
                form.append((name, item))
        if requested_token_type:
            form.append(("requested_token_type", requested_token_type))
        form += extra or []
        kwargs: dict[str, Any] = {}
        if auth == "basic":
            kwargs["auth"] = (client_id or "ci", self.ci_secret if secret is None else secret)
        elif auth == "post":
            form += [("client_id", client_id or "ci"), ("client_secret", self.ci_secret if secret is None else secret)]
        elif auth == "public":
            form.append(("client_id", client_id or "cli"))
        elif auth != "none":
            raise ValueError(auth)
        return self.post("/token", data=form, **kwargs)

    def mint(self, subject_token: str | None = None, **kwargs: Any) -> dict:
        """A successful exchange's JSON body (creates a PAT if none is given)."""
        token = subject_token or self.create_pat()["token"]
        response = self.exchange(token, **kwargs)
        assert response.status_code == 200, f"{response.status_code} {response.text}"
        return response.json()


def assert_oauth_error(response: requests.Response, status: int, error: str) -> dict:
    """An RFC 6749 §5.2 error: status, JSON body with `error`, `Cache-Control: no-store`."""
    assert response.status_code == status, f"expected {status} {error}, got {response.status_code}: {response.text}"
    assert response.headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
    assert "no-store" in response.headers.get("Cache-Control", "")
    body = response.json()
    assert body.get("error") == error, body
    assert "access_token" not in body
    if "error_description" in body:
        description = body["error_description"]
        assert isinstance(description, str)
        # RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
        assert all(c == " " or c == "!" or 0x23 <= ord(c) <= 0x5B or 0x5D <= ord(c) <= 0x7E for c in description), \
            description
    return body


REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope"]


def verify_with_pyjwt(token: str, server: Patgate, alg: str = "ES256", audience: str = DEFAULT_AUDIENCE) -> dict:
    """Verifies with PyJWT, fetching the key by `kid` from the JWKS (jwt.PyJWKClient)."""
    header = pyjwt.get_unverified_header(token)
    assert header.get("typ") == "at+jwt", header
    assert header.get("alg") == alg, header
    assert header.get("kid"), header
    jwks_client = pyjwt.PyJWKClient(server.url("/.well-known/jwks.json"), cache_keys=False, cache_jwk_set=False)
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    assert signing_key.key_id == header["kid"]
    claims = pyjwt.decode(token, signing_key.key, algorithms=[alg], audience=audience, issuer=server.issuer_url,
                          options={"require": ["exp", "iat", "nbf", "iss", "sub", "aud", "jti"]})
    for name in REQUIRED_CLAIMS:
        assert name in claims, (name, claims)
    assert 0 < claims["exp"] - claims["iat"] <= MAX_LIFETIME, claims
    assert claims["nbf"] <= claims["iat"] + 1
    return claims


def verify_with_joserfc(token: str, server: Patgate, alg: str = "ES256", audience: str = DEFAULT_AUDIENCE) -> dict:
    """Verifies with joserfc against the JWKS as a KeySet, then validates the claims."""
    key_set = KeySet.import_key_set(server.jwks())
    decoded = jose_jwt.decode(token, key_set, algorithms=[alg])
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["alg"] == alg
    registry = jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": server.issuer_url},
        aud={"essential": True, "value": audience},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nbf={"essential": True},
        jti={"essential": True},
        client_id={"essential": True},
        scope={"essential": True},
    )
    registry.validate(decoded.claims)
    # RFC 7638: the kid is the key's thumbprint, as joserfc computes it.
    key = key_set.get_by_kid(decoded.header["kid"])
    assert key.thumbprint() == decoded.header["kid"]
    return decoded.claims


BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def well_formed_unknown_pat(prefix: str = "pgat") -> str:
    """A PAT with a valid CRC-32 checksum (as a secret scanner checks it) that no issuer made."""
    random_part = "".join(secrets.choice(BASE62) for _ in range(27))
    value = zlib.crc32(random_part.encode())
    digits = []
    for _ in range(6):
        digits.append(BASE62[value % 62])
        value //= 62
    return f"{prefix}_{random_part}{''.join(reversed(digits))}"


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[tuple[str, str]]:
    """A schema of its own in the test database (`PATGATE_TEST_POSTGRES_URL`; the test is skipped
    without it): yields the schema's name and the URL whose `search_path` selects it, and drops
    it afterwards."""
    base = os.environ.get("PATGATE_TEST_POSTGRES_URL", "")
    if not base:
        pytest.skip("PATGATE_TEST_POSTGRES_URL is not set (scripts/test sets it)")
    import psycopg
    schema = f"e2e_{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema, f"{base}{'&' if '?' in base else '?'}search_path={schema}"
    finally:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
