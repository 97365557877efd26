"""N requests with the same new PAT, sent at once on N open connections (single-flight check)."""

from __future__ import annotations

import socket


def burst(port: int, body: str, authorization: str, count: int = 256) -> dict[str, int]:
    """Opens `count` connections first, then writes one request on each as fast as possible and
    reads every answer. Returns how many answered 200 and how many did not."""
    request = (f"POST /token HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nAuthorization: {authorization}\r\n"
               f"Content-Length: {len(body)}\r\n\r\n{body}").encode()
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(count)]
    try:
        for sock in sockets:
            sock.sendall(request)
        statuses: dict[str, int] = {"ok": 0, "failed": 0}
        for sock in sockets:
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            statuses["ok" if data.startswith(b"HTTP/1.1 200") else "failed"] += 1
        return statuses
    finally:
        for sock in sockets:
            sock.close()
