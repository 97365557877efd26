"""Ratios of two scenarios measured in alternating rounds of one run: each round's two runs
follow each other within seconds, so their ratio is freed of the machine's slower swings; the
geometric mean of the rounds' ratios, with its 95 % interval (normal approximation on the logs)."""

from __future__ import annotations

import math
import statistics
from typing import Callable


def ratio(numerators: list[dict], denominators: list[dict], key: str = "rps") -> dict:
    """`{"ratio", "low", "high", "rounds"}` of numerators[i][key] / denominators[i][key]."""
    logs = [math.log(a[key] / b[key]) for a, b in zip(numerators, denominators) if a[key] and b[key]]
    if not logs:
        return {"ratio": 0.0, "low": 0.0, "high": 0.0, "rounds": 0}
    mean = statistics.fmean(logs)
    half = 1.96 * statistics.stdev(logs) / math.sqrt(len(logs)) if len(logs) > 1 else float("inf")
    return {"ratio": math.exp(mean), "low": math.exp(mean - half), "high": math.exp(mean + half), "rounds": len(logs)}


def both(numerators: list[dict], denominators: list[dict]) -> dict:
    """`{"rps", "cpu"}`: the rounds' req/s ratio, and the same ratio per CPU (the denominators'
    server CPU per answer over the numerators')."""
    return {"rps": ratio(numerators, denominators), "cpu": ratio(denominators, numerators, key="cpu_us_per_request")}


def rotating(names: list[str], rounds: int, run: Callable[[str, int], dict]) -> dict[str, list[dict]]:
    """`run(name, round)` for every name in every round, the order rotating from round to round
    so that none always runs first: name → its runs, in round order."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            runs[name].append(run(name, index))
    return runs
