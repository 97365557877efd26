"""Forward auth behind a real Traefik (`forwardAuth`, file provider, deploy/gateways/traefik):
the PAT becomes patgate's JWT on the forwarded request (authResponseHeaders), the API never
sees it, denials come back from patgate as they are, an upstream outage is a 503 and never an
allow. README "Forward auth".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forward_auth_support import Traefik, Upstream, configure_authz
from patgate_e2e import free_port, http_session, poll


@pytest.fixture
def stack(tmp_path: Path, patgate_factory, processes):
    server = configure_authz(patgate_factory("patgate")).start()
    upstream = Upstream(tmp_path, server)
    processes.processes.append(upstream.proc)
    traefik = Traefik(tmp_path / "traefik", server.base_url, f"http://{upstream.address}")
    processes.processes.append(traefik.proc)
    return server, upstream, traefik


def test_the_api_sees_patgates_jwt_and_never_the_pat(stack):
    server, upstream, traefik = stack
    pat = server.create_pat(scopes=["openid"])["token"]
    session = http_session()
    for headers in ({"Authorization": f"Bearer {pat}"}, {"Authorization": f"token {pat}"}, {"X-API-Key": pat}):
        response = session.post(traefik.url("/orders/1?x=y"), headers=headers, data=b"{}", timeout=10)
        assert response.status_code == 200, (headers.keys(), response.status_code, response.text)
        body = response.json()
        assert body["sub"] == "alice" and body["aud"] == "orders-api" and body["method"] == "POST"
        assert body["path"] == "/orders/1?x=y"
    entries = upstream.entries()
    assert len(entries) == 3 and not any(e["pat_seen"] for e in entries), entries
    assert {e["subject_header"] for e in entries} == {"alice"}


def test_denials_come_back_from_patgate(stack):
    server, upstream, traefik = stack
    session = http_session()
    anonymous = session.get(traefik.url("/orders"), timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith('Bearer realm="patgate"')
    narrow = server.create_pat(scopes=["openid"])
    admin = session.get(traefik.url("/admin"), headers={"Authorization": f"Bearer {narrow['token']}"}, timeout=10)
    assert admin.status_code == 403
    assert 'error="insufficient_scope"' in admin.headers["WWW-Authenticate"]
    assert admin.json()["error"] == "insufficient_scope"
    assert upstream.entries() == []
    # The CLI revokes in another process: patgate's watcher hears it within a second.
    server.revoke(narrow["id"])
    headers = {"Authorization": f"Bearer {narrow['token']}"}
    assert poll(lambda: session.get(traefik.url("/orders"), headers=headers, timeout=10).status_code == 401, timeout=3)
    assert not any(e["pat_seen"] for e in upstream.entries())


def test_an_unreachable_upstream_is_a_503_never_an_allow(tmp_path: Path, patgate_factory, processes):
    server = configure_authz(patgate_factory("patgate"), extra="") 
    config = server.data_dir / "patgate.yaml"
    down = free_port()
    config.write_text(config.read_text().replace("upstream:\n", f"upstream:\n  introspection_url: http://127.0.0.1:{down}/introspect\n", 1))
    server.start()
    upstream = Upstream(tmp_path, server)
    processes.processes.append(upstream.proc)
    traefik = Traefik(tmp_path / "traefik", server.base_url, f"http://{upstream.address}")
    processes.processes.append(traefik.proc)
    pat = server.create_pat(scopes=["openid"])["token"]
    response = http_session().get(traefik.url("/orders"), headers={"Authorization": f"Bearer {pat}"}, timeout=15)
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert upstream.entries() == []
