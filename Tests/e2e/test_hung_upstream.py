"""A hung upstream cannot pile up requests: every `/token` answer comes within
`upstream.timeout_ms` + 250 ms whatever the concurrency (docs/ARCHITECTURE.md, invariant 8).
The worst answer time is printed (run with -s)."""

from __future__ import annotations

import socket
import threading
import time

CONCURRENT = 40
TIMEOUT_MS = 1000


def test_forty_concurrent_exchanges_against_a_hung_upstream_answer_503_in_time(patgate_factory):
    silent = socket.socket()   # accepts (the kernel does) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(256)
    try:
        server = patgate_factory().start(env={
            "PATGATE_UPSTREAM_INTROSPECTION_URL": f"http://127.0.0.1:{silent.getsockname()[1]}/introspect",
            "PATGATE_UPSTREAM_TIMEOUT_MS": str(TIMEOUT_MS),
        })
        results: list[tuple[int, float]] = []
        lock = threading.Lock()

        def exchange(index: int) -> None:
            started = time.monotonic()
            response = server.exchange(f"pgat_{index:027d}000000")
            with lock:
                results.append((response.status_code, time.monotonic() - started))

        threads = [threading.Thread(target=exchange, args=(i,)) for i in range(CONCURRENT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        worst = max(seconds for _, seconds in results)
        print(f"{CONCURRENT} concurrent exchanges against a hung upstream: worst answer {worst * 1000:.0f} ms")
        assert len(results) == CONCURRENT
        assert all(status == 503 for status, _ in results), {status for status, _ in results}
        assert worst < TIMEOUT_MS / 1000 + 0.25 + 0.5, f"worst answer {worst:.2f} s"   # + slack for a loaded machine
    finally:
        silent.close()
