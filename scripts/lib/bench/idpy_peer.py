"""The RFC 8693 peer of the benchmark: idpyoidc's token endpoint as a WSGI app for gunicorn.

`gunicorn --preload -w 2 idpy_peer:app` builds one idpyoidc `Server` in the master process,
creates a session for the user `diana` and mints one access token (a JWT) with the
authorization-code grant, then forks: both workers share that session (copy-on-write) and
answer `POST /token` token-exchange requests for it with `client_secret_basic`.

The subject token is written to `$IDPY_PEER_TOKEN_FILE` so the driver can put it in wrk's
request body. The configuration follows idpyoidc's own token-exchange tests
(tests/test_server_36_oauth2_token_exchange.py): ES256 and RS256 keys, JWT access tokens.
"""

from __future__ import annotations

import os
import tempfile

from idpyoidc.message.oidc import AccessTokenRequest, AuthorizationRequest
from idpyoidc.server import Server
from idpyoidc.server.authn_event import create_authn_event
from idpyoidc.server.authz import AuthzHandling
from idpyoidc.server.client_authn import verify_client
from idpyoidc.server.configure import ASConfiguration
from idpyoidc.server.cookie_handler import CookieHandler
from idpyoidc.server.user_authn.authn_context import INTERNETPROTOCOLPASSWORD
from idpyoidc.server.user_info import UserInfo

from idpy_peer_settings import CLIENT_ID, CLIENT_SECRET

USER = "diana"
REDIRECT = "https://example.com/cb"

KEYDEFS = [{"type": "EC", "crv": "P-256", "use": ["sig"]}, {"type": "RSA", "key": "", "use": ["sig"]}]
OCT_KEYS = [{"type": "OCT", "use": ["enc"], "kid": "password"}, {"type": "OCT", "use": ["enc"], "kid": "salt"}]
CRYPT = {"kwargs": {"keys": {"key_defs": OCT_KEYS}, "iterations": 1}}


def _config(base: str) -> dict:
    return {
        "issuer": "https://peer.example.com/",
        "httpc_params": {"verify": False, "timeout": 1},
        "cookie_handler": {"class": CookieHandler, "kwargs": {"keys": {"key_defs": [
            {"type": "oct", "kid": "sig", "use": ["sig"]}, {"type": "oct", "kid": "enc", "use": ["enc"]}]}}},
        "keys": {"uri_path": "jwks.json", "key_defs": KEYDEFS, "private_path": os.path.join(base, "jwks.json")},
        "endpoint": {
            "authorization": {"path": "authorization", "class": "idpyoidc.server.oauth2.authorization.Authorization",
                              "kwargs": {}},
            "token": {"path": "token", "class": "idpyoidc.server.oidc.token.Token",
                      "kwargs": {"client_authn_method": ["client_secret_basic", "client_secret_post"]}},
        },
        "authentication": {"anon": {"acr": INTERNETPROTOCOLPASSWORD, "class": "idpyoidc.server.user_authn.user.NoAuthn",
                                    "kwargs": {"user": USER}}},
        "userinfo": {"class": UserInfo, "kwargs": {"db": {}}},
        "client_authn": verify_client,
        "template_dir": "template",
        "authz": {"class": AuthzHandling, "kwargs": {"grant_config": {
            "usage_rules": {
                "authorization_code": {"supports_minting": ["access_token", "refresh_token"], "max_usage": 1},
                "access_token": {"supports_minting": ["access_token"], "expires_in": 600},
            },
            "expires_in": 43200}}},
        "token_handler_args": {
            "jwks_def": {"private_path": os.path.join(base, "token_jwks.json"), "key_defs": [
                {"type": "oct", "bytes": 24, "use": ["enc"], "kid": "code"}], "read_only": False},
            "code": {"lifetime": 600, "kwargs": {"crypt_conf": CRYPT}},
            "token": {"class": "idpyoidc.server.token.jwt_token.JWTToken",
                      "kwargs": {"lifetime": 600, "aud": ["https://example.org/appl"]}},
        },
        "session_params": {"encrypter": CRYPT["kwargs"] | {}},
    }


def _build():
    base = tempfile.mkdtemp(prefix="idpy-peer-")
    server = Server(ASConfiguration(conf=_config(base), base_path=base), cwd=base)
    context = server.context
    context.map_supported_to_preferred()
    context.cdb[CLIENT_ID] = {
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [(REDIRECT, None)],
        "client_salt": "salted",
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types_supported": ["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"],
        "response_types": ["code"],
        "allowed_scopes": ["openid", "profile"],
    }
    endpoint = server.get_endpoint("token")
    manager = context.session_manager

    # One authorization-code flow, done in-process: session → grant → code → access token.
    authz = AuthorizationRequest(client_id=CLIENT_ID, redirect_uri=REDIRECT, scope=["openid"], state="S",
                                 response_type="code")
    session_id = manager.create_session(create_authn_event(USER), authz, USER, client_id=CLIENT_ID,
                                        sub_type="public")
    grant = context.authz(session_id, authz)
    code = grant.mint_token(
        session_id=manager.encrypted_session_id(USER, CLIENT_ID, grant.id), context=context,
        token_class="authorization_code", token_handler=manager.token_handler["authorization_code"],
        usage_rules=grant.usage_rules.get("authorization_code", {}))
    request = AccessTokenRequest(client_id=CLIENT_ID, redirect_uri=REDIRECT, state="S",
                                 grant_type="authorization_code", client_secret=CLIENT_SECRET, code=code.value)
    response = endpoint.process_request(request=endpoint.parse_request(request.to_dict()))
    token = response["response_args"]["access_token"]
    path = os.environ.get("IDPY_PEER_TOKEN_FILE")
    if path:
        with open(path, "w") as handle:
            handle.write(token)
    return endpoint, token


ENDPOINT, SUBJECT_TOKEN = _build()


def app(environ, start_response):
    """`POST /token` only; everything else is 404."""
    if environ.get("PATH_INFO") != "/token" or environ.get("REQUEST_METHOD") != "POST":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode()
    headers = {"authorization": environ.get("HTTP_AUTHORIZATION", "")}
    request = ENDPOINT.parse_request(body, http_info={"headers": headers})
    if "error" in request:
        result = request
    else:
        result = ENDPOINT.process_request(request=request)
    if "error" in result:
        payload = result.to_json() if hasattr(result, "to_json") else str(result)
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [payload.encode()]
    payload = ENDPOINT.do_response(**result)["response"]
    start_response("200 OK", [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
    return [payload.encode()]
