"""Fixtures for the end-to-end suite: real `patgate serve` processes on 127.0.0.1.

The binary comes from $PATGATE_BIN (default: <repo>/.build/debug/patgate); build it with
`swift build --product patgate`. Every process a test starts is stopped when the test ends
(SIGTERM, then SIGKILL after a timeout).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, Iterator

import pytest

from patgate_e2e import PATGATE_BIN, Patgate, stop_process


def pytest_report_header(config):
    return f"patgate binary: {PATGATE_BIN}"


@pytest.fixture(scope="session", autouse=True)
def _patgate_binary() -> str:
    if not os.access(PATGATE_BIN, os.X_OK):
        pytest.exit(f"patgate binary not found at {PATGATE_BIN}: run `swift build --product patgate` "
                    "or set PATGATE_BIN", returncode=2)
    return PATGATE_BIN


class ProcessRegistry:
    """Processes and servers to stop at teardown, whatever happened in the test."""

    def __init__(self) -> None:
        self.servers: list[Patgate] = []
        self.processes: list[subprocess.Popen] = []

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        for proc in self.processes:
            stop_process(proc)


@pytest.fixture
def processes() -> Iterator[ProcessRegistry]:
    registry = ProcessRegistry()
    yield registry
    registry.close()


@pytest.fixture
def patgate_factory(tmp_path: Path, processes: ProcessRegistry) -> Callable[..., Patgate]:
    """`patgate_factory(name="x")` gives a stopped `Patgate` in its own folder; call `.start()`."""
    counter = iter(range(1000))

    def make(name: str | None = None) -> Patgate:
        server = Patgate(tmp_path / (name or f"patgate{next(counter)}"))
        processes.servers.append(server)
        return server

    return make


@pytest.fixture
def patgate(patgate_factory) -> Patgate:
    """A fresh server with the embedded default configuration."""
    return patgate_factory().start()


@pytest.fixture(scope="module")
def shared_patgate(tmp_path_factory) -> Iterator[Patgate]:
    """One default server for a module's tests that only create their own PATs and exchange them."""
    server = Patgate(tmp_path_factory.mktemp("shared"))
    try:
        yield server.start()
    finally:
        server.stop()
