"""The contract holds: Schemathesis (PyPI) against openapi.yaml, every operation, all its default
checks (unsupported_method, status_code_conformance, positive_data_acceptance,
negative_data_rejection, …), with real credentials, against a real `patgate serve`.

Zero failures is the bar: every status the server sends is documented, schema and server agree on
what is valid, wrong methods answer 405 with `Allow`. The run prints Schemathesis' summary (the
operation and test case counts) with `pytest -s`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from patgate_e2e import PATGATE_BIN, Patgate, run_cli

REPO = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).resolve().parent / "contract" / "schemathesis.toml"


def schemathesis_command() -> list[str]:
    found = shutil.which("schemathesis") or shutil.which("st")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


@pytest.fixture
def fuzzed_server(tmp_path: Path):
    server = Patgate(tmp_path).bootstrap()
    # The run's own identity: an administrator; the hooks make its PATs.
    # Cheap bcrypt: the hooks log in for every log-out case.
    added = run_cli("user", "add", "fuzzer", "--admin", "--generate", "--data-dir", str(server.data_dir),
                    env={"PATGATE_USERS_BCRYPT_COST": "4"}).stdout
    server.known_users.add("fuzzer")
    server.fuzzer_password = re.search(r"password \(shown once\): (\S+)", added).group(1)
    # The leaked-token endpoints exist once a partner has a key. The fuzzer cannot sign as the
    # partner (Tests/e2e/test_leaks.py does), so it sees their refusals: 401, 400, 413, 415.
    scanner_key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    (server.data_dir / "secrets" / "scanner.pem").write_text(scanner_key)
    with open(server.config_path, "a") as config:
        config.write("\nleaks:\n" + "".join(
            f"  {partner}:\n    key_ids: [k1]\n    keys:\n      k1:\n        public_key_file: secrets/scanner.pem\n"
            for partner in ("github", "gitlab")))
    # Forward auth on: one route covering every path of the original request.
    with open(server.config_path, "a") as config:
        config.write("\nauthz:\n  client: ci\n  routes:\n    ids: [everything]\n    everything:\n"
                     "      path_prefix: /\n      audience: patgate\n")
    # The fuzzer's failed log-ins would otherwise lock the hooks' own log-ins out (429).
    server.start(env={"PATGATE_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
                      "PATGATE_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000"})
    try:
        yield server
    finally:
        server.stop()


def test_openapi_contract_has_no_failures(fuzzed_server: Patgate, tmp_path: Path):
    server = fuzzed_server
    env = {
        **os.environ,
        "PATGATE_TEST_ST_BIN": PATGATE_BIN,
        "PATGATE_TEST_ST_DATA_DIR": str(server.data_dir),
        "PATGATE_TEST_ST_SCOPES": "openid profile email credentials tokens",
        "PATGATE_TEST_ST_CI_SECRET": server.ci_secret,
        "PATGATE_TEST_ST_GATEWAY_SECRET": server.gateway_secret,
        "PATGATE_TEST_ST_URL": server.base_url,
        "PATGATE_TEST_ST_USER": "fuzzer",
        "PATGATE_TEST_ST_PASSWORD": server.fuzzer_password,
        "SCHEMATHESIS_HOOKS": "patgate_st_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(CONFIG.parent), os.environ.get("PYTHONPATH")])),
        "NO_COLOR": "1",
    }
    command = schemathesis_command() + [
        "--config-file", str(CONFIG), "run", str(REPO / "openapi.yaml"),
        "--url", server.base_url,
        "--checks", "all",
        "--seed", os.environ.get("PATGATE_TEST_ST_SEED", "1"),
        "--workers", "2",
        "--request-timeout", "10",
    ]
    run = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    output = run.stdout + run.stderr
    print(output[-6000:])
    assert run.returncode == 0, f"schemathesis found failures (rc {run.returncode}):\n{output[-12000:]}"
    tested = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", output)
    cases = re.search(r"Test cases:\s*(\d+) generated, (\d+) passed", output)
    assert tested and cases, output[-3000:]
    selected, total, done = map(int, tested.groups())
    assert selected == total == done, f"operations tested: {done} of {total}"
    assert int(cases.group(1)) == int(cases.group(2)) > 500
    # The credentials worked: only the leak endpoints (which need the partner's signature, see
    # the fixture) answered nothing but 401/403.
    warned = re.search(r"Authentication failed:.*?\n(.*?)💡", output, re.S)
    only_refused = set(re.findall(r"^\s*- (\w+ /\S*)\s*$", warned.group(1), re.M)) if warned else set()
    assert only_refused <= {"POST /leaks/github", "POST /leaks/gitlab"}, only_refused
