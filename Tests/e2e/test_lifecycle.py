"""PAT lifecycle through the CLI against a running server; expiry, revocation, check-config, discovery."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

import jwt
import pytest

from patgate_e2e import (
    TYPE_PAT, assert_oauth_error, free_port, ipv6_loopback_available, poll, run_cli, verify_with_joserfc,
    verify_with_pyjwt,
)

PAT_PATTERN = re.compile(r"^pgat_[0-9A-Za-z]{33}$")
CREATED_FIELDS = {"id", "token", "owner", "name", "scopes", "created_at", "expires_at", "revoked_at"}


def epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())


def test_cli_create_list_revoke_round_trip(patgate):
    created = patgate.create_pat(user="alice", name="deploy", scopes=["openid", "email"])
    assert set(created) == CREATED_FIELDS
    assert PAT_PATTERN.match(created["token"]), created["token"]
    assert re.fullmatch(r"[0-9a-f]{24}", created["id"])
    assert created["owner"] == "alice" and created["name"] == "deploy"
    assert created["scopes"] == ["openid", "email"]
    assert abs(epoch(created["created_at"]) - time.time()) < 60
    assert created["expires_at"] is None and created["revoked_at"] is None
    other = patgate.create_pat(user="alice", name="other", expires_in="1h")
    assert epoch(other["expires_at"]) - epoch(other["created_at"]) == 3600
    patgate.create_pat(user="bob", name="deploy")  # the same name for another owner is fine

    listing = patgate.cli("pat", "list", "--user", "alice", "--json")
    tokens = {entry["id"]: entry for entry in json.loads(listing.stdout)}
    assert set(tokens) == {created["id"], other["id"]}
    entry = tokens[created["id"]]
    assert "token" not in entry
    assert set(entry) == (CREATED_FIELDS - {"token"}) | {"state"}
    assert entry["state"] == "active" and entry["scopes"] == ["openid", "email"]
    assert created["token"] not in listing.stdout + listing.stderr
    text = patgate.cli("pat", "list", "--user", "alice")
    assert created["token"] not in text.stdout + text.stderr and other["token"] not in text.stdout
    assert "deploy" in text.stdout and created["id"] in text.stdout

    patgate.mint(created["token"])
    revoked = patgate.revoke(created["id"])
    assert created["id"] in revoked.stdout
    patgate.revoke(created["id"])  # revoking twice is fine
    after = {entry["id"]: entry for entry in patgate.list_pats("alice")}
    assert after[created["id"]]["state"] == "revoked"
    assert after[created["id"]]["revoked_at"] is not None
    assert after[other["id"]]["state"] == "active"


def test_cli_refuses_bad_input(patgate):
    patgate.create_pat(name="taken")
    cases = [
        ["pat", "create", "--user", "alice", "--name", "taken"],                     # duplicate live name
        ["pat", "create", "--user", "alice", "--name", "x1", "--scope", "admin"],    # not in the catalogue
        ["pat", "create", "--user", "alice", "--name", "x2", "--expires-in", "0"],
        ["pat", "create", "--user", "alice", "--name", "x3", "--expires-in", "soon"],
        ["pat", "create", "--user", "alice", "--name", "   "],
        ["pat", "revoke", "000000000000000000000000"],                               # unknown id
        ["pat", "create", "--user", "nobody", "--name", "x5"],                       # no such user
        ["pat", "create", "--user", "mallory", "--name", "x6"],                      # a disabled user
    ]
    patgate.ensure_user("mallory")
    patgate.cli("user", "disable", "mallory")
    for args in cases:
        result = patgate.cli(*args, check=False)
        assert result.returncode != 0, (args, result.stdout)
        assert not PAT_PATTERN.search(result.stdout.strip() or "x"), (args, result.stdout)
    assert [entry["name"] for entry in patgate.list_pats("alice")] == ["taken"]
    assert patgate.list_pats("nobody") == [] and patgate.list_pats("mallory") == []
    refused = patgate.cli("pat", "create", "--user", "nobody", "--name", "x7", check=False)
    assert refused.returncode == 1 and "'nobody'" in refused.stderr, refused.stderr


def test_plain_create_prints_the_value_once_on_stdout(patgate):
    patgate.ensure_user("alice")
    result = patgate.cli("pat", "create", "--user", "alice", "--name", "plain")
    value = result.stdout.strip()
    assert PAT_PATTERN.match(value)
    assert value not in result.stderr
    assert "not be shown again" in result.stderr
    patgate.mint(value)


@pytest.mark.parametrize("expires_in", ["2", "2s"])
def test_expired_pat_stops_working(patgate, expires_in):
    pat = patgate.create_pat(expires_in=expires_in)
    expires_at = epoch(pat["expires_at"])
    assert expires_at - epoch(pat["created_at"]) == 2
    response = patgate.exchange(pat["token"])
    if response.status_code == 200:  # may already be past expiry on a slow machine
        claims = verify_with_pyjwt(response.json()["access_token"], patgate)
        assert claims["exp"] <= expires_at
    failed = poll(lambda: patgate.exchange(pat["token"]).status_code == 400, timeout=6, interval=0.25)
    assert failed, "an expired PAT was still exchanged"
    assert time.time() >= expires_at - 1
    assert_oauth_error(patgate.exchange(pat["token"]), 400, "invalid_request")
    assert [e["state"] for e in patgate.list_pats("alice") if e["id"] == pat["id"]] == ["expired"]


def test_revoked_pat_stops_working_within_the_cache_ttl(patgate_factory):
    server = patgate_factory().start(env={"PATGATE_CACHE_TTL_SECONDS": "1"})
    pat = server.create_pat()
    server.mint(pat["token"])
    server.mint(pat["token"])  # now cached
    server.revoke(pat["id"])
    revoked_at = time.monotonic()
    failed = poll(lambda: server.exchange(pat["token"]).status_code == 400, timeout=3.5, interval=0.1)
    elapsed = time.monotonic() - revoked_at
    assert failed, "a revoked PAT still worked 3.5 s after revocation with cache.ttl_seconds=1"
    assert elapsed <= 3.0, elapsed
    assert_oauth_error(server.exchange(pat["token"]), 400, "invalid_request")


def test_token_never_outlives_its_pat(patgate):
    pat = patgate.create_pat(expires_in="60")
    expires_at = epoch(pat["expires_at"])
    body = patgate.mint(pat["token"])
    assert 0 < body["expires_in"] <= 60
    for claims in (verify_with_pyjwt(body["access_token"], patgate),
                   verify_with_joserfc(body["access_token"], patgate)):
        assert claims["exp"] <= expires_at
        assert claims["exp"] - claims["iat"] <= 60


def test_acknowledged_pat_survives_a_server_crash(patgate):
    pat = patgate.create_pat()
    revoked = patgate.create_pat()
    patgate.revoke(revoked["id"])
    patgate.kill()  # SIGKILL: no graceful shutdown
    patgate.start(port=patgate.port)
    patgate.mint(pat["token"])
    assert_oauth_error(patgate.exchange(revoked["token"]), 400, "invalid_request")


# -- check-config -----------------------------------------------------------------------------

def broken_config(server, *, port=None, key=None, algorithm=None) -> str:
    text = server.config_path.read_text()
    if port is not None:
        text = re.sub(r"(?m)^  port: .*$", f"  port: {port}", text)
    if key is not None:
        text = re.sub(r"(?m)^  active: .*$", f"  active: {key}", text)
    if algorithm is not None:
        text = re.sub(r"(?m)^(  active: .*)$", rf"\1\n  algorithm: {algorithm}", text)
    return text


def check_config(server, text: str, name: str = "broken.yaml"):
    path = server.data_dir / name
    path.write_text(text)
    return run_cli("check-config", "--config", str(path), check=False)


def test_check_config_accepts_the_generated_config(patgate_factory):
    server = patgate_factory().bootstrap()
    result = run_cli("check-config", "--data-dir", str(server.data_dir))
    assert "configuration ok" in result.stdout
    result = run_cli("check-config", "--config", str(server.config_path))
    assert "configuration ok" in result.stdout


@pytest.mark.parametrize("kind, change, named", [
    ("bad port", {"port": 99999}, ["server.port", "99999"]),
    ("bad port", {"port": "http"}, ["server.port"]),
    ("unknown algorithm", {"algorithm": "HS999"}, ["keys.algorithm"]),
    ("missing key file", {"key": "keys/missing.pem"}, ["missing.pem"]),
])
def test_check_config_names_the_bad_key(patgate_factory, tmp_path, kind, change, named):
    server = patgate_factory().bootstrap()
    result = check_config(server, broken_config(server, **change))
    assert result.returncode == 1, (kind, result.stdout, result.stderr)
    for text in named:
        assert text in result.stderr, (kind, result.stderr)
    assert "configuration ok" not in result.stdout


def test_check_config_lists_every_problem_of_one_phase(patgate_factory, tmp_path):
    server = patgate_factory().bootstrap()
    text = broken_config(server, port=70000, algorithm="RS999")
    text = text.replace("ttl_seconds: 60", "ttl_seconds: -5")
    text = text.replace("  auth: basic", "  auth: kerberos")
    text = text.replace("ids: [cli, ci, patgate-gateway]", "ids: [cli, ci, patgate-gateway, 'bad id!']")
    result = check_config(server, text)
    assert result.returncode == 1
    for key in ["server.port", "keys.algorithm", "cache.ttl_seconds", "upstream.auth", "clients.ids"]:
        assert key in result.stderr, (key, result.stderr)
    for secret in (server.ci_secret, server.gateway_secret, server.hash_key):
        assert secret not in result.stderr + result.stdout


def test_check_config_names_port_key_file_and_algorithm_at_once(patgate_factory, tmp_path):
    server = patgate_factory().bootstrap()
    result = check_config(server, broken_config(server, port=99999, key="keys/missing.pem", algorithm="HS999"))
    assert result.returncode == 1
    for text in ["server.port", "keys.algorithm", "keys.active"]:
        assert text in result.stderr, (text, result.stderr)


def test_check_config_names_keys_active_for_a_missing_key_file(patgate_factory, tmp_path):
    server = patgate_factory().bootstrap()
    result = check_config(server, broken_config(server, key="keys/missing.pem"))
    assert result.returncode == 1
    assert "keys.active" in result.stderr, result.stderr


# -- discovery ----------------------------------------------------------------------------------

def test_discovery_documents_point_at_working_endpoints(patgate):
    oauth = patgate.get("/.well-known/oauth-authorization-server")
    oidc = patgate.get("/.well-known/openid-configuration")
    assert oauth.status_code == oidc.status_code == 200
    assert oauth.json() == oidc.json()
    metadata = oauth.json()
    base = patgate.base_url
    assert metadata["issuer"] == base
    assert metadata["token_endpoint"] == base + "/token"
    assert metadata["jwks_uri"] == base + "/.well-known/jwks.json"
    assert metadata["introspection_endpoint"] == base + "/introspect"
    assert "urn:ietf:params:oauth:grant-type:token-exchange" in metadata["grant_types_supported"]
    assert {"client_secret_basic", "client_secret_post", "none"} <= set(metadata["token_endpoint_auth_methods_supported"])
    assert metadata["access_token_signing_alg_values_supported"] == ["ES256"]
    assert set(metadata["scopes_supported"]) == {"openid", "profile", "email", "credentials", "tokens"}

    jwks = patgate.session.get(metadata["jwks_uri"], timeout=10)
    assert jwks.status_code == 200 and jwks.json()["keys"]
    assert jwks.headers["Content-Type"].startswith(("application/jwk-set+json", "application/json"))
    pat = patgate.create_pat()["token"]
    token = patgate.session.post(metadata["token_endpoint"], auth=("ci", patgate.ci_secret), timeout=10, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": pat, "subject_token_type": TYPE_PAT})
    assert token.status_code == 200, token.text
    introspection = patgate.session.post(metadata["introspection_endpoint"], data={"token": pat}, timeout=10,
                                         auth=("patgate-gateway", patgate.gateway_secret))
    assert introspection.status_code == 200 and introspection.json()["active"] is True
    assert patgate.get("/healthz").json()["status"] == "ok"
    assert patgate.get("/readyz").status_code == 200


def test_issuer_override_sets_iss_and_discovery(patgate_factory):
    server = patgate_factory()
    server.start(issuer="https://patgate.example.com")
    metadata = server.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == "https://patgate.example.com"
    assert metadata["token_endpoint"] == "https://patgate.example.com/token"
    assert metadata["jwks_uri"] == "https://patgate.example.com/.well-known/jwks.json"
    token = server.mint()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == "https://patgate.example.com"


def test_introspection_endpoint_is_rfc7662(patgate):
    pat = patgate.create_pat(user="ivy", scopes=["openid"], expires_in="1h")
    auth = ("patgate-gateway", patgate.gateway_secret)
    active = patgate.post("/introspect", data={"token": pat["token"]}, auth=auth).json()
    assert active["active"] is True
    assert active["sub"] == "ivy" and active["scope"] == "openid"
    assert active["exp"] == epoch(pat["expires_at"])
    assert pat["token"] not in str(active)
    assert patgate.post("/introspect", data={"token": "pgat_nope"}, auth=auth).json() == {"active": False}
    # Only clients with the introspection grant may introspect.
    assert patgate.post("/introspect", data={"token": pat["token"]}, auth=("ci", patgate.ci_secret)).status_code in (400, 401, 403)
    assert_oauth_error(patgate.post("/introspect", data={"token": pat["token"]}), 401, "invalid_client")


def test_check_config_gateway_only_needs_an_upstream(patgate_factory):
    server = patgate_factory().bootstrap()
    result = run_cli("check-config", "--data-dir", str(server.data_dir), env={"PATGATE_ISSUER_ENABLED": "false"},
                     check=False)
    assert result.returncode == 1
    assert "upstream.introspection_url" in result.stderr


needs_ipv6 = pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback here")


@needs_ipv6
def test_ipv6_listener_with_explicit_issuer(patgate_factory):
    server = patgate_factory().bootstrap()
    port = free_port("::1")
    server.start(host="::1", port=port, issuer=f"http://[::1]:{port}")
    metadata = server.get("/.well-known/oauth-authorization-server").json()
    assert metadata["token_endpoint"] == f"http://[::1]:{port}/token"
    claims = verify_with_pyjwt(server.mint()["access_token"], server)  # self-introspection over [::1] too
    assert claims["iss"] == f"http://[::1]:{port}"


@needs_ipv6
def test_ipv6_listener_default_issuer(patgate_factory):
    server = patgate_factory().start(host="::1")
    metadata = server.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == f"http://[::1]:{server.port}"
    assert verify_with_joserfc(server.mint()["access_token"], server)
