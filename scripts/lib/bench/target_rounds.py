"""Issue 14's same-run targets in alternating rounds on one warm server: `/healthz`, the cache
hit, the cache miss and, when it runs, the idpyoidc peer, measured like the other ratios
(`ratios.py`, `metrics_cost.py`).

The full run's single rows come from runs minutes apart, the miss's on a fresh server of its
own; on a shared machine one 10 s run moves by ±15 %, and a quotient of two by more. Here one
server (and the peer beside it, idle while patgate is measured) is warmed up, then each round
runs every scenario for `seconds`, in an order that rotates from round to round; every miss
walk has PATs no earlier run sent. Each round gives each ratio, and the geometric mean of the
rounds' ratios with a 95 % interval is reported (`paired.py`); the hit's cost above `/healthz`
is the median of the rounds' differences. Every distinct PAT is still introspected at most
once: the server's cache statistics when it stops say so.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import paired
import wrk

# Misses a second no machine like ours reaches at 64 connections (about 10,000 seen): each
# round's list holds this many per second of the round, so no walk wraps onto a PAT it sent.
PATS_PER_SECOND = 16_000
SCENARIOS = ("healthz", "cache-hit", "cache-miss", "idpyoidc-peer")


def pats_needed(rounds: int, seconds: int) -> int:
    """PATs for the warm-up walk and `rounds` walks of `seconds`."""
    return (rounds + 1) * seconds * PATS_PER_SECOND


def run(server, peer, measure, hit_args: list[str], miss_pats: list[str], walk_args: list[str], work: Path,
        rounds: int, seconds: int, connections: int = 64) -> dict:
    """`peer`: a started `peer.Peer`, or None. `walk_args`: bench.lua's walk arguments after the
    list file (body prefix, threads, auth)."""
    base = f"http://127.0.0.1:{server.port}"
    per_list = seconds * PATS_PER_SECOND
    lists = []
    for index in range(rounds + 1):
        path = work / f"miss-round-{index}"
        path.write_text("".join(p + "\n" for p in miss_pats[index * per_list:(index + 1) * per_list]))
        lists.append(path)
    # name → (pid, url, bench.lua arguments for round i; -1 is the warm-up)
    scenarios = {
        "healthz": (server.pid, base + "/healthz", lambda i: ["get"]),
        "cache-hit": (server.pid, base + "/token", lambda i: hit_args),
        "cache-miss": (server.pid, base + "/token", lambda i: ["walk", str(lists[i + 1]), *walk_args]),
    }
    if peer is not None:
        scenarios["idpyoidc-peer"] = (peer.pid, peer.url, lambda i: peer.args)
    warm = {}
    for name, (_, url, args) in scenarios.items():
        warm[name] = wrk.run(url, connections, seconds if name == "cache-miss" else 2, args(-1))

    def run_one(name: str, index: int) -> dict:
        pid, url, args = scenarios[name]
        return measure(pid, url, connections, seconds, args(index), f"{name} (rounds)")

    runs = paired.rotating(list(scenarios), rounds, run_one)
    hits, misses = runs["cache-hit"], runs["cache-miss"]
    result = {
        "connections": connections, "rounds": rounds, "duration": seconds, "runs": runs,
        "miss_hit": paired.both(misses, hits),
        "hit_healthz": paired.both(hits, runs["healthz"]),
        "hit_above_healthz_us": statistics.median(h["cpu_us_per_request"] - z["cpu_us_per_request"]
                                                  for h, z in zip(hits, runs["healthz"])),
        "distinct_pats_sent": sum(min(r["walk_sent"], per_list) for r in [warm["cache-miss"], *misses]),
        "wrapped": any(r["walk_sent"] > per_list for r in [warm["cache-miss"], *misses]),
    }
    if peer is not None:
        result["hit_peer"] = paired.both(hits, runs["idpyoidc-peer"])
    for key in ("miss_hit", "hit_healthz", "hit_peer"):
        if key in result:
            r = result[key]["rps"]
            print(f"  rounds         {key}: {r['ratio']:.3f} (95 % {r['low']:.3f}-{r['high']:.3f}, {rounds} rounds × "
                  f"{seconds} s)", file=sys.stderr, flush=True)
    return result
