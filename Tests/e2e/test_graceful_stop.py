"""SIGTERM under load: every request sent before the signal is answered, none is cut off, the
process exits 0 and the audit log ends in a whole line (docs/ARCHITECTURE.md, "Lifecycle").

The clients are raw `http.client` keep-alive connections, so the test knows exactly when a
request was on the wire and whether it got an answer or a reset.
"""

from __future__ import annotations

import base64
import http.client
import json
import signal
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from patgate_e2e import GRANT_TOKEN_EXCHANGE, TYPE_PAT

WORKERS = 8
LOAD_SECONDS = 1.5


@dataclass
class Outcome:
    sent_at: float          # when the request was fully written
    status: int | None      # None: no answer (reset, EOF, timeout)
    closed: bool = False    # the answer said `Connection: close`
    error: str = ""


@dataclass
class Load:
    host: str
    port: int
    body: bytes
    auth: str
    outcomes: list[Outcome] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def worker(self, stop: threading.Event) -> None:
        conn: http.client.HTTPConnection | None = None
        while not stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
                try:
                    conn.connect()
                except OSError:
                    with self.lock:
                        self.refused += 1
                    return   # the listener is closed: the server is stopping
            try:
                conn.request("POST", "/token", body=self.body, headers={
                    "Content-Type": "application/x-www-form-urlencoded", "Authorization": self.auth})
            except OSError as error:
                # Not sent: the server had already closed this idle connection.
                conn.close()
                conn = None
                if isinstance(error, ConnectionRefusedError):
                    return
                continue
            sent = time.monotonic()
            try:
                response = conn.getresponse()
                response.read()
                closed = (response.getheader("Connection") or "").lower() == "close"
                with self.lock:
                    self.outcomes.append(Outcome(sent, response.status, closed))
                if closed:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as error:
                with self.lock:
                    self.outcomes.append(Outcome(sent, None, error=type(error).__name__))
                conn.close()
                conn = None


def readiness_poller(host: str, port: int, stop: threading.Event, seen: list[tuple[float, int, int, bool]]) -> None:
    """Asks /readyz in turn on two keep-alive connections until the server closed both.

    Two, because a request in flight when the stop begins may be answered 200 (its handler ran
    before the signal) with `Connection: close`; the other connection is idle then, and its
    next request, sent within the server's linger, must see the 503."""
    conns = {index: http.client.HTTPConnection(host, port, timeout=10) for index in range(2)}
    while conns and not stop.is_set():
        for index, conn in list(conns.items()):
            try:
                conn.request("GET", "/readyz")
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                del conns[index]
                continue
            closed = (response.getheader("Connection") or "").lower() == "close"
            seen.append((time.monotonic(), index, response.status, closed))
            if closed:
                del conns[index]
            time.sleep(0.01)


def test_sigterm_under_load_answers_every_request_and_exits_zero(patgate_factory):
    # A short cache TTL keeps introspection calls, PAT-use records and audit lines flowing.
    server = patgate_factory().start(env={"PATGATE_CACHE_TTL_SECONDS": "1"})
    pats = [server.create_pat(name=f"stop-{i}")["token"] for i in range(4)]
    auth = "Basic " + base64.b64encode(f"ci:{server.ci_secret}".encode()).decode()
    loads = [Load(server.host, server.port, urllib.parse.urlencode({
        "grant_type": GRANT_TOKEN_EXCHANGE, "subject_token": pats[i % len(pats)],
        "subject_token_type": TYPE_PAT}).encode(), auth) for i in range(WORKERS)]
    stop = threading.Event()
    threads = [threading.Thread(target=load.worker, args=(stop,), daemon=True) for load in loads]
    readiness: list[tuple[float, int, int, bool]] = []
    poller = threading.Thread(target=readiness_poller, args=(server.host, server.port, stop, readiness), daemon=True)
    for thread in threads + [poller]:
        thread.start()
    time.sleep(LOAD_SECONDS)

    signalled = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    exit_code = server.proc.wait(timeout=30)
    stopped_after = time.monotonic() - signalled
    stop.set()
    for thread in threads + [poller]:
        thread.join(timeout=30)

    outcomes = [outcome for load in loads for outcome in load.outcomes]
    before = [o for o in outcomes if o.sent_at < signalled]
    after = [o for o in outcomes if o.sent_at >= signalled]
    cut = [o for o in outcomes if o.status is None]
    assert exit_code == 0, server.stderr_text()[-2000:]
    assert len(before) > 100, f"too little load before the signal: {len(before)}"
    assert not cut, f"{len(cut)} requests cut off without an answer: {cut[:5]}"
    assert all(o.status == 200 for o in before), {o.status for o in before}
    assert all(o.status == 200 for o in after), {o.status for o in after}
    # Every keep-alive connection was told to close, and the listener refused new ones.
    assert sum(o.closed for o in outcomes) >= 1
    assert stopped_after < 10, f"the stop took {stopped_after:.1f} s"
    # /readyz said 503 on a keep-alive connection before it was closed, and never 200 after.
    assert readiness and readiness[0][2] == 200
    first_503 = next((i for i, seen in enumerate(readiness) if seen[2] == 503), None)
    assert first_503 is not None, readiness[-3:]
    assert all(status == 503 for _, _, status, _ in readiness[first_503:]), readiness[first_503:]
    assert any(status == 503 and closed for _, _, status, closed in readiness), readiness[-3:]

    audit = (server.data_dir / "audit.jsonl").read_bytes()
    assert audit.endswith(b"\n")
    events = [json.loads(line) for line in audit.decode().splitlines()]
    assert any(event["event"] == "pat.used" for event in events)
    assert "patgate stopped" in server.stderr_text()


def test_requests_beyond_the_grace_period_do_not_hold_the_stop(patgate_factory):
    # An upstream that accepts and never answers: the exchange waits for upstream.timeout_ms.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    try:
        server = patgate_factory().start(env={
            "PATGATE_UPSTREAM_INTROSPECTION_URL": f"http://127.0.0.1:{port}/introspect",
            "PATGATE_UPSTREAM_TIMEOUT_MS": "20000",
            "PATGATE_SERVER_SHUTDOWN_GRACE_SECONDS": "1",
        })
        results: list[object] = []

        def exchange() -> None:
            try:
                results.append(server.exchange("pgat_" + "A" * 27 + "000000").status_code)
            except Exception as error:   # the connection is closed after the grace period
                results.append(type(error).__name__)

        thread = threading.Thread(target=exchange, daemon=True)
        thread.start()
        time.sleep(0.5)   # the exchange now waits on the silent upstream (the kernel accepted it)
        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        exit_code = server.proc.wait(timeout=30)
        stopped_after = time.monotonic() - signalled
        thread.join(timeout=30)
        assert exit_code == 0, server.stderr_text()[-2000:]
        assert 0.8 < stopped_after < 6, f"the stop took {stopped_after:.1f} s, grace is 1 s"
        assert "server.shutdown_grace_seconds" in server.stderr_text()
        assert results and results[0] != 200
    finally:
        silent.close()

