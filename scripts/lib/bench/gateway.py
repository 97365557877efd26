"""Forward auth in scripts/bench: patgate's `authz:` block for the bench's data directory, and
nginx in front of a static upstream, once through patgate (deploy/gateways/nginx, the tested
template) and once without auth, for the ratio of the two in one run (BENCHMARKS.md).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from patgate_server import answers_200, stop_process

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "deploy" / "gateways" / "nginx" / "patgate-auth-request.conf.template"

AUTHZ = """
authz:
  client: ci
  routes:
    ids: [orders]
    orders:
      path_prefix: /orders
      audience: orders-api
      scopes: [openid]
"""


def enable_authz(root: Path) -> None:
    """Adds the route `orders` (audience orders-api, scope openid) for the client `ci`."""
    config = root / "patgate.yaml"
    text = config.read_text().replace("audiences: [patgate]\n", "audiences: [patgate, orders-api]\n")
    config.write_text(text + AUTHZ)


def forward_auth_args(pat: str) -> list[str]:
    """bench.lua `headers` mode: nginx's subrequest as patgate sees it, on a cache hit."""
    return ["headers", "X-Original-URL: http://api.example.com/orders/1", "X-Original-Method: GET",
            f"Authorization: Bearer {pat}"]


class Nginx:
    """One nginx (one worker) serving three ports: the template's auth_request server, the
    same upstream without auth, and the static upstream itself."""

    def __init__(self, work: Path, patgate_port: int, ports: tuple[int, int, int]):
        self.auth_port, self.plain_port, static_port = ports
        work.mkdir(parents=True, exist_ok=True)
        site = work / "patgate.conf"
        values = {"LISTEN": f"127.0.0.1:{self.auth_port}", "PATGATE_ADDR": f"127.0.0.1:{patgate_port}",
                  "UPSTREAM_ADDR": f"127.0.0.1:{static_port}"}
        # As `envsubst '${LISTEN} ...'`: only the braced placeholders, nginx's own $variables stay.
        site.write_text(re.sub(r"\$\{([A-Z_]+)\}", lambda match: values[match.group(1)], TEMPLATE.read_text()))
        user = "user root;" if os.geteuid() == 0 else ""
        (work / "nginx.conf").write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {site};
    server {{
        listen 127.0.0.1:{self.plain_port};
        location / {{
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://protected_api;
        }}
    }}
    server {{
        listen 127.0.0.1:{static_port};
        location / {{ return 200 "ok\\n"; }}
    }}
}}
""")
        self.process = subprocess.Popen(["nginx", "-p", str(work), "-c", str(work / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=open(work / "nginx.stderr", "wb"))
        deadline = time.monotonic() + 10
        while not answers_200(self.plain_port, "/orders"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"bench: nginx did not answer on {self.plain_port}; see {work}/nginx.stderr")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self.process)
