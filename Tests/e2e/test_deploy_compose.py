"""deploy/compose: compose.yaml is valid against the Compose Specification's JSON schema (the copy
check-jsonschema ships, offline) and its references hold (services, secrets, volumes, the
build recipe, the HAProxy config it mounts, the replicas HAProxy names), and Debian's HAProxy
accepts haproxy.cfg (`haproxy -c`); and its services' steps run here without a container engine:
patgate-init's command writes the shared configuration, then two replicas with the replicas'
environment, as uid 10001 on a read-only root and a read-only config volume, share one
PostgreSQL store and stop with exit 0 on SIGTERM."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

import deploy_files as files
from deploy_files import DEPLOY
from patgate_e2e import REPO, child_env, free_port, http_session, postgres_schema, wait_http_ok

COMPOSE = DEPLOY / "compose"
REPLICAS = ["patgate-1", "patgate-2", "patgate-3"]


def compose() -> dict:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text())


def test_compose_file_follows_the_compose_specification():
    checker = shutil.which("check-jsonschema")
    assert checker, "check-jsonschema missing: pip install -r Tests/e2e/requirements.txt"
    result = subprocess.run([checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE / "compose.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


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


# -- compose's services, run here as the image would run them -----------------------------------

@pytest.fixture
def compose_postgres_url():
    with postgres_schema("compose") as (_, url):
        yield url


def service_env(service: dict, data: Path, secret_dir: Path) -> dict[str, str]:
    """A compose service's environment, its /run/secrets paths moved to `secret_dir`."""
    env = {k: str(v).replace("/run/secrets/", f"{secret_dir}/") for k, v in service.get("environment", {}).items()}
    return child_env({**env, "PATGATE_DATA_DIR": str(data), "HOME": "/nonexistent"})


def test_init_then_two_replicas_on_the_read_only_config_share_one_store(compose_postgres_url):
    services = compose()["services"]
    with files.image_layout() as (root, binary, data):
        secret_dir = root / "run" / "secrets"
        secret_dir.mkdir(parents=True)
        (secret_dir / "postgres_url").write_text(compose_postgres_url + "\n")
        os.chown(secret_dir / "postgres_url", files.UID, files.UID)
        os.chmod(secret_dir / "postgres_url", 0o400)
        # patgate-init: its command on the writable volume writes the shared configuration.
        init = files.run_confined(root, data, files.UID, str(binary), *services["patgate-init"]["command"],
                                  env=service_env(services["patgate-init"], data, secret_dir),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = init.communicate(timeout=60)
        assert init.returncode == 0, err.decode()[:3000]
        assert (data / "patgate.yaml").exists() and not list(data.glob("*.sqlite")), "init must not make a SQLite store"
        cmd = files.exec_form(files.runtime("CMD")[0])
        replicas, ports = [], []
        try:
            for name in REPLICAS[:2]:  # patgate-2 starts once patgate-1 is healthy, as compose orders it
                port = free_port()
                args = [a.replace("0.0.0.0", "127.0.0.1") for a in cmd]
                args[args.index("--port") + 1] = str(port)
                log = root / f"{name}.log"
                with open(log, "wb") as out:
                    proc = files.run_confined(root, data, files.UID, str(binary), *args, writable=False,
                                              env=service_env(services[name], data, secret_dir),
                                              stdout=out, stderr=subprocess.STDOUT)
                replicas.append((proc, log))
                ports.append(port)
                wait_http_ok(f"http://127.0.0.1:{port}/readyz", proc, log)
            http = http_session()
            for port in ports:
                ready = http.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
                assert ready["status"] == "ready" and ready["revocation"] == "live", ready
            # One administrator, created by the first replica only; both read the same store.
            logs = [log.read_text() for _, log in replicas]
            assert "one-time password" in logs[0] and "one-time password" not in logs[1]
            issuers = {http.get(f"http://127.0.0.1:{p}/.well-known/oauth-authorization-server", timeout=5).json()["issuer"]
                       for p in ports}
            assert issuers == {services["patgate-1"]["environment"]["PATGATE_SERVER_ISSUER"]}
            keys = [http.get(f"http://127.0.0.1:{p}/.well-known/jwks.json", timeout=5).json() for p in ports]
            assert keys[0] == keys[1], "replicas must publish the same signing key"
            for proc, log in replicas:
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=20) == 0, log.read_text()[-2000:]
        finally:
            for proc, _ in replicas:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
