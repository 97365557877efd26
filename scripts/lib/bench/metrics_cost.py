"""What metrics cost on the hot path (issue 13): the cache-hit exchange with metrics on against
off, in alternating rounds of one run, on ONE server process whose `metrics.enabled` a reload
switches (README, "Reloading the configuration"). The target: on ≥ 0.97 × off.

Why one process: two starts of the same binary on this 2-core machine differ by 10-20 % in
req/s for their whole life (where their threads and pages land), far more than the 1-3 % to
measure; two-process comparisons of this very build gave anything from 0.84 to 1.04. Paused
metrics run exactly the code of a server started with `metrics.enabled: false` (the recorders
and the request middleware return after one atomic load, no clock read), so the switch
isolates what recording costs.
"""

from __future__ import annotations

import signal
import statistics
import sys
import time
from pathlib import Path

import paired as pairs
from patgate_server import DataDir, Server, answers_200

SWITCHED_OFF = "\nmetrics:\n  enabled: false\n"


def switch(server: Server, config: Path, original: str, on: bool) -> None:
    """Writes `metrics.enabled`, sends SIGHUP, and waits until `/metrics` shows the change."""
    config.write_text(original if on else original + SWITCHED_OFF)
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while answers_200(server.port, "/metrics") != on:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: the reload did not switch metrics {'on' if on else 'off'}; see {server.log_path}")
        time.sleep(0.05)


def run(binary: Path, data: DataDir, work: Path, free_port, measure, hit_args: list[str],
        duration: int, connections: int = 64, rounds: int = 3) -> dict:
    import wrk
    runs: dict[str, list[dict]] = {"metrics-on": [], "metrics-off": []}
    config = data.root / "patgate.yaml"
    original = config.read_text()
    server = Server(binary, data, free_port(), work / "metrics-cost.log")
    try:
        url = f"http://127.0.0.1:{server.port}/token"
        wrk.run(url, connections, 2, hit_args)   # warm-up, metrics on
        for round_index in range(rounds):
            # Alternate which goes first, so neither always runs on the warmer machine.
            order = [True, False] if round_index % 2 == 0 else [False, True]
            for on in order:
                name = "metrics-on" if on else "metrics-off"
                switch(server, config, original, on)
                runs[name].append(measure(server.pid, url, connections, duration, hit_args, f"cache-hit {name}"))
    finally:
        config.write_text(original)   # the servers started after this one read the file too
        server.stop()
    on = statistics.median(r["rps"] for r in runs["metrics-on"])
    off = statistics.median(r["rps"] for r in runs["metrics-off"])
    paired = pairs.ratio(runs["metrics-on"], runs["metrics-off"])
    # The server's CPU per answer (from /proc/<pid>/stat): steadier than req/s when other work
    # on the machine takes a varying share of the cores.
    cpu_on, cpu_off = (statistics.median(r["cpu_seconds"] / (r["rps"] * r["duration_us"] / 1e6) * 1e6 for r in runs[name])
                       for name in ("metrics-on", "metrics-off"))
    result = {"connections": connections, "rounds": rounds, "duration": duration, "median_rps_on": on, "median_rps_off": off,
              "ratio": on / off if off else 0.0, "paired": paired, "cpu_us_per_request_on": cpu_on, "cpu_us_per_request_off": cpu_off,
              "per_cpu_ratio": cpu_off / cpu_on if cpu_on else 0.0, "runs": runs}
    print(f"  metrics cost   c={connections} median on {on:.0f} req/s, off {off:.0f} req/s: "
          f"on/off {result['ratio']:.3f}; rounds' ratios: {paired['ratio']:.3f} (95 % {paired['low']:.3f}-{paired['high']:.3f}); server CPU per answer on {cpu_on:.1f} µs, off {cpu_off:.1f} µs: "
          f"per-CPU on/off {result['per_cpu_ratio']:.3f} (target ≥ 0.97)", file=sys.stderr, flush=True)
    return result
