"""Before/after of a hot-path change (issue 14): two builds of patgate on the same data, the same
scenarios in alternating rounds, medians of req/s and of the server's CPU per answer.

    python3 scripts/lib/bench/ab.py BEFORE_DIR AFTER_DIR [--rounds 4] [--duration 6]
        [--scenarios healthz,cache-hit,forward-auth,cache-miss] [--connections 64]

BEFORE_DIR and AFTER_DIR hold a release `patgate` each (e.g. a worktree's `.build/release`).
Alternating which build runs first spreads a change in the machine's load over both; CPU per
answer (`/proc/<pid>/stat`) is steadier than req/s on a shared machine; the p99 column is the
median of the rounds' p99 latencies. With `healthz` among the
scenarios, each build's ratio of every other scenario to its own healthz is reported too, round by
round with a 95 % interval (`paired.py`, as `run.py --ratios`): two processes of one binary differ
by up to 10 % in absolute figures here, their ratios much less. Each thread kind's context
switches per answer (voluntary: it waited; involuntary: a woken thread preempted it) show
where a change moved the hand-offs between threads.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import gateway  # noqa: E402
import wrk  # noqa: E402
from patgate_server import MISSES_PER_SECOND, DataDir, Server, exchange_body  # noqa: E402
import paired  # noqa: E402
from patgate_server import free_port  # noqa: E402
from run import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="folder of the first patgate")
    parser.add_argument("after", help="folder of the second patgate")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--scenarios", default="healthz,cache-hit,forward-auth")
    parser.add_argument("--before-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the first server only")
    parser.add_argument("--after-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the second server only (e.g. an experiment's switch)")
    options = parser.parse_args()
    scenarios = options.scenarios.split(",")
    builds = {"before": Path(options.before) / "patgate", "after": Path(options.after) / "patgate"}
    work = Path(tempfile.mkdtemp(prefix="patgate-ab-"))
    miss_count = options.rounds * 2 * options.duration * MISSES_PER_SECOND if "cache-miss" in scenarios else 0
    try:
        data = DataDir(builds["before"], work / "data", 2 + miss_count)
        gateway.enable_authz(data.root)
        hit_pats, miss_pats = data.pats[:2], data.pats[2:]
        (work / "hit-bodies").write_text("".join(exchange_body(p) + "\n" for p in hit_pats))
        args = {
            "healthz": ("/healthz", ["get"]),
            "cache-hit": ("/token", ["fixed", str(work / "hit-bodies"), data.basic_auth]),
            "forward-auth": ("/authz/auth-request", gateway.forward_auth_args(hit_pats[0])),
        }
        envs = {"before": dict(item.split("=", 1) for item in options.before_env),
                "after": dict(item.split("=", 1) for item in options.after_env)}
        servers = {name: Server(binary, data, free_port(), work / f"{name}.log", env=envs[name])
                   for name, binary in builds.items()}
        try:
            for server in servers.values():
                for scenario in scenarios:
                    if scenario in args:
                        path, extra = args[scenario]
                        wrk.run(f"http://127.0.0.1:{server.port}{path}", options.connections, 2, extra)
            results: dict[tuple[str, str], list[dict]] = {}
            for round_index in range(options.rounds):
                order = list(servers) if round_index % 2 == 0 else list(reversed(servers))
                for scenario in scenarios:
                    for name in order:
                        server = servers[name]
                        if scenario == "cache-miss":
                            # Each build walks its own slice of never-seen PATs.
                            part = len(miss_pats) // (2 * options.rounds)
                            index = round_index * 2 + (0 if name == "before" else 1)
                            walk = work / f"miss-{index}"
                            walk.write_text("".join(p + "\n" for p in miss_pats[index * part:(index + 1) * part]))
                            path, extra = "/token", ["walk", str(walk), exchange_body(None), "2", data.basic_auth]
                        else:
                            path, extra = args[scenario]
                        result = measure(server.pid, f"http://127.0.0.1:{server.port}{path}", options.connections,
                                         options.duration, extra, f"{scenario} {name}")
                        if scenario == "cache-miss" and result.get("walk_sent", 0) > part:
                            sys.exit(f"ab: the cache-miss walk of {part} PATs wrapped around; shorten --duration")
                        results.setdefault((scenario, name), []).append(result)
        finally:
            for server in servers.values():
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"| scenario | req/s before | req/s after | after/before | CPU µs before | CPU µs after "
          f"| p99 ms before | p99 ms after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scenario in scenarios:
        rps = {name: statistics.median(r["rps"] for r in results[(scenario, name)]) for name in builds}
        cpu = {name: statistics.median(r["cpu_seconds"] / (r["rps"] * r["duration_us"] / 1e6) * 1e6
                                       for r in results[(scenario, name)]) for name in builds}
        p99 = {name: statistics.median(r["latency_us"]["p99"] / 1000 for r in results[(scenario, name)]) for name in builds}
        print(f"| {scenario} | {rps['before']:,.0f} | {rps['after']:,.0f} | {rps['after'] / rps['before']:.3f} "
              f"| {cpu['before']:.1f} | {cpu['after']:.1f} | {p99['before']:.2f} | {p99['after']:.2f} |")
    print_context_switches(scenarios, builds, results)
    if "healthz" in scenarios and len(scenarios) > 1:
        # Each build's own ratio to healthz, round by round (paired.py): what issues 12 and 14
        # target, freed of the difference between the two processes.
        print(f"\n| ratio to the same build's healthz ({options.rounds} rounds) | before (95 %) | after (95 %) |")
        print("| --- | ---: | ---: |")
        for scenario in scenarios:
            if scenario == "healthz":
                continue
            cells = [paired.ratio(results[(scenario, name)], results[("healthz", name)]) for name in builds]
            print(f"| {scenario} / healthz | " + " | ".join(
                f"{c['ratio']:.3f} ({c['low']:.3f}–{c['high']:.3f})" for c in cells) + " |")


def print_context_switches(scenarios: list[str], builds: dict, results: dict) -> None:
    """Medians of each thread kind's context switches per answer: a thread woken to do a
    request's work, or preempted by one (issue 14, BENCHMARKS.md session 24)."""
    print("\n| context switches per answer | threads | voluntary before | involuntary before "
          "| voluntary after | involuntary after |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for scenario in scenarios:
        per_answer: dict[str, dict[str, list[float]]] = {}
        for name in builds:
            for r in results[(scenario, name)]:
                answers = r["rps"] * r["duration_us"] / 1e6
                for kind, counts in r["context_switches"].items():
                    cells = per_answer.setdefault(kind, {})
                    for column, count in zip(("voluntary", "involuntary"), counts):
                        cells.setdefault(f"{column} {name}", []).append(count / answers)
        for kind, cells in sorted(per_answer.items()):
            medians = [statistics.median(cells.get(f"{c} {n}", [0.0])) for n in builds for c in ("voluntary", "involuntary")]
            if max(medians) >= 0.01:
                print(f"| {scenario} | {kind} | " + " | ".join(f"{m:.2f}" for m in medians) + " |")


if __name__ == "__main__":
    main()
