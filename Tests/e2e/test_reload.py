"""SIGHUP reloads keys, clients and policies at once; `patgate keys` drives a rotation
(README, "Reloading the configuration" and "Rotating the signing key").

A real `patgate serve`, signalled as systemd's `ExecReload` or `kill -HUP` would; the keys
command edits the real configuration file, and a JWKS-caching verifier (PyJWT's PyJWKClient)
checks every token across the rotation.
"""

from __future__ import annotations

import hashlib
import re
import time

import jwt
import yaml

from patgate_e2e import Patgate, assert_oauth_error, run_cli


def kids(server: Patgate) -> list[str]:
    return [key["kid"] for key in server.jwks()["keys"]]


def token_kid(server: Patgate, pat: str) -> str:
    return jwt.get_unverified_header(server.mint(pat)["access_token"])["kid"]


def set_in_keys(server: Patgate, line: str) -> None:
    text = server.config_path.read_text()
    server.config_path.write_text(text.replace("keys:\n", f"keys:\n  {line}\n", 1))


def test_keys_command_rotates_through_sighup_without_restart(patgate_factory):
    patgate = patgate_factory().bootstrap()
    set_in_keys(patgate, "jwks_max_age_seconds: 2")
    text = patgate.config_path.read_text().replace("max_token_lifetime_seconds: 600", "max_token_lifetime_seconds: 6")
    patgate.config_path.write_text(text)
    patgate.start()
    pid = patgate.proc.pid
    pat = patgate.create_pat("alice")["token"]
    old = token_kid(patgate, pat)
    first_token = patgate.mint(pat)["access_token"]
    verifier = jwt.PyJWKClient(patgate.url("/.well-known/jwks.json"), cache_jwk_set=True, lifespan=2)

    refused = patgate.cli("keys", "promote", check=False)
    assert refused.returncode != 0 and "no key is staged" in refused.stderr

    staged = patgate.cli("keys", "stage")
    new = re.search(r"staged (\S+)", staged.stdout).group(1)
    assert "reload every replica" in staged.stdout.lower()
    config = yaml.safe_load(patgate.config_path.read_text())
    assert len(config["keys"]["next"]) == 1 and config["keys"]["jwks_max_age_seconds"] == 2
    assert kids(patgate) == [old]                       # nothing changes before the reload
    assert "max_token_lifetime_seconds: 6" in patgate.config_path.read_text()   # the rest of the file stays

    line = patgate.reload()
    assert new in line
    assert kids(patgate) == [old, new]                 # published at once ...
    assert token_kid(patgate, pat) == old              # ... and signs nothing yet

    early = patgate.cli("keys", "promote", "--jwks-url", patgate.url("/.well-known/jwks.json"), check=False)
    assert early.returncode != 0 and "verifiers may cache" in early.stderr
    time.sleep(2.2)
    status = patgate.cli("keys", "status", "--jwks-url", patgate.url("/.well-known/jwks.json")).stdout
    assert "(promotable)" in status and "publishes every key" in status
    patgate.cli("keys", "promote", "--jwks-url", patgate.url("/.well-known/jwks.json"))
    patgate.reload()
    assert token_kid(patgate, pat) == new
    assert kids(patgate) == [new, old]                 # the old key stays published
    for token in (first_token, patgate.mint(pat)["access_token"]):
        key = verifier.get_signing_key_from_jwt(token)
        jwt.decode(token, key.key, algorithms=["ES256"], audience="patgate", issuer=patgate.issuer_url)

    kept = patgate.cli("keys", "retire").stdout
    assert f"keeping {old}" in kept
    time.sleep(6.2)
    retired = patgate.cli("keys", "retire").stdout
    assert f"removed {old}" in retired
    patgate.reload()
    assert kids(patgate) == [new]
    assert patgate.proc.pid == pid and patgate.running   # one process all along


def test_a_bad_configuration_on_reload_keeps_the_running_one(patgate: Patgate):
    pat = patgate.create_pat("alice")["token"]
    before = kids(patgate)
    good = patgate.config_path.read_text()

    patgate.config_path.write_text(good + "\nclients: [unterminated\n")
    line = patgate.reload(expect_failure=True)
    assert str(patgate.config_path) in line
    set_missing = good.replace("keys:\n", "keys:\n  next: [keys/missing.pem]\n", 1)
    patgate.config_path.write_text(set_missing)
    line = patgate.reload(expect_failure=True)
    assert "keys.next" in line and "missing.pem" in line
    patgate.config_path.write_text(good.replace("policy:\n", "policy:\n  max_token_lifetime_secnds: 5\n", 1))
    line = patgate.reload(expect_failure=True)
    assert "did you mean policy.max_token_lifetime_seconds" in line

    assert patgate.running and kids(patgate) == before
    assert patgate.mint(pat)["expires_in"] == 600

    patgate.config_path.write_text(good.replace("ttl_seconds: 60", "ttl_seconds: 30"))
    line = patgate.reload()
    assert "restart_needed=cache" in line                # applied at the next restart, and said so
    assert patgate.get("/readyz").status_code == 200


def test_reload_swaps_clients_and_policy(patgate: Patgate):
    pat = patgate.create_pat("alice")["token"]
    assert patgate.mint(pat, auth="public")["expires_in"] == 600

    config = yaml.safe_load(patgate.config_path.read_text())
    secret = "deploy-secret-" + "x" * 20
    config["clients"]["ids"] = ["ci", "deploy", "patgate-gateway"]   # cli goes, deploy comes
    del config["clients"]["cli"]
    config["clients"]["deploy"] = {"secret_sha256": hashlib.sha256(secret.encode()).hexdigest(), "audiences": ["patgate"]}
    config["policy"]["max_token_lifetime_seconds"] = 120
    patgate.config_path.write_text(yaml.safe_dump(config))
    patgate.reload()

    assert_oauth_error(patgate.exchange(pat, auth="public"), 401, "invalid_client")
    answer = patgate.exchange(pat, client_id="deploy", secret=secret)
    assert answer.status_code == 200, answer.text
    assert answer.json()["expires_in"] == 120
    assert patgate.mint(pat)["expires_in"] == 120
    assert secret not in patgate.stderr_text()


def test_keys_command_refuses_what_it_cannot_do_safely(patgate: Patgate):
    # A replica that cannot be read, or that misses a key the file names, fails the check.
    dead = f"http://127.0.0.1:{patgate.port + 1 if patgate.port < 65535 else 1}/.well-known/jwks.json"
    status = patgate.cli("keys", "status", "--jwks-url", dead, check=False)
    assert status.returncode == 1 and "cannot be read" in status.stdout
    staged = re.search(r"staged (\S+)", patgate.cli("keys", "stage").stdout).group(1)
    status = patgate.cli("keys", "status", "--jwks-url", patgate.url("/.well-known/jwks.json"), check=False)
    assert status.returncode == 1 and f"does not publish {staged}" in status.stdout   # not reloaded yet
    forced = patgate.cli("keys", "promote", "--force", "--jwks-url", patgate.url("/.well-known/jwks.json"), check=False)
    assert forced.returncode != 0 and "does not publish" in forced.stderr               # --force never skips this
    assert "next:" in patgate.config_path.read_text()                                   # nothing changed

    # Keys set by the environment would override the file: the command does not edit it.
    before = patgate.config_path.read_text()
    env = dict(patgate.env, PATGATE_KEYS_ACTIVE=str(patgate.signing_key_files()[0]))
    refused = run_cli("keys", "stage", "--data-dir", str(patgate.data_dir), env=env, check=False)
    assert refused.returncode != 0 and "PATGATE_KEYS_ACTIVE" in refused.stderr
    assert patgate.config_path.read_text() == before
