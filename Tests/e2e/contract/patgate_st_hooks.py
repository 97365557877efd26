"""Schemathesis hooks for Tests/e2e/test_contract.py: real credentials for every operation.

- `/token`: the confidential client `ci` (HTTP Basic); `/introspect` and `/revocations`: the
  gateway's introspection client (HTTP Basic).
- `/api/v1`: a PAT of an administrator holding every scope (Bearer), made with the CLI. The
  fuzzer can list it and then revoke or rotate it, or disable its owner, as any administrator
  may: a 401 makes Schemathesis ask for a new one (and replay the request); when the owner can
  no longer have PATs, the hooks make a new administrator with the CLI.
- `/authz/...` (forward auth): such a PAT as the original request's `Authorization: Bearer`.
- `GET` and `DELETE /api/v1/session` take only a console session: each log-out gets a fresh
  session, so the fuzzer's log-outs never end the session the other cases use.

The test exports the PATGATE_TEST_ST_* variables. Cases that leave a credential out on purpose
(negative testing, the `ignored_auth` check) get none: Schemathesis does not call these hooks
for them.
"""

import base64
import json
import os
import re
import subprocess
import threading
import uuid

import requests
import schemathesis

ENV = os.environ
_LOCK = threading.Lock()
_ACCOUNT = {"user": ENV["PATGATE_TEST_ST_USER"], "password": ENV["PATGATE_TEST_ST_PASSWORD"]}


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([ENV["PATGATE_TEST_ST_BIN"], *args, "--data-dir", ENV["PATGATE_TEST_ST_DATA_DIR"]],
                          capture_output=True, text=True, timeout=60, env={**ENV, **(env or {})})


def _new_administrator() -> None:
    """The fuzzer disabled or demoted the run's administrator: continue as a new one."""
    name = f"fuzzer-{uuid.uuid4().hex[:8]}"
    added = _cli("user", "add", name, "--admin", "--generate", env={"PATGATE_USERS_BCRYPT_COST": "4"})
    added.check_returncode()
    _ACCOUNT.update(user=name, password=re.search(r"password \(shown once\): (\S+)", added.stdout).group(1))


def _new_pat() -> str:
    with _LOCK:
        for attempt in range(2):
            made = _cli("pat", "create", "--user", _ACCOUNT["user"], "--name", f"schemathesis-{uuid.uuid4().hex[:8]}",
                        "--json", *(arg for scope in ENV["PATGATE_TEST_ST_SCOPES"].split() for arg in ("--scope", scope)))
            if made.returncode == 0:
                return json.loads(made.stdout)["token"]
            _new_administrator()
        raise RuntimeError(f"patgate pat create failed: {made.stderr.strip()}")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _set_header(case, name: str, value: str) -> None:
    case.headers = {**(case.headers or {}), name: value}


def _login() -> tuple[str, str]:
    for attempt in range(2):
        with _LOCK:
            account = dict(_ACCOUNT)
        answer = requests.post(f"{ENV['PATGATE_TEST_ST_URL']}/api/v1/session", timeout=10,
                               json={"username": account["user"], "password": account["password"]})
        if answer.status_code != 401:
            break
        with _LOCK:
            if _ACCOUNT["user"] == account["user"]:
                _new_administrator()
    answer.raise_for_status()
    return answer.cookies["patgate_session"], answer.json()["csrf_token"]


@schemathesis.auth().apply_to(path="/token")
class ExchangeClient:
    def get(self, case, context):
        return _basic("ci", ENV["PATGATE_TEST_ST_CI_SECRET"])

    def set(self, case, data, context):
        _set_header(case, "Authorization", data)


@schemathesis.auth().apply_to(path=["/introspect", "/revocations"])
class IntrospectionClient:
    def get(self, case, context):
        return _basic("patgate-gateway", ENV["PATGATE_TEST_ST_GATEWAY_SECRET"])

    def set(self, case, data, context):
        _set_header(case, "Authorization", data)


@schemathesis.auth().apply_to(path_regex=r"^/api/v1/(?!session$)")
class ManagementBearer:
    def get(self, case, context):
        return "Bearer " + _new_pat()

    def set(self, case, data, context):
        _set_header(case, "Authorization", data)


@schemathesis.auth().apply_to(path_regex=r"^/authz/")
class ForwardAuthCredential:
    """The original request's credential a gateway passes on: a PAT, as `Authorization: Bearer`."""

    def get(self, case, context):
        return "Bearer " + _new_pat()

    def set(self, case, data, context):
        _set_header(case, "Authorization", data)


class _Session:
    def get(self, case, context):
        return _login()

    def set(self, case, data, context):
        cookie, csrf = data
        case.cookies = {**(case.cookies or {}), "patgate_session": cookie}
        _set_header(case, "X-CSRF-Token", csrf)


@schemathesis.auth().apply_to(path="/api/v1/session", method="GET")
class SharedSession(_Session):
    pass


@schemathesis.auth(refresh_interval=None).apply_to(path="/api/v1/session", method="DELETE")
class FreshSession(_Session):
    pass
