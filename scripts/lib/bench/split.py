"""The cache miss's two sides measured apart (issue 14): what the issuer's `/introspect` answer
costs, and what the gateway spends on a miss besides it.

    python3 scripts/lib/bench/split.py PATGATE_DIR [--rounds 5] [--seconds 3] [--connections 64]
        [--profile]

Part 1, one server: `/healthz`, the cache-hit exchange and `/introspect` of one PAT with the
gateway's own client credentials (what the gateway sends on a miss), in alternating rounds.
Part 2, two servers of one data directory: an issuer, and a gateway started with
`PATGATE_UPSTREAM_INTROSPECTION_URL` at the issuer's `/introspect` and `PATGATE_ISSUER_ENABLED=false`.
`wrk` walks PATs never sent before at the gateway (each a miss, one introspection at the
issuer), then repeats one exchange (a hit), round after round. Every figure is the median (and
range) of a process's CPU per answer from `/proc`; on 2 cores the two processes share them.
With `--profile`, one more run of each part samples the issuer (`cpu_profile.py`'s table: the
same-PAT `/introspect` on the one server, then the issuer of a miss walk); perf's own cost grows
with the context switches, so read the split between components, not the totals.
What it showed: at a miss's rate, the issuer's answer for a new PAT costs about 1.7× what the
same PAT's does at a high rate, where it costs one `/healthz` (BENCHMARKS.md, "Issue 14",
session 28).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import loaded  # noqa: E402
import procstat  # noqa: E402
import cpu_profile  # noqa: E402
import wrk  # noqa: E402
from patgate_server import MISSES_PER_SECOND, DataDir, Server, exchange_body  # noqa: E402
from patgate_server import free_port  # noqa: E402


def walk(path: Path, pats: list[str], data: DataDir) -> list[str]:
    """wrk's arguments for a walk of `pats` (each a miss), written to `path`."""
    path.write_text("".join(p + "\n" for p in pats))
    return ["walk", str(path), exchange_body(None), "2", data.basic_auth]


def checked(result: dict, args: list[str]) -> dict:
    """`result`, once it has no error answer and its walk, if any, sent no PAT twice."""
    if result["error_count"]:
        raise SystemExit(f"split: {result['error_count']} errors: {result['errors']}")
    if args[0] == "walk" and result["walk_sent"] > len(Path(args[1]).read_text().splitlines()):
        raise SystemExit("split: a walk wrapped around its PATs (the rest were hits); use fewer --seconds")
    return result


def measured(url: str, args: list[str], seconds: int, connections: int, servers: list[Server]) -> tuple[list[float], int]:
    """One `wrk` run (`checked`): each server's CPU µs per answer, and the requests sent."""
    before = [procstat.cpu_seconds(server.pid) for server in servers]
    result = checked(wrk.run(url, connections, seconds, args), args)
    costs = [(procstat.cpu_seconds(server.pid) - cpu) / result["requests"] * 1e6 for server, cpu in zip(servers, before)]
    return costs, result.get("walk_sent", result["requests"])


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def one_server(binary: Path, data: DataDir, work: Path, options) -> None:
    server = Server(binary, data, free_port(), work / "server.log")
    base = f"http://127.0.0.1:{server.port}"
    (work / "introspect").write_text("token=" + urllib.parse.quote(data.pats[0]) + "\n")
    credentials = data.gateway_basic_auth
    try:
        # The PAT must be active, or this measures a cheaper answer than a miss gets.
        request = urllib.request.Request(base + "/introspect", data=(work / "introspect").read_bytes().strip(),
                                         headers={"Authorization": credentials})
        if json.load(urllib.request.urlopen(request)).get("active") is not True:
            raise SystemExit("split: the issuer does not answer the PAT active")
        scenarios = {"healthz": ("/healthz", ["get"]),
                     "cache hit": ("/token", ["fixed", str(work / "hit"), data.basic_auth]),
                     "/introspect, one PAT": ("/introspect", ["fixed", str(work / "introspect"), credentials])}
        costs: dict[str, list[float]] = {name: [] for name in scenarios}
        for _ in range(options.rounds):
            for name, (path, args) in scenarios.items():
                costs[name] += measured(base + path, args, options.seconds, options.connections, [server])[0]
        print("\nOne server, CPU µs per answer, median (range):\n| scenario | server |\n| --- | ---: |")
        for name, values in costs.items():
            print(f"| {name} | {summary(values)} |")
        if options.profile:
            profiled("/introspect of one PAT, one server", base + "/introspect", scenarios["/introspect, one PAT"][1],
                     server, options)
    finally:
        server.stop()


def profiled(title: str, url: str, args: list[str], server: Server, options) -> dict:
    """`cpu_profile.py`'s table of `server` while `wrk` runs `args` at `url`; wrk's summary (`checked`)."""
    result, samples = loaded.measure_during(url, args, options.connections, options.seconds,
                                            lambda: cpu_profile.sample(server.pid, options.seconds))
    cpu_profile.report(title, result, samples, options.seconds, top=0)
    return checked(result, args)


def two_servers(binary: Path, data: DataDir, work: Path, options) -> None:
    issuer = Server(binary, data, free_port(), work / "issuer.log")
    gateway = Server(binary, data, free_port(), work / "gateway.log", env={
        "PATGATE_UPSTREAM_INTROSPECTION_URL": f"http://127.0.0.1:{issuer.port}/introspect",
        "PATGATE_ISSUER_ENABLED": "false"})
    url = f"http://127.0.0.1:{gateway.port}/token"
    misses = data.pats[1:]
    per_round = options.seconds * MISSES_PER_SECOND
    costs: dict[str, list[list[float]]] = {"cache miss": [], "cache hit": []}
    walked = 0
    try:
        for number in range(options.rounds):
            args = walk(work / f"misses-{number}", misses[number * per_round:(number + 1) * per_round], data)
            miss, sent = measured(url, args, options.seconds, options.connections, [gateway, issuer])
            costs["cache miss"].append(miss)
            walked += sent
            costs["cache hit"].append(measured(url, ["fixed", str(work / "hit"), data.basic_auth],
                                               options.seconds, options.connections, [gateway, issuer])[0])
        if options.profile:
            args = walk(work / "misses-profiled", misses[options.rounds * per_round:], data)
            walked += profiled("the issuer of a miss walk, two processes", url, args, issuer, options)["walk_sent"]
    finally:
        statistics_line = gateway.stop()
        issuer.stop()
    print("\nGateway and issuer, CPU µs per answer of each process, median (range):\n"
          "| scenario | gateway | issuer |\n| --- | ---: | ---: |")
    for name, rounds in costs.items():
        print(f"| {name} | {summary([r[0] for r in rounds])} | {summary([r[1] for r in rounds])} |")
    # Each PAT walked is one introspection call; the hit's PAT adds one (its first requests
    # missed together and joined one call).
    print(f"{walked:,} new PATs sent, none twice; the gateway made "
          f"{statistics_line.get('upstream_calls', 0):,} introspection calls ({statistics_line})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", help="folder of a release patgate")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--profile", action="store_true", help="also sample the issuer with perf (as root)")
    options = parser.parse_args()
    binary = Path(options.build) / "patgate"
    work = Path(tempfile.mkdtemp(prefix="patgate-split-"))
    # A miss needs a PAT never sent before; the profiled walk runs 2 s longer.
    walks = options.rounds * options.seconds + (options.seconds + 2 if options.profile else 0)
    data = DataDir(binary, work / "data", 1 + walks * MISSES_PER_SECOND)
    (work / "hit").write_text(exchange_body(data.pats[0]) + "\n")   # both parts' cache hit
    one_server(binary, data, work, options)
    two_servers(binary, data, work, options)


if __name__ == "__main__":
    main()
