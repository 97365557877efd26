"""A fleet on loopback for Tests/e2e/test_fleet.py: one PostgreSQL schema, three `patgate serve`
replicas with the same keys, secrets and issuer URL, and Debian's HAProxy in front checking
`/readyz`, as `deploy/` describes a fleet."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
import time
from pathlib import Path

import requests

from patgate_e2e import Patgate, free_port, stop_process

POSTGRES_URL = os.environ.get("PATGATE_TEST_POSTGRES_URL", "")

HAPROXY_CONFIG = """\
global
    maxconn 4096
    log stderr format raw local0 info
{admin}defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # As deploy/compose/haproxy.cfg: a replica that stops or dies before answering, and the
    # request goes to another replica, except management-API writes.
    retries 3
    retry-on conn-failure empty-response response-timeout
    option redispatch 1
    option http-server-close
    option http-buffer-request
frontend patgate
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    http-request disable-l7-retry if METH_POST {{ path_beg /api/ }}
    http-request disable-l7-retry if {{ method PUT PATCH DELETE }}
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 200ms fall 1 rise 1 observe layer4 error-limit 1 on-error mark-down
{servers}
"""


class Fleet:
    """Three replicas on one PostgreSQL schema behind HAProxy."""

    def __init__(self, workdir: Path, size: int = 3, admin_socket: bool = False):
        self.workdir = workdir
        # HAProxy's runtime API, for scripts that take replicas in and out (scripts/lib/bench/fleet.py).
        self.admin_socket = workdir / "haproxy.sock" if admin_socket else None
        self.schema = f"e2e_fleet_{secrets.token_hex(4)}"
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        separator = "&" if "?" in POSTGRES_URL else "?"
        self.env = {"PATGATE_STORE_KIND": "postgres",
                    "PATGATE_STORE_POSTGRES_URL": f"{POSTGRES_URL}{separator}search_path={self.schema}",
                    "PATGATE_USERS_BCRYPT_COST": "4"}
        seed = Patgate(workdir / "seed").bootstrap()   # keys, secrets, config: copied to every replica
        self.replicas = []
        for index in range(size):
            replica = Patgate(workdir / f"replica{index}")
            shutil.copytree(seed.data_dir, replica.data_dir)
            self.replicas.append(replica)
        self.haproxy: subprocess.Popen | None = None

    def start(self) -> "Fleet":
        import psycopg
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE SCHEMA "{self.schema}"')
        for replica in self.replicas:
            replica.start(env=self.env, issuer=self.issuer)
        servers = "\n".join(f"    server r{index} 127.0.0.1:{replica.port} check"
                            for index, replica in enumerate(self.replicas))
        config = self.workdir / "haproxy.cfg"
        admin = f"    stats socket {self.admin_socket} level admin\n" if self.admin_socket else ""
        config.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers, admin=admin))
        subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)
        self.haproxy = subprocess.Popen(["haproxy", "-f", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=open(self.workdir / "haproxy.log", "wb"), start_new_session=True)
        self.wait_all_up()
        return self

    def stop(self) -> None:
        stop_process(self.haproxy)
        for replica in self.replicas:
            replica.stop()
        import psycopg
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def url(self, path: str) -> str:
        return self.issuer + path

    def wait_all_up(self, timeout: float = 30) -> None:
        """Every replica answers /readyz, and HAProxy has had two health-check rounds to see it."""
        deadline = time.monotonic() + timeout
        for replica in self.replicas:
            while requests.get(replica.url("/readyz"), timeout=2).status_code != 200:
                assert time.monotonic() < deadline, f"{replica.workdir.name} is not ready"
                time.sleep(0.05)
        time.sleep(0.5)

    def restart(self, replica: Patgate) -> None:
        """SIGTERM, then start again on the same port (HAProxy knows it by its port)."""
        port = replica.port
        replica.stop()
        replica.start(env=self.env, issuer=self.issuer, port=port)


class Load:
    """Threads that exchange one PAT through HAProxy without pause and count what failed."""

    def __init__(self, fleet: Fleet, pat: str, secret: str, threads: int = 4):
        self.fleet, self.pat, self.secret = fleet, pat, secret
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def run(self) -> None:
        session = requests.Session()
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token_type": "urn:ietf:params:oauth:token-type:pat", "subject_token": self.pat}
        while not self.stopping.is_set():
            try:
                answer = session.post(self.fleet.url("/token"), data=form, auth=("ci", self.secret), timeout=10)
                outcome = None if answer.status_code == 200 else f"{answer.status_code} {answer.text[:120]}"
            except requests.RequestException as error:
                outcome = type(error).__name__
            with self.lock:
                if outcome is None:
                    self.ok += 1
                else:
                    self.failures.append(outcome)


def set_keys_max_age(replica: Patgate, max_age: int) -> str:
    """Sets `keys.jwks_max_age_seconds` in a replica's patgate.yaml; returns the active key's kid."""
    config = replica.data_dir / "patgate.yaml"
    config.write_text(config.read_text().replace("keys:\n", f"keys:\n  jwks_max_age_seconds: {max_age}\n", 1))
    return replica.jwks()["keys"][0]["kid"]
