"""Issue 12's and 14's ratios to `GET /healthz` (the cache-hit exchange ≥ 0.5×, the forward-auth
hit ≥ 0.8×), measured like the metrics cost: one server, its scenarios in alternating rounds
whose order rotates, each round's ratio to the healthz run next to it, and the geometric mean of
those with a 95 % interval (`paired.py`). The full run's single pass per connection count moves
by ±15 % from one run to the next on a shared machine; this narrows it."""

from __future__ import annotations

import sys

import paired


def run(server, scenarios: dict[str, tuple[str, list[str]]], measure, connections: int, rounds: int,
        seconds: int) -> dict:
    """`scenarios`: name → (path, bench.lua arguments); one of them is `healthz`."""
    base = f"http://127.0.0.1:{server.port}"

    def run_one(name: str, _: int) -> dict:
        path, args = scenarios[name]
        return measure(server.pid, base + path, connections, seconds, args, f"{name} (ratios)")

    runs = paired.rotating(list(scenarios), rounds, run_one)
    result = {"connections": connections, "rounds": rounds, "duration": seconds, "runs": runs, "ratios": {}}
    for name in scenarios:
        if name != "healthz":
            result["ratios"][name] = paired.both(runs[name], runs["healthz"])
            r = result["ratios"][name]["rps"]
            print(f"  ratio          {name} / healthz c={connections}: {r['ratio']:.3f} "
                  f"(95 % {r['low']:.3f}-{r['high']:.3f}, {rounds} rounds × {seconds} s)", file=sys.stderr, flush=True)
    return result
