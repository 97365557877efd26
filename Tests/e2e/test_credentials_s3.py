"""The `s3` credential provider against real peers: moto's STS and S3 (`moto[server]`), read
back with boto3, and a small local STS that fails on purpose (down, 5xx, error documents,
garbage, slow) and records what patgate sent it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

from patgate_e2e import Patgate, assert_oauth_error, free_port, http_session, stop_process

HERE = Path(__file__).resolve().parent
ROLE_ARN = "arn:aws:iam::123456789012:role/s3-users"
BUCKET = "data"
REGION = "us-east-1"
POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],'
          '"Resource":"arn:aws:s3:::data/home/{user}/*"}]}')
EXPIRATION = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)


# -- peers ---------------------------------------------------------------------------------

class Moto:
    """A moto server (STS, IAM, S3) with a role and a bucket, then IAM authentication on."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "moto.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, str(HERE / "moto_sts_server.py"), "-H", "127.0.0.1",
                                          "-p", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        session = http_session()
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            try:
                if session.get(self.url + "/moto-api/", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "moto did not start"
            time.sleep(0.1)
        # Set-up with moto's default credentials, before authentication is switched on.
        iam = self.client("iam", "testing", "testing")
        iam.create_role(RoleName="s3-users", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "patgate"},
                                                    "Action": "sts:AssumeRoleWithWebIdentity"}]}))
        iam.put_role_policy(RoleName="s3-users", PolicyName="s3", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        self.client("s3", "testing", "testing").create_bucket(Bucket=BUCKET)
        response = session.post(self.url + "/moto-api/reset-auth", data=b"0", timeout=5)
        assert response.status_code == 200, response.text

    def client(self, service: str, key_id: str, secret: str, token: str | None = None):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, aws_access_key_id=key_id,
                            aws_secret_access_key=secret, aws_session_token=token,
                            config=botocore.config.Config(retries={"max_attempts": 1}, proxies={}))

    def stop(self) -> None:
        stop_process(self.proc)


class FakeSTS:
    """A local STS that answers what the test sets, and records every form it receives."""

    def __init__(self):
        self.status = 500
        self.body = "oops"
        self.delay = 0.0
        self.forms: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
                owner.forms.append(form)
                time.sleep(owner.delay)
                body = owner.body.replace("{token}", form.get("WebIdentityToken", "")).encode()
                try:
                    self.send_response(owner.status)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body: str, delay: float = 0.0) -> None:
        self.status, self.body, self.delay = status, body, delay

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def moto(tmp_path_factory) -> Iterator[Moto]:
    server = Moto(tmp_path_factory.mktemp("moto"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_sts() -> Iterator[FakeSTS]:
    server = FakeSTS()
    try:
        yield server
    finally:
        server.stop()


def s3_env(sts_url: str, **extra: str) -> dict[str, str]:
    env = {
        "PATGATE_CREDENTIALS_S3_STS_ENDPOINT": sts_url,
        "PATGATE_CREDENTIALS_S3_ROLE_ARN": ROLE_ARN,
        "PATGATE_CREDENTIALS_S3_POLICY": POLICY,
        "PATGATE_CREDENTIALS_S3_ENDPOINT_URL": sts_url.rstrip("/"),
        "PATGATE_CREDENTIALS_S3_REGION": REGION,
        "PATGATE_CREDENTIALS_S3_BUCKET": BUCKET,
        "PATGATE_CREDENTIALS_S3_TIMEOUT_SECONDS": "2",
    }
    env.update(extra)
    return env


@pytest.fixture
def gateway(patgate_factory, moto) -> Patgate:
    return patgate_factory().start(env=s3_env(moto.url))


def exchange_credentials(server: Patgate, user: str = "alice", expires_in: int | None = 86_400,
                         scope: str = "openid credentials") -> tuple[dict, requests.Response]:
    pat = server.create_pat(user=user, scopes=["openid", "credentials"], expires_in=expires_in)
    return pat, server.exchange(pat["token"], scope=scope)


def epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


# -- against moto --------------------------------------------------------------------------

def test_the_credentials_put_and_get_an_object(gateway: Patgate, moto: Moto):
    _, response = exchange_credentials(gateway)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"] and "credentials" in body["scope"].split()
    for field in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
        assert isinstance(body[field], str) and body[field], field
    assert EXPIRATION.match(body["aws_credentials_expiration"]), body["aws_credentials_expiration"]
    # A 600 s token is raised to the STS minimum of 900 s.
    assert abs(epoch(body["aws_credentials_expiration"]) - (time.time() + 900)) < 30
    assert body["aws_endpoint_url"] == moto.url
    assert body["aws_region"] == REGION and body["s3_bucket"] == BUCKET

    s3 = moto.client("s3", body["aws_access_key_id"], body["aws_secret_access_key"], body["aws_session_token"])
    s3.put_object(Bucket=body["s3_bucket"], Key="home/alice/hello.txt", Body=b"hello from patgate")
    assert s3.get_object(Bucket=BUCKET, Key="home/alice/hello.txt")["Body"].read() == b"hello from patgate"
    # moto checks them: a wrong secret or session token is refused, so the success above means something.
    for key_id, secret, token in [(body["aws_access_key_id"], "wrong" * 8, body["aws_session_token"]),
                                  (body["aws_access_key_id"], body["aws_secret_access_key"], "wrong")]:
        with pytest.raises(botocore.exceptions.ClientError):
            moto.client("s3", key_id, secret, token).get_object(Bucket=BUCKET, Key="home/alice/hello.txt")

    issued = [line for line in gateway.audit_events(until=lambda lines: any(line["event"] == "credential.issued" for line in lines))
              if line["event"] == "credential.issued"]
    assert [line["target"] for line in issued] == [body["aws_access_key_id"]]
    assert issued[0]["actor"] == "alice" and "provider=s3" in issued[0]["detail"]

    discovery = gateway.get("/.well-known/configuration").json()
    assert "s3" in discovery["credential_providers"]
    assert discovery["aws_region"] == REGION and discovery["s3_bucket"] == BUCKET
    assert discovery["aws_endpoint_url"] == moto.url
    assert not any(key in discovery for key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"))


def test_credentials_are_reused_per_user(gateway: Patgate):
    _, first = exchange_credentials(gateway, user="alice")
    _, second = exchange_credentials(gateway, user="alice")
    _, other = exchange_credentials(gateway, user="bob")
    assert first.status_code == second.status_code == other.status_code == 200
    assert second.json()["aws_access_key_id"] == first.json()["aws_access_key_id"]
    assert second.json()["access_token"] != first.json()["access_token"]
    assert other.json()["aws_access_key_id"] != first.json()["aws_access_key_id"]


def test_concurrent_exchanges_for_one_user_share_one_sts_call(gateway: Patgate):
    pats = [gateway.create_pat(user="erin", scopes=["openid", "credentials"], expires_in=86_400) for _ in range(8)]
    results: list[requests.Response] = []
    lock = threading.Lock()

    def run(token: str) -> None:
        response = gateway.exchange(token, scope="openid credentials")
        with lock:
            results.append(response)

    threads = [threading.Thread(target=run, args=(pat["token"],)) for pat in pats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [r.status_code for r in results] == [200] * len(pats), [r.text for r in results]
    assert len({r.json()["aws_access_key_id"] for r in results}) == 1
    def erins(lines: list[dict]) -> list[dict]:
        return [line for line in lines if line["event"] == "credential.issued" and line["actor"] == "erin"]
    issued = erins(gateway.audit_events(until=lambda lines: len(erins(lines)) >= len(pats)))
    assert len(issued) == len(pats)   # every exchange is audited, also when it reuses


def test_no_secret_reaches_the_logs_or_the_audit(patgate_factory, moto: Moto):
    server = patgate_factory().start(env={**s3_env(moto.url), "PATGATE_LOGGING_LEVEL": "trace"})
    bodies = []
    for user in ("alice", "carol"):
        _, response = exchange_credentials(server, user=user)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
    server.stop()
    logs = server.stderr_text() + server.stdout_text()
    audit = (server.data_dir / "audit.jsonl").read_text()
    assert "credential.issued" in audit and "patgate listening" in logs
    for body in bodies:
        for name in ("aws_secret_access_key", "aws_session_token", "access_token"):
            assert body[name] not in logs, f"{name} in the server's output"
            assert body[name] not in audit, f"{name} in the audit log"
    for pat in server.created_pats:
        assert pat not in logs and pat not in audit


def test_a_stopped_sts_is_a_503(patgate_factory, tmp_path):
    moto = Moto(tmp_path)
    server = patgate_factory().start(env=s3_env(moto.url))
    try:
        _, response = exchange_credentials(server)
        assert response.status_code == 200, response.text
        moto.stop()
        _, response = exchange_credentials(server, user="dave")
        body = assert_oauth_error(response, 503, "temporarily_unavailable")
        assert "STS" in body["error_description"]
        assert "aws_access_key_id" not in body
        failed = [line for line in server.audit_events(until=lambda lines: any(line["event"] == "credential.failed" for line in lines))
                  if line["event"] == "credential.failed"]
        assert failed and failed[-1]["actor"] == "dave"
    finally:
        moto.stop()


# -- against a failing STS -----------------------------------------------------------------

ERROR_DOCUMENT = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code>
  <Message>internal detail: role trust policy /etc/secret-path rejected token {{token}}</Message></Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"""


@pytest.mark.parametrize("status,body,expected", [
    (500, "<html>Internal Server Error</html>", (503, "temporarily_unavailable")),
    (503, ERROR_DOCUMENT.format(code="ServiceUnavailable"), (503, "temporarily_unavailable")),
    (400, ERROR_DOCUMENT.format(code="Throttling"), (503, "temporarily_unavailable")),
    (404, "<html>not found</html>", (503, "temporarily_unavailable")),
    (200, "<AssumeRoleWithWebIdentityResponse>garbage", (503, "temporarily_unavailable")),
    (200, "{\"Credentials\": {}}", (503, "temporarily_unavailable")),
    (400, ERROR_DOCUMENT.format(code="InvalidIdentityToken"), (400, "invalid_request")),
    (403, ERROR_DOCUMENT.format(code="AccessDenied"), (400, "invalid_request")),
])
def test_a_failing_sts_is_a_clean_oauth_error(patgate_factory, fake_sts: FakeSTS, status, body, expected):
    fake_sts.answer(status, body)
    server = patgate_factory().start(env=s3_env(fake_sts.url))
    _, response = exchange_credentials(server)
    description = assert_oauth_error(response, *expected)["error_description"]
    assert len(fake_sts.forms) == 1
    token = fake_sts.forms[0]["WebIdentityToken"]
    # The STS's own words stay out of the answer; its code is named for a refusal.
    assert "secret-path" not in description and "internal detail" not in description
    if expected[0] == 400:
        code = re.search(r"<Code>(\w+)</Code>", body).group(1)
        assert code in description, description
    # The STS quoted the web identity token (a bearer JWT): the log keeps it out.
    server.stop()
    logs = server.stderr_text() + server.stdout_text() + (server.data_dir / "audit.jsonl").read_text()
    assert token not in logs
    assert not any(line["event"] == "credential.issued" for line in server.audit_events())


def test_a_slow_sts_times_out_with_a_503(patgate_factory, fake_sts: FakeSTS):
    fake_sts.answer(200, "<late/>", delay=5)
    server = patgate_factory().start(env=s3_env(fake_sts.url, PATGATE_CREDENTIALS_S3_TIMEOUT_SECONDS="1"))
    started = time.monotonic()
    _, response = exchange_credentials(server)
    assert time.monotonic() - started < 4
    assert "in time" in assert_oauth_error(response, 503, "temporarily_unavailable")["error_description"]


def test_an_unreachable_sts_is_a_503(patgate_factory):
    server = patgate_factory().start(env=s3_env(f"http://127.0.0.1:{free_port()}/"))
    _, response = exchange_credentials(server)
    assert_oauth_error(response, 503, "temporarily_unavailable")


def test_without_the_credentials_scope_no_sts_call_is_made(patgate_factory, fake_sts: FakeSTS):
    server = patgate_factory().start(env=s3_env(fake_sts.url))
    _, response = exchange_credentials(server, scope="openid")
    assert response.status_code == 200, response.text
    assert not any(key.startswith("aws_") for key in response.json())
    _, response = exchange_credentials(server, scope=None)  # omitted: PAT ∩ client, which includes credentials
    assert response.status_code == 503
    assert len(fake_sts.forms) == 1


def test_a_pat_expiring_within_900_seconds_is_refused(patgate_factory, fake_sts: FakeSTS):
    server = patgate_factory().start(env=s3_env(fake_sts.url))
    pat, response = exchange_credentials(server, expires_in=800)
    description = assert_oauth_error(response, 400, "invalid_request")["error_description"]
    assert "expires too soon" in description and "900" in description
    assert fake_sts.forms == []   # refused before any STS call
    # The same PAT still gets a JWT without credentials.
    assert server.exchange(pat["token"], scope="openid").status_code == 200


def test_the_sts_call_carries_a_valid_session_name_and_a_json_safe_policy(patgate_factory, fake_sts: FakeSTS):
    fake_sts.answer(403, ERROR_DOCUMENT.format(code="AccessDenied"))
    server = patgate_factory().start(env=s3_env(fake_sts.url))
    users = ["alice", 'eve"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data',
             "o'brien x y\\", "z" * 80]
    for user in users:
        exchange_credentials(server, user=user)
    assert len(fake_sts.forms) == len(users)
    for user, form in zip(users, fake_sts.forms):
        assert form["Action"] == "AssumeRoleWithWebIdentity" and form["Version"] == "2011-06-15"
        assert form["RoleArn"] == ROLE_ARN
        assert form["DurationSeconds"] == "900"
        assert SESSION_NAME.match(form["RoleSessionName"]), form["RoleSessionName"]
        policy = json.loads(form["Policy"])
        assert len(policy["Statement"]) == 1
        assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::data/home/{user}/*"
        assert form["WebIdentityToken"].count(".") == 2   # the minted JWT
    assert fake_sts.forms[0]["RoleSessionName"] == "patgate-alice"
    # A user IAM would read as a wildcard is refused before the STS call.
    # So is one whose / would reach into another user's prefix (home/alice/x/* is inside home/alice/*).
    for refused in ["*", "alice/x"]:
        _, response = exchange_credentials(server, user=refused)
        assert "cannot be placed" in assert_oauth_error(response, 400, "invalid_request")["error_description"]
    assert len(fake_sts.forms) == len(users)


def test_bad_settings_are_reported_at_start(patgate_factory):
    server = patgate_factory().bootstrap()
    result = server.cli("check-config", check=False)
    assert result.returncode == 0, result.stderr
    env = s3_env("ftp://sts.example", PATGATE_CREDENTIALS_S3_SESSION_NAME="bad name {user}",
                 PATGATE_CREDENTIALS_S3_POLICY='{"Resource": {user}}', PATGATE_CREDENTIALS_S3_MAX_DURATION_SECONDS="60")
    server.env = env
    result = server.cli("check-config", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for key in ("credentials.s3.sts_endpoint", "credentials.s3.session_name", "credentials.s3.policy",
                "credentials.s3.max_duration_seconds"):
        assert key in output, output
