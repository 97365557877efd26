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
CHECKER = REPO / "scripts" / "check-architecture"

MANIFEST = """// swift-tools-version: 6.0
import PackageDescription
let package = Package(name: "t", targets: [
    .systemLibrary(name: "CLibcrypto", path: "Sources/CLibcrypto"),
    .target(name: "OpenSSL", dependencies: ["CLibcrypto"]),
    .target(name: "Core", dependencies: ["OpenSSL"]),
    .target(name: "App", dependencies: ["Core"]),
])
"""
SOURCES = {
    "Sources/CLibcrypto/module.modulemap": "module CLibcrypto { header \"shim.h\" }\n",
    "Sources/OpenSSL/Good.swift": "internal import CLibcrypto\nimport Foundation\n",
    "Sources/OpenSSL/Bad.swift": "import CLibcrypto\n",
    "Sources/App/App.swift": "import Core\nimport OpenSSL\ninternal import CLibcrypto\n",
    "Sources/Core/Tasks.swift": (
        "// Detached on purpose: unstructured because it outlives the request.\n"
        "let a = Task { }\n"
        "let b = Task<Void, Never>(priority: nil) { }\n"
        "let c = Task.detached { }\n"
        "let d: Task<Void, Never>? = nil  // a type, not a creation\n"
        "// Task { } in a comment does not count\n"
        "let e = Task { }\n"
        "let f = Task { }\n"
    ),
}


def run_checker(directory: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECKER), *arguments], cwd=directory, capture_output=True, text=True, timeout=300,
    )


def test_architecture_checker_reports_each_kind_of_problem(tmp_path):
    (tmp_path / "Package.swift").write_text(MANIFEST)
    for name, text in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    imports = run_checker(tmp_path, "--imports-only")
    assert imports.returncode == 1, imports.stdout + imports.stderr
    lines = imports.stdout.splitlines()
    assert "Sources/OpenSSL/Bad.swift:1: C module CLibcrypto must be imported with" in imports.stdout
    assert "Sources/App/App.swift:2: App imports OpenSSL but does not declare it" in imports.stdout
    assert "Sources/App/App.swift:3: App imports C module CLibcrypto; only OpenSSL may" in imports.stdout
    assert not any("Good.swift" in line or "Tasks.swift" in line for line in lines)
    assert lines[-1] == "architecture: 4 files checked, 4 problems"

    full = run_checker(tmp_path)
    assert full.returncode == 1
    assert "Sources/Core/Tasks.swift:2:" not in full.stdout  # commented: allowed
    for line in (3, 4, 7, 8):
        assert f"Sources/Core/Tasks.swift:{line}: unstructured Task without a comment" in full.stdout
    assert "5 unstructured Task creations in Sources/, at most 4 allowed" in full.stdout
    assert full.stdout.splitlines()[-1] == "architecture: 4 files checked, 9 problems"


def test_architecture_check_passes():
    result = subprocess.run(
        [sys.executable, str(CHECKER)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"check-architecture failed:\n{result.stdout}{result.stderr}"
    assert "0 problems" in result.stdout
