"""`/introspect` for the JWTs patgate minted (RFC 7662), and its JWT form (RFC 9701), read by
PyJWT as a resource server would: a JWT is active only while its PAT is, so a resource server
that needs instant revocation introspects instead of trusting `exp` (docs/ARCHITECTURE.md,
invariant 7)."""

from __future__ import annotations

import time

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import ec

from patgate_e2e import Patgate, verify_with_pyjwt

INTROSPECTION_JWT = "application/token-introspection+jwt"


def introspect(server: Patgate, token: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    return server.post("/introspect", data={"token": token}, auth=("patgate-gateway", server.gateway_secret),
                       headers=headers)


def exchanged(server: Patgate, scopes=("openid",)) -> tuple[dict, str]:
    created = server.create_pat(scopes=scopes, expires_in=3600)
    token = server.mint(created["token"], scope=" ".join(scopes))["access_token"]
    return created, token


def test_a_minted_jwt_is_active_until_patgate_pat_revoke(patgate_factory):
    server = patgate_factory().start()
    created, token = exchanged(server)
    claims = verify_with_pyjwt(token, server)

    response = introspect(server, token)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    answer = response.json()
    assert answer["active"] is True
    for name in ("sub", "scope", "client_id", "iss", "aud", "exp", "iat", "nbf", "jti"):
        assert answer[name] == claims[name], name
    assert answer["pat_id"] == created["id"] and answer["token_type"] == "Bearer"

    server.revoke(created["id"])   # another process; /introspect reads the store, no cache in between
    assert introspect(server, token).text == '{"active":false}'
    # The JWT itself still verifies: only introspection can tell.
    assert verify_with_pyjwt(token, server)["jti"] == claims["jti"]


def test_expired_and_foreign_jwts_are_inactive(patgate_factory):
    server = patgate_factory().start(env={"PATGATE_POLICY_MAX_TOKEN_LIFETIME_SECONDS": "3"})
    created, token = exchanged(server)
    claims = pyjwt.decode(token, options={"verify_signature": False})
    # The same claims and kid, signed by a key patgate never had.
    foreign_key = ec.generate_private_key(ec.SECP256R1())
    forged = pyjwt.encode({**claims, "exp": int(time.time()) + 300}, foreign_key, algorithm="ES256",
                          headers={"typ": "at+jwt", "kid": pyjwt.get_unverified_header(token)["kid"]})
    assert introspect(server, forged).json() == {"active": False}
    assert introspect(server, token).json()["active"] is True
    time.sleep(max(0.0, claims["exp"] - time.time()) + 1.1)
    assert introspect(server, token).json() == {"active": False}


def test_the_rfc_9701_answer_verifies_against_the_jwks(patgate_factory):
    server = patgate_factory().start()
    created, token = exchanged(server)
    metadata = server.get("/.well-known/oauth-authorization-server").json()
    assert metadata["introspection_signing_alg_values_supported"] == ["ES256"]

    response = introspect(server, token, accept=INTROSPECTION_JWT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == INTROSPECTION_JWT
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.text
    header = pyjwt.get_unverified_header(answer)
    assert header["typ"] == "token-introspection+jwt" and header["alg"] == "ES256"
    key = pyjwt.PyJWKClient(server.url("/.well-known/jwks.json"), cache_keys=False).get_signing_key_from_jwt(answer)
    claims = pyjwt.decode(answer, key.key, algorithms=["ES256"], audience="patgate-gateway", issuer=server.issuer_url,
                          options={"require": ["iss", "aud", "iat"]})
    assert abs(claims["iat"] - time.time()) < 60
    assert "sub" not in claims and "exp" not in claims   # RFC 9701 §5: not usable as an access token
    inner = claims["token_introspection"]
    assert inner["active"] is True and inner["pat_id"] == created["id"] and inner["sub"] == "alice"

    # Another client is another audience: the answer is for whoever asked.
    try:
        pyjwt.decode(answer, key.key, algorithms=["ES256"], audience="some-other-service", issuer=server.issuer_url)
        raise AssertionError("accepted for another audience")
    except pyjwt.InvalidAudienceError:
        pass

    server.revoke(created["id"])
    revoked = pyjwt.decode(introspect(server, token, accept=INTROSPECTION_JWT).text, key.key, algorithms=["ES256"],
                           audience="patgate-gateway", issuer=server.issuer_url)
    assert revoked["token_introspection"] == {"active": False}
