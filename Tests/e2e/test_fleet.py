"""A fleet: three `patgate serve` replicas on one PostgreSQL behind HAProxy (fleet_support.py).

What a user of the fleet sees: a PAT made anywhere works everywhere; a console session crosses
replicas; a rolling restart under steady load fails no request; `kill -9` of a replica fails at
most the requests in flight on it and loses no acknowledged write; the login throttle counts
across replicas; a signing-key rotation across the replicas never hands a JWKS-caching verifier
a token whose key its cached JWKS lacks.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time

import pytest
import requests

import jwt

from fleet_support import POSTGRES_URL, Fleet, Load, set_keys_max_age

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PATGATE_TEST_POSTGRES_URL is not set (scripts/test sets it)")


@pytest.fixture
def fleet(tmp_path):
    fleet = Fleet(tmp_path).start()
    try:
        yield fleet
    finally:
        fleet.stop()


def test_a_pat_made_at_one_replica_works_at_every_replica_and_a_session_crosses_them(fleet: Fleet):
    first, second, third = fleet.replicas
    pat = first.create_pat("alice", scopes=["openid", "tokens"])["token"]   # the CLI, on the shared store
    for replica in fleet.replicas:
        minted = replica.exchange(pat)
        assert minted.status_code == 200, minted.text
    # Every replica signs with the same key and names the same issuer: one JWKS serves them all.
    assert len({tuple(sorted(k["kid"] for k in replica.jwks()["keys"])) for replica in fleet.replicas}) == 1

    # A PAT made through the API at one replica works at another.
    made = requests.post(second.url("/api/v1/tokens"), headers={"Authorization": f"Bearer {pat}"},
                         json={"name": "via-api", "scopes": ["openid"]}, timeout=10)
    assert made.status_code == 201, made.text
    assert third.exchange(made.json()["token"]).status_code == 200

    # A console session made at one replica is the same session at the others.
    first.ensure_user("bob")
    password = first.cli("user", "passwd", "bob", "--generate").stdout.split()[-1]
    login = requests.post(first.url("/api/v1/session"), json={"username": "bob", "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    cookie = {"patgate_session": login.cookies["patgate_session"]}
    for replica in (second, third):
        seen = requests.get(replica.url("/api/v1/session"), cookies=cookie, timeout=10)
        assert seen.status_code == 200 and seen.json()["user"]["username"] == "bob", seen.text
    out = requests.delete(third.url("/api/v1/session"), cookies=cookie,
                          headers={"X-CSRF-Token": login.json()["csrf_token"]}, timeout=10)
    assert out.status_code == 204, out.text
    assert requests.get(first.url("/api/v1/session"), cookies=cookie, timeout=10).status_code == 401


def test_a_rolling_restart_under_load_fails_no_request(fleet: Fleet):
    pat = fleet.replicas[0].create_pat("alice")["token"]
    with Load(fleet, pat, fleet.replicas[0].ci_secret) as load:
        time.sleep(1)
        for replica in fleet.replicas:
            fleet.restart(replica)
            fleet.wait_all_up()
        time.sleep(1)
    print(f"\nrolling restart of 3 replicas under load: {load.ok} exchanges answered 200, "
          f"{len(load.failures)} failed {load.failures[:5]}")
    assert load.ok > 100
    assert load.failures == []


def test_kill_9_of_a_replica_fails_only_requests_in_flight_and_loses_no_acknowledged_write(fleet: Fleet):
    first, victim, _ = fleet.replicas
    owner = first.create_pat("alice", scopes=["openid", "tokens"])["token"]
    acknowledged: list[str] = []
    write_failures: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        session, n = requests.Session(), 0
        while not stop.is_set():
            n += 1
            try:
                made = session.post(fleet.url("/api/v1/tokens"), headers={"Authorization": f"Bearer {owner}"},
                                    json={"name": f"w{threading.get_ident()}-{n}", "scopes": ["openid"]}, timeout=10)
                if made.status_code == 201:
                    acknowledged.append(made.json()["id"])
                else:
                    write_failures.append(f"{made.status_code} {made.text[:100]}")
            except requests.RequestException as error:
                write_failures.append(type(error).__name__)

    writers = [threading.Thread(target=writer, daemon=True) for _ in range(2)]
    with Load(fleet, owner, first.ci_secret, threads=4) as load:
        for thread in writers:
            thread.start()
        time.sleep(1)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=10)
        time.sleep(2)
        stop.set()
        for thread in writers:
            thread.join(timeout=30)
    failed = load.failures + write_failures
    print(f"\nkill -9 of one of 3 replicas under load: {load.ok} exchanges and {len(acknowledged)} PAT creations "
          f"answered, {len(failed)} failed {failed[:6]}")
    # At most one request per client thread was in flight on the replica that died.
    assert len(failed) <= len(load.threads) + len(writers), failed
    assert load.ok > 50 and len(acknowledged) > 10
    ids = {token["id"] for token in first.list_pats("alice")}
    assert set(acknowledged) <= ids, "an acknowledged PAT creation was lost"


class StrictJWKClient(jwt.PyJWKClient):
    """PyJWT's JWKS-caching verifier, counting every token whose `kid` was not in the cached JWKS
    (PyJWKClient then fetches the JWKS again; a stricter verifier would just fail)."""

    def __init__(self, uri: str, lifespan: float):
        super().__init__(uri, cache_jwk_set=True, lifespan=lifespan)
        self.misses: list[str] = []

    def get_signing_key(self, kid: str):
        cached = {key.key_id for key in self.get_jwk_set(refresh=False).keys}
        if kid not in cached:
            self.misses.append(kid)
        return super().get_signing_key(kid)


def test_a_key_rotation_across_the_fleet_never_outruns_a_caching_verifier(fleet: Fleet):
    """`patgate keys` stages and promotes on the first replica's file; the file and the key go to
    every replica, and SIGHUP applies each step with no restart (README, "Rotating the signing key")."""
    max_age = 2
    first = fleet.replicas[0]
    pids = [replica.proc.pid for replica in fleet.replicas]
    jwks_urls = [arg for replica in fleet.replicas for arg in ("--jwks-url", replica.url("/.well-known/jwks.json"))]
    old = set_keys_max_age(first, max_age)

    def distribute_and_reload() -> None:
        for replica in fleet.replicas[1:]:
            shutil.copy2(first.data_dir / "patgate.yaml", replica.data_dir / "patgate.yaml")
            for key in (first.data_dir / "keys").glob("*.pem"):
                shutil.copy2(key, replica.data_dir / "keys" / key.name)
        for replica in fleet.replicas:
            replica.reload()

    distribute_and_reload()              # the starting point: every JWKS cached for max_age seconds
    assert requests.get(fleet.url("/.well-known/jwks.json"), timeout=5).headers["Cache-Control"] == f"public, max-age={max_age}"

    pat = first.create_pat("alice")["token"]
    verifier = StrictJWKClient(fleet.url("/.well-known/jwks.json"), lifespan=max_age)
    verified, failures, kids = 0, [], set()
    stop = threading.Event()

    def verify_continuously() -> None:
        nonlocal verified
        session = requests.Session()
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token_type": "urn:ietf:params:oauth:token-type:pat", "subject_token": pat}
        while not stop.is_set():
            try:
                answer = session.post(fleet.url("/token"), data=form, auth=("ci", first.ci_secret), timeout=10)
                token = answer.json()["access_token"]
                kid = jwt.get_unverified_header(token)["kid"]
                key = verifier.get_signing_key(kid)
                jwt.decode(token, key.key, algorithms=["ES256"], audience="patgate", issuer=fleet.issuer)
                verified += 1
                kids.add(kid)
            except Exception as error:   # noqa: BLE001 - every failure is counted and reported
                failures.append(f"{type(error).__name__}: {error}")
            time.sleep(0.02)

    checker = threading.Thread(target=verify_continuously, daemon=True)
    checker.start()
    try:
        time.sleep(1)
        first.cli("keys", "stage")       # 1. stage: every replica publishes the next key
        distribute_and_reload()
        assert "publishes every key" in first.cli("keys", "status", *jwks_urls).stdout
        early = first.cli("keys", "promote", *jwks_urls, check=False)
        assert early.returncode != 0, "promote must wait keys.jwks_max_age_seconds"
        time.sleep(max_age + 0.5)        # 2. every cache has had max_age to see it
        first.cli("keys", "promote", *jwks_urls)   # 3. promote: sign with it, keep the old key published
        distribute_and_reload()
        time.sleep(1)
    finally:
        stop.set()
        checker.join(timeout=30)
    print(f"\nkey rotation across 3 replicas (patgate keys + SIGHUP): {verified} tokens verified by a JWKS-caching "
          f"verifier, {len(failures)} failed, {len(verifier.misses)} with a kid its cache lacked; kids seen {len(kids)}")
    assert failures == [] and verifier.misses == []
    assert verified > 50 and len(kids) == 2 and old in kids
    assert [replica.proc.pid for replica in fleet.replicas] == pids   # no replica restarted


def test_the_login_throttle_counts_across_the_fleet(fleet: Fleet):
    """Wrong passwords spread over the replicas add up: a lockout at one replica holds at all."""
    first = fleet.replicas[0]
    first.ensure_user("carol")
    password = first.cli("user", "passwd", "carol", "--generate").stdout.split()[-1]
    answers = []
    for attempt in range(6):            # login.max_failures_per_account is 5: one more than allowed
        replica = fleet.replicas[attempt % 3]
        answers.append(requests.post(replica.url("/api/v1/session"), timeout=10,
                                     json={"username": "carol", "password": "wrong-password-1"}).status_code)
    assert answers[:5] == [401] * 5 and answers[5] == 429, answers
    for replica in fleet.replicas:       # locked everywhere, even with the right password
        locked = requests.post(replica.url("/api/v1/session"), json={"username": "carol", "password": password}, timeout=10)
        assert locked.status_code == 429, (replica.workdir.name, locked.status_code, locked.text)
        assert int(locked.headers["Retry-After"]) > 0
