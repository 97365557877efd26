"""Helpers of the deploy tests: readers for the files under deploy/ (Containerfile instructions,
its runtime package line, shared-library packages) and the runtime stage's layout and
confinement (uid 10001, read-only root), so each test file stays about one thing."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from patgate_e2e import PATGATE_BIN, REPO

DEPLOY = REPO / "deploy"
CONTAINERFILE = DEPLOY / "container" / "Containerfile"

# In debian:bookworm-slim whatever is installed: glibc, and what apt itself links (libstdc++6,
# libgcc-s1, zlib1g). A library of these needs no line in the Containerfile.
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}


def instructions(path: Path = CONTAINERFILE) -> list[tuple[str, str, int]]:
    """(INSTRUCTION, arguments, stage index) per logical line, continuations joined."""
    result, stage, pending = [], -1, ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
        result.append((word, rest.strip(), stage))
    return result


def runtime(word: str) -> list[str]:
    """Arguments of every `word` instruction in the last (runtime) stage."""
    items = instructions()
    last = max(stage for _, _, stage in items)
    return [rest for w, rest, stage in items if w == word and stage == last]


def exec_form(arguments: str) -> list[str]:
    """A JSON-array (exec form) argument list; raises if it is the shell form."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def runtime_install_packages() -> set[str]:
    """The packages of the runtime stage's `apt-get install` line."""
    packages: set[str] = set()
    for run in runtime("RUN"):
        words = shlex.split(run.replace("&&", " && "))
        if "install" not in words or "apt-get" not in words:
            continue
        start = words.index("install") + 1
        for word in words[start:]:
            if word == "&&":
                break
            if not word.startswith("-"):
                packages.add(word)
    return packages


def packages_of(libraries: list[str]) -> dict[str, str]:
    """library path -> the Debian package that ships it, in one `dpkg -S` (usrmerge: each path
    is also tried under /lib and /usr/lib). Raises for a library no package ships."""
    variants: dict[str, str] = {}
    for library in libraries:
        for path in {library, str(Path(library).resolve())}:
            variants[path] = library
            if path.startswith("/usr/lib/"):
                variants[path[len("/usr"):]] = library
            elif path.startswith("/lib/"):
                variants["/usr" + path] = library
    out = subprocess.run(["dpkg", "-S", *variants], capture_output=True, text=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        package, _, path = line.partition(": ")
        if path in variants:
            found.setdefault(variants[path], package.split(":")[0].strip())
    missing = [library for library in libraries if library not in found]
    assert not missing, f"no Debian package ships {missing}"
    return found


def ldd(binary: str) -> dict[str, str]:
    """soname -> path of every shared library the binary loads (transitively)."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libraries = {}
    for line in out.splitlines():
        match = re.match(r"\s*(\S+) => (/\S+)", line)
        if match:
            libraries[match.group(1)] = match.group(2)
        elif (absolute := re.match(r"\s*(/\S+) \(", line)):
            libraries[Path(absolute.group(1)).name] = absolute.group(1)
    return libraries


def needed(binary: str) -> list[str]:
    """The DT_NEEDED sonames: what the binary links directly."""
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def dependency_closure(packages: set[str]) -> set[str]:
    """The installed packages `packages` depend on (Depends, Pre-Depends), recursively."""
    seen, todo = set(), list(packages)
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", package],
                             capture_output=True, text=True)
        for clause in out.stdout.split(","):
            for alternative in clause.split("|"):
                name = alternative.strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
    return seen


# -- The runtime stage's steps without a container engine ---------------------------------------

UID = 10001  # the Containerfile's PATGATE_UID


@contextlib.contextmanager
def image_layout():
    """A root folder laid out as the runtime stage does: /opt/patgate (the binary and the console
    bundle, owned by root, read-only) and /var/lib/patgate (owned by UID, 0700). Yields
    (root, binary, data directory). Skips, saying why, where it cannot confine a process."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        pytest.skip("needs root, unshare and setpriv to run patgate as uid 10001 on a read-only root")
    root = Path(tempfile.mkdtemp(prefix="patgate-image-"))
    os.chmod(root, 0o755)
    opt = root / "opt" / "patgate"
    opt.mkdir(parents=True)
    shutil.copy2(PATGATE_BIN, opt / "patgate")
    resources = Path(PATGATE_BIN).parent / "patgate_PatgateServer.resources"
    shutil.copytree(resources, opt / resources.name)
    subprocess.run(["chmod", "-R", "a-w", str(root / "opt")], check=True)
    data = root / "var" / "lib" / "patgate"
    data.mkdir(parents=True)
    os.chown(data, UID, UID)
    os.chmod(data, 0o700)
    try:
        yield root, opt / "patgate", data
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(root)], check=False)
        shutil.rmtree(root, ignore_errors=True)


def run_confined(root: Path, data: Path, uid: int, *command: str, writable: bool = True, **popen) -> subprocess.Popen:
    """`command` as `uid` in a mount namespace where / is read-only and only `data` is writable
    (what --read-only with one volume gives a container); with writable=False nothing is (a
    volume mounted :ro)."""
    remount = 'mount --bind "$1" "$1" && mount -o remount,bind,rw "$1" && ' if writable else ""
    script = ('mount --bind / / && mount -o remount,bind,ro / && ' + remount +
              f'shift && exec setpriv --reuid {uid} --regid {uid} --clear-groups --no-new-privs -- "$@"')
    return subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                             str(data), *command], cwd=data, **popen)
