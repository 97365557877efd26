"""A leaked PAT cannot buy itself a longer life: a PAT (or a JWT minted from it) creates and
rotates only tokens that expire no later than itself (docs/ARCHITECTURE.md, invariant 7)."""

from __future__ import annotations

from datetime import datetime


def test_a_bearer_pat_or_jwt_cannot_outlive_its_pat(patgate_factory):
    server = patgate_factory().start()
    manager = server.create_pat(scopes=["openid", "tokens"], expires_in=3600)
    limit = manager["expires_at"]
    jwt = server.mint(manager["token"], scope="openid tokens")["access_token"]

    for bearer in (manager["token"], jwt):
        headers = {"Authorization": f"Bearer {bearer}"}
        forever = server.post("/api/v1/tokens", json={"name": f"f-{len(bearer)}", "scopes": ["openid"],
                                                      "expires_in": 86400 * 365}, headers=headers)
        assert forever.status_code == 403, forever.text
        assert forever.headers["Content-Type"] == "application/problem+json"
        assert forever.json()["code"] == "outlives_credential" and limit in forever.json()["detail"]
        unbounded = server.post("/api/v1/tokens", json={"name": f"u-{len(bearer)}", "scopes": ["openid"]}, headers=headers)
        assert unbounded.status_code == 201, unbounded.text
        assert unbounded.json()["expires_at"] == limit

    # Rotating itself: a new value, the same end.
    rotated = server.post(f"/api/v1/tokens/{manager['id']}/rotate", headers={"Authorization": f"Bearer {manager['token']}"})
    assert rotated.status_code == 201, rotated.text
    assert datetime.fromisoformat(rotated.json()["expires_at"]) <= datetime.fromisoformat(limit)
    # The CLI acts for a person: no bound.
    assert server.create_pat(scopes=["openid"])["expires_at"] is None
