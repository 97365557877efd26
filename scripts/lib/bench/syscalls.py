"""System calls per answer, by thread kind and call (issue 14): one release patgate under wrk,
each scenario traced for a few seconds with `perf record -e raw_syscalls:sys_enter` (needs
`perf`, as root).

    python3 scripts/lib/bench/syscalls.py PATGATE_DIR [--scenarios healthz,cache-hit,cache-miss]
        [--connections 64] [--seconds 4] [--top 12]

A thread kind is the thread's name without its number (`NIO-SGLTN`, `patgate-curl`, `TP`, ...);
calls are named from `ausyscall`'s x86-64 table where it is installed, else by number. What it
showed: `curl_multi_perform` polled every running transfer's socket after each wait, 5.7 `poll`
calls per cache miss (BENCHMARKS.md, "Issue 14", session 26).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import loaded  # noqa: E402

NAMES = {0: "read", 1: "write", 7: "poll", 17: "pread64", 18: "pwrite64", 20: "writev", 39: "getpid",
         44: "sendto", 45: "recvfrom", 72: "fcntl", 202: "futex", 232: "epoll_wait", 233: "epoll_ctl"}


def trace(pid: int, seconds: int) -> collections.Counter:
    """(thread kind, call number) → calls made by the process `pid` in `seconds`."""
    with tempfile.NamedTemporaryFile(suffix=".data") as data:
        subprocess.run(["perf", "record", "-q", "-e", "raw_syscalls:sys_enter", "-o", data.name, "-p", str(pid),
                        "--", "sleep", str(seconds)], check=True, capture_output=True)
        lines = subprocess.run(["perf", "script", "-i", data.name, "-F", "comm,trace"], check=True,
                               capture_output=True, text=True).stdout.splitlines()
    calls: collections.Counter = collections.Counter()
    for line in lines:
        match = re.match(r"\s*(.+?)\s+NR (\d+)", line)
        if match:
            kind = re.sub(r"-?#?\d+$", "", match.group(1).strip()).rstrip("-")
            calls[(kind, int(match.group(2)))] += 1
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", help="folder of a release patgate")
    parser.add_argument("--scenarios", default="healthz,cache-hit,cache-miss")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--top", type=int, default=12)
    options = parser.parse_args()
    if not shutil.which("perf"):
        sys.exit("syscalls: needs perf (Debian: apt-get install linux-perf)")
    for scenario, result, calls in loaded.under_load(Path(options.build), options.scenarios.split(","),
                                                     options.connections, options.seconds, trace):
        answers = result["rps"] * options.seconds
        print(f"\n{scenario}: {result['rps']:,.0f} req/s, {sum(calls.values()) / answers:.2f} calls per answer")
        print("| thread kind | call | per answer |\n| --- | --- | ---: |")
        for (kind, number), count in calls.most_common(options.top):
            print(f"| {kind} | {NAMES.get(number, number)} | {count / answers:.2f} |")


if __name__ == "__main__":
    main()
