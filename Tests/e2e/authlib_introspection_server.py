"""A third-party RFC 7662 introspection server, built from authlib's IntrospectionEndpoint
and its Flask integration, for the e2e tests of patgate's upstream client.

Usage: python3 authlib_introspection_server.py CONFIG.json

CONFIG: {"port": N, "client_id": "...", "client_secret": "...", "log": "requests.jsonl",
         "tokens": {"<opaque token>": {"revoked": false, "expires_at": 1234, <introspection members>}}}

A token whose members contain "raise": true makes the endpoint fail with HTTP 500.
GET /health answers 200 once the server listens.
"""

from __future__ import annotations

import json
import sys
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask, request


class Client:
    def __init__(self, client_id: str, client_secret: str):
        self.client_id = client_id
        self.client_secret = client_secret

    def check_client_secret(self, secret: str) -> bool:
        return secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic" and endpoint == "introspection"


class Token:
    def __init__(self, value: str, record: dict):
        self.value = value
        self.record = dict(record)

    def is_expired(self) -> bool:
        expires_at = self.record.get("expires_at")
        return expires_at is not None and expires_at <= time.time()

    def is_revoked(self) -> bool:
        return bool(self.record.get("revoked"))


def make_app(config: dict) -> Flask:
    app = Flask(__name__)
    client = Client(config["client_id"], config["client_secret"])
    tokens = config["tokens"]
    log_path = config.get("log")

    class Introspection(IntrospectionEndpoint):
        CLIENT_AUTH_METHODS = ["client_secret_basic"]

        def query_token(self, token_string, token_type_hint):
            record = tokens.get(token_string)
            if record is None:
                return None
            if record.get("raise"):
                raise RuntimeError("upstream store failure")
            return Token(token_string, record)

        def check_permission(self, token, client, request):
            return True

        def introspect_token(self, token):
            members = {k: v for k, v in token.record.items() if k not in ("revoked", "expires_at", "raise")}
            return {"active": True, **members}

    server = AuthorizationServer(app, query_client=lambda cid: client if cid == client.client_id else None,
                                 save_token=lambda token, req: None)
    server.register_endpoint(Introspection)

    @app.post("/introspect")
    def introspect():
        if log_path:
            with open(log_path, "a") as log:
                log.write(json.dumps({
                    "authorization": request.headers.get("Authorization", "").split(" ")[0],
                    "content_type": request.headers.get("Content-Type"),
                    "token_type_hint": request.form.get("token_type_hint"),
                    "token": request.form.get("token"),
                }) + "\n")
        return server.create_endpoint_response("introspection")

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app


def main() -> None:
    with open(sys.argv[1]) as file:
        config = json.load(file)
    app = make_app(config)
    app.run(host="127.0.0.1", port=config["port"], threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
