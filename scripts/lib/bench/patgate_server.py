"""A `patgate serve` process for the benchmark: a fresh data directory, N PATs, start, stop.

The data directory is made by the real CLI (`patgate user add` writes the embedded default:
config, ES256 dev key, PAT hash key, the clients `ci`/`cli`/`patgate-gateway`, and the user
`bench`; `patgate pat create` then makes one PAT).
The other PATs are added to the SQLite store in one transaction, hashed exactly as the issuer
does (HMAC-SHA-256 under the hash key); the CLI-made PAT checks that recipe first, so a change
of the format makes the benchmark fail loudly instead of measuring errors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import sqlite3
import socket
import subprocess
import time
import zlib
from pathlib import Path

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
TYPE_PAT = "urn:ietf:params:oauth:token-type:pat"
# Every cache-miss request needs a PAT never sent before: a walk that wraps around turns into
# cache hits. This many misses a second is well above what this machine answers (about 8,700).
MISSES_PER_SECOND = 12_000


def _b64url_decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_pat(prefix: str) -> str:
    random_part = "".join(secrets.choice(BASE62) for _ in range(27))
    value = zlib.crc32(random_part.encode())
    digits = []
    for _ in range(6):
        digits.append(BASE62[value % 62])
        value //= 62
    return f"{prefix}_{random_part}{''.join(reversed(digits))}"


class DataDir:
    """A fresh embedded-default data directory holding `count` PATs of one user."""

    def __init__(self, binary: Path, root: Path, count: int, scopes=("openid", "profile")):
        self.binary = binary
        self.root = root
        # PATs are made only for existing users.
        subprocess.run([str(binary), "user", "add", "bench", "--generate", "--data-dir", str(root)],
                       check=True, capture_output=True, text=True)
        args = [str(binary), "pat", "create", "--data-dir", str(root), "--user", "bench", "--name", "seed",
                "--expires-in", "1d", "--json"]
        for scope in scopes:
            args += ["--scope", scope]
        created = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
        self.seed = created["token"]
        self.client_secret = (root / "secrets" / "ci.secret").read_text().strip()
        self.pats = [self.seed] + self._insert(count - 1)

    @property
    def basic_auth(self) -> str:
        return "Basic " + base64.b64encode(f"ci:{self.client_secret}".encode()).decode()

    @property
    def gateway_basic_auth(self) -> str:
        """The built-in gateway's own credentials at `/introspect` (client `patgate-gateway`)."""
        secret = (self.root / "secrets" / "gateway-introspection.secret").read_text().strip()
        return "Basic " + base64.b64encode(f"patgate-gateway:{secret}".encode()).decode()

    def _insert(self, count: int) -> list[str]:
        key = _b64url_decode((self.root / "secrets" / "pat-hash.key").read_text())
        prefix = self.seed.split("_", 1)[0]
        db = sqlite3.connect(self.root / "patgate.sqlite")
        try:
            row = db.execute("SELECT owner, scopes, created_at, expires_at, value_hash FROM personal_access_token "
                             "WHERE name = 'seed'").fetchone()
            owner, scopes, created, expires, stored = row
            if hmac.new(key, self.seed.encode(), hashlib.sha256).digest() != bytes(stored):
                raise SystemExit("bench: the PAT hash recipe changed (HMAC-SHA-256 of the value); update "
                                 "scripts/lib/bench/patgate_server.py")
            values = [_new_pat(prefix) for _ in range(count)]
            rows = [(secrets.token_hex(12), owner, f"bench-{i}", scopes,
                     hmac.new(key, v.encode(), hashlib.sha256).digest(), created, expires)
                    for i, v in enumerate(values)]
            with db:
                db.executemany("INSERT INTO personal_access_token (id, owner, name, scopes, value_hash, created_at, "
                               "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            return values
        finally:
            db.close()


class Server:
    """`patgate serve` on 127.0.0.1:port; `ready_seconds` is spawn → first 200 from /readyz."""

    def __init__(self, binary: Path, data: DataDir, port: int, log: Path, env: dict[str, str] | None = None):
        self.port = port
        self.log_path = log
        self._log = open(log, "w")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(binary), "serve", "--data-dir", str(data.root), "--port", str(port)],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})})
        self.pid = self.process.pid
        deadline = started + 30
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: patgate serve exited early; see {log}")
            if self._ready():
                break
            if time.perf_counter() > deadline:
                self.stop()
                raise SystemExit(f"bench: patgate serve was not ready within 30 s; see {log}")
            time.sleep(0.002)
        self.ready_seconds = time.perf_counter() - started

    def _ready(self) -> bool:
        return answers_200(self.port, "/readyz")

    def stop(self) -> dict[str, int]:
        """SIGTERM, wait, and return the cache statistics line the server logs at shutdown."""
        stop_process(self.process, timeout=15)
        self._log.close()
        text = self.log_path.read_text(errors="replace")
        lines = [line for line in text.splitlines() if "cache statistics" in line]
        if not lines:
            return {}
        return {k: int(v) for k, v in re.findall(r"\b(hits|misses|upstream_calls|entries)=(\d+)", lines[-1])}


_handed_out: set[int] = set()


def free_port() -> int:
    """A free loopback port, never one handed out before in this process: the kernel may give a
    closed probe's port again at once, and nginx then takes two of its three listens as one
    (both server blocks on one port, no error) and never answers on the one it lost."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if `process` has not exited within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers_200(port: int, path: str) -> bool:
    """Whether `GET path` on 127.0.0.1:port answers 200 now."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", path)
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def exchange_body(pat: str | None, scope: str = "openid") -> str:
    """The form body of a token exchange; without `pat`, everything up to `subject_token=`."""
    from urllib.parse import quote
    head = f"grant_type={quote(GRANT, safe='')}&subject_token_type={quote(TYPE_PAT, safe='')}&scope={scope}" \
           f"&subject_token="
    return head if pat is None else head + quote(pat, safe="")
