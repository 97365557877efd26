"""The cache miss against the cache hit in alternating rounds on one warm server (issue 14's
miss ≥ 0.4 × the hit), measured like the other ratios (`ratios.py`, `metrics_cost.py`).

The full run's single `cache-miss` and `cache-hit` rows come from two servers minutes apart, and
the miss's server is fresh: its first second runs on cold read threads, SQLite caches and
upstream connections, where the hit's server was warmed up first. One 10 s run moves by ±15 %
between runs on a shared machine, so their quotient moves by more. Here one server is warmed up
with a hit run and a miss walk of its own PATs, then each round runs a miss walk of PATs no
earlier run sent and a hit run, the order alternating; each round's miss/hit ratio is taken,
and the geometric mean of those with a 95 % interval (`paired.py`). Every distinct PAT is
still introspected exactly once: the server's cache statistics when it stops say so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import paired
import wrk

# Misses a second no machine like ours reaches at 64 connections (about 10,000 seen): each
# round's list holds this many per second of the round, so no walk wraps onto a PAT it sent.
PATS_PER_SECOND = 16_000


def pats_needed(rounds: int, seconds: int) -> int:
    """PATs for the warm-up walk and `rounds` walks of `seconds`."""
    return (rounds + 1) * seconds * PATS_PER_SECOND


def run(server, measure, hit_args: list[str], miss_pats: list[str], walk_args: list[str], work: Path,
        rounds: int, seconds: int, connections: int = 64) -> dict:
    """`walk_args`: bench.lua's walk arguments after the list file (body prefix, threads, auth)."""
    url = f"http://127.0.0.1:{server.port}/token"
    per_list = seconds * PATS_PER_SECOND
    lists = []
    for index in range(rounds + 1):
        path = work / f"miss-round-{index}"
        path.write_text("".join(p + "\n" for p in miss_pats[index * per_list:(index + 1) * per_list]))
        lists.append(path)
    wrk.run(url, connections, 2, hit_args)
    warm = wrk.run(url, connections, seconds, ["walk", str(lists[0]), *walk_args])
    hits, misses = [], []
    for index, listing in enumerate(lists[1:]):
        for name in (("miss", "hit") if index % 2 == 0 else ("hit", "miss")):
            if name == "hit":
                hits.append(measure(server.pid, url, connections, seconds, hit_args, "cache-hit (rounds)"))
            else:
                misses.append(measure(server.pid, url, connections, seconds, ["walk", str(listing), *walk_args],
                                      "cache-miss (rounds)"))
    sent = min(warm["walk_sent"], per_list) + sum(min(r["walk_sent"], per_list) for r in misses)
    result = {"connections": connections, "rounds": rounds, "duration": seconds, "hits": hits, "misses": misses,
              "rps": paired.ratio(misses, hits), "cpu": paired.ratio(hits, misses, key="cpu_us_per_request"),
              "distinct_pats_sent": sent,
              "wrapped": any(r["walk_sent"] > per_list for r in [warm, *misses])}
    r = result["rps"]
    print(f"  ratio          cache-miss / cache-hit c={connections}: {r['ratio']:.3f} "
          f"(95 % {r['low']:.3f}-{r['high']:.3f}, {rounds} rounds × {seconds} s)", file=sys.stderr, flush=True)
    return result
