"""The RFC 8693 peer: idpyoidc's token endpoint (idpy_peer.py) on gunicorn with 2 workers."""

from __future__ import annotations

import base64
import http.client
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import idpy_peer_settings as settings
import procstat
from patgate_server import free_port, stop_process

HERE = Path(__file__).parent
WORKERS = 2


class Peer:
    """gunicorn with idpyoidc's token endpoint on a free port, both workers up and one exchange
    answered 200; `url` and `args` (bench.lua's) make the exchange under load."""

    def __init__(self, work: Path):
        port = free_port()
        token_file = work / "idpy-token"
        token_file.unlink(missing_ok=True)   # an earlier peer's: its keys are gone with it
        self._log = open(work / "idpy.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
             "--chdir", str(HERE), "--log-level", "warning", "idpy_peer:app"],
            env={"IDPY_PEER_TOKEN_FILE": str(token_file), "PATH": "/usr/bin:/bin"}, stdout=self._log,
            stderr=subprocess.STDOUT)
        self.pid, self.url = self.process.pid, f"http://127.0.0.1:{port}/token"
        try:
            deadline = time.monotonic() + 60
            # Both workers, not just the first to answer: gunicorn may fork the second later, and a
            # run that starts before it would measure one worker (docs: BENCHMARKS.md, session 23).
            while not token_file.exists() or not _answers(port) or len(procstat.tree_pids(self.pid)) < 1 + WORKERS:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"bench: the idpyoidc peer did not start; see {work / 'idpy.log'}")
                time.sleep(0.1)
            body = (f"grant_type={quote(settings.GRANT, safe='')}&subject_token={quote(token_file.read_text(), safe='')}"
                    f"&subject_token_type={quote(settings.TYPE_ACCESS_TOKEN, safe='')}")
            authorization = "Basic " + base64.b64encode(f"{settings.CLIENT_ID}:{settings.CLIENT_SECRET}".encode()).decode()
            check = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            check.request("POST", "/token", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                    "Authorization": authorization})
            answer = check.getresponse()
            content = answer.read()
            if answer.status != 200 or b'"access_token"' not in content:
                raise SystemExit(f"bench: the idpyoidc peer refused the exchange: {answer.status} {content[:300]!r}")
            bodies = work / "idpy-bodies"
            bodies.write_text(body + "\n")
            self.args = ["fixed", str(bodies), authorization]
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


def run(work: Path, duration: int, connections: int, measure) -> dict:
    """Starts the peer, measures one run of it, stops it."""
    peer = Peer(work)
    try:
        return measure(peer.pid, peer.url, connections, duration, peer.args, "idpyoidc-peer")
    finally:
        peer.stop()


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/")
        connection.getresponse().read()
        return True
    except OSError:
        return False
