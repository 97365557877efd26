"""One release patgate under wrk, a measurement taken of its process in the middle of each
scenario's load: what `syscalls.py` and `cpu_profile.py` share (issue 14).

`under_load` yields, per scenario, wrk's summary and what `measure(pid, seconds)` returned; wrk
runs a second before and after the measurement, so the measurement sees a steady load
(`measure_during`, which `split.py` uses for its own servers).
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import wrk
from patgate_server import MISSES_PER_SECOND, DataDir, Server, exchange_body
from patgate_server import free_port

SCENARIOS = ("healthz", "cache-hit", "cache-miss")


def under_load(build: Path, scenarios: list[str], connections: int, seconds: int,
               measure: Callable[[int, int], object]) -> Iterator[tuple[str, dict, object]]:
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"bench: unknown scenario(s) {', '.join(sorted(unknown))}; known: {', '.join(SCENARIOS)}")
    binary = build / "patgate"
    work = Path(tempfile.mkdtemp(prefix="patgate-loaded-"))
    # PATs for the second before and after the measured run, and two to spare.
    miss_count = (seconds + 4) * MISSES_PER_SECOND if "cache-miss" in scenarios else 0
    data = DataDir(binary, work / "data", 2 + miss_count)
    (work / "hit-bodies").write_text("".join(exchange_body(p) + "\n" for p in data.pats[:2]))
    (work / "misses").write_text("".join(p + "\n" for p in data.pats[2:]))
    args = {
        "healthz": ("/healthz", ["get"]),
        "cache-hit": ("/token", ["fixed", str(work / "hit-bodies"), data.basic_auth]),
        "cache-miss": ("/token", ["walk", str(work / "misses"), exchange_body(None), "2", data.basic_auth]),
    }
    server = Server(binary, data, free_port(), work / "server.log")
    try:
        for scenario in scenarios:
            path, extra = args[scenario]
            result, measured = measure_during(f"http://127.0.0.1:{server.port}{path}", extra, connections, seconds,
                                              lambda: measure(server.pid, seconds))
            yield scenario, result, measured
    finally:
        server.stop()


def measure_during(url: str, args: list[str], connections: int, seconds: int,
                   measure: Callable[[], object]) -> tuple[dict, object]:
    """`wrk` on `url` for `seconds` + 2, `measure()` called a second after it began: wrk's
    summary and what `measure` returned."""
    result: dict = {}
    load = threading.Thread(target=lambda: result.update(wrk.run(url, connections, seconds + 2, args)))
    load.start()
    time.sleep(1)
    measured = measure()
    load.join()
    return result, measured
