"""RFC 8693 exchanges against a real server, verified by PyJWT and joserfc; RFC 6749 errors."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

import pytest

from patgate_e2e import (
    DEFAULT_AUDIENCE, GRANT_TOKEN_EXCHANGE, MAX_LIFETIME, TYPE_ACCESS_TOKEN, TYPE_JWT, TYPE_PAT,
    assert_oauth_error, http_session, verify_with_joserfc, verify_with_pyjwt, well_formed_unknown_pat,
)

ALL_SCOPES = ["openid", "profile", "email", "credentials"]


@pytest.fixture
def server(shared_patgate):
    return shared_patgate


@pytest.mark.parametrize("auth, client_id", [("basic", "ci"), ("post", "ci"), ("public", "cli")])
def test_exchange_verifies_with_pyjwt_and_joserfc(server, auth, client_id):
    pat = server.create_pat(user="alice")
    assert pat["scopes"] == ALL_SCOPES
    response = server.exchange(pat["token"], auth=auth)
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["issued_token_type"] == TYPE_ACCESS_TOKEN
    assert body["token_type"].lower() == "bearer"
    assert isinstance(body["expires_in"], int) and 0 < body["expires_in"] <= MAX_LIFETIME
    assert body["scope"].split() == ALL_SCOPES

    by_pyjwt = verify_with_pyjwt(body["access_token"], server)
    by_joserfc = verify_with_joserfc(body["access_token"], server)
    assert by_pyjwt == by_joserfc
    claims = by_pyjwt
    assert claims["iss"] == server.base_url
    assert claims["aud"] == DEFAULT_AUDIENCE
    assert claims["sub"] == "alice"
    assert claims["preferred_username"] == "alice"
    assert claims["client_id"] == client_id
    assert claims["scope"].split() == ALL_SCOPES
    assert claims["exp"] - claims["iat"] <= MAX_LIFETIME
    assert abs(claims["exp"] - claims["iat"] - body["expires_in"]) <= 1
    assert pat["token"] not in response.text


def test_each_exchange_gets_a_fresh_jti(server):
    pat = server.create_pat()["token"]
    first = verify_with_pyjwt(server.mint(pat)["access_token"], server)
    second = verify_with_pyjwt(server.mint(pat)["access_token"], server)
    assert first["jti"] != second["jti"]


def test_downscoping_shows_in_the_jwt(server):
    pat = server.create_pat(scopes=["openid", "profile"])
    assert pat["scopes"] == ["openid", "profile"]
    body = server.mint(pat["token"], scope="openid")
    assert body["scope"] == "openid"
    assert verify_with_pyjwt(body["access_token"], server)["scope"] == "openid"
    assert verify_with_joserfc(body["access_token"], server)["scope"] == "openid"
    # Without `scope`, the token carries what the PAT carries.
    assert verify_with_pyjwt(server.mint(pat["token"])["access_token"], server)["scope"].split() == ["openid", "profile"]


def test_explicit_audience_and_jwt_token_type(server):
    pat = server.create_pat()["token"]
    body = server.mint(pat, audience=DEFAULT_AUDIENCE, requested_token_type=TYPE_JWT)
    assert body["issued_token_type"] == TYPE_JWT
    assert verify_with_joserfc(body["access_token"], server)["aud"] == DEFAULT_AUDIENCE


def test_scope_beyond_the_pat_is_invalid_scope(server):
    pat = server.create_pat(scopes=["openid"])["token"]
    assert_oauth_error(server.exchange(pat, scope="openid email"), 400, "invalid_scope")
    assert_oauth_error(server.exchange(pat, scope="admin"), 400, "invalid_scope")


def test_malformed_scope_is_invalid_scope(server):
    pat = server.create_pat()["token"]
    assert_oauth_error(server.exchange(pat, scope='openid "quoted"'), 400, "invalid_scope")


@pytest.mark.parametrize("target", [
    {"audience": "someone-else"},
    {"resource": "https://api.example.com/"},   # well-formed, but not on ci's allow-list
    {"resource": "not-a-uri"},
    {"resource": "https://api.example.com/#fragment"},
])
def test_disallowed_or_malformed_target_is_invalid_target(server, target):
    pat = server.create_pat()["token"]
    assert_oauth_error(server.exchange(pat, **target), 400, "invalid_target")


@pytest.mark.parametrize("subject_token", [
    well_formed_unknown_pat(),
    "pgat_not-a-real-token",
    "x" * 40,
])
def test_unknown_pat_is_invalid_request(server, subject_token):
    body = assert_oauth_error(server.exchange(subject_token), 400, "invalid_request")
    assert subject_token not in str(body)


def test_unknown_access_token_is_invalid_request(server):
    token = well_formed_unknown_pat()
    assert_oauth_error(server.exchange(token, subject_token_type=TYPE_ACCESS_TOKEN), 400, "invalid_request")


@pytest.mark.parametrize("auth, kwargs", [
    ("basic", {"secret": "wrong-secret"}),
    ("basic", {"client_id": "nobody", "secret": "whatever"}),
    ("post", {"secret": "wrong-secret"}),
    ("public", {"client_id": "ci"}),        # a confidential client without its secret
    ("none", {}),                           # no client authentication at all
    ("basic", {"client_id": "cli", "secret": "x"}),  # a public client may not send a secret
])
def test_bad_client_authentication_is_invalid_client(server, auth, kwargs):
    pat = server.create_pat()["token"]
    response = server.exchange(pat, auth=auth, **kwargs)
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers.get("WWW-Authenticate", "").lower().startswith("basic"), response.headers


def test_malformed_basic_header_is_invalid_client(server):
    response = server.post("/token", data={"grant_type": GRANT_TOKEN_EXCHANGE},
                           headers={"Authorization": "Basic !!!not-base64"})
    assert_oauth_error(response, 401, "invalid_client")
    assert "WWW-Authenticate" in response.headers


def test_two_client_authentication_methods_are_refused(server):
    pat = server.create_pat()["token"]
    response = server.exchange(pat, auth="basic", extra=[("client_secret", server.ci_secret)])
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("parameter", ["subject_token", "grant_type", "scope", "subject_token_type", "client_id"])
def test_duplicate_parameter_is_invalid_request(server, parameter):
    pat = server.create_pat()["token"]
    form = [("grant_type", GRANT_TOKEN_EXCHANGE), ("subject_token", pat), ("subject_token_type", TYPE_PAT),
            ("scope", "openid"), ("client_id", "ci")]
    form.append(next(item for item in form if item[0] == parameter))
    response = server.post("/token", data=form, auth=("ci", server.ci_secret))
    body = assert_oauth_error(response, 400, "invalid_request")
    assert pat not in str(body)


def test_repeated_audience_is_allowed(server):
    pat = server.create_pat()["token"]
    body = server.mint(pat, audience=[DEFAULT_AUDIENCE, DEFAULT_AUDIENCE])
    assert verify_with_pyjwt(body["access_token"], server)["aud"] == DEFAULT_AUDIENCE


@pytest.mark.parametrize("content_type, data", [
    ("application/json", b'{"grant_type":"urn:ietf:params:oauth:grant-type:token-exchange"}'),
    ("text/plain", b"grant_type=urn:ietf:params:oauth:grant-type:token-exchange"),
    ("application/x-www-form-urlencoded; charset=iso-8859-1", b"grant_type=x"),
    (None, b"grant_type=x"),
])
def test_wrong_content_type_is_an_oauth_error(server, content_type, data):
    headers = {"Content-Type": content_type} if content_type else {}
    response = server.post("/token", data=data, headers=headers, auth=("ci", server.ci_secret))
    assert response.status_code in (400, 415), response.text
    assert_oauth_error(response, response.status_code, "invalid_request")


def test_oversized_body_is_an_oauth_error(server):
    pat = server.create_pat()["token"]
    form = {"grant_type": GRANT_TOKEN_EXCHANGE, "subject_token": pat, "subject_token_type": TYPE_PAT,
            "padding": "x" * (17 * 1024)}
    response = server.post("/token", data=form, auth=("ci", server.ci_secret))
    assert response.status_code in (400, 413), response.text
    body = assert_oauth_error(response, response.status_code, "invalid_request")
    assert pat not in str(body)
    # The server is still healthy, and the same exchange within the limit works.
    assert server.get("/healthz").status_code == 200
    server.mint(pat)


def test_body_just_under_the_limit_is_accepted(server):
    pat = server.create_pat()["token"]
    form = {"grant_type": GRANT_TOKEN_EXCHANGE, "subject_token": pat, "subject_token_type": TYPE_PAT,
            "padding": "x" * (15 * 1024)}
    response = server.post("/token", data=form, auth=("ci", server.ci_secret))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("form, error", [
    ([("grant_type", "client_credentials")], "unsupported_grant_type"),
    ([("grant_type", GRANT_TOKEN_EXCHANGE), ("subject_token_type", TYPE_PAT)], "invalid_request"),
    ([("grant_type", GRANT_TOKEN_EXCHANGE), ("subject_token", "{pat}")], "invalid_request"),
    ([("grant_type", GRANT_TOKEN_EXCHANGE), ("subject_token", "{pat}"),
      ("subject_token_type", "urn:ietf:params:oauth:token-type:saml2")], "invalid_request"),
    ([("grant_type", GRANT_TOKEN_EXCHANGE), ("subject_token", "{pat}"), ("subject_token_type", TYPE_PAT),
      ("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token")], "invalid_request"),
    ([("grant_type", GRANT_TOKEN_EXCHANGE), ("subject_token", "{pat}"), ("subject_token_type", TYPE_PAT),
      ("actor_token", "{pat}"), ("actor_token_type", TYPE_PAT)], "invalid_request"),
    ([], "invalid_request"),
])
def test_malformed_exchange_requests(server, form, error):
    pat = server.create_pat()["token"]
    form = [(name, value.replace("{pat}", pat)) for name, value in form]
    response = server.post("/token", data=form, auth=("ci", server.ci_secret),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    body = assert_oauth_error(response, 400, error)
    assert pat not in str(body)


def test_invalid_percent_escape_is_invalid_request(server):
    response = server.post("/token", data=b"grant_type=%zz&subject_token=%",
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           auth=("ci", server.ci_secret))
    assert_oauth_error(response, 400, "invalid_request")


def test_get_on_token_endpoint_is_method_not_allowed(server):
    response = server.get("/token")
    assert_oauth_error(response, 405, "invalid_request")
    assert "POST" in response.headers.get("Allow", "")


def test_client_secret_basic_is_form_urlencoded(server):
    """RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding."""
    pat = server.create_pat()["token"]
    secret = server.ci_secret
    encoded = "".join(c if c.isalnum() or c in "-._*" else f"%{ord(c):02X}" for c in secret)
    header = "Basic " + base64.b64encode(f"ci:{encoded}".encode()).decode()
    form = {"grant_type": GRANT_TOKEN_EXCHANGE, "subject_token": pat, "subject_token_type": TYPE_PAT}
    response = server.post("/token", data=form, headers={"Authorization": header})
    assert response.status_code == 200, response.text


def test_concurrent_exchanges_of_one_pat_all_succeed(server):
    """Single-flight on a cold cache, then cache hits: 120 exchanges from 24 threads."""
    pat = server.create_pat()["token"]

    def one(_):
        session = http_session()
        response = session.post(server.url("/token"), auth=("ci", server.ci_secret), timeout=30, data={
            "grant_type": GRANT_TOKEN_EXCHANGE, "subject_token": pat, "subject_token_type": TYPE_PAT})
        return response.status_code, response.json().get("access_token")

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(one, range(120)))
    assert [status for status, _ in results] == [200] * 120
    tokens = [token for _, token in results]
    assert len(set(tokens)) == 120  # every token has its own jti
    assert verify_with_pyjwt(tokens[-1], server)["sub"] == "alice"


RAW_FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("body, headers, use_auth", [
    (b"grant_type=%FF%FE&subject_token=x", {"Content-Type": RAW_FORM}, True),          # invalid UTF-8
    (b"grant_type=%", {"Content-Type": RAW_FORM}, True),                                  # truncated escape
    (b"=&&=x&grant_type", {"Content-Type": RAW_FORM}, True),                              # empty names
    (b"grant_type=x", {"Content-Type": RAW_FORM, "Authorization": "Basic "}, False),
    (b"grant_type=x", {"Content-Type": RAW_FORM, "Authorization": "Basic Og=="}, False),  # ":" only
    (b"grant_type=x", {"Content-Type": RAW_FORM, "Authorization": "Basic /w=="}, False),  # not UTF-8
    (b"grant_type=x", {"Content-Type": RAW_FORM, "Authorization": "Bearer abc"}, False),
    (b"grant_type=x", {"Content-Type": RAW_FORM,
                       "Authorization": "Basic " + base64.b64encode(b"ci:%zz").decode()}, False),
    (b"grant_type=" + GRANT_TOKEN_EXCHANGE.encode() + b"&subject_token=%00&subject_token_type=" + TYPE_PAT.encode(),
     {"Content-Type": RAW_FORM}, True),
    (b"grant_type=" + GRANT_TOKEN_EXCHANGE.encode() + b"&subject_token=" + b"a" * 15000 + b"&subject_token_type="
     + TYPE_PAT.encode(), {"Content-Type": RAW_FORM}, True),
    (b"grant_type=" + GRANT_TOKEN_EXCHANGE.encode() + b"&subject_token=x&subject_token_type=" + TYPE_PAT.encode()
     + b"&scope=%C3%A9", {"Content-Type": RAW_FORM}, True),
    (b"grant_type=" + GRANT_TOKEN_EXCHANGE.encode() + b"&subject_token=x&subject_token_type=" + TYPE_PAT.encode()
     + b"&resource=%3A", {"Content-Type": RAW_FORM}, True),
], ids=["bad-utf8", "truncated-escape", "empty-names", "basic-empty", "basic-colon-only", "basic-not-utf8",
        "bearer-scheme", "basic-bad-escape", "nul-token", "long-token", "non-ascii-scope", "bare-colon-resource"])
def test_odd_requests_get_rfc6749_errors_never_500(server, body, headers, use_auth):
    auth = ("ci", server.ci_secret) if use_auth else None
    response = server.post("/token", data=body, headers=headers, auth=auth)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body_json = response.json()
    assert set(body_json) <= {"error", "error_description", "error_uri"}
    assert "no-store" in response.headers["Cache-Control"]
    assert server.get("/healthz").status_code == 200
