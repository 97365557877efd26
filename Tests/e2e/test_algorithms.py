"""Every signing algorithm with keys made by the openssl CLI and by `patgate keys generate`,
verified by PyJWT and joserfc through the JWKS; key rotation with retired keys."""

from __future__ import annotations

import base64
import re
import stat
import subprocess
import time
from pathlib import Path

import jwt
import pytest

from patgate_e2e import openssl, run_cli, verify_with_joserfc, verify_with_pyjwt

PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

# name → (openssl arguments after `-out FILE` is appended, keys.algorithm or None, JWS alg, JWK shape)
OPENSSL_KEYS = {
    "ES256": (["ecparam", "-name", "prime256v1", "-genkey", "-noout"], None, "ES256", {"kty": "EC", "crv": "P-256"}),
    "ES256-with-ec-parameters": (["ecparam", "-name", "prime256v1", "-genkey"], None, "ES256",
                                 {"kty": "EC", "crv": "P-256"}),
    "ES384": (["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], None, "ES384",
              {"kty": "EC", "crv": "P-384"}),
    "RS256": (["genrsa", "2048"], None, "RS256", {"kty": "RSA"}),
    "RS256-pkcs1": (["genrsa", "-traditional", "2048"], None, "RS256", {"kty": "RSA"}),
    "PS256": (["genrsa", "2048"], "PS256", "PS256", {"kty": "RSA"}),
    "EdDSA": (["genpkey", "-algorithm", "ed25519"], None, "EdDSA", {"kty": "OKP", "crv": "Ed25519"}),
}


def openssl_key(path: Path, arguments: list[str]) -> Path:
    # `genrsa` takes the bit count last; every other command takes -out anywhere.
    if arguments[0] == "genrsa":
        openssl("genrsa", *arguments[1:-1], "-out", str(path), arguments[-1])
    else:
        openssl(*arguments, "-out", str(path))
    return path


def check_jwks_entry(jwks: dict, kid: str, alg: str, shape: dict) -> dict:
    entries = [key for key in jwks["keys"] if key["kid"] == kid]
    assert len(entries) == 1, jwks
    entry = entries[0]
    assert entry["alg"] == alg
    assert entry.get("use", "sig") == "sig"
    for name, value in shape.items():
        assert entry[name] == value, entry
    assert not PRIVATE_JWK_MEMBERS & entry.keys(), f"private key material in the JWKS: {entry}"
    return entry


@pytest.mark.parametrize("name", list(OPENSSL_KEYS))
def test_openssl_key_signs_tokens_that_pyjwt_and_joserfc_verify(patgate_factory, tmp_path, name):
    arguments, configured_alg, alg, shape = OPENSSL_KEYS[name]
    key = openssl_key(tmp_path / f"{name}.pem", arguments)
    env = {"PATGATE_KEYS_ACTIVE": str(key)}
    if configured_alg:
        env["PATGATE_KEYS_ALGORITHM"] = configured_alg
    server = patgate_factory().start(env=env)

    body = server.mint()
    token = body["access_token"]
    by_pyjwt = verify_with_pyjwt(token, server, alg=alg)
    by_joserfc = verify_with_joserfc(token, server, alg=alg)
    assert by_pyjwt == by_joserfc
    jwks = server.jwks()
    assert len(jwks["keys"]) == 1
    kid = jwks["keys"][0]["kid"]
    check_jwks_entry(jwks, kid, alg, shape)

    metadata = server.get("/.well-known/oauth-authorization-server").json()
    assert metadata["access_token_signing_alg_values_supported"] == [alg]


@pytest.mark.parametrize("alg, shape", [
    ("ES256", {"kty": "EC", "crv": "P-256"}),
    ("ES384", {"kty": "EC", "crv": "P-384"}),
    ("RS256", {"kty": "RSA"}),
    ("PS256", {"kty": "RSA"}),
    ("EdDSA", {"kty": "OKP", "crv": "Ed25519"}),
])
def test_keys_generate_writes_0600_and_the_key_works(patgate_factory, tmp_path, alg, shape):
    path = tmp_path / f"generated-{alg}.pem"
    result = run_cli("keys", "generate", "--alg", alg, "--out", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "PRIVATE KEY-----" in path.read_text()
    match = re.search(r"kid ([A-Za-z0-9_-]{43})", result.stdout)
    assert match, result.stdout
    kid = match.group(1)

    env = {"PATGATE_KEYS_ACTIVE": str(path)}
    if alg == "PS256":
        env["PATGATE_KEYS_ALGORITHM"] = "PS256"
    server = patgate_factory().start(env=env)
    check_jwks_entry(server.jwks(), kid, alg, shape)
    token = server.mint()["access_token"]
    assert verify_with_pyjwt(token, server, alg=alg)
    assert verify_with_joserfc(token, server, alg=alg)
    # openssl reads the file too (it is a standard PKCS#8 key).
    openssl("pkey", "-in", str(path), "-noout")


def test_keys_generate_refuses_to_overwrite_and_unknown_algorithms(tmp_path):
    path = tmp_path / "key.pem"
    run_cli("keys", "generate", "--out", str(path))
    before = path.read_bytes()
    again = run_cli("keys", "generate", "--out", str(path), check=False)
    assert again.returncode != 0
    assert path.read_bytes() == before
    unknown = run_cli("keys", "generate", "--alg", "HS256", "--out", str(tmp_path / "hs.pem"), check=False)
    assert unknown.returncode != 0
    assert "ES256" in unknown.stderr
    assert not (tmp_path / "hs.pem").exists()


@pytest.mark.parametrize("setup, expected", [
    ("rsa1024", "2048"),
    ("ec-key-as-PS256", "PS256"),
    ("public-key", "public key"),
])
def test_unusable_keys_are_refused_at_start(patgate_factory, tmp_path, setup, expected):
    server = patgate_factory().bootstrap()
    env: dict[str, str] = {}
    if setup == "rsa1024":
        env["PATGATE_KEYS_ACTIVE"] = str(openssl_key(tmp_path / "small.pem", ["genrsa", "1024"]))
    elif setup == "ec-key-as-PS256":
        env["PATGATE_KEYS_ALGORITHM"] = "PS256"
    else:
        private = openssl_key(tmp_path / "ec.pem", ["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
        public = tmp_path / "ec-public.pem"
        openssl("ec", "-in", str(private), "-pubout", "-out", str(public))
        env["PATGATE_KEYS_ACTIVE"] = str(public)
    server.env = env
    check = server.cli("check-config", check=False)
    assert check.returncode == 1, check
    assert expected in check.stderr
    with pytest.raises(RuntimeError, match="exited"):
        server.start(env=env)
    assert server.proc.returncode not in (0, None)
    assert expected in server.stderr_text()


def test_key_rotation_keeps_old_tokens_verifiable(patgate_factory, tmp_path):
    server = patgate_factory().start()
    [key_a] = server.signing_key_files()
    kid_a = server.jwks()["keys"][0]["kid"]
    pat = server.create_pat()["token"]
    token_a = server.mint(pat)["access_token"]
    assert verify_with_pyjwt(token_a, server)["sub"] == "alice"

    # Rotation 1, in the YAML file: B (RSA, made by openssl) active, A retired. Same port: same `iss`.
    key_b = openssl_key(server.data_dir / "keys" / "b.pem", ["genrsa", "2048"])
    config = server.config_path.read_text()
    config = re.sub(r"(?m)^  active: .*$", "  active: keys/b.pem\n  retired: [" + str(key_a.relative_to(server.data_dir)) + "]",
                    config)
    (server.data_dir / "patgate.yaml").write_text(config)
    server.restart(port=server.port)

    jwks = server.jwks()
    kids = [key["kid"] for key in jwks["keys"]]
    assert len(kids) == 2 and kid_a in kids
    kid_b = next(kid for kid in kids if kid != kid_a)
    assert {key["alg"] for key in jwks["keys"]} == {"ES256", "RS256"}
    metadata = server.get("/.well-known/openid-configuration").json()
    assert sorted(metadata["access_token_signing_alg_values_supported"]) == ["ES256", "RS256"]

    assert verify_with_pyjwt(token_a, server, alg="ES256")["sub"] == "alice"
    assert verify_with_joserfc(token_a, server, alg="ES256")["sub"] == "alice"
    token_b = server.mint(pat)["access_token"]  # the PAT survived the restart
    assert verify_with_pyjwt(token_b, server, alg="RS256")
    assert verify_with_joserfc(token_b, server, alg="RS256")
    assert jwt.get_unverified_header(token_b)["kid"] == kid_b

    # Rotation 2, by environment: C (Ed25519) active, A and B retired as a comma-separated list.
    key_c = openssl_key(tmp_path / "c.pem", ["genpkey", "-algorithm", "ed25519"])
    server.restart(port=server.port, env={"PATGATE_KEYS_ACTIVE": str(key_c),
                                          "PATGATE_KEYS_RETIRED": f"{key_a},{key_b}"})
    kids = [key["kid"] for key in server.jwks()["keys"]]
    assert len(kids) == 3 and kid_a in kids and kid_b in kids
    token_c = server.mint(pat)["access_token"]
    assert jwt.get_unverified_header(token_c)["kid"] not in (kid_a, kid_b)
    for token, alg in [(token_a, "ES256"), (token_b, "RS256"), (token_c, "EdDSA")]:
        assert verify_with_pyjwt(token, server, alg=alg)
        assert verify_with_joserfc(token, server, alg=alg)


def test_retiring_the_active_key_lists_it_once(patgate_factory):
    server = patgate_factory().bootstrap()
    [key_a] = server.signing_key_files()
    server.start(env={"PATGATE_KEYS_RETIRED": str(key_a)})
    assert len(server.jwks()["keys"]) == 1
    assert verify_with_joserfc(server.mint()["access_token"], server)


def thread_policies(pid: int) -> dict[str, tuple[str, int]]:
    """Each thread's name, scheduling policy (`chrt -p`'s word, e.g. SCHED_IDLE) and CPU time
    in nanoseconds (`schedstat`) of a process."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        name = (task / "comm").read_text().strip()
        policy = subprocess.run(["chrt", "-p", task.name], capture_output=True, text=True).stdout
        cpu = int((task / "schedstat").read_text().split()[0])
        found[name] = ((re.search(r"policy: (\S+)", policy) or re.search(r"(SCHED_\w+)", policy)).group(1), cpu)
    return found


@pytest.mark.parametrize("name, ahead", [("ES256", True), ("ES384", True), ("ES256", False)])
def test_ecdsa_set_ups_made_ahead_sign_verifiable_tokens_each_with_its_own_nonce(patgate_factory, tmp_path, name, ahead):
    """`keys.ecdsa_setups_ahead: true` (off by default): the first ECDSA signature wakes one
    thread, `patgate-ecdsa`, that makes nonce set-ups at SCHED_IDLE; the tokens signed with them
    verify with PyJWT and joserfc and no two share r (a nonce used twice would give the key
    away). Off, no such thread runs and the tokens are signed whole, as valid."""
    arguments, _, alg, _ = OPENSSL_KEYS[name]
    env = {"PATGATE_KEYS_ACTIVE": str(openssl_key(tmp_path / "key.pem", arguments))}
    if ahead:
        env["PATGATE_KEYS_ECDSA_SETUPS_AHEAD"] = "true"
    server = patgate_factory().start(env=env)
    pat = server.create_pat()["token"]
    tokens = [server.mint(pat)["access_token"]]
    deadline = time.monotonic() + 10
    while ahead and "patgate-ecdsa" not in thread_policies(server.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # an idle machine fills the pool (1,024 set-ups) in tens of milliseconds
    tokens += [server.mint(pat)["access_token"] for _ in range(200)]

    threads = thread_policies(server.proc.pid)
    if ahead:
        policy, cpu = threads["patgate-ecdsa"]
        assert policy == "SCHED_IDLE", threads
        assert cpu > 1_000_000, f"the set-up thread ran {cpu} ns: it made no set-ups"  # one is about 18 µs
    else:
        assert "patgate-ecdsa" not in threads, threads
    key = jwt.PyJWKClient(server.url("/.well-known/jwks.json")).get_signing_key_from_jwt(tokens[0]).key
    for token in tokens:
        jwt.decode(token, key, algorithms=[alg], audience="patgate", issuer=server.issuer_url)
    assert verify_with_pyjwt(tokens[-1], server, alg=alg) == verify_with_joserfc(tokens[-1], server, alg=alg)
    size = 32 if alg == "ES256" else 48
    nonces = {base64.urlsafe_b64decode(token.rsplit(".", 1)[1] + "==")[:size] for token in tokens}
    assert len(nonces) == len(tokens)
