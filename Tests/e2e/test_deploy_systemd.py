"""deploy/systemd/patgate.service: `systemd-analyze verify` accepts it and `systemd-analyze
security --offline=true` rates its exposure at most 2.0 (the score is printed with -s)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from deploy_files import DEPLOY
from patgate_e2e import PATGATE_BIN

UNIT = DEPLOY / "systemd" / "patgate.service"
EXEC_START = "ExecStart=/usr/local/bin/patgate serve --data-dir /var/lib/patgate"


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze missing: scripts/test installs Debian's systemd"
    return tool


def test_verify_accepts_the_unit():
    text = UNIT.read_text()
    assert EXEC_START in text.splitlines()
    # verify checks that ExecStart's binary exists: point that one line at the binary built here.
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "patgate.service"
        copy.write_text(text.replace("ExecStart=/usr/local/bin/patgate", f"ExecStart={PATGATE_BIN}"))
        result = subprocess.run([systemd_analyze(), "verify", str(copy)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stdout + result.stderr


def test_security_exposure_at_most_2():
    result = subprocess.run([systemd_analyze(), "security", "--offline=true", "--no-pager", str(UNIT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"Overall exposure level for patgate\.service: (\d+\.\d+)", result.stdout)
    assert match, result.stdout[-2000:]
    print(f"systemd-analyze security exposure: {match.group(1)}", file=sys.stderr)
    assert float(match.group(1)) <= 2.0


def test_unit_has_the_required_hardening():
    settings = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    for key, value in {"StateDirectory": "patgate", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
                       "PrivateTmp": "yes", "CapabilityBoundingSet": "", "DynamicUser": "yes",
                       "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX"}.items():
        assert settings.get(key) == [value], key
    assert "@system-service" in settings["SystemCallFilter"]
    assert settings["ExecReload"] == ["/bin/kill -HUP $MAINPID"], "systemctl reload sends SIGHUP (README, \"Reloading the configuration\")"


def test_the_workers_may_lower_their_own_policy_but_nothing_may_turn_real_time():
    """`WorkerScheduling` (docs/ARCHITECTURE.md, "Threads") calls sched_setscheduler for
    SCHED_BATCH; the filter lets that one call of @resources through, RestrictRealtime stays."""
    result = subprocess.run([systemd_analyze(), "security", "--offline=true", "--no-pager", str(UNIT)],
                            capture_output=True, text=True)
    resources = [line for line in result.stdout.splitlines() if "SystemCallFilter=~@resources" in line]
    assert resources and "sched_setscheduler is allowed" in resources[0], resources
    realtime = [line for line in result.stdout.splitlines() if "RestrictRealtime=" in line]
    assert realtime and realtime[0].lstrip().startswith("✓"), realtime
