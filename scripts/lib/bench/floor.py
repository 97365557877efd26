"""Server CPU per request, and each hot path's overhead above its physical floor (issue 14).

The floor of a cache-hit exchange is the cheapest answer the HTTP stack gives (`GET /healthz`)
plus one ES256 signature (patgate-bench's "sign ES256 (JWS)", same run): nothing an exchange
does can cost less. A cache miss adds one loopback HTTP request on each side (libcurl's and the
issuer's, each counted as one `/healthz`) to the hit. A forward-auth cache hit signs nothing:
its floor is `/healthz`. All figures are from one run, at 64 connections.
"""

from __future__ import annotations

SIGN = "sign ES256 (JWS)"


def cpu_us(run: dict) -> float:
    """Server CPU (user + kernel) per answered request, in µs."""
    return run["cpu_cores"] / run["rps"] * 1e6 if run.get("rps") else float("nan")


def sign_us(results: dict) -> float | None:
    items = (results.get("micro") or {}).get("items", [])
    sign = next((i for i in items if i["name"] == SIGN), None)
    return 1e6 / sign["ops_per_second"] if sign and sign.get("ops_per_second") else None


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
            miss_floor = hit + 2 * health
            lines.append(f"| cache-miss | {miss:.1f} | {miss_floor:.1f} (hit + 2 × healthz) | {miss - miss_floor:.1f} | "
                         f"≥ 0.4 × the hit in req/s |")
    for name in ("forward-auth-hit", "forward-auth"):
        if name in runs:
            forward = cpu_us(runs[name])
            lines.append(f"| {name} | {forward:.1f} | {health:.1f} (healthz; a hit signs nothing) | "
                         f"{forward - health:.1f} | ≥ 0.8 × healthz req/s |")
            break
    return lines
