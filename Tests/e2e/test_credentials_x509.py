"""X.509 client certificates (credentials.x509): `patgate ca init`, then `patgate serve` on the
embedded default signs CSRs sent in the `csr` parameter. Checked with the openssl CLI, with
`cryptography` from PyPI, and by a real TLS handshake that requires the client certificate."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import stat
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from patgate_e2e import Patgate, assert_oauth_error, run_cli

SCOPE = "openid credentials"


def new_key(kind: str):
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "secp256k1":
        return ec.generate_private_key(ec.SECP256K1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    raise ValueError(kind)


def make_csr(key, common_name: str = "requested-name", extensions: bool = False) -> x509.CertificateSigningRequest:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
    if extensions:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("evil.example"), x509.UniformResourceIdentifier("spiffe://patgate.local/user/admin")]),
            critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)


def pem(csr: x509.CertificateSigningRequest) -> str:
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def b64url_der(der: bytes) -> str:
    return base64.urlsafe_b64encode(der).rstrip(b"=").decode()


def epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())


def claims(body: dict) -> dict:
    return jwt.decode(body["access_token"], options={"verify_signature": False})


def leaf_and_chain(body: dict) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(body["x509_certificate"].encode())


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Patgate:
    """The embedded default after `patgate ca init`: the x509 provider is on without any edit."""
    gate = Patgate(tmp_path_factory.mktemp("x509"))
    gate.bootstrap()
    result = run_cli("ca", "init", "--data-dir", str(gate.data_dir))
    assert "secrets/ca.pem" in result.stdout, result.stdout
    try:
        yield gate.start()
    finally:
        gate.stop()


@pytest.fixture(scope="module")
def ca_pem(server) -> Path:
    return server.data_dir / "secrets" / "ca.pem"


def exchange_csr(server: Patgate, csr: str | None, pat: str | None = None, scope: str = SCOPE):
    token = pat or server.create_pat(user="alice", scopes=["openid", "credentials"])["token"]
    extra = [("csr", csr)] if csr is not None else []
    return server.exchange(token, scope=scope, extra=extra)


def test_ca_init_writes_a_ca_key_of_mode_0600_and_refuses_to_overwrite(server, ca_pem):
    key_file = server.data_dir / "secrets" / "ca-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    ca = x509.load_pem_x509_certificate(ca_pem.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "patgate client CA"
    before = ca_pem.read_bytes()
    again = run_cli("ca", "init", "--data-dir", str(server.data_dir), check=False)
    assert again.returncode != 0 and "--force" in again.stderr
    assert ca_pem.read_bytes() == before


def test_ca_init_options_and_force(tmp_path):
    data = tmp_path / "data"
    args = ["ca", "init", "--data-dir", str(data), "--alg", "EdDSA", "--common-name", "Ops CA",
            "--organization", "Example", "--days", "30"]
    run_cli(*args)
    first = x509.load_pem_x509_certificate((data / "secrets" / "ca.pem").read_bytes())
    assert first.subject.rfc4514_string() == "CN=Ops CA,O=Example"
    assert isinstance(first.public_key(), ed25519.Ed25519PublicKey)
    lifetime = first.not_valid_after_utc - first.not_valid_before_utc
    assert lifetime == timedelta(days=30)
    run_cli(*args, "--force")
    second = x509.load_pem_x509_certificate((data / "secrets" / "ca.pem").read_bytes())
    assert second.serial_number != first.serial_number
    bad = run_cli("ca", "init", "--data-dir", str(tmp_path / "other"), "--alg", "PS256", check=False)
    assert bad.returncode != 0 and "--alg" in bad.stderr


def test_ca_init_force_that_fails_leaves_the_old_ca_intact(tmp_path):
    data = tmp_path / "data"
    run_cli("ca", "init", "--data-dir", str(data))
    secrets = data / "secrets"
    key_file, cert_file = secrets / "ca-key.pem", secrets / "ca.pem"
    before = {path: path.read_bytes() for path in (key_file, cert_file)}
    # The certificate cannot replace a directory: the new key, already in place by then, must be rolled back.
    blocker = secrets / "blocker"
    (blocker / "inside").mkdir(parents=True)
    failed = run_cli("ca", "init", "--data-dir", str(data), "--cert-out", str(blocker), "--force", check=False)
    assert failed.returncode != 0, failed.stdout
    assert "unchanged" in failed.stderr, failed.stderr
    assert {path: path.read_bytes() for path in (key_file, cert_file)} == before
    assert (blocker / "inside").is_dir()
    assert sorted(p.name for p in secrets.iterdir()) == ["blocker", "ca-key.pem", "ca.pem"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    run_cli("ca", "init", "--data-dir", str(data), "--force")
    assert key_file.read_bytes() != before[key_file] and cert_file.read_bytes() != before[cert_file]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert_file.stat().st_mode) == 0o644
    assert sorted(p.name for p in secrets.iterdir()) == ["blocker", "ca-key.pem", "ca.pem"]


def test_issued_chain_verifies_with_openssl_as_client_certificate(server, ca_pem, tmp_path):
    key = new_key("p256")
    response = exchange_csr(server, pem(make_csr(key)))
    assert response.status_code == 200, response.text
    body = response.json()
    chain_file = tmp_path / "chain.pem"
    chain_file.write_text(body["x509_certificate"])
    result = subprocess.run(["openssl", "verify", "-CAfile", str(ca_pem), "-purpose", "sslclient", str(chain_file)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip().endswith("OK"), result.stdout + result.stderr
    leaf, ca = leaf_and_chain(body)
    assert ca.public_bytes(serialization.Encoding.PEM) == ca_pem.read_bytes()
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()


def test_certificate_identity_extensions_and_validity(server):
    body = exchange_csr(server, pem(make_csr(new_key("p256")))).json()
    leaf, ca = leaf_and_chain(body)
    token = claims(body)
    assert leaf.not_valid_before_utc == datetime.fromtimestamp(token["iat"], timezone.utc)
    assert leaf.not_valid_after_utc == datetime.fromtimestamp(token["exp"], timezone.utc)
    assert epoch(body["x509_expiration"]) == token["exp"] and body["x509_expiration"].endswith("Z")

    common_name = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert [attribute.value for attribute in common_name] == ["alice"] and len(leaf.subject) == 1
    assert common_name[0]._type.name == "UTF8String"
    assert leaf.issuer == ca.subject
    extensions = {extension.oid: extension for extension in leaf.extensions}
    assert set(extensions) == {
        ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE, ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER, ExtensionOID.SUBJECT_ALTERNATIVE_NAME}
    san = extensions[ExtensionOID.SUBJECT_ALTERNATIVE_NAME].value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://patgate.local/user/alice"]
    assert len(list(san)) == 1
    assert list(extensions[ExtensionOID.EXTENDED_KEY_USAGE].value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    constraints = extensions[ExtensionOID.BASIC_CONSTRAINTS]
    assert constraints.critical and constraints.value.ca is False
    usage = extensions[ExtensionOID.KEY_USAGE]
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert not usage.value.key_encipherment and not usage.value.content_commitment
    ski = extensions[ExtensionOID.SUBJECT_KEY_IDENTIFIER].value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(leaf.public_key())
    aki = extensions[ExtensionOID.AUTHORITY_KEY_IDENTIFIER].value
    assert aki.key_identifier == ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    # A random positive serial: at least 64 bits, at most 20 octets, never repeated.
    serials = {leaf.serial_number} | {
        leaf_and_chain(exchange_csr(server, pem(make_csr(new_key("p256")))).json())[0].serial_number for _ in range(4)}
    assert len(serials) == 5
    assert all(0 < serial < 2 ** 159 and serial.bit_length() >= 64 for serial in serials)


def test_short_lived_pat_caps_the_certificate(server):
    pat = server.create_pat(user="alice", scopes=["openid", "credentials"], expires_in=90)
    body = exchange_csr(server, pem(make_csr(new_key("p256"))), pat=pat["token"]).json()
    leaf = leaf_and_chain(body)[0]
    assert int(leaf.not_valid_after_utc.timestamp()) == epoch(pat["expires_at"]) == claims(body)["exp"]
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).total_seconds() <= 90


@pytest.mark.parametrize("kind", ["p256", "p384", "ed25519", "rsa2048"])
@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_key_types_in_pem_and_base64url_der(server, kind, encoding):
    key = new_key(kind)
    csr = make_csr(key)
    text = pem(csr) if encoding == "pem" else b64url_der(csr.public_bytes(serialization.Encoding.DER))
    response = exchange_csr(server, text)
    assert response.status_code == 200, response.text
    leaf = leaf_and_chain(response.json())[0]
    assert leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) \
        == key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def tampered() -> str:
    der = bytearray(make_csr(new_key("p256"), common_name="tamper-me").public_bytes(serialization.Encoding.DER))
    index = der.index(b"tamper-me")
    der[index] ^= 0x01  # inside the signed CertificationRequestInfo: still parses, no longer verifies
    x509.load_der_x509_csr(bytes(der))  # well-formed
    assert not x509.load_der_x509_csr(bytes(der)).is_signature_valid
    return b64url_der(bytes(der))


def explicit_curve_csr(directory: Path) -> str:
    """A P-256 key whose CSR spells the curve out as explicit parameters instead of naming it."""
    key, csr = directory / "explicit.key", directory / "explicit.csr"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey", "-noout",
                    "-out", str(key)], check=True, capture_output=True, timeout=30)
    subprocess.run(["openssl", "req", "-new", "-key", str(key), "-subj", "/CN=x", "-out", str(csr)],
                   check=True, capture_output=True, timeout=30)
    return csr.read_text()


@pytest.mark.parametrize("case", ["garbage", "tampered", "rsa1024", "secp256k1", "truncated-pem", "rsa-e3",
                                  "explicit-curve"])
def test_bad_csr_is_refused_without_a_token(server, case, tmp_path):
    csr = {
        "garbage": lambda: "this is not a certificate request",
        "tampered": tampered,
        "rsa1024": lambda: pem(make_csr(new_key("rsa1024"))),
        "secp256k1": lambda: pem(make_csr(new_key("secp256k1"))),
        "truncated-pem": lambda: pem(make_csr(new_key("p256")))[:200],
        "rsa-e3": lambda: pem(make_csr(rsa.generate_private_key(public_exponent=3, key_size=2048))),
        "explicit-curve": lambda: explicit_curve_csr(tmp_path),
    }[case]()
    response = exchange_csr(server, csr)
    body = assert_oauth_error(response, 400, "invalid_request")
    assert "access_token" not in body and "x509_certificate" not in body
    assert "csr" in body.get("error_description", "")
    expected = {"rsa1024": "1024 bits", "secp256k1": "secp256k1", "tampered": "signature", "rsa-e3": "exponent",
                "explicit-curve": "explicit"}.get(case)
    if expected:
        assert expected in body["error_description"], body


def test_requested_subject_and_extensions_are_not_copied(server):
    body = exchange_csr(server, pem(make_csr(new_key("p256"), common_name="admin", extensions=True))).json()
    leaf = leaf_and_chain(body)[0]
    assert leaf.subject.rfc4514_string() == "CN=alice"
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == []
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://patgate.local/user/alice"]
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_hostile_user_name_stays_one_percent_encoded_path_segment(server):
    user = "eve/../admin?x=1,DNS:evil #ü"
    pat = server.create_pat(user=user, scopes=["openid", "credentials"])["token"]
    body = exchange_csr(server, pem(make_csr(new_key("p256"))), pat=pat).json()
    leaf = leaf_and_chain(body)[0]
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert list(san) == [x509.UniformResourceIdentifier(
        "spiffe://patgate.local/user/eve%2F..%2Fadmin%3Fx%3D1%2CDNS%3Aevil%20%23%C3%BC")]
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == user


def test_no_csr_or_no_credentials_scope_issues_no_certificate(server):
    without_csr = exchange_csr(server, None)
    assert without_csr.status_code == 200, without_csr.text
    assert "x509_certificate" not in without_csr.json() and "x509_expiration" not in without_csr.json()
    pat = server.create_pat(user="alice", scopes=["openid", "credentials"])["token"]
    without_scope = exchange_csr(server, pem(make_csr(new_key("p256"))), pat=pat, scope="openid")
    assert without_scope.status_code == 200, without_scope.text
    assert "x509_certificate" not in without_scope.json()


def test_audit_records_the_serial_not_the_certificate(server):
    body = exchange_csr(server, pem(make_csr(new_key("p256")))).json()
    serial = format(leaf_and_chain(body)[0].serial_number, "X")
    events = server.audit_events(until=lambda events: any(event.get("target") == serial for event in events))
    audit = (server.data_dir / "audit.jsonl").read_text()
    issued = [event for event in events if event.get("target") == serial]
    assert issued and "credential.issued" in json.dumps(issued[0]) and "provider=x509" in json.dumps(issued[0])
    assert "BEGIN CERTIFICATE" not in audit and "MII" not in audit
    ca_key_body = "".join((server.data_dir / "secrets" / "ca-key.pem").read_text().splitlines()[1:-1])
    for text in (audit, server.stderr_text(), server.stdout_text()):
        assert ca_key_body[:32] not in text and "PRIVATE KEY" not in text


def test_discovery_lists_the_x509_provider(server):
    configuration = server.get("/.well-known/configuration").json()
    assert "x509" in json.dumps(configuration)


def test_tls_handshake_with_the_issued_client_certificate(server, ca_pem, tmp_path):
    """A Python `ssl` server that requires a client certificate from ca.pem accepts the issued one."""
    # The server's own certificate, from a throwaway CA unrelated to patgate's.
    server_key = new_key("p256")
    now = datetime.now(timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    server_cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(server_key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
                   .not_valid_after(now + timedelta(hours=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                   .sign(server_key, hashes.SHA256()))
    (tmp_path / "server.pem").write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.key").write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    client_key = new_key("p256")
    body = exchange_csr(server, pem(make_csr(client_key))).json()
    (tmp_path / "client.pem").write_text(body["x509_certificate"])
    (tmp_path / "client.key").write_bytes(client_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    server_context.verify_mode = ssl.CERT_REQUIRED
    server_context.load_verify_locations(cafile=str(ca_pem))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: dict = {}

    def serve_one():
        connection, _ = listener.accept()
        try:
            with server_context.wrap_socket(connection, server_side=True) as tls:
                seen["peer"] = tls.getpeercert()
                tls.sendall(b"hello " + tls.recv(16))
        except (ssl.SSLError, OSError) as error:
            seen["error"] = repr(error)

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cafile=str(tmp_path / "server.pem"))
    client_context.load_cert_chain(tmp_path / "client.pem", tmp_path / "client.key")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"alice")
            assert tls.recv(32) == b"hello alice"
    thread.join(timeout=10)
    listener.close()
    assert "error" not in seen, seen
    assert ("URI", "spiffe://patgate.local/user/alice") in seen["peer"]["subjectAltName"]
    assert seen["peer"]["subject"] == ((("commonName", "alice"),),)


def test_tls_server_refuses_a_certificate_from_another_ca(server, tmp_path):
    """The negative control: the same handshake fails when the server trusts another CA."""
    other = tmp_path / "other"
    run_cli("ca", "init", "--data-dir", str(other))
    client_key = new_key("p256")
    body = exchange_csr(server, pem(make_csr(client_key))).json()
    chain = tmp_path / "client.pem"
    chain.write_text(body["x509_certificate"])
    result = subprocess.run(["openssl", "verify", "-CAfile", str(other / "secrets" / "ca.pem"), "-purpose", "sslclient",
                             str(chain)], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0


def test_enabled_without_ca_files_is_a_start_up_problem(tmp_path):
    gate = Patgate(tmp_path / "noca")
    gate.bootstrap()
    config = gate.data_dir / "patgate.yaml"
    config.write_text(config.read_text() + "\ncredentials:\n  x509:\n    enabled: true\n")
    result = run_cli("check-config", "--data-dir", str(gate.data_dir), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "credentials.x509" in output and "patgate ca init" in output


def test_custom_subject_uri_template_and_rsa_minimum(tmp_path):
    gate = Patgate(tmp_path / "custom")
    gate.bootstrap()
    run_cli("ca", "init", "--data-dir", str(gate.data_dir), "--alg", "RS256")
    config = gate.data_dir / "patgate.yaml"
    config.write_text(config.read_text() + "\ncredentials:\n  x509:\n"
                      "    subject_uri: urn:example:user:{user}\n    min_rsa_bits: 3072\n")
    gate.start()
    try:
        refused = exchange_csr(gate, pem(make_csr(new_key("rsa2048"))))
        assert_oauth_error(refused, 400, "invalid_request")
        assert "3072" in refused.json()["error_description"]
        body = exchange_csr(gate, pem(make_csr(new_key("rsa3072")))).json()
        leaf = leaf_and_chain(body)[0]
        assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value \
            .get_values_for_type(x509.UniformResourceIdentifier) == ["urn:example:user:alice"]
        assert leaf.signature_hash_algorithm.name == "sha256"
    finally:
        gate.stop()
