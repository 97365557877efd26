"""Hostile-client figures for BENCHMARKS.md, for any two `patgate` builds (a base and a change).

  python3 scripts/lib/bench/slow_clients.py attack BIN [NOFILE] [COUNT]
      `patgate serve` under `ulimit -n NOFILE` (default 1024), COUNT (default 1100) connections
      that trickle a never-ending request head: the server's CPU with only them connected, a
      kept-alive normal client's 100 requests (GET /healthz and a cache-hit exchange), and a new
      client's request. (`strace -c -f -p PID` meanwhile counts the failed accept4 calls.)
  python3 scripts/lib/bench/slow_clients.py healthz BIN_A BIN_B [ROUNDS]
      GET /healthz cost, the two builds alternated ROUNDS times (default 3): wrk -t2 -c64 -d5s
      req/s and server CPU per request, and server CPU per request over 4,000 sequential
      keep-alive requests (from /proc/<pid>/stat).

Uses no configuration key, so a build from before the connection limits runs it too.
"""

from __future__ import annotations

import http.client
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "Tests" / "e2e"))
import patgate_e2e as e2e  # noqa: E402
from test_slow_clients import Slowloris, cpu_seconds, normal_client, open_fds, percentile  # noqa: E402


def server(binary: str, nofile: int | None = None) -> e2e.Patgate:
    e2e.PATGATE_BIN = binary
    limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) if nofile else None
    return e2e.Patgate(Path(tempfile.mkdtemp(prefix="patgate-slow-"))).start(preexec_fn=limit)


def attack(binary: str, nofile: int = 1_024, count: int = 1_100) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 1_000)), hard))
    srv = server(binary, nofile)
    try:
        pat = srv.create_pat()["token"]
        normal_client(srv, pat, 5)
        slow = Slowloris(srv, count)
        try:
            time.sleep(0.5)
            cpu, wall = cpu_seconds(srv.proc.pid), time.monotonic()
            time.sleep(3)
            share = (cpu_seconds(srv.proc.pid) - cpu) / (time.monotonic() - wall)
            print(f"{count} slow connections opened, server holds {open_fds(srv.proc.pid)} descriptors, "
                  f"CPU {share:.0%} of a core with only them connected")
            latencies, failed = [], 0
            for _ in range(50):
                for call in (lambda: srv.get("/healthz", timeout=3), lambda: srv.exchange(pat)):
                    start = time.monotonic()
                    try:
                        failed += call().status_code != 200
                    except Exception:   # noqa: BLE001 - a failure is a figure here
                        failed += 1
                    latencies.append(time.monotonic() - start)
            print(f"kept-alive client: {failed}/100 failed, p50 {percentile(latencies, .5) * 1000:.1f} ms, "
                  f"p99 {percentile(latencies, .99) * 1000:.1f} ms")
            start = time.monotonic()
            try:
                status = e2e.http_session().get(srv.url("/healthz"), timeout=5).status_code
                print(f"new client: {status} after {(time.monotonic() - start) * 1000:.1f} ms")
            except Exception as error:   # noqa: BLE001
                print(f"new client: {type(error).__name__} after {time.monotonic() - start:.1f} s")
            code = srv.proc.poll()
            print("server still running" if code is None else f"server exited with {code} (a negative code is a signal)")
        finally:
            slow.close()
    finally:
        srv.stop()


def healthz(binary: str) -> tuple[float, float, float]:
    srv = server(binary)
    try:
        cpu = cpu_seconds(srv.proc.pid)
        out = subprocess.run(["wrk", "-t2", "-c64", "-d5s", srv.url("/healthz")], capture_output=True, text=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        wrk_cpu = (cpu_seconds(srv.proc.pid) - cpu) / int(re.search(r"(\d+) requests in", out).group(1)) * 1e6
        conn = http.client.HTTPConnection(srv.host, srv.port)
        cpu = cpu_seconds(srv.proc.pid)
        for _ in range(4_000):
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        return rps, wrk_cpu, (cpu_seconds(srv.proc.pid) - cpu) / 4_000 * 1e6
    finally:
        srv.stop()


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "attack":
        attack(sys.argv[2], *map(int, sys.argv[3:5]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "healthz":
        for round_ in range(int(sys.argv[4]) if len(sys.argv) > 4 else 3):
            for binary in sys.argv[2:4]:
                rps, wrk_cpu, sequential = healthz(binary)
                load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
                print(f"round {round_} {binary}: wrk {rps:,.0f} req/s, {wrk_cpu:.1f} µs CPU/req; "
                      f"sequential {sequential:.1f} µs CPU/req; load {load}", flush=True)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
