"""deploy/compose: compose.yaml parses and its references hold (services, secrets, volumes, the
build recipe, the HAProxy config it mounts, the replicas HAProxy names), and Debian's HAProxy
accepts haproxy.cfg (`haproxy -c`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from deploy_files import DEPLOY
from patgate_e2e import REPO

COMPOSE = DEPLOY / "compose"
REPLICAS = ["patgate-1", "patgate-2", "patgate-3"]


def compose() -> dict:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text())


def test_compose_references_are_consistent():
    doc = compose()
    services, secrets, volumes = doc["services"], doc["secrets"], doc["volumes"]
    assert {"postgres", "haproxy", *REPLICAS} <= set(services)
    for name, service in services.items():
        for secret in service.get("secrets", []):
            assert secret in secrets, f"{name} uses undeclared secret {secret}"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in volumes, f"{name} mounts undeclared volume {source}"
        if "build" in service:
            context = (COMPOSE / service["build"]["context"]).resolve()
            assert context == REPO and (context / service["build"]["dockerfile"]).exists()
    # Secrets come from files the operator makes; git ignores where they live.
    for secret in secrets.values():
        path = COMPOSE / secret["file"]
        assert path.parent.name == "secrets"
        ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", str(path)])
        assert ignored.returncode == 0, f"{path} is not git-ignored"
    # The replicas share one store and one issuer, read their URL from a secret, and are
    # given longer to stop than patgate's default grace of 10 s.
    for name in REPLICAS:
        replica = services[name]
        env = replica["environment"]
        assert env["PATGATE_STORE_KIND"] == "postgres"
        assert env["PATGATE_STORE_POSTGRES_URL_FILE"] == "/run/secrets/postgres_url"
        assert "postgres_url" in replica["secrets"] and replica["read_only"] is True
        assert int(replica["stop_grace_period"].rstrip("s")) > 10
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert len({services[name]["environment"]["PATGATE_SERVER_ISSUER"] for name in REPLICAS}) == 1
    assert not any(k.endswith(("PASSWORD", "_URL")) for s in services.values() for k in s.get("environment", {}))


def test_haproxy_checks_readyz_on_every_replica():
    cfg = (COMPOSE / "haproxy.cfg").read_text()
    servers = re.findall(r"^\s*server (\S+) (\S+):(\d+) check", cfg, re.M)
    assert [name for name, _, _ in servers] == REPLICAS
    assert all(host == name for name, host, _ in servers)
    port = compose()["services"]["haproxy"]["ports"][0].split(":")[-1]
    assert all(p == "8080" for _, _, p in servers) and re.search(rf"^\s*bind :{port}$", cfg, re.M)
    assert re.search(r"^\s*http-check send meth GET uri /readyz\b", cfg, re.M)
    assert re.search(r"^\s*http-check expect status 200$", cfg, re.M)


def test_haproxy_accepts_the_config():
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    assert Path(haproxy).exists(), "haproxy missing: scripts/test installs Debian's haproxy"
    result = subprocess.run([haproxy, "-c", "-f", str(COMPOSE / "haproxy.cfg")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # The one warning allowed: outside compose's network the replicas' names do not resolve.
    for line in (result.stdout + result.stderr).splitlines():
        if "[WARNING]" in line:
            assert "could not resolve address 'patgate-" in line, line
