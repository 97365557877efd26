"""Revocation beyond one store (docs/ARCHITECTURE.md, invariant 5; README "Revocation"):

- a gateway-only patgate (`issuer.enabled: false`) whose upstream is a patgate issuer follows
  the issuer's feed, `GET /revocations`, and refuses a PAT revoked at the issuer within a
  second; while the issuer is away `/readyz` says `"revocation":"ttl"`, and when it is back the
  gateway resumes from where it stopped and catches up what was revoked meanwhile;
- replicas on one PostgreSQL hear a revocation through `LISTEN/NOTIFY`, and still within a
  second by polling while the listening connection is gone.

The cache TTL is ten minutes, so only a revocation channel explains a refusal.
`PATGATE_TEST_REVOCATION_ROUNDS` (default 10) sets how many revocations the lag tests time;
the worst lag is printed (run with -s to see it).
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
import requests

from patgate_e2e import Patgate, poll, postgres_schema
from test_revocation import LONG_TTL, lag_until_refused

ROUNDS = int(os.environ.get("PATGATE_TEST_REVOCATION_ROUNDS", "10"))
POSTGRES_URL = os.environ.get("PATGATE_TEST_POSTGRES_URL", "")


def gateway_env(issuer: Patgate, feed: bool = True, secret: str | None = None) -> dict[str, str]:
    env = {
        **LONG_TTL,
        "PATGATE_ISSUER_ENABLED": "false",
        "PATGATE_UPSTREAM_INTROSPECTION_URL": issuer.url("/introspect"),
        "PATGATE_UPSTREAM_CLIENT_ID": "patgate-gateway",
        "PATGATE_UPSTREAM_CLIENT_SECRET": secret or issuer.gateway_secret,
    }
    if feed:
        env["PATGATE_UPSTREAM_REVOCATION_FEED_URL"] = issuer.url("/revocations")
    return env


def revocation_channel(server: Patgate) -> str:
    response = server.get("/readyz")
    assert response.status_code == 200, response.text
    return response.json()["revocation"]


def report(label: str, lags: list[float]) -> None:
    print(f"{label} over {len(lags)}: worst {max(lags) * 1000:.0f} ms, median {statistics.median(lags) * 1000:.0f} ms")


@pytest.fixture
def issuer_and_gateway(patgate_factory) -> tuple[Patgate, Patgate]:
    issuer = patgate_factory("issuer").start(env=LONG_TTL)
    gateway = patgate_factory("gateway").start(env=gateway_env(issuer))
    assert poll(lambda: revocation_channel(gateway) == "live", timeout=10)
    return issuer, gateway


def cached_at(gateway: Patgate, issuer: Patgate, user: str = "alice") -> dict:
    created = issuer.create_pat(user=user)
    for _ in range(2):
        response = gateway.exchange(created["token"])
        assert response.status_code == 200, response.text
    return created


def test_a_revocation_at_the_issuer_reaches_a_gateway_only_cache_within_a_second(issuer_and_gateway):
    issuer, gateway = issuer_and_gateway
    lags = []
    for _ in range(ROUNDS):
        created = cached_at(gateway, issuer)
        issuer.revoke(created["id"])                     # the CLI, on the issuer's store
        lags.append(lag_until_refused(gateway, created["token"], time.monotonic()))
    report("revocation lag issuer -> gateway-only feed", lags)
    assert max(lags) < 1.0
    assert f"revocation=the revocation feed {issuer.url('/revocations')}" in gateway.stderr_text()


def test_the_gateway_says_ttl_while_the_issuer_is_away_and_catches_up_when_it_is_back(issuer_and_gateway):
    issuer, gateway = issuer_and_gateway
    kept, revoked_while_away = cached_at(gateway, issuer), cached_at(gateway, issuer)
    issuer.stop()
    assert poll(lambda: revocation_channel(gateway) == "ttl", timeout=5)
    assert "revocations cannot be read from the revocation feed" in gateway.stderr_text()
    issuer.revoke(revoked_while_away["id"])              # nobody can tell the gateway now
    # The cached answer is all the gateway has: the cache TTL bounds revocation meanwhile.
    assert gateway.exchange(revoked_while_away["token"]).status_code == 200

    issuer.start(env=issuer.env, port=issuer.port)
    assert poll(lambda: revocation_channel(gateway) == "live", timeout=10)
    assert gateway.exchange(revoked_while_away["token"]).status_code == 400   # resumed, caught up
    assert gateway.exchange(kept["token"]).status_code == 200
    assert "revocations are read from the revocation feed again" in gateway.stderr_text()


def test_the_feed_is_only_for_introspection_clients(patgate_factory):
    issuer = patgate_factory("issuer").start(env=LONG_TTL)
    feed = issuer.url("/revocations")
    refused = requests.get(feed, auth=("patgate-gateway", "not-the-secret"), timeout=5)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in refused.headers
    assert requests.get(feed, timeout=5).status_code == 401
    forbidden = requests.get(feed, auth=("ci", issuer.ci_secret), timeout=5)     # no introspection grant
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "unauthorized_client"

    start = requests.get(feed, auth=("patgate-gateway", issuer.gateway_secret), timeout=5)
    assert start.status_code == 200 and start.headers["Cache-Control"] == "no-store"
    created = issuer.create_pat()
    issuer.revoke(created["id"])
    page = requests.get(feed, params={"after": start.json()["next"], "wait": 5},
                        auth=("patgate-gateway", issuer.gateway_secret), timeout=10).json()
    assert [(event["kind"], event["id"]) for event in page["events"]] == [("token", created["id"])]
    assert page["next"] == page["events"][-1]["seq"] and page["reset"] is False
    assert created["token"] not in str(page)                                       # ids only, never a value

    # A gateway with the wrong secret gets no feed: the TTL bounds revocation, and the log says why.
    gateway = patgate_factory("gateway").start(env=gateway_env(issuer, secret="not-the-secret"))
    assert revocation_channel(gateway) == "ttl"
    assert poll(lambda: "the revocation feed failed" in gateway.stderr_text(), timeout=5)
    assert "status 401" in gateway.stderr_text()


def test_a_gateway_without_the_feed_keeps_the_ttl_bound(patgate_factory):
    issuer = patgate_factory("issuer").start(env=LONG_TTL)
    gateway = patgate_factory("gateway").start(env=gateway_env(issuer, feed=False))
    created = cached_at(gateway, issuer)
    issuer.revoke(created["id"])
    time.sleep(1.5)
    assert revocation_channel(gateway) == "ttl"
    assert gateway.exchange(created["token"]).status_code == 200
    assert "revocation=none: cache.ttl_seconds (600 s) bounds revocation" in gateway.stderr_text()
    checked = gateway.cli("check-config")
    assert "revocation: none: cache.ttl_seconds (600 s) bounds revocation" in checked.stdout


# -- PostgreSQL replicas -----------------------------------------------------------------------

@pytest.fixture
def postgres_replicas(patgate_factory):
    with postgres_schema("notify") as (schema, url):
        store = {**LONG_TTL, "PATGATE_STORE_KIND": "postgres", "PATGATE_STORE_POSTGRES_URL": url}
        first = patgate_factory("first").start(env=store)
        second = patgate_factory("second").start(env={**store, "PATGATE_ISSUER_HASH_KEY_FILE": str(first.data_dir / "secrets" / "pat-hash.key")})
        yield first, second, schema
        first.stop()
        second.stop()


def test_a_revocation_on_postgres_reaches_another_replica_through_notify(postgres_replicas):
    first, second, _ = postgres_replicas
    assert revocation_channel(second) == "live"
    assert "revocation=the store, woken by PostgreSQL LISTEN/NOTIFY" in second.stderr_text()
    lags = []
    for _ in range(ROUNDS):
        created = cached_at(second, first)
        first.revoke(created["id"])                      # the CLI: a third process on the store
        lags.append(lag_until_refused(second, created["token"], time.monotonic()))
    report("revocation lag to a PostgreSQL replica (LISTEN/NOTIFY)", lags)
    assert max(lags) < 1.0


def test_a_replica_whose_listening_connection_drops_listens_again_and_still_hears_within_a_second(postgres_replicas):
    import psycopg
    first, second, _ = postgres_replicas
    listening = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        def listeners() -> set[int]:
            return {pid for (pid,) in conn.execute(listening).fetchall()}
        assert poll(lambda: len(listeners()) >= 2, timeout=10)                   # one per replica
        dropped = listeners()
        for pid in dropped:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        created = cached_at(second, first)
        first.revoke(created["id"])
        assert lag_until_refused(second, created["token"], time.monotonic()) < 1.0
        assert poll(lambda: len(listeners() - dropped) >= 2, timeout=10)         # both listen again
    assert "cannot listen for revocation notifications" in second.stderr_text()
    assert "revocation notifications from PostgreSQL are received again" in second.stderr_text()
