"""google-auth's RFC 8693 client (`google.oauth2.sts.Client`) against patgate."""

from __future__ import annotations

import google.auth.exceptions
import google.auth.transport.requests
import pytest
from google.oauth2 import sts, utils

from patgate_e2e import (
    DEFAULT_AUDIENCE, GRANT_TOKEN_EXCHANGE, MAX_LIFETIME, TYPE_ACCESS_TOKEN, TYPE_JWT, TYPE_PAT,
    http_session, verify_with_joserfc, verify_with_pyjwt,
)


def google_request() -> google.auth.transport.requests.Request:
    return google.auth.transport.requests.Request(session=http_session())


def sts_client(server, auth_type=utils.ClientAuthType.basic, client_id="ci", secret=None):
    secret = server.ci_secret if secret is None else secret
    authentication = utils.ClientAuthentication(auth_type, client_id, secret)
    return sts.Client(server.url("/token"), client_authentication=authentication)


@pytest.mark.parametrize("auth_type", [utils.ClientAuthType.basic, utils.ClientAuthType.request_body])
@pytest.mark.parametrize("requested_token_type", [TYPE_ACCESS_TOKEN, TYPE_JWT])
def test_google_sts_client_exchanges_a_pat(shared_patgate, auth_type, requested_token_type):
    server = shared_patgate
    pat = server.create_pat(user="carol", scopes=["openid", "email"])["token"]
    response = sts_client(server, auth_type).exchange_token(
        request=google_request(),
        grant_type=GRANT_TOKEN_EXCHANGE,
        subject_token=pat,
        subject_token_type=TYPE_PAT,
        audience=DEFAULT_AUDIENCE,
        scopes=["openid"],
        requested_token_type=requested_token_type,
    )
    assert response["issued_token_type"] == requested_token_type
    assert response["token_type"].lower() == "bearer"
    assert 0 < response["expires_in"] <= MAX_LIFETIME
    assert response["scope"] == "openid"
    claims = verify_with_pyjwt(response["access_token"], server)
    assert claims == verify_with_joserfc(response["access_token"], server)
    assert claims["sub"] == "carol"
    assert claims["scope"] == "openid"
    assert claims["client_id"] == "ci"


def test_google_sts_client_public_client(shared_patgate):
    server = shared_patgate
    pat = server.create_pat(user="carol")["token"]
    # A public client: google-auth sends only client_id in the body when the secret is None.
    authentication = utils.ClientAuthentication(utils.ClientAuthType.request_body, "cli", None)
    client = sts.Client(server.url("/token"), client_authentication=authentication)
    response = client.exchange_token(request=google_request(), grant_type=GRANT_TOKEN_EXCHANGE,
                                     subject_token=pat, subject_token_type=TYPE_PAT, scopes=["profile"])
    assert verify_with_pyjwt(response["access_token"], server)["client_id"] == "cli"


@pytest.mark.parametrize("case, error", [
    ("unknown-pat", "invalid_request"),
    ("scope-beyond-pat", "invalid_scope"),
    ("bad-audience", "invalid_target"),
    ("wrong-secret", "invalid_client"),
])
def test_google_sts_client_raises_oauth_error_with_our_code(shared_patgate, case, error):
    server = shared_patgate
    pat = server.create_pat(user="carol", scopes=["openid"])["token"]
    kwargs = dict(request=google_request(), grant_type=GRANT_TOKEN_EXCHANGE, subject_token=pat,
                  subject_token_type=TYPE_PAT, audience=DEFAULT_AUDIENCE, scopes=["openid"],
                  requested_token_type=TYPE_ACCESS_TOKEN)
    client = sts_client(server)
    if case == "unknown-pat":
        kwargs["subject_token"] = "pgat_" + "A" * 33
    elif case == "scope-beyond-pat":
        kwargs["scopes"] = ["openid", "credentials"]
    elif case == "bad-audience":
        kwargs["audience"] = "https://elsewhere.example"
    else:
        client = sts_client(server, secret="not-the-secret")
    with pytest.raises(google.auth.exceptions.OAuthError) as raised:
        client.exchange_token(**kwargs)
    message = str(raised.value)
    assert f"Error code {error}" in message
    assert pat not in message
