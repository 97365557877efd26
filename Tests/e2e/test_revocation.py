"""Revocation reaches the gateway's cache within a second, whoever revokes (docs/ARCHITECTURE.md,
invariant 5). The cache TTL is ten minutes here, so only the revocation channel can explain a
refusal. `PATGATE_TEST_REVOCATION_ROUNDS` (default 3) sets how many revocations each test times;
the worst lag is printed (run with -s to see it).
"""

from __future__ import annotations

import os
import time

import requests

from patgate_e2e import Patgate

ROUNDS = int(os.environ.get("PATGATE_TEST_REVOCATION_ROUNDS", "3"))
LONG_TTL = {"PATGATE_CACHE_TTL_SECONDS": "600", "PATGATE_USERS_BCRYPT_COST": "4"}


def cached_pat(server: Patgate, user: str = "alice") -> dict:
    """A PAT whose active answer is now in the gateway's cache."""
    created = server.create_pat(user=user)
    for _ in range(2):
        response = server.exchange(created["token"])
        assert response.status_code == 200, response.text
    return created


def lag_until_refused(server: Patgate, token: str, since: float, limit: float = 3.0) -> float:
    while True:
        response = server.exchange(token)
        lag = time.monotonic() - since
        if response.status_code == 400:
            assert response.json()["error"] == "invalid_request"
            return lag
        assert response.status_code == 200, response.text
        assert lag < limit, f"still accepted {lag:.2f} s after the revocation"
        time.sleep(0.01)


def test_a_revocation_by_the_cli_reaches_the_running_server_within_a_second(patgate_factory):
    server = patgate_factory().start(env=LONG_TTL)
    lags = []
    for _ in range(ROUNDS):
        created = cached_pat(server)
        server.revoke(created["id"])            # another process, the same SQLite file
        lags.append(lag_until_refused(server, created["token"], time.monotonic()))
    print(f"CLI revocation lag over {ROUNDS}: worst {max(lags) * 1000:.0f} ms")
    assert max(lags) < 1.0


def test_disabling_a_user_with_the_cli_ends_their_cached_pats_within_a_second(patgate_factory):
    server = patgate_factory().start(env=LONG_TTL)
    server.cli("user", "add", "hana", "--generate")
    first, second = cached_pat(server, user="hana"), cached_pat(server, user="hana")
    server.cli("user", "disable", "hana")
    since = time.monotonic()
    assert max(lag_until_refused(server, pat["token"], since) for pat in (first, second)) < 1.0


def test_a_revocation_through_the_api_is_refused_by_the_next_exchange(patgate_factory):
    server = patgate_factory().start(env=LONG_TTL)
    added = server.cli("user", "add", "ivan", "--generate").stdout
    password = added.split("password (shown once): ")[1].split()[0]
    session = requests.Session()
    login = session.post(server.url("/api/v1/session"), json={"username": "ivan", "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    for round_ in range(ROUNDS):
        created = session.post(server.url("/api/v1/tokens"), json={"name": f"api-{round_}", "scopes": ["openid"]},
                               headers=csrf, timeout=10)
        assert created.status_code == 201, created.text
        token = created.json()
        for _ in range(2):
            assert server.exchange(token["token"]).status_code == 200
        deleted = session.delete(server.url(f"/api/v1/tokens/{token['id']}"), headers=csrf, timeout=10)
        assert deleted.status_code == 204
        # The serving process forgets a PAT it revoked before it answers the revocation.
        response = server.exchange(token["token"])
        assert response.status_code == 400, response.text
