"""Invariant 1 of docs/ARCHITECTURE.md: no PAT value, client secret or private key ever reaches the logs."""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from patgate_e2e import GRANT_TOKEN_EXCHANGE, TYPE_ACCESS_TOKEN, Patgate, free_port, well_formed_unknown_pat


def b64url_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def private_key_fragments(path: Path) -> list[str]:
    """The PEM body lines and the private JWK members (d, p, q, ...) of a key file."""
    text = path.read_text()
    fragments = [line for line in text.splitlines() if line and not line.startswith("-----") and len(line) >= 16]
    key = serialization.load_pem_private_key(text.encode(), password=None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        fragments.append(b64url_int(key.private_numbers().private_value))
    elif isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        fragments += [b64url_int(n) for n in (numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp)]
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        fragments.append(base64.urlsafe_b64encode(raw).rstrip(b"=").decode())
    return fragments


def basic(client_id: str, secret: str) -> str:
    return base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def assert_no_leaks(server: Patgate, extra_secrets: list[str]) -> None:
    logs = server.stderr_text() + "\n" + server.stdout_text()
    assert "patgate listening" in logs, "the log capture is empty: the check would prove nothing"
    named = {
        "ci secret": server.ci_secret,
        "gateway introspection secret": server.gateway_secret,
        "PAT hash key": server.hash_key,
        "ci Basic credentials": basic("ci", server.ci_secret),
        "gateway Basic credentials": basic("patgate-gateway", server.gateway_secret),
    }
    for index, value in enumerate(server.created_pats + extra_secrets):
        named[f"secret #{index}"] = value
    for key_file in server.signing_key_files():
        for index, fragment in enumerate(private_key_fragments(key_file)):
            named[f"{key_file.name} fragment #{index}"] = fragment
    leaked = [name for name, value in named.items() if value and value in logs]
    assert not leaked, f"secrets found in the server's output: {leaked}"
    assert "PRIVATE KEY" not in logs
    # No PAT-shaped string at all, whether or not this test made it.
    assert not re.search(r"pgat_[0-9A-Za-z]{20,}", logs), "a PAT-shaped value is in the logs"


def exercise(server: Patgate) -> list[str]:
    """Good and bad exchanges and introspections; returns the secrets sent that must not be logged."""
    sent: list[str] = []
    good = server.create_pat(scopes=["openid"])
    for auth in ("basic", "post"):
        server.mint(good["token"], auth=auth)
    server.mint(server.create_pat()["token"], auth="public")

    unknown = well_formed_unknown_pat()
    malformed = "pgat_" + secrets.token_urlsafe(30)
    sent += [unknown, malformed]
    for token in (unknown, malformed):
        assert server.exchange(token).status_code == 400
        assert server.exchange(token, subject_token_type=TYPE_ACCESS_TOKEN).status_code == 400

    revoked = server.create_pat()
    server.revoke(revoked["id"])
    assert server.exchange(revoked["token"]).status_code == 400

    wrong_secret = "wrong-" + secrets.token_urlsafe(24)
    sent.append(wrong_secret)
    assert server.exchange(good["token"], secret=wrong_secret).status_code == 401
    assert server.exchange(good["token"], auth="post", secret=wrong_secret).status_code == 401
    assert server.exchange(good["token"], client_id="no-such-client", secret=wrong_secret).status_code == 401
    # A PAT sent where a secret belongs, and in parameters that are echoed in errors elsewhere.
    assert server.exchange(good["token"], secret=good["token"]).status_code == 401
    assert server.exchange(good["token"], scope=good["token"]).status_code == 400
    assert server.exchange(good["token"], audience=good["token"]).status_code == 400
    assert server.exchange(good["token"], resource=good["token"]).status_code == 400
    assert server.exchange(good["token"], subject_token_type=good["token"]).status_code == 400
    assert server.exchange(good["token"], extra=[("subject_token", good["token"])]).status_code == 400
    # Malformed bodies that carry secrets.
    assert server.post("/token", data=f"subject_token={good['token']}&client_secret={server.ci_secret}%zz",
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400
    assert server.post("/token", data={"subject_token": good["token"], "pad": "x" * 20000},
                       auth=("ci", server.ci_secret)).status_code in (400, 413)
    assert server.post("/token", json={"subject_token": good["token"]},
                       auth=("ci", server.ci_secret)).status_code in (400, 415)
    assert server.post("/token", data={"grant_type": GRANT_TOKEN_EXCHANGE},
                       headers={"Authorization": "Basic " + basic("ci", wrong_secret) + "!"}).status_code == 401
    # Introspection with wrong and right credentials.
    assert server.post("/introspect", data={"token": good["token"]},
                       auth=("patgate-gateway", wrong_secret)).status_code == 401
    assert server.post("/introspect", data={"token": good["token"]},
                       auth=("patgate-gateway", server.gateway_secret)).json()["active"] is True
    return sent


@pytest.mark.parametrize("level", ["info", "trace"])
def test_no_secrets_in_server_output(patgate_factory, level):
    server = patgate_factory().start(env={"PATGATE_LOGGING_LEVEL": level})
    sent = exercise(server)
    server.stop()  # graceful shutdown messages are part of the output too
    assert_no_leaks(server, sent)


def test_no_secrets_when_the_upstream_fails(patgate_factory, tmp_path):
    """Upstream down (connection refused) and upstream timing out: the errors are logged, the secrets not."""
    upstream_secret = "upstream-" + secrets.token_urlsafe(24)
    secret_file = tmp_path / "upstream.secret"
    secret_file.write_text(upstream_secret + "\n")
    server = patgate_factory().start(env={
        "PATGATE_LOGGING_LEVEL": "trace",
        "PATGATE_UPSTREAM_INTROSPECTION_URL": f"http://127.0.0.1:{free_port()}/introspect",
        "PATGATE_UPSTREAM_CLIENT_ID": "gw",
        "PATGATE_UPSTREAM_CLIENT_SECRET_FILE": str(secret_file),
        "PATGATE_CACHE_TTL_SECONDS": "0",
    })
    pat = server.create_pat()["token"]
    for _ in range(2):
        response = server.exchange(pat)
        assert response.status_code == 503, response.text
        assert "access_token" not in response.json()
    server.stop()
    assert "introspection upstream unreachable" in server.stderr_text()
    assert_no_leaks(server, [upstream_secret, basic("gw", upstream_secret)])


def test_upstream_url_credentials_are_redacted_in_logs(patgate_factory):
    port = free_port()
    server = patgate_factory().start(env={
        "PATGATE_UPSTREAM_INTROSPECTION_URL": f"http://gw:url-password-s3cret@127.0.0.1:{port}/introspect?api_key=query-s3cret",
        "PATGATE_UPSTREAM_AUTH": "none",
    })
    pat = server.create_pat()["token"]
    assert server.exchange(pat).status_code == 503
    server.stop()
    logs = server.stderr_text() + server.stdout_text()
    assert "url-password-s3cret" not in logs
    assert "query-s3cret" not in logs
