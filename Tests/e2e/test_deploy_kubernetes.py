"""deploy/kubernetes: the kustomize base and its overlays render offline, validate against the
Kubernetes schemas (kubernetes-validate, which bundles them), keep the hardening the README of
deploy/kubernetes promises, commit no secret value, and carry a patgate.yaml that
`patgate check-config` accepts with the Secrets' files in place.

Needs `kubectl` (its built-in `kubectl kustomize`); skipped with a reason when it is missing.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from patgate_e2e import (GRANT_TOKEN_EXCHANGE, PATGATE_BIN, REPO, TYPE_PAT, child_env, free_port,
                         http_session, postgres_schema, run_cli, wait_http_ok)

kubernetes_validate = pytest.importorskip("kubernetes_validate.utils")

KUBERNETES = REPO / "deploy" / "kubernetes"
OVERLAYS = ["fleet-postgres", "gateway-only"]
TARGETS = ["base", *(f"overlays/{name}" for name in OVERLAYS)]
# The oldest release with the preStop `sleep` action enabled by default, and the newest schemas.
SCHEMA_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
SECRETS_DIR = "/etc/patgate/secrets"

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def render(target: str) -> list[dict]:
    result = subprocess.run(["kubectl", "kustomize", str(KUBERNETES / target)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"kubectl kustomize {target}: {result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def only(objects: list[dict], kind: str) -> dict:
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def rendered_config(objects: list[dict]) -> str:
    return only(objects, "ConfigMap")["data"]["patgate.yaml"]


@pytest.fixture(scope="module", params=TARGETS)
def rendered(request) -> tuple[str, list[dict]]:
    return request.param, render(request.param)


def test_every_object_validates_against_the_kubernetes_schemas(rendered):
    target, objects = rendered
    kinds = {o["kind"] for o in objects}
    assert {"Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler",
            "NetworkPolicy", "ServiceAccount"} <= kinds, target
    for version in SCHEMA_VERSIONS:
        for obj in objects:
            try:
                # strict: an unknown field (a typo) is an error too
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{target}: {obj['kind']}/{obj['metadata']['name']} against {version}: {error}")


def test_a_broken_object_is_refused_by_the_validator():
    deployment = only(render("base"), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUser"] = "root"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, SCHEMA_VERSIONS[-1], strict=True)


def test_containers_are_hardened_and_probed(rendered):
    target, objects = rendered
    pod = only(objects, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert len(pod["topologySpreadConstraints"]) >= 1
    containers = pod["containers"] + pod.get("initContainers", [])
    assert containers
    for container in containers:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True, container["name"]
        assert context["runAsUser"] == 10001
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
    patgate = pod["containers"][0]
    port = patgate["ports"][0]
    assert (port["name"], port["containerPort"]) == ("http", 8080)
    assert patgate["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert patgate["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert patgate["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert patgate[probe]["httpGet"]["port"] in ("http", 8080)
    # The data dir is an emptyDir, the rest of the filesystem read-only.
    config = yaml.safe_load(rendered_config(objects))
    mounts = {m["mountPath"]: m["name"] for m in patgate["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts[config["data_dir"]]]
    # The kubelet waits longer than patgate's own grace plus the preStop pause.
    grace = config["server"].get("shutdown_grace_seconds", 10)
    pause = patgate.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    assert pod["terminationGracePeriodSeconds"] > grace + pause
    assert only(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"].startswith("patgate")


def test_no_secret_value_is_committed(rendered):
    target, objects = rendered
    assert [o for o in objects if o["kind"] == "Secret"] == [], f"{target} renders a Secret object"
    config = yaml.safe_load(rendered_config(objects))
    secret_keys = re.compile(r"secret|bearer_token|postgres_url|admin_url")

    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                name = f"{path}.{key}" if path else key
                if secret_keys.search(key) and not key.endswith(("_file", "_env", "_sha256")):
                    pytest.fail(f"{target}: {name} holds a value inline")
                walk(value, name)
    walk(config)
    # Everything secret is a file of the projected Secret volume or a variable from a Secret.
    pod = only(objects, "Deployment")["spec"]["template"]["spec"]
    projected = next(v for v in pod["volumes"] if v["name"] == "secrets")["projected"]["sources"]
    assert {s["secret"]["name"] for s in projected} == {"patgate-signing-keys", "patgate-secrets"}
    for env in pod["containers"][0].get("env", []):
        assert "value" not in env or not secret_keys.search(env["name"].lower()), env
    text = rendered_config(objects)
    assert "-----BEGIN" not in text and "postgres://" not in text


def test_pdb_hpa_and_service_target_the_deployment(rendered):
    target, objects = rendered
    deployment = only(objects, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    pdb = only(objects, "PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] and pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    hpa = only(objects, "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": deployment["metadata"]["name"]}
    assert hpa["minReplicas"] <= deployment["spec"]["replicas"] <= hpa["maxReplicas"]
    service = only(objects, "Service")
    assert service["spec"]["selector"] and service["spec"]["selector"].items() <= labels.items()
    policy = only(objects, "NetworkPolicy")["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= labels.items()
    configmap = only(objects, "ConfigMap")["metadata"]["name"]
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": configmap}} in volumes


def test_fleet_postgres_runs_three_replicas_on_postgresql():
    objects = render("overlays/fleet-postgres")
    deployment = only(objects, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert only(objects, "HorizontalPodAutoscaler")["spec"]["minReplicas"] == 3
    config = yaml.safe_load(rendered_config(objects))
    assert config["store"]["kind"] == "postgres"
    variable = config["store"]["postgres_url_env"]
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": "patgate-postgres", "key": "url"}
    assert not variable.startswith("PATGATE_"), "a PATGATE_* variable is read as a config key"
    egress_ports = {p["port"] for rule in only(objects, "NetworkPolicy")["spec"]["egress"] for p in rule["ports"]}
    assert 5432 in egress_ports


def test_gateway_only_follows_the_issuer_revocation_feed():
    config = yaml.safe_load(rendered_config(render("overlays/gateway-only")))
    assert config["issuer"]["enabled"] is False
    assert config["upstream"]["introspection_url"].startswith("https://")
    assert config["upstream"]["revocation_feed_url"].endswith("/revocations")
    assert config["upstream"]["client_secret_file"].startswith(SECRETS_DIR + "/")


def secret_files(secrets_dir: Path, names: set[str]) -> None:
    """Dummy contents of the Secrets' files, as an operator would create them."""
    secrets_dir.mkdir()
    for name in names:
        path = secrets_dir / name
        if name.endswith(".pem"):
            run_cli("keys", "generate", "--alg", "ES256", "--out", str(path))
        elif name == "pat-hash.key":
            path.write_text(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode() + "\n")
        else:
            path.write_text(secrets.token_urlsafe(32) + "\n")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The test database, in a schema of this test's own (check-config and serve migrate it)."""
    with postgres_schema("k8s") as (_, url):
        yield url


def materialize(target: str, tmp_path: Path, request) -> tuple[Path, dict[str, str], Path]:
    """The rendered patgate.yaml with the Secrets' files and data_dir moved under tmp_path,
    the environment the Deployment gives it, and the secrets folder."""
    text = rendered_config(render(target))
    names = set(re.findall(re.escape(SECRETS_DIR) + r"/([A-Za-z0-9._-]+)", text))
    assert "signing-key.pem" in names
    secrets_dir = tmp_path / "secrets"
    secret_files(secrets_dir, names)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = yaml.safe_load(text)
    text = text.replace(SECRETS_DIR, str(secrets_dir)).replace(config["data_dir"], str(data_dir))
    config_file = tmp_path / "patgate.yaml"
    config_file.write_text(text)
    env = {}
    variable = (config.get("store") or {}).get("postgres_url_env")
    if variable:
        env[variable] = request.getfixturevalue("postgres_url")
    return config_file, env, secrets_dir


@pytest.mark.parametrize("target", TARGETS)
def test_the_rendered_config_passes_check_config(target, tmp_path, request):
    config_file, env, _ = materialize(target, tmp_path, request)
    result = run_cli("check-config", "--config", str(config_file), env=env, check=False)
    assert result.returncode == 0, f"{target}: {result.stdout}\n{result.stderr}"
    # A typo in a key is refused: the check is a real one.
    text = config_file.read_text()
    config_file.write_text(text.replace("ttl_seconds:", "ttl_secnds:", 1))
    broken = run_cli("check-config", "--config", str(config_file), env=env, check=False)
    assert broken.returncode != 0 and "ttl_secnds" in broken.stdout + broken.stderr


@pytest.mark.parametrize("target", ["base", "overlays/fleet-postgres"])
def test_the_rendered_config_serves_its_probes_and_an_exchange(target, tmp_path, request, processes):
    """`patgate serve` on the rendered file (on a loopback port): the probes' paths answer as the
    Deployment expects, and the `ci` client exchanges a PAT with its secret from the Secret file."""
    config_file, env, secrets_dir = materialize(target, tmp_path, request)
    port = free_port()
    text = config_file.read_text().replace("host: 0.0.0.0", "host: 127.0.0.1").replace("port: 8080", f"port: {port}")
    config_file.write_text(text)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([PATGATE_BIN, "serve", "--config", str(config_file)], env=child_env(env),
                                stdout=out, stderr=subprocess.STDOUT)
    processes.processes.append(proc)
    base = f"http://127.0.0.1:{port}"
    wait_http_ok(f"{base}/healthz", proc, log)
    session = http_session()
    ready = session.get(f"{base}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "keys": "loaded", "revocation": "live"}
    created = json.loads(run_cli("pat", "create", "--user", "admin", "--name", "k8s", "--json",
                                 "--config", str(config_file), env=env).stdout)
    ci_secret = (secrets_dir / "ci.secret").read_text().strip()
    answer = session.post(f"{base}/token", auth=("ci", ci_secret), timeout=10, data={
        "grant_type": GRANT_TOKEN_EXCHANGE, "subject_token_type": TYPE_PAT, "subject_token": created["token"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer"
    wrong = session.post(f"{base}/token", auth=("ci", "not-the-secret"), timeout=10, data={
        "grant_type": GRANT_TOKEN_EXCHANGE, "subject_token_type": TYPE_PAT, "subject_token": created["token"]})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
