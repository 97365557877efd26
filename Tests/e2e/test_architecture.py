"""The module boundaries hold: `scripts/check-architecture` (full mode) finds no problem.

It checks that every import is declared by its target in Package.swift, that the C modules
are imported only by their wrappers and only with `internal import`, and that few, commented
unstructured Tasks remain in Sources/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_architecture_check_passes():
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "check-architecture")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"check-architecture failed:\n{result.stdout}{result.stderr}"
    assert "0 problems" in result.stdout
