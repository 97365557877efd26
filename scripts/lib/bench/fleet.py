#!/usr/bin/env python3
"""Exchanges per second through HAProxy with one and with three replicas, in one run.

    PATGATE_BIN=.build/release/patgate PATGATE_TEST_POSTGRES_URL=postgres://… \
        python3 scripts/lib/bench/fleet.py [seconds] [connections]

Starts the fleet of Tests/e2e/fleet_support.py (PostgreSQL, three `patgate serve`, HAProxy),
then drives `wrk -t2` at `POST /token` (one PAT, cache hits) through HAProxy: first with two of
the replicas drained in HAProxy (one serves), then with all three. Everything shares this
machine's cores, so the ratio says what a fleet costs here more than what it gains; the capacity
model in docs/operations.md uses per-core figures instead.
"""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "Tests" / "e2e"))

from fleet_support import Fleet  # noqa: E402

LUA = """wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic {basic}"
"""


def haproxy_state(fleet: Fleet, servers: list[str], state: str) -> None:
    """Drains or readies servers through HAProxy's runtime API (the fleet's admin socket)."""
    for server in servers:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as admin:
            admin.connect(str(fleet.admin_socket))
            admin.sendall(f"set server replicas/{server} state {state}\n".encode())
            admin.recv(4096)


def wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, str]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, errors.group(1) if errors else "0"


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    with tempfile.TemporaryDirectory() as work:
        fleet = Fleet(Path(work), admin_socket=True).start()
        try:
            pat = fleet.replicas[0].create_pat("alice")["token"]
            form = urlencode({"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                              "subject_token_type": "urn:ietf:params:oauth:token-type:pat", "subject_token": pat})
            basic = base64.b64encode(f"ci:{fleet.replicas[0].ci_secret}".encode()).decode()
            script = Path(work) / "exchange.lua"
            script.write_text(LUA.format(body=form, basic=basic))
            url = fleet.url("/token")
            wrk(url, script, 2, connections)                         # warm every replica's cache
            haproxy_state(fleet, ["r1", "r2"], "drain")
            time.sleep(0.5)
            one, one_errors = wrk(url, script, seconds, connections)
            haproxy_state(fleet, ["r1", "r2"], "ready")
            time.sleep(0.5)
            three, three_errors = wrk(url, script, seconds, connections)
            print(f"through HAProxy, wrk -t2 -c{connections} -d{seconds}s POST /token (cache hit):")
            print(f"  1 replica : {one:9.0f} req/s  ({one_errors} non-2xx)")
            print(f"  3 replicas: {three:9.0f} req/s  ({three_errors} non-2xx)")
            print(f"  ratio 3/1 : {three / one:.2f}")
        finally:
            fleet.stop()


if __name__ == "__main__":
    main()
