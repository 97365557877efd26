"""All three credential providers on one `patgate serve`: s3 (moto's STS and S3), postgres (the
real PostgreSQL of PATGATE_TEST_POSTGRES_ADMIN_URL) and x509 (a CA from `patgate ca init`).

The STS is reached through a small counting proxy in front of moto, so a test can tell whether
patgate called it at all. The helpers and fixtures come from the three single-provider modules.
"""

from __future__ import annotations

import subprocess
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs

import jwt
import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from patgate_e2e import Patgate, assert_oauth_error, free_port, http_session, run_cli
from test_credentials_postgres import ADMIN_URL, READER, admin_connect, login, pg_env, prefix, roles_with_prefix  # noqa: F401
from test_credentials_s3 import BUCKET, REGION, Moto, epoch, moto, s3_env  # noqa: F401
from test_credentials_x509 import leaf_and_chain, make_csr, new_key, pem

pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="PATGATE_TEST_POSTGRES_ADMIN_URL is not set (scripts/test sets it)")

SCOPES = ["openid", "credentials"]
PAT_LIFETIME = 1200   # longer than the STS minimum (900 s) plus its timeout, so every provider issues


class CountingSTS:
    """Forwards every request to `target` (moto) and records the form; `target=None` answers 503."""

    def __init__(self, target: str | None):
        self.forms: list[dict[str, str]] = []
        owner = self
        upstream = http_session()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.forms.append({k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()})
                if target is None:
                    status, body, kind = 503, b"<html>down</html>", "text/html"
                else:
                    answer = upstream.post(target + self.path, data=raw, timeout=10,
                                           headers={"Content-Type": self.headers.get("Content-Type", "")})
                    status, body, kind = answer.status_code, answer.content, answer.headers.get("Content-Type", "text/xml")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def calls(self) -> list[dict[str, str]]:
        return [form for form in self.forms if form.get("Action") == "AssumeRoleWithWebIdentity"]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sts(moto: Moto) -> Iterator[CountingSTS]:
    proxy = CountingSTS(moto.url)
    try:
        yield proxy
    finally:
        proxy.stop()


def all_env(sts_url: str, prefix: str, moto_url: str, **extra: str) -> dict[str, str]:
    # S3 clients go to moto itself; only the STS calls pass the counting proxy.
    return {**s3_env(sts_url, PATGATE_CREDENTIALS_S3_ENDPOINT_URL=moto_url), **pg_env(prefix), **extra}


def start_gateway(factory, env: dict[str, str], ca: tuple[Path, Path] | None = None) -> Patgate:
    """A server with all three providers: `patgate ca init`, or the given CA files copied in."""
    server = factory().bootstrap()
    secrets_dir = server.data_dir / "secrets"
    if ca is None:
        run_cli("ca", "init", "--data-dir", str(server.data_dir))
    else:
        (secrets_dir / "ca.pem").write_bytes(ca[0].read_bytes())
        (secrets_dir / "ca-key.pem").write_bytes(ca[1].read_bytes())
        (secrets_dir / "ca-key.pem").chmod(0o600)
    return server.start(env=env)


def exchange(server: Patgate, csr: str | None, scope: str = "openid credentials", user: str = "alice"):
    pat = server.create_pat(user=user, scopes=SCOPES, expires_in=PAT_LIFETIME)
    extra = [("csr", csr)] if csr is not None else []
    return pat, server.exchange(pat["token"], scope=scope, extra=extra)


def credential_events(server: Patgate, count: int = 0) -> list[tuple[str, str, str | None]]:
    """(event, provider, target) of every credential.* audit event, in order, once `count` of
    them are written (the audit log is written in the background)."""
    def credentials(events: list[dict]) -> list[dict]:
        return [event for event in events if event.get("event", "").startswith("credential.")]

    events = credentials(server.audit_events(until=lambda events: len(credentials(events)) >= count))
    return [(event["event"], event["detail"].split("provider=", 1)[1].split()[0], event.get("target")) for event in events]


CREDENTIAL_FIELDS = ("aws_", "db_", "x509_", "s3_")


# -- 1. everything at once ------------------------------------------------------------------

def test_one_exchange_returns_working_credentials_of_all_three_providers(patgate_factory, moto, sts, prefix, tmp_path):
    server = start_gateway(patgate_factory, all_env(sts.url, prefix, moto.url))
    key = new_key("p256")
    pat, response = exchange(server, pem(make_csr(key)))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "credentials" in body["scope"].split()
    pat_expiry = epoch(pat["expires_at"])
    token_expiry = jwt.decode(body["access_token"], options={"verify_signature": False})["exp"]
    assert len(sts.calls) == 1

    # s3: the STS's temporary credentials put and get an object in moto's S3.
    for name in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
        assert isinstance(body[name], str) and body[name], name
    assert (body["aws_endpoint_url"], body["aws_region"], body["s3_bucket"]) == (moto.url, REGION, BUCKET)
    s3 = moto.client("s3", body["aws_access_key_id"], body["aws_secret_access_key"], body["aws_session_token"])
    s3.put_object(Bucket=BUCKET, Key="home/alice/all.txt", Body=b"three providers")
    assert s3.get_object(Bucket=BUCKET, Key="home/alice/all.txt")["Body"].read() == b"three providers"

    # postgres: the login reads what its role may, and nothing else.
    assert body["db_username"].startswith(prefix + "alice_") and body["db_platform"] == "postgresql"
    with login(body) as conn:
        assert conn.execute("SELECT note FROM patgate_test_readable").fetchall() == [("readable",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT note FROM patgate_test_secret")
    with admin_connect() as conn:
        valid_until = conn.execute("SELECT extract(epoch FROM rolvaliduntil)::bigint FROM pg_roles WHERE rolname = %s",
                                   (body["db_username"],)).fetchone()[0]

    # x509: openssl accepts the chain as a client certificate from the gateway's CA.
    chain = tmp_path / "client.pem"
    chain.write_text(body["x509_certificate"])
    ca_pem = server.data_dir / "secrets" / "ca.pem"
    verify = subprocess.run(["openssl", "verify", "-CAfile", str(ca_pem), "-purpose", "sslclient", str(chain)],
                            capture_output=True, text=True, timeout=30)
    assert verify.returncode == 0 and verify.stdout.strip().endswith("OK"), verify.stdout + verify.stderr
    leaf = leaf_and_chain(body)[0]
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "alice"

    # Nothing outlives the PAT.
    assert token_expiry <= pat_expiry
    assert epoch(body["aws_credentials_expiration"]) <= pat_expiry
    assert valid_until <= pat_expiry
    assert epoch(body["x509_expiration"]) == int(leaf.not_valid_after_utc.timestamp()) == token_expiry <= pat_expiry

    # Discovery names the three providers and every public setting, no secret.
    published = server.get("/.well-known/configuration").json()
    assert sorted(published["credential_providers"]) == ["postgres", "s3", "x509"]
    for name in ("aws_endpoint_url", "aws_region", "s3_bucket", "db_host", "db_port", "db_database", "db_platform"):
        assert published[name] == body[name], name
    assert not any(name in published for name in
                   ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "db_username", "db_password"))

    # One credential.issued per provider, in the issuing order, with each credential's id.
    serial = format(leaf.serial_number, "X")
    assert credential_events(server, 3) == [("credential.issued", "s3", body["aws_access_key_id"]),
                                         ("credential.issued", "postgres", body["db_username"]),
                                         ("credential.issued", "x509", serial)]
    assert {event["actor"] for event in server.audit_events() if event["event"] == "credential.issued"} == {"alice"}

    # No secret in the audit log or the server's output.
    server.stop()
    audit_text = (server.data_dir / "audit.jsonl").read_text()
    output = server.stderr_text() + server.stdout_text()
    assert "patgate listening" in output
    for name in ("aws_secret_access_key", "aws_session_token", "db_password", "access_token"):
        assert body[name] not in audit_text, f"{name} in the audit log"
        assert body[name] not in output, f"{name} in the server's output"
    assert pat["token"] not in audit_text and pat["token"] not in output
    assert "BEGIN CERTIFICATE" not in audit_text + output


# -- 2. nothing half-made -------------------------------------------------------------------

def test_a_bad_csr_fails_before_any_provider_issues(patgate_factory, moto, sts, prefix):
    server = start_gateway(patgate_factory, all_env(sts.url, prefix, moto.url))
    _, response = exchange(server, "this is not a certificate request")
    body = assert_oauth_error(response, 400, "invalid_request")
    assert "csr" in body["error_description"]
    assert not [name for name in body if name.startswith(CREDENTIAL_FIELDS)]
    assert sts.calls == []                     # no STS call
    assert roles_with_prefix(prefix) == []     # no login
    assert credential_events(server, 1) == [("credential.failed", "x509", None)]


def test_a_stopped_sts_is_a_503_and_no_login_is_made(patgate_factory, moto, prefix):
    closed = f"http://127.0.0.1:{free_port()}/"   # nothing listens there
    server = start_gateway(patgate_factory, all_env(closed, prefix, moto.url))
    _, response = exchange(server, pem(make_csr(new_key("p256"))))
    body = assert_oauth_error(response, 503, "temporarily_unavailable")
    assert not [name for name in body if name.startswith(CREDENTIAL_FIELDS)]
    assert roles_with_prefix(prefix) == []
    assert credential_events(server, 1) == [("credential.failed", "s3", None)]


def test_a_failing_database_after_the_sts_withdraws_and_returns_no_token(patgate_factory, moto, sts, prefix):
    """The withdrawal path with real peers: s3 has issued when postgres fails (nothing listens
    at its port). The broker withdraws the S3 credential (STS credentials cannot be revoked, so
    withdrawing them only records it) and answers 503 without a token."""
    dead = f"postgres://patgate_admin:not-used@127.0.0.1:{free_port()}/patgate?sslmode=disable"
    server = start_gateway(patgate_factory, all_env(sts.url, prefix, moto.url,
                                                    PATGATE_CREDENTIALS_POSTGRES_ADMIN_URL=dead,
                                                    PATGATE_CREDENTIALS_POSTGRES_TIMEOUT_SECONDS="2"))
    _, response = exchange(server, pem(make_csr(new_key("p256"))))
    body = assert_oauth_error(response, 503, "temporarily_unavailable")
    assert not [name for name in body if name.startswith(CREDENTIAL_FIELDS)]
    assert len(sts.calls) == 1
    events = credential_events(server, 2)
    assert [event[:2] for event in events] == [("credential.failed", "postgres"), ("credential.withdrawn", "s3")]
    assert events[1][2]   # the access key id that was withdrawn
    assert not any(event[0] == "credential.issued" for event in events)


def short_lived_ca(folder: Path, lifetime: timedelta) -> tuple[Path, Path]:
    """A valid CA (CA:TRUE, subject key identifier) whose certificate ends `lifetime` from now."""
    key = new_key("p256")
    now = datetime.now(timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "short-lived CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + lifetime)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "ca.pem", folder / "ca-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_a_ca_expiring_before_the_certificate_is_a_503_before_anything_is_made(patgate_factory, moto, sts, prefix,
                                                                               tmp_path):
    """X509CredentialProvider checks the CA's notAfter in `prepare`, so this failure comes before
    the STS call and the login, not after them (it cannot exercise the postgres withdrawal)."""
    ca = short_lived_ca(tmp_path / "ca", timedelta(minutes=5))   # the token lives 600 s
    server = start_gateway(patgate_factory, all_env(sts.url, prefix, moto.url), ca=ca)
    _, response = exchange(server, pem(make_csr(new_key("p256"))))
    body = assert_oauth_error(response, 503, "temporarily_unavailable")
    assert "CA certificate expires" in body["error_description"]
    assert not [name for name in body if name.startswith(CREDENTIAL_FIELDS)]
    assert sts.calls == []
    assert roles_with_prefix(prefix) == []
    assert credential_events(server, 1) == [("credential.failed", "x509", None)]


# -- 3. without the credentials scope -------------------------------------------------------

def test_without_the_credentials_scope_no_provider_is_called(patgate_factory, moto, sts, prefix):
    server = start_gateway(patgate_factory, all_env(sts.url, prefix, moto.url))
    for csr in (pem(make_csr(new_key("p256"))), None):
        _, response = exchange(server, csr, scope="openid")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["access_token"] and body["scope"] == "openid"
        assert not [name for name in body if name.startswith(CREDENTIAL_FIELDS)], body
    assert sts.calls == []
    assert roles_with_prefix(prefix) == []
    assert credential_events(server) == []
