"""What metrics cost on the hot path (issue 13): the cache-hit exchange on two servers of the same
binary and data, one with `metrics.enabled: false`, measured in alternating rounds of one run so
that a change in the machine's load hits both alike, each round with two new processes. The
target: on ≥ 0.97 × off."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from patgate_server import DataDir, Server


def run(binary: Path, data: DataDir, work: Path, free_port, measure, hit_args: list[str],
        duration: int, connections: int = 64, rounds: int = 3) -> dict:
    envs = {"metrics-on": None, "metrics-off": {"PATGATE_METRICS_ENABLED": "false"}}
    runs: dict[str, list[dict]] = {name: [] for name in envs}
    import wrk
    for round_index in range(rounds):
        # Two fresh processes each round: one process of a binary can run 10-20 % faster or
        # slower than the next for its whole life on this machine (where its threads and pages
        # land), which would otherwise weigh on every round of one side.
        servers = {name: Server(binary, data, free_port(), work / f"{name}-{round_index}.log", env=env)
                   for name, env in envs.items()}
        try:
            for server in servers.values():   # warm both up alike
                wrk.run(f"http://127.0.0.1:{server.port}/token", connections, 2, hit_args)
            # Alternate which goes first, so neither always runs on the warmer machine.
            order = list(servers) if round_index % 2 == 0 else list(reversed(servers))
            for name in order:
                server = servers[name]
                runs[name].append(measure(server.pid, f"http://127.0.0.1:{server.port}/token", connections,
                                          duration, hit_args, f"cache-hit {name}"))
        finally:
            for server in servers.values():
                server.stop()
    on = statistics.median(r["rps"] for r in runs["metrics-on"])
    off = statistics.median(r["rps"] for r in runs["metrics-off"])
    # The server's CPU per answer (from /proc/<pid>/stat): what metrics cost when other work on
    # the machine takes a varying share of the cores, which moves req/s far more than 3%.
    cpu_on, cpu_off = (statistics.median(r["cpu_seconds"] / (r["rps"] * r["duration_us"] / 1e6) * 1e6 for r in runs[name])
                       for name in ("metrics-on", "metrics-off"))
    result = {"connections": connections, "rounds": rounds, "median_rps_on": on, "median_rps_off": off,
              "ratio": on / off if off else 0.0, "cpu_us_per_request_on": cpu_on, "cpu_us_per_request_off": cpu_off,
              "per_cpu_ratio": cpu_off / cpu_on if cpu_on else 0.0, "runs": runs}
    print(f"  metrics cost   c={connections} median on {on:.0f} req/s, off {off:.0f} req/s: "
          f"on/off {result['ratio']:.3f}; server CPU per answer on {cpu_on:.1f} µs, off {cpu_off:.1f} µs: "
          f"per-CPU on/off {result['per_cpu_ratio']:.3f} (target ≥ 0.97)", file=sys.stderr, flush=True)
    return result
