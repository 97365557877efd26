"""Forward auth behind a real nginx (`auth_request`, deploy/gateways/nginx): a client's PAT
(Bearer, `token`, Basic, `X-API-Key`) becomes patgate's JWT on the way to an API that only
trusts that JWT and never sees the PAT; denials carry patgate's answer; `git clone` over
`git http-backend` with the PAT as the password works, and fails once the PAT is revoked.
README "Forward auth".
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from forward_auth_support import Nginx, Upstream, configure_authz
from patgate_e2e import http_session, poll


@pytest.fixture
def stack(tmp_path: Path, patgate_factory, processes):
    git_root = tmp_path / "repos"
    make_repository(git_root / "project.git", tmp_path / "seed")
    server = configure_authz(patgate_factory("patgate")).start()
    upstream = Upstream(tmp_path, server, git_root=git_root)
    processes.processes.append(upstream.proc)
    nginx = Nginx(tmp_path / "nginx", f"127.0.0.1:{server.port}", upstream.address)
    processes.processes.append(nginx.proc)
    return server, upstream, nginx


def make_repository(bare: Path, seed: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    seed.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(seed)], check=True, env=env)
    (seed / "README").write_text("behind patgate\n")
    subprocess.run(["git", "-C", str(seed), "add", "README"], check=True, env=env)
    subprocess.run(["git", "-C", str(seed), "commit", "-q", "-m", "first"], check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True, env=env)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_pat_in_every_form_reaches_the_api_as_a_jwt_only(stack):
    server, upstream, nginx = stack
    created = server.create_pat(scopes=["openid"])
    pat = created["token"]
    session = http_session()
    for headers in ({"Authorization": f"Bearer {pat}"}, {"Authorization": f"token {pat}"},
                    {"Authorization": basic("x-access-token", pat)}, {"X-API-Key": pat}):
        response = session.get(nginx.url("/orders/17?expand=1"), headers=headers, timeout=10)
        assert response.status_code == 200, (headers.keys(), response.status_code, response.text)
        body = response.json()
        assert body["sub"] == "alice" and body["aud"] == "orders-api" and body["scope"] == "openid"
        assert body["path"] == "/orders/17?expand=1"
    posted = session.post(nginx.url("/orders"), headers={"Authorization": f"Bearer {pat}"}, data=b"x" * 10_000, timeout=10)
    assert posted.status_code == 200 and posted.json()["method"] == "POST"

    entries = upstream.entries()
    assert len(entries) == 5 and all(e["status"] == 200 for e in entries), entries
    assert not any(e["pat_seen"] for e in entries)
    assert {e["subject_header"] for e in entries} == {"alice"}
    # One JWT for the PAT on this route, handed out again from the cache.
    assert len({e["jti"] for e in entries}) == 1
    assert pat not in (upstream.log.read_text() + server.stderr_text())


def test_denials_carry_patgates_answer_and_never_reach_the_api(stack):
    server, upstream, nginx = stack
    session = http_session()
    anonymous = session.get(nginx.url("/orders"), timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="patgate", Basic realm="patgate", charset="UTF-8"'

    unknown = session.get(nginx.url("/orders"), headers={"Authorization": "Bearer pgat_unknownunknownunknown0000000"}, timeout=10)
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]

    narrow = server.create_pat(scopes=["openid"])["token"]
    admin = session.get(nginx.url("/admin/users"), headers={"Authorization": f"Bearer {narrow}"}, timeout=10)
    assert admin.status_code == 403
    unrouted = session.get(nginx.url("/elsewhere"), headers={"Authorization": f"Bearer {narrow}"}, timeout=10)
    assert unrouted.status_code == 403
    wrong_method = session.delete(nginx.url("/orders/1"), headers={"Authorization": f"Bearer {narrow}"}, timeout=10)
    assert wrong_method.status_code == 403
    assert upstream.entries() == []

    def denials(events: list[dict]) -> list[dict]:
        return [e for e in events if e["event"] == "authz.denied"]
    audit = server.audit_events(until=lambda events: len(denials(events)) >= 5)
    denied = denials(audit)
    assert len(denied) >= 5, audit
    assert any(e["actor"] == "alice" and "route=admin" in e["detail"] for e in denied), denied


def test_a_revoked_pat_stops_at_the_gateway_at_once(stack):
    server, upstream, nginx = stack
    created = server.create_pat(scopes=["openid"])
    headers = {"Authorization": f"Bearer {created['token']}"}
    session = http_session()
    assert session.get(nginx.url("/orders"), headers=headers, timeout=10).status_code == 200
    assert session.get(nginx.url("/orders"), headers=headers, timeout=10).status_code == 200   # cached JWT
    server.revoke(created["id"])
    # The CLI revokes in another process: the server's watcher hears it within a second.
    assert poll(lambda: session.get(nginx.url("/orders"), headers=headers, timeout=10).status_code == 401, timeout=3)


def test_git_clone_with_the_pat_as_password_and_not_after_revocation(stack, tmp_path):
    server, upstream, nginx = stack
    created = server.create_pat(scopes=["openid"])
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false", "GIT_CONFIG_NOSYSTEM": "1",
           "HOME": str(tmp_path)}
    env = {k: v for k, v in env.items() if "proxy" not in k.lower()}
    url = nginx.url("/git/project.git").replace("http://", f"http://x-access-token:{created['token']}@")
    first = subprocess.run(["git", "clone", "-q", url, str(tmp_path / "clone")], env=env, capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "clone" / "README").read_text() == "behind patgate\n"
    entries = upstream.entries()
    assert entries and all(not e["pat_seen"] for e in entries)
    assert any(e["path"].startswith("/git/project.git/git-upload-pack") and e["status"] == 200 for e in entries), entries

    server.revoke(created["id"])
    def refused() -> bool:
        again = subprocess.run(["git", "clone", "-q", url, str(tmp_path / f"again-{os.urandom(4).hex()}")], env=env,
                               capture_output=True, text=True, timeout=60)
        return again.returncode != 0 and "Authentication failed" in again.stderr
    assert poll(refused, timeout=5)
