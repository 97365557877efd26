"""What metrics cost on the hot path (issue 13): the cache-hit exchange on two servers of the same
binary and data, one with `metrics.enabled: false`, measured in alternating rounds of one run so
that a change in the machine's load hits both alike. The target: on ≥ 0.97 × off."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from patgate_server import DataDir, Server


def run(binary: Path, data: DataDir, work: Path, free_port, measure, hit_args: list[str],
        duration: int, connections: int = 64, rounds: int = 3) -> dict:
    servers = {
        "metrics-on": Server(binary, data, free_port(), work / "metrics-on.log"),
        "metrics-off": Server(binary, data, free_port(), work / "metrics-off.log", env={"PATGATE_METRICS_ENABLED": "false"}),
    }
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    try:
        import wrk
        for server in servers.values():   # warm both up alike
            wrk.run(f"http://127.0.0.1:{server.port}/token", connections, 2, hit_args)
        for round_index in range(rounds):
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
    result = {"connections": connections, "rounds": rounds, "median_rps_on": on, "median_rps_off": off,
              "ratio": on / off if off else 0.0, "runs": runs}
    print(f"  metrics cost   c={connections} median on {on:.0f} req/s, off {off:.0f} req/s: "
          f"on/off {result['ratio']:.3f} (target ≥ 0.97)", file=sys.stderr, flush=True)
    return result
