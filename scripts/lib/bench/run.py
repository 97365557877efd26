"""scripts/bench's driver: start the servers, run the scenarios with wrk, print one table.

Run through `scripts/bench` (it installs wrk and the Python packages and builds release).
Every ratio is computed from figures of this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import burst  # noqa: E402
import gateway  # noqa: E402
import metrics_cost  # noqa: E402
import ratios  # noqa: E402
import target_rounds  # noqa: E402
import microbench  # noqa: E402
import peer  # noqa: E402
import report  # noqa: E402
import wrk  # noqa: E402
from patgate_server import DataDir, Server, exchange_body, free_port  # noqa: E402
from procstat import Sampler, memory_kib  # noqa: E402

REPO = Path(__file__).resolve().parents[3]


def load() -> str:
    """The 1/5/15-minute load averages, as `uptime` shows them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(pid: int, url: str, connections: int, duration: int, args: list[str], name: str) -> dict:
    sampler = Sampler(pid)
    sampler.start()
    result = wrk.run(url, connections, duration, args)
    result.update(sampler.stop())
    result["scenario"] = name
    result["cpu_cores"] = result["cpu_seconds"] / (result["duration_us"] / 1e6)
    result["cpu_us_per_request"] = result["cpu_cores"] / result["rps"] * 1e6 if result["rps"] else 0.0
    result["load"] = load()
    print(f"  {name:<14} c={connections:<4} {result['rps']:>10.0f} req/s  p50 {result['latency_us']['p50'] / 1000:.2f} ms"
          f"  p99 {result['latency_us']['p99'] / 1000:.2f} ms  errors {result['error_count']}"
          f"  cpu {result['cpu_cores']:.2f}  peak {result['peak_rss_kib'] / 1024:.0f} MiB  load {result['load']}",
          file=sys.stderr, flush=True)
    return result


def audit_events(data: DataDir, event: str) -> int:
    path = data.root / "audit.jsonl"
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text().splitlines() if f'"event":"{event}"' in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run: 2 s runs, one connection count")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", default="16,64,256", help="the connection sweep (default 16,64,256)")
    parser.add_argument("--miss-pats", type=int, default=120_000, help="PATs made for the cache-miss run")
    parser.add_argument("--soak", type=int, default=0, help="seconds of a cache-hit run sampling RSS (0: none)")
    parser.add_argument("--no-peer", action="store_true", help="skip the idpyoidc peer")
    parser.add_argument("--no-gateway", action="store_true", help="skip forward auth through nginx")
    parser.add_argument("--no-micro", action="store_true", help="skip the microbenchmarks and openssl speed")
    parser.add_argument("--metrics-cost", action="store_true",
                        help="only the metrics on/off comparison of the cache-hit exchange (alternating rounds)")
    parser.add_argument("--ratios", action="store_true",
                        help="only the cache-hit and forward-auth ratios to healthz on one server (alternating rounds)")
    parser.add_argument("--ratio-connections", type=int, default=64, help="connections of --ratios (default 64)")
    parser.add_argument("--rounds", type=int, default=30, help="rounds of --metrics-cost and --ratios (default 30)")
    parser.add_argument("--round-seconds", type=int, default=3,
                        help="seconds per run of --metrics-cost, --ratios and --target-rounds (default 3)")
    parser.add_argument("--target-rounds", type=int, default=6,
                        help="rounds of healthz, the cache hit, the cache miss and the peer on one warm server, "
                             "for issue 14's ratios (default 6; 0: none)")
    parser.add_argument("--out", default=str(REPO / "docs" / "bench"), help="where results.json, table.md, bench.png go")
    parser.add_argument("--bin", default=str(REPO / ".build" / "release"), help="folder of patgate and patgate-bench")
    options = parser.parse_args()
    if options.quick:
        options.duration, options.connections, options.miss_pats = 2, "64", 10_000
        options.rounds, options.round_seconds, options.target_rounds = 2, 2, 2
    sweep = [int(c) for c in options.connections.split(",")]
    binary = Path(options.bin) / "patgate"
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="patgate-bench-"))
    results: dict = {"machine": report.machine(), "duration": options.duration, "runs": [], "ready_seconds": []}
    print(f"bench: {results['machine']}", file=sys.stderr)

    try:
        hit_count = 16
        rounds_run = options.target_rounds and not (options.ratios or options.metrics_cost)
        round_count = target_rounds.pats_needed(options.target_rounds, options.round_seconds) if rounds_run else 0
        data = DataDir(binary, work / "data", hit_count + 1 + options.miss_pats + round_count)
        gateway.enable_authz(data.root)
        hit_pats, burst_pat = data.pats[:hit_count], data.pats[hit_count]
        miss_pats = data.pats[hit_count + 1:hit_count + 1 + options.miss_pats]
        round_pats = data.pats[hit_count + 1 + options.miss_pats:]
        (work / "hit-bodies").write_text("".join(exchange_body(p) + "\n" for p in hit_pats))
        (work / "miss-pats").write_text("".join(p + "\n" for p in miss_pats))
        auth = data.basic_auth
        hit_args = ["fixed", str(work / "hit-bodies"), auth]

        if options.ratios:
            server = Server(binary, data, free_port(), work / "ratios.log")
            scenarios = {"healthz": ("/healthz", ["get"]), "cache-hit": ("/token", hit_args),
                         "forward-auth": ("/authz/auth-request", gateway.forward_auth_args(hit_pats[0]))}
            try:
                for path, args in scenarios.values():
                    wrk.run(f"http://127.0.0.1:{server.port}{path}", 64, 2, args)
                found = ratios.run(server, scenarios, measure, options.ratio_connections, options.rounds,
                                   options.round_seconds)
            finally:
                server.stop()
            (out / "ratios.json").write_text(json.dumps(found, indent=2) + "\n")
            print(report.ratios(found))
            return

        # Metrics on against off, cache-hit exchange, alternating rounds (issue 13).
        results["metrics_cost"] = metrics_cost.run(binary, data, work, free_port, measure, hit_args,
                                                   options.round_seconds, rounds=options.rounds)
        if options.metrics_cost:
            (out / "metrics-cost.json").write_text(json.dumps(results["metrics_cost"], indent=2) + "\n")
            print(report.metrics_cost(results["metrics_cost"]))
            return

        # Server A: the framework floor and the cache-hit exchange, interleaved per connection count.
        port = free_port()
        server = Server(binary, data, port, work / "server-a.log")
        results["ready_seconds"].append(server.ready_seconds)
        base = f"http://127.0.0.1:{port}"
        print(f"bench: server ready in {server.ready_seconds * 1000:.0f} ms; warming up", file=sys.stderr)
        wrk.run(base + "/healthz", 64, 2, ["get"])
        wrk.run(base + "/token", 64, 2, hit_args)
        # Forward auth, nginx's convention, one PAT: after the first request a JWT cache hit.
        authz_args = gateway.forward_auth_args(hit_pats[0])
        wrk.run(base + "/authz/auth-request", 64, 2, authz_args)
        for connections in sweep:
            results["runs"].append(measure(server.pid, base + "/healthz", connections, options.duration, ["get"], "healthz"))
            results["runs"].append(measure(server.pid, base + "/token", connections, options.duration, hit_args,
                                           "cache-hit"))
            results["runs"].append(measure(server.pid, base + "/authz/auth-request", connections, options.duration,
                                           authz_args, "forward-auth"))
        if not options.no_gateway:
            results["runs"] += through_nginx(server, work, hit_pats[0], options.duration)
        results["server_a_cache"] = server.stop()

        # Server B: every request a PAT never seen before (upstream = the built-in issuer).
        before = audit_events(data, "pat.used")
        server = Server(binary, data, free_port(), work / "server-b.log")
        results["ready_seconds"].append(server.ready_seconds)
        walk_args = [exchange_body(None), "2", auth]
        miss = measure(server.pid, f"http://127.0.0.1:{server.port}/token", 64, options.duration,
                       ["walk", str(work / "miss-pats"), *walk_args], "cache-miss")
        time.sleep(1)   # introspections still running when wrk stopped finish and are cached
        stats = server.stop()
        miss["cache"] = stats
        miss["distinct_pats_sent"] = min(miss["walk_sent"], len(miss_pats))
        miss["wrapped"] = miss["walk_sent"] > len(miss_pats)
        miss["issuer_pat_used_events"] = audit_events(data, "pat.used") - before
        results["runs"].append(miss)

        # Server C: 256 requests with one new PAT at once → exactly one introspection.
        server = Server(binary, data, free_port(), work / "server-c.log")
        results["ready_seconds"].append(server.ready_seconds)
        answers = burst.burst(server.port, exchange_body(burst_pat), auth, 256)
        results["burst"] = {"requests": 256, **answers, "cache": server.stop()}
        print(f"  burst          256 same new PAT: {answers}, cache {results['burst']['cache']}", file=sys.stderr)

        # Server D: issue 14's ratios in rotating rounds, warm, the peer beside it.
        if rounds_run:
            server = Server(binary, data, free_port(), work / "server-d.log")
            results["ready_seconds"].append(server.ready_seconds)
            rival = None if options.no_peer else peer.Peer(work)
            try:
                found = target_rounds.run(server, rival, measure, hit_args, round_pats, walk_args, work,
                                          options.target_rounds, options.round_seconds)
            finally:
                if rival is not None:
                    rival.stop()
            time.sleep(1)   # as for server B
            found["cache"] = server.stop()
            results["target_rounds"] = found

        if not options.no_peer:
            results["runs"].append(peer.run(work, options.duration, 64, measure))

        if options.soak:
            server = Server(binary, data, free_port(), work / "server-e.log")
            results["ready_seconds"].append(server.ready_seconds)
            results["soak"] = soak(server, options.soak, hit_args)
            server.stop()

        if not options.no_micro:
            results["micro"] = microbench.run(Path(options.bin) / "patgate-bench", quick=options.quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    results["finished_load"] = load()
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = report.table(results)
    (out / "table.md").write_text(table)
    report.plot(results, out / "bench.png")
    print(table)


def through_nginx(server: Server, work: Path, pat: str, duration: int) -> list[dict]:
    """A PAT through nginx (auth_request to patgate) to a static upstream, against nginx to the
    same upstream without auth, 64 connections each; CPU is sampled on patgate, then on nginx."""
    nginx = gateway.Nginx(work / "nginx", server.port, (free_port(), free_port(), free_port()))
    try:
        bearer = ["headers", f"Authorization: Bearer {pat}"]
        wrk.run(f"http://127.0.0.1:{nginx.auth_port}/orders/1", 64, 2, bearer)
        authed = measure(server.pid, f"http://127.0.0.1:{nginx.auth_port}/orders/1", 64, duration, bearer,
                         "nginx+patgate")
        plain = measure(nginx.process.pid, f"http://127.0.0.1:{nginx.plain_port}/orders/1", 64, duration, ["get"],
                        "nginx-only")
        return [authed, plain]
    finally:
        nginx.stop()


def soak(server: Server, seconds: int, hit_args: list[str]) -> dict:
    """A cache-hit run of `seconds` at 64 connections, sampling RSS every second."""
    process = subprocess.Popen(["wrk", "-t2", "-c64", f"-d{seconds}s", "-s", str(wrk.LUA),
                                f"http://127.0.0.1:{server.port}/token", "--", *hit_args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    start = time.monotonic()
    while process.poll() is None:
        samples.append((round(time.monotonic() - start, 1), memory_kib(server.pid)["VmRSS"]))
        time.sleep(1)
    warm = [rss for t, rss in samples if t >= seconds * 0.1]
    after_warmup, end = (warm[0], warm[-1]) if warm else (0, 0)
    return {"seconds": seconds, "rss_after_warmup_kib": after_warmup, "rss_end_kib": end,
            "rss_max_kib": max(warm, default=0),
            "growth": (end - after_warmup) / after_warmup if after_warmup else 0.0, "samples": samples}


if __name__ == "__main__":
    os.environ.pop("http_proxy", None)
    main()
