"""The API behind a gateway in the forward-auth tests (Tests/e2e/test_forward_auth_*.py).

A small threaded HTTP server that trusts nothing but a JWT of patgate's: every request must
carry `Authorization: Bearer <JWT>` that verifies against patgate's JWKS (PyJWT), with
patgate's issuer and the expected audience. It records every request (path, subject, whether
any header held a PAT) in a JSON Lines file, answers 500 when a header carries the PAT prefix
(the PAT must never reach it) and 401 without a valid JWT. Under `/git/` it runs
`git http-backend` as CGI over `--git-root`, so `git clone` works through the gateway.

Run: python3 gateway_upstream.py --port P --jwks URL --issuer ISS --audience AUD --log FILE [--git-root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

PAT_MARKER = "pgat_"


def make_handler(args, jwks: jwt.PyJWKClient, lock: threading.Lock):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):  # quiet
            pass

        def record(self, entry: dict) -> None:
            with lock, open(args.log, "a") as log:
                log.write(json.dumps(entry) + "\n")

        def answer(self, status: int, body: dict, extra: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = self.read_chunked()
            leaked = any(PAT_MARKER in value for value in self.headers.values()) or PAT_MARKER.encode() in body
            entry = {"method": self.command, "path": self.path, "pat_seen": leaked,
                     "subject_header": self.headers.get("X-Patgate-Subject")}
            if leaked:
                self.record(entry)
                return self.answer(500, {"error": "a PAT reached the upstream"})
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                self.record({**entry, "status": 401})
                return self.answer(401, {"error": "no JWT"})
            try:
                token = auth[len("Bearer "):]
                key = jwks.get_signing_key_from_jwt(token)
                claims = jwt.decode(token, key.key, algorithms=["ES256"], audience=args.audience, issuer=args.issuer,
                                    options={"require": ["exp", "iat", "sub", "aud", "iss"]})
            except Exception as error:  # noqa: BLE001 - any verification failure is a 401 here
                self.record({**entry, "status": 401, "reason": str(error)})
                return self.answer(401, {"error": "invalid JWT", "reason": str(error)})
            entry.update({"status": 200, "sub": claims["sub"], "aud": claims["aud"], "scope": claims.get("scope"),
                          "jti": claims.get("jti")})
            self.record(entry)
            if args.git_root and self.path.startswith("/git/"):
                return self.git(body, claims["sub"])
            self.answer(200, {"sub": claims["sub"], "aud": claims["aud"], "scope": claims.get("scope"),
                              "path": self.path, "method": self.command})

        def read_chunked(self) -> bytes:
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()

        def git(self, body: bytes, user: str) -> None:
            path, _, query = self.path.partition("?")
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": args.git_root, "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": path[len("/git"):], "QUERY_STRING": query, "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": user, "REMOTE_ADDR": self.client_address[0], "GATEWAY_INTERFACE": "CGI/1.1",
                "SERVER_PROTOCOL": "HTTP/1.1",
            }
            for name, value in self.headers.items():
                if name.lower() not in ("content-type", "content-length", "authorization"):
                    env["HTTP_" + name.upper().replace("-", "_")] = value
            result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60)
            head, _, payload = result.stdout.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = result.stdout.partition(b"\n\n")
            status, headers = 200, []
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jwks", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--audience", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--git-root")
    args = parser.parse_args()
    jwks = jwt.PyJWKClient(args.jwks, cache_keys=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, jwks, threading.Lock()))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
