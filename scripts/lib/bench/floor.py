"""Server CPU per request, and each hot path's overhead above its physical floor (issue 14).

The floor of a cache-hit exchange is the cheapest answer the HTTP stack gives (`GET /healthz`)
plus one ES256 signature (patgate-bench's "sign ES256 (JWS)", same run): nothing an exchange
does can cost less. A cache miss adds one loopback HTTP request on each side (libcurl's and the
issuer's, each counted as one `/healthz`) and one store read to the hit: patgate-bench's store
read (SQLite, CPU per read) less its hand-off to a read thread and back, measured alone in the
same run. A forward-auth cache hit signs nothing: its floor is `/healthz`. All figures are from
one run, at 64 connections.

The miss also pays two thread hand-offs that invariant 6 in docs/ARCHITECTURE.md requires (the
libcurl call off the event loop and back, the store read off it and back), which its floor leaves
out: patgate-bench times one alone, one after another, but under load they share wake-ups (the
store read run on the loop instead, as an experiment, saved at most 5 µs of a miss: BENCHMARKS.md,
"Issue 14", sessions 29 and 30), so they are not added. A second miss line gives its budget: the
most a miss may cost at 0.4× the hit's req/s with the CPU the hit used, and that budget's room
above the floor.
"""

from __future__ import annotations

SIGN = "sign ES256 (JWS)"
STORE_READ = "store read: a PAT and its owner by hash"
HAND_OFF = "hand-off to a read thread and back"


def cpu_us(run: dict) -> float:
    """Server CPU (user + kernel) per answered request, in µs."""
    return run["cpu_cores"] / run["rps"] * 1e6 if run.get("rps") else float("nan")


def micro_us(results: dict, prefix: str) -> float | None:
    """µs per operation of the patgate-bench item whose name starts with `prefix`."""
    items = (results.get("micro") or {}).get("items", [])
    item = next((i for i in items if i["name"].startswith(prefix)), None)
    return 1e6 / item["ops_per_second"] if item and item.get("ops_per_second") else None


def sign_us(results: dict) -> float | None:
    return micro_us(results, SIGN)


def store_read_us(results: dict) -> tuple[float, float] | None:
    """The store read with its hand-offs, and the hand-offs alone (CPU µs), if both were measured."""
    read, hand_off = micro_us(results, STORE_READ), micro_us(results, HAND_OFF)
    return (read, hand_off) if read is not None and hand_off is not None else None


def rows(results: dict, connections: int = 64) -> list[str]:
    """Markdown lines: µs of server CPU per request per scenario, the floors and the overheads."""
    runs = {r["scenario"]: r for r in results["runs"] if r["connections"] == connections}
    if "healthz" not in runs:
        return []
    health = cpu_us(runs["healthz"])
    lines = ["", f"Server CPU per request at {connections} connections (cores ÷ req/s), and the floor:", "",
             "| scenario | CPU µs/req | floor µs/req | above the floor | target |", "| --- | ---: | ---: | ---: | --- |",
             f"| healthz | {health:.1f} | {health:.1f} | 0.0 | the stack's cheapest answer |"]
    sign = sign_us(results)
    if sign is not None:
        lines.insert(2, f"ES256 signature in process (patgate-bench, one core): {sign:.1f} µs.")
    if "cache-hit" in runs and sign is not None:
        hit = cpu_us(runs["cache-hit"])
        floor = health + sign
        lines.append(f"| cache-hit | {hit:.1f} | {floor:.1f} (healthz + sign) | {hit - floor:.1f} | ≤ 10 µs |")
        if "cache-miss" in runs:
            miss = cpu_us(runs["cache-miss"])
            miss_floor, label = hit + 2 * health, "hit + 2 × healthz"
            store = store_read_us(results)
            if store is not None:
                read, hand_off = store
                miss_floor += read - hand_off
                label += " + store read"
                lines.insert(3, f"Store read in process (patgate-bench, CPU): {read:.1f} µs with its hand-off to a read "
                                f"thread and back, {hand_off:.1f} µs of which the hand-off alone.")
            lines.append(f"| cache-miss | {miss:.1f} | {miss_floor:.1f} ({label}) | {miss - miss_floor:.1f} | "
                         f"≥ 0.4 × the hit in req/s |")
            allowed = hit / 0.4 * runs["cache-miss"]["cpu_cores"] / runs["cache-hit"]["cpu_cores"]
            lines.append(f"| cache-miss budget at 0.4 × the hit's req/s | {allowed:.1f} | {miss_floor:.1f} | "
                         f"{allowed - miss_floor:.1f} | the most a miss may cost |")
    for name in ("forward-auth-hit", "forward-auth"):
        if name in runs:
            forward = cpu_us(runs[name])
            lines.append(f"| {name} | {forward:.1f} | {health:.1f} (healthz; a hit signs nothing) | "
                         f"{forward - health:.1f} | ≥ 0.8 × healthz req/s |")
            break
    return lines
