"""CPU time and memory of a process (and its children), read from /proc."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` and of its waited-for children, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the ')' the fields start at index 3 (state); utime=14, stime=15, cutime=16, cstime=17.
    utime, stime, cutime, cstime = (int(fields[i - 3]) for i in (14, 15, 16, 17))
    return (utime + stime + cutime + cstime) / TICKS


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def reset_peak(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux ≥ 4.0, needs write access to clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants (for gunicorn's master and workers)."""
    result, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        children = Path(f"/proc/{parent}/task/{parent}/children")
        try:
            kids = [int(x) for x in children.read_text().split()]
        except OSError:
            kids = []
        result += kids
        frontier += kids
    return result


def context_switches(pid: int) -> dict[str, list[int]]:
    """Voluntary and involuntary context switches of `pid`'s threads so far, summed by thread
    kind: the name without its number (`NIO-SGLTN-1-#0` → `NIO-SGLTN`, `TP-#1` → `TP`;
    the libcurl driver is `patgate-curl`)."""
    kinds: dict[str, list[int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            status = (task / "status").read_text().splitlines()
        except OSError:
            continue   # the thread ended meanwhile
        counts = dict(line.split(":\t") for line in status if "ctxt_switches" in line)
        kind = name.rstrip("0123456789-#") or name
        total = kinds.setdefault(kind, [0, 0])
        total[0] += int(counts.get("voluntary_ctxt_switches", 0))
        total[1] += int(counts.get("nonvoluntary_ctxt_switches", 0))
    return kinds


class Sampler:
    """CPU seconds used by a process tree between `start()` and `stop()`, and its peak RSS."""

    def __init__(self, pid: int):
        self.pid = pid

    def start(self) -> None:
        self.pids = tree_pids(self.pid)
        for pid in self.pids:
            reset_peak(pid)
        self.cpu0 = {p: cpu_seconds(p) for p in self.pids}
        self.switches0 = context_switches(self.pid)

    def stop(self) -> dict[str, float]:
        # A process that appeared meanwhile (gunicorn may fork a worker after the first answers)
        # used all its CPU within the run; one that was reaped meanwhile counts in its parent's
        # cutime/cstime.
        pids = tree_pids(self.pid)
        cpu, peak, rss = 0.0, 0, 0
        for pid in pids:
            try:
                cpu += cpu_seconds(pid) - self.cpu0.get(pid, 0.0)
                memory = memory_kib(pid)
            except OSError:
                continue   # exited between the two reads
            peak += memory.get("VmHWM", 0)
            rss += memory.get("VmRSS", 0)
        # The root process's threads only (the server's loops, libcurl drivers, read threads).
        switches = {kind: [now - before for now, before in zip(counts, self.switches0.get(kind, [0, 0]))]
                    for kind, counts in context_switches(self.pid).items()}
        return {"cpu_seconds": cpu, "peak_rss_kib": peak, "rss_kib": rss, "context_switches": switches}
