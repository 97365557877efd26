"""Runs wrk with lua/bench.lua and returns its JSON summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

LUA = Path(__file__).with_name("lua") / "bench.lua"


def run(url: str, connections: int, duration: int, args: list[str], threads: int = 2) -> dict:
    threads = min(threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
               "-s", str(LUA), url, "--", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result = json.loads(line[len("BENCH_JSON "):])
            seconds = result["duration_us"] / 1e6
            result["rps"] = result["requests"] / seconds if seconds else 0.0
            result["error_count"] = sum(result["errors"].values())
            result["connections"] = connections
            return result
    raise SystemExit(f"bench: wrk printed no summary:\n{done.stdout}\n{done.stderr}")
