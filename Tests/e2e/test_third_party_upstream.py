"""patgate's RFC 7662 client against a third-party introspection server (authlib + Flask)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patgate_e2e import (
    TYPE_ACCESS_TOKEN, assert_oauth_error, free_port, http_session, verify_with_joserfc, verify_with_pyjwt,
    wait_http_ok,
)

HERE = Path(__file__).resolve().parent
UPSTREAM_CLIENT_ID = "patgate-at-authlib"


class AuthlibUpstream:
    """The authlib introspection server as a subprocess, with a table of opaque tokens."""

    def __init__(self, workdir: Path, processes):
        self.workdir = workdir
        self.processes = processes
        self.client_secret = secrets.token_urlsafe(24)
        self.log_path = workdir / "upstream-requests.jsonl"
        self.stderr_path = workdir / "upstream.stderr.log"
        now = int(time.time())
        self.tokens = {
            "active": f"opaque-active-{secrets.token_hex(8)}",
            "no_sub": f"opaque-nosub-{secrets.token_hex(8)}",
            "no_identity": f"opaque-noid-{secrets.token_hex(8)}",
            "short": f"opaque-short-{secrets.token_hex(8)}",
            "expired": f"opaque-expired-{secrets.token_hex(8)}",
            "revoked": f"opaque-revoked-{secrets.token_hex(8)}",
            "unknown": f"opaque-unknown-{secrets.token_hex(8)}",
            "boom": f"opaque-boom-{secrets.token_hex(8)}",
            "float_exp": f"opaque-float-{secrets.token_hex(8)}",
            "scope_array": f"opaque-array-{secrets.token_hex(8)}",
            "active_string": f"opaque-activestr-{secrets.token_hex(8)}",
            "active_number": f"opaque-activenum-{secrets.token_hex(8)}",
        }
        self.active_exp = now + 300
        self.short_exp = now + 30
        t = self.tokens
        self.table = {
            t["active"]: {"sub": "upstream-user-42", "username": "dana", "scope": "openid profile email",
                          "exp": self.active_exp, "expires_at": self.active_exp, "iat": now,
                          "client_id": "some-app", "token_type": "Bearer", "iss": "https://idp.example"},
            t["no_sub"]: {"username": "erin", "scope": "openid", "exp": now + 300, "expires_at": now + 300},
            t["no_identity"]: {"scope": "openid", "exp": now + 300, "expires_at": now + 300},
            t["short"]: {"sub": "frank", "scope": "openid", "exp": self.short_exp, "expires_at": self.short_exp},
            t["expired"]: {"sub": "gina", "scope": "openid", "exp": now - 10, "expires_at": now - 10},
            t["revoked"]: {"sub": "hal", "scope": "openid", "exp": now + 300, "expires_at": now + 300,
                           "revoked": True},
            t["boom"]: {"raise": True},
            # Upstreams in the wild: exp as a JSON float, scope as an array.
            t["float_exp"]: {"sub": "ivan", "scope": "openid", "exp": float(now + 200), "expires_at": now + 200},
            t["scope_array"]: {"sub": "judy", "scope": ["openid", "email"], "exp": now + 300,
                               "expires_at": now + 300},
            # A confused upstream: `active` that is not a JSON boolean.
            t["active_string"]: {"active": "true", "sub": "kim", "scope": "openid"},
            t["active_number"]: {"active": 1, "sub": "lee", "scope": "openid"},
        }
        self.port = None
        self.proc: subprocess.Popen | None = None

    def start(self) -> "AuthlibUpstream":
        self.port = free_port()
        config = self.workdir / "upstream.json"
        config.write_text(json.dumps({"port": self.port, "client_id": UPSTREAM_CLIENT_ID,
                                      "client_secret": self.client_secret, "log": str(self.log_path),
                                      "tokens": self.table}))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATGATE_")}
        env["AUTHLIB_INSECURE_TRANSPORT"] = "1"
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen([sys.executable, str(HERE / "authlib_introspection_server.py"), str(config)],
                                         stdout=err, stderr=err, stdin=subprocess.DEVNULL, env=env,
                                         start_new_session=True)
        self.processes.processes.append(self.proc)
        wait_http_ok(self.url + "/health", self.proc, self.stderr_path)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests_seen(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines()]

    def patgate_env(self, **extra: str) -> dict[str, str]:
        """patgate pointed at this upstream; PATGATE_UPSTREAM_CLIENT_SECRET overrides the default
        YAML's `client_secret_file`."""
        env = {
            "PATGATE_UPSTREAM_INTROSPECTION_URL": self.url + "/introspect",
            "PATGATE_UPSTREAM_CLIENT_ID": UPSTREAM_CLIENT_ID,
            "PATGATE_UPSTREAM_CLIENT_SECRET": self.client_secret,
        }
        env.update(extra)
        return env


@pytest.fixture
def upstream(tmp_path, processes) -> AuthlibUpstream:
    return AuthlibUpstream(tmp_path, processes).start()


def test_authlib_upstream_answers_rfc7662_itself(upstream):
    """Sanity check of the third-party server, without patgate."""
    session = http_session()
    url = upstream.url + "/introspect"
    active = session.post(url, data={"token": upstream.tokens["active"]},
                          auth=(UPSTREAM_CLIENT_ID, upstream.client_secret), timeout=5).json()
    assert active["active"] is True and active["sub"] == "upstream-user-42"
    assert session.post(url, data={"token": upstream.tokens["expired"]},
                        auth=(UPSTREAM_CLIENT_ID, upstream.client_secret), timeout=5).json() == {"active": False}
    assert session.post(url, data={"token": upstream.tokens["active"]},
                        auth=(UPSTREAM_CLIENT_ID, "wrong"), timeout=5).status_code == 401


def test_active_upstream_token_becomes_a_jwt(upstream, patgate_factory):
    server = patgate_factory().start(env=upstream.patgate_env(PATGATE_ISSUER_ENABLED="false"))
    response = server.exchange(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN)
    assert response.status_code == 200, response.text
    body = response.json()
    claims = verify_with_pyjwt(body["access_token"], server)
    assert claims == verify_with_joserfc(body["access_token"], server)
    assert claims["sub"] == "upstream-user-42"
    assert claims["scope"] == "openid profile email"
    assert claims["preferred_username"] == "dana"
    assert claims["exp"] <= upstream.active_exp
    assert claims["client_id"] == "ci"          # the exchanging client, not the upstream's client_id
    assert claims["iss"] == server.base_url     # our issuer, not the upstream's

    # Downscoping works on upstream scopes too; a scope the upstream did not grant is refused.
    narrowed = server.mint(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN, scope="email")
    assert verify_with_pyjwt(narrowed["access_token"], server)["scope"] == "email"
    assert_oauth_error(server.exchange(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN,
                                       scope="credentials"), 400, "invalid_scope")

    # What patgate sent: client_secret_basic, a form body, the access_token hint.
    seen = upstream.requests_seen()
    assert seen, "patgate never called the upstream"
    for call in seen:
        assert call["authorization"] == "Basic"
        assert call["content_type"].startswith("application/x-www-form-urlencoded")
        assert call["token_type_hint"] == "access_token"

    # The gateway-only role publishes no introspection endpoint and has none.
    metadata = server.get("/.well-known/oauth-authorization-server").json()
    assert "introspection_endpoint" not in metadata
    assert server.post("/introspect", data={"token": "x"}).status_code == 404


def test_upstream_token_without_sub_uses_username(upstream, patgate_factory):
    server = patgate_factory().start(env=upstream.patgate_env())
    body = server.mint(upstream.tokens["no_sub"], subject_token_type=TYPE_ACCESS_TOKEN)
    claims = verify_with_joserfc(body["access_token"], server)
    assert claims["sub"] == "erin"
    assert claims["preferred_username"] == "erin"


def test_token_lifetime_never_exceeds_the_upstream_exp(upstream, patgate_factory):
    server = patgate_factory().start(env=upstream.patgate_env())
    body = server.mint(upstream.tokens["short"], subject_token_type=TYPE_ACCESS_TOKEN)
    claims = verify_with_pyjwt(body["access_token"], server)
    assert claims["exp"] <= upstream.short_exp
    assert body["expires_in"] <= 30


@pytest.mark.parametrize("which", ["expired", "revoked", "unknown"])
def test_inactive_upstream_token_is_invalid_request(upstream, patgate_factory, which):
    server = patgate_factory().start(env=upstream.patgate_env())
    body = assert_oauth_error(server.exchange(upstream.tokens[which], subject_token_type=TYPE_ACCESS_TOKEN),
                              400, "invalid_request")
    assert upstream.tokens[which] not in json.dumps(body)


def test_float_exp_and_array_scope_from_the_upstream(upstream, patgate_factory):
    server = patgate_factory().start(env=upstream.patgate_env())
    claims = verify_with_pyjwt(server.mint(upstream.tokens["float_exp"], subject_token_type=TYPE_ACCESS_TOKEN)
                               ["access_token"], server)
    assert claims["sub"] == "ivan"
    assert claims["exp"] <= upstream.table[upstream.tokens["float_exp"]]["expires_at"]
    claims = verify_with_joserfc(server.mint(upstream.tokens["scope_array"], subject_token_type=TYPE_ACCESS_TOKEN)
                                 ["access_token"], server)
    assert claims["scope"] == "openid email"


@pytest.mark.parametrize("which", ["no_identity", "boom", "active_string", "active_number"])
def test_confused_upstream_fails_closed(upstream, patgate_factory, which):
    """An active answer without sub/username, an upstream 500, a non-boolean `active`: 503, never a token."""
    server = patgate_factory().start(env=upstream.patgate_env())
    response = server.exchange(upstream.tokens[which], subject_token_type=TYPE_ACCESS_TOKEN)
    assert_oauth_error(response, 503, "temporarily_unavailable")


def test_wrong_upstream_credentials_fail_closed(upstream, patgate_factory, tmp_path):
    server = patgate_factory().start(env=upstream.patgate_env(PATGATE_UPSTREAM_CLIENT_SECRET="not-the-secret"))
    response = server.exchange(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN)
    assert_oauth_error(response, 503, "temporarily_unavailable")


def test_killed_upstream_gives_503_and_no_token(upstream, patgate_factory):
    server = patgate_factory().start(env=upstream.patgate_env(PATGATE_CACHE_TTL_SECONDS="0"))
    server.mint(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN)
    upstream.proc.kill()
    upstream.proc.wait(timeout=5)
    for token in (upstream.tokens["active"], upstream.tokens["no_sub"]):
        response = server.exchange(token, subject_token_type=TYPE_ACCESS_TOKEN)
        body = assert_oauth_error(response, 503, "temporarily_unavailable")
        assert "access_token" not in body
    assert server.get("/healthz").status_code == 200


def test_hanging_upstream_times_out_with_503(upstream, patgate_factory):
    server = patgate_factory().start(env=upstream.patgate_env(PATGATE_UPSTREAM_TIMEOUT_MS="700"))
    os.kill(upstream.proc.pid, signal.SIGSTOP)   # accepts connections (kernel backlog), never answers
    try:
        started = time.monotonic()
        response = server.exchange(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN)
        elapsed = time.monotonic() - started
    finally:
        os.kill(upstream.proc.pid, signal.SIGCONT)
    assert_oauth_error(response, 503, "temporarily_unavailable")
    assert elapsed < 5, f"the 700 ms upstream timeout took {elapsed:.1f} s"


def test_upstream_client_secret_from_environment_as_documented(upstream, patgate_factory):
    # The embedded default's YAML names client_secret_file; the variable must win over it.
    server = patgate_factory().start(env=upstream.patgate_env())
    response = server.exchange(upstream.tokens["active"], subject_token_type=TYPE_ACCESS_TOKEN)
    assert response.status_code == 200, response.text
