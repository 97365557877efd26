"""Where each answer's CPU goes, by thread kind and component (issue 14): one release patgate
under wrk, each scenario sampled for a few seconds with `perf record -F 999 -g` (needs `perf`,
as root), every sample charged to its thread kind and to the component of its innermost frame.

    python3 scripts/lib/bench/cpu_profile.py PATGATE_DIR [--scenarios healthz,cache-hit,cache-miss]
        [--connections 64] [--seconds 6] [--top 15]

The samples are spread over the server's CPU per answer in the same seconds (`/proc`, read
while perf samples; at 999 Hz that is within the noise of an unprofiled run for the scenarios
here, at 2,999 Hz about 20 % above it; perf's own cost grows with the threads' context switches,
so a process that mostly waits reads high): a cell of the table is the microseconds per answer
that thread kind spent in that component. Components: the kernel (split into
loopback TCP, file I/O and locks, waking a thread, and waiting and switching), OpenSSL,
libcurl, SQLite, the Swift runtime and libraries, malloc, the rest of libc, and the code in
the `patgate` binary (ours, NIO's, GRDB's). `--top` lists the heaviest innermost symbols.
What it showed: a cache miss spends no more than a few µs in any one step of ours
(BENCHMARKS.md, "Issue 14", session 28).
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
import procstat  # noqa: E402

THREAD_KINDS = {"NIO-SGLTN": "event loops", "patgate-curl": "libcurl driver", "TP": "read threads"}
KERNEL_PARTS = (
    ("kernel: loopback TCP", ("tcp_", "sock_", "writev", "sendto", "recvfrom", "inet_", "ip_", "net_rx", "napi")),
    ("kernel: file I/O, locks", ("pread", "pwrite", "fcntl", "vfs_read", "vfs_write")),
    ("kernel: waking a thread", ("futex_wake", "eventfd", "try_to_wake_up")),
    ("kernel: waiting, switching", ("epoll_wait", "futex_wait", "do_sys_poll", "schedule")),
)
MALLOC = ("malloc", "free", "_int_", "unlink_chunk", "consolidate", "calloc", "realloc")


def thread_kind(comm: str) -> str:
    kind = comm.rstrip("0123456789-#") or comm   # as procstat.context_switches names them
    # libdispatch's threads: in `patgate serve` mostly GRDB's writer queue (the usage records),
    # in `patgate-bench` also the Swift global executor's.
    if "qos" in kind:
        return "dispatch threads"
    return THREAD_KINDS.get(kind, kind)


def component(frames: list[tuple[str, str]]) -> str:
    """The component of a sample's innermost frame; `frames` are (symbol, library), innermost first."""
    symbol, library = frames[0]
    if library.startswith("[kernel"):
        for name, markers in KERNEL_PARTS:
            if any(marker in frame for frame, _ in frames for marker in markers):
                return name
        return "kernel: other"
    if library.startswith("libcrypto"):
        return "OpenSSL"
    if library.startswith("libcurl"):
        return "libcurl"
    if library.startswith("libsqlite3"):
        return "SQLite"
    if library.startswith(("libswift", "libdispatch", "libFoundation", "libBlocksRuntime")):
        return "Swift runtime and libraries"
    if library.startswith("libc.so"):
        return "malloc, free" if any(marker in symbol for marker in MALLOC) else "libc: other"
    if library == "patgate":
        return "patgate binary (ours, NIO, GRDB)"
    return "other"


def sample(pid: int, seconds: int) -> dict:
    """perf samples of `pid` for `seconds` (each as thread kind and frames) and the CPU it used."""
    with tempfile.NamedTemporaryFile(suffix=".data") as data:
        before = procstat.cpu_seconds(pid)
        subprocess.run(["perf", "record", "-q", "-F", "999", "-g", "-o", data.name, "-p", str(pid),
                        "--", "sleep", str(seconds)], check=True, capture_output=True)
        cpu = procstat.cpu_seconds(pid) - before
        text = subprocess.run(["perf", "script", "-i", data.name, "-F", "comm,ip,sym,dso"], check=True,
                              capture_output=True, text=True).stdout
    samples = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        frames = []
        for line in lines[1:]:
            match = re.match(r"\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)$", line)
            if match:
                frames.append((match.group(1), match.group(2).rsplit("/", 1)[-1]))
        if frames:
            samples.append((thread_kind(lines[0].strip()), frames))
    return {"cpu_seconds": cpu, "samples": samples}


def report(scenario: str, result: dict, measured: dict, seconds: int, top: int) -> None:
    samples = measured["samples"]
    answers = result["rps"] * seconds
    per_answer = measured["cpu_seconds"] / answers * 1e6
    scale = per_answer / len(samples)
    cells: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    for kind, frames in samples:
        cells[(component(frames), kind)] += 1
        symbol, library = frames[0]
        leaves[(kind, f"{symbol} in {library}" if symbol == "[unknown]" else symbol[:90])] += 1
    # Thread kinds and components with less than 0.1 µs per answer are left out.
    floor = 0.1 / scale
    kinds = [kind for kind, n in collections.Counter(kind for kind, _ in samples).most_common() if n >= floor]
    by_part: collections.Counter = collections.Counter()
    for (part, _), count in cells.items():
        by_part[part] += count
    parts = [part for part, n in by_part.most_common() if n >= floor]
    print(f"\n{scenario}: {result['rps']:,.0f} req/s, {per_answer:.1f} µs of CPU per answer, "
          f"{len(samples):,} samples (µs per answer)")
    print("| component | " + " | ".join(kinds) + " | all |\n| --- |" + " ---: |" * (len(kinds) + 1))
    for part in parts:
        row = [cells[(part, kind)] * scale for kind in kinds]
        print(f"| {part} | " + " | ".join(f"{value:.1f}" for value in row) + f" | {sum(row):.1f} |")
    totals = [sum(n for (_, k), n in cells.items() if k == kind) * scale for kind in kinds]
    print("| all | " + " | ".join(f"{value:.1f}" for value in totals) + f" | {per_answer:.1f} |")
    if top:
        print("| thread kind | innermost symbol | µs per answer |\n| --- | --- | ---: |")
        for (kind, symbol), count in leaves.most_common(top):
            print(f"| {kind} | `{symbol}` | {count * scale:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", help="folder of a release patgate")
    parser.add_argument("--scenarios", default="healthz,cache-hit,cache-miss")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--top", type=int, default=15)
    options = parser.parse_args()
    if not shutil.which("perf"):
        sys.exit("profile: needs perf (Debian: apt-get install linux-perf)")
    for scenario, result, measured in loaded.under_load(Path(options.build), options.scenarios.split(","),
                                                        options.connections, options.seconds, sample):
        report(scenario, result, measured, options.seconds, options.top)


if __name__ == "__main__":
    main()
