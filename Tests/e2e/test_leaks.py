"""Leaked-token reports (README, "Leaked tokens"): the test acts as GitHub's and GitLab's secret
scanners, with P-256 keys it makes itself and gives patgate as the partners' public keys. A
signed report of a live PAT revokes it at once, audits `pat.leaked` with the URL, and is answered
as each partner's contract says; a report that is not properly signed changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from patgate_e2e import REPO, Patgate, poll, well_formed_unknown_pat

GITHUB_KEY_ID = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a"
GITHUB_OLD_KEY_ID = "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c"
GITLAB_KEY_ID = "gitlab-2026"


class Scanner:
    """A partner: its key pair, its headers, and the reports it sends."""

    def __init__(self, partner: str, key_id: str):
        self.partner = partner
        self.key_id = key_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.header_prefix = "Github" if partner == "github" else "Gitlab"

    @property
    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, ec.ECDSA(hashes.SHA256()))).decode()

    def headers(self, body: bytes, key_id: str | None = None, signature: str | None = None) -> dict[str, str]:
        return {"Content-Type": "application/json",
                f"{self.header_prefix}-Public-Key-Identifier": key_id or self.key_id,
                f"{self.header_prefix}-Public-Key-Signature": signature or self.sign(body)}

    def body(self, tokens: list[str], url: str = "https://example.com/o/r/blob/abc/config.env") -> bytes:
        if self.partner == "github":
            reports = [{"token": t, "type": "patgate_pat", "url": url, "source": "content"} for t in tokens]
        else:
            reports = [{"type": "patgate_pat", "token": t, "url": url} for t in tokens]
        return json.dumps(reports).encode()

    def report(self, server: Patgate, tokens: list[str], **kwargs):
        body = self.body(tokens, **kwargs)
        return server.post(f"/leaks/{self.partner}", data=body, headers=self.headers(body))


GITHUB = Scanner("github", GITHUB_KEY_ID)
GITHUB_OLD = Scanner("github", GITHUB_OLD_KEY_ID)
GITLAB = Scanner("gitlab", GITLAB_KEY_ID)
STRANGER = Scanner("github", GITHUB_KEY_ID)   # the same key id, another key


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Patgate:
    """One server with GitHub's keys as GitHub publishes them (a JSON document, an old key too)
    and GitLab's configured one by one, by identifier."""
    server = Patgate(tmp_path_factory.mktemp("leaks")).bootstrap()
    secrets = server.data_dir / "secrets"
    (secrets / "github-keys.json").write_text(json.dumps({"public_keys": [
        {"key_identifier": GITHUB_OLD_KEY_ID, "key": GITHUB_OLD.public_pem, "is_current": False},
        {"key_identifier": GITHUB_KEY_ID, "key": GITHUB.public_pem, "is_current": True},
    ]}))
    (secrets / "gitlab-2026.pem").write_text(GITLAB.public_pem)
    with open(server.config_path, "a") as config:
        config.write(f"""
leaks:
  github:
    public_keys_file: secrets/github-keys.json
  gitlab:
    key_ids: [{GITLAB_KEY_ID}]
    keys:
      {GITLAB_KEY_ID}:
        public_key_file: secrets/gitlab-2026.pem
""")
    try:
        yield server.start(env={"PATGATE_USERS_BCRYPT_COST": "4", "PATGATE_CACHE_TTL_SECONDS": "600"})
    finally:
        server.stop()


def live_pat(server: Patgate, user: str = "alice") -> dict:
    """A PAT that works, with its active answer in the cache (only revocation can end it early)."""
    created = server.create_pat(user=user)
    assert server.exchange(created["token"]).status_code == 200
    return created


def leak_lines(server: Patgate, pat_id: str, count: int = 1) -> list[dict]:
    """The `pat.leaked` audit lines of one PAT, once `count` of them are written (the audit log is
    written in the background); with `count=0`, after a moment for any line to arrive."""
    path = server.data_dir / "audit.jsonl"

    def read() -> list[dict]:
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
        return [line for line in lines if line["event"] == "pat.leaked" and line["target"] == pat_id]

    if count == 0:
        time.sleep(0.5)
        return read()
    return poll(lambda: found if len(found := read()) >= count else None, timeout=5) or read()


def assert_refused(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json()["error"] == error


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_github_report_revokes_a_live_pat_and_answers_per_token(server):
    pat = live_pat(server)
    unknown = well_formed_unknown_pat()
    url = "https://github.com/octo/app/blob/5e1f/deploy/.env"
    response = GITHUB.report(server, [pat["token"], unknown, "pgat_not-a-token"], url=url)

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == [
        {"token_hash": sha256(pat["token"]), "token_type": "patgate_pat", "label": "true_positive"},
        {"token_hash": sha256(unknown), "token_type": "patgate_pat", "label": "false_positive"},
        {"token_hash": sha256("pgat_not-a-token"), "token_type": "patgate_pat", "label": "false_positive"},
    ]
    # Revoked before the answer: this server's cache forgot it, although its TTL is ten minutes.
    refused = server.exchange(pat["token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    assert next(p for p in server.list_pats() if p["id"] == pat["id"])["revoked_at"] is not None

    [line] = leak_lines(server, pat["id"])
    assert line["actor"] == "secret-scanning:github"
    assert line["address"] == "127.0.0.1"
    assert line["detail"] == f"partner=github owner=alice type=patgate_pat url={url} source=content"

    # The same report again: the same answer, nothing revoked twice, no second line.
    again = GITHUB.report(server, [pat["token"], unknown, "pgat_not-a-token"], url=url)
    assert again.status_code == 200 and again.json() == response.json()
    assert len(leak_lines(server, pat["id"], count=0)) == 1


def test_gitlab_report_revokes_and_acknowledges_with_204(server):
    pat, bystander = live_pat(server, "gina"), live_pat(server, "gina")
    url = "https://gitlab.example.com/g/p/-/raw/9f2c/ci.yml"
    response = GITLAB.report(server, [pat["token"]], url=url)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert server.exchange(pat["token"]).status_code == 400
    assert server.exchange(bystander["token"]).status_code == 200
    [line] = leak_lines(server, pat["id"])
    assert line["actor"] == "secret-scanning:gitlab"
    assert line["detail"] == f"partner=gitlab owner=gina type=patgate_pat url={url}"

    assert GITLAB.report(server, [pat["token"]], url=url).status_code == 204
    assert len(leak_lines(server, pat["id"], count=0)) == 1


def test_a_key_that_is_not_current_still_verifies(server):
    pat = live_pat(server)
    response = GITHUB_OLD.report(server, [pat["token"]])
    assert response.status_code == 200 and response.json()[0]["label"] == "true_positive"
    assert server.exchange(pat["token"]).status_code == 400


def test_reports_that_are_not_properly_signed_revoke_nothing(server):
    pat = live_pat(server)
    body = GITHUB.body([pat["token"]])
    other = GITHUB.body([pat["token"]], url="https://example.com/elsewhere")
    refusals = {
        "another key's signature": STRANGER.headers(body),
        "an unknown key id": GITHUB.headers(body, key_id="0" * 64),
        "a signature of another body": GITHUB.headers(body, signature=GITHUB.sign(other)),
        "a signature that is not base64": GITHUB.headers(body, signature="%%%"),
        "GitLab's key on GitHub's endpoint": GITLAB.headers(body) | {
            "Github-Public-Key-Identifier": GITLAB_KEY_ID, "Github-Public-Key-Signature": GITLAB.sign(body)},
        "no headers": {"Content-Type": "application/json"},
    }
    for case, headers in refusals.items():
        response = server.post("/leaks/github", data=body, headers=headers)
        assert_refused(response, 401, "invalid_signature")
        assert response.headers["WWW-Authenticate"].startswith("Github-Public-Key-Signature"), case
    # A tampered body: signed, then changed on the way.
    tampered = body.replace(b"blob", b"blub")
    assert_refused(server.post("/leaks/github", data=tampered, headers=GITHUB.headers(body)), 401, "invalid_signature")
    # GitHub's key on GitLab's endpoint.
    assert_refused(server.post("/leaks/gitlab", data=body, headers={
        "Gitlab-Public-Key-Identifier": GITHUB_KEY_ID, "Gitlab-Public-Key-Signature": GITHUB.sign(body)}),
        401, "invalid_signature")

    assert server.exchange(pat["token"]).status_code == 200
    assert leak_lines(server, pat["id"], count=0) == []


def test_signed_bodies_that_are_not_reports_are_refused(server):
    pat = live_pat(server)
    for body in [b"", b"{}", b"[1]", b'[{"type":"patgate_pat"}]', b'[{"token":"' + pat["token"].encode() + b'"',
                 json.dumps([{"token": pat["token"]}] * 1001).encode()]:
        assert_refused(server.post("/leaks/github", data=body, headers=GITHUB.headers(body)), 400, "invalid_request")
    big = json.dumps([{"token": pat["token"], "url": "x" * 1100}] * 1000).encode()
    assert_refused(server.post("/leaks/gitlab", data=big, headers=GITLAB.headers(big)), 413, "request_too_large")
    assert server.exchange(pat["token"]).status_code == 200


def test_already_revoked_and_expired_pats_are_ours_but_not_audited_again(server):
    revoked = live_pat(server)
    server.revoke(revoked["id"])
    expiring = server.create_pat(expires_in=1)
    poll(lambda: server.exchange(expiring["token"]).status_code == 400, timeout=5)
    response = GITHUB.report(server, [revoked["token"], expiring["token"]])
    assert [entry["label"] for entry in response.json()] == ["true_positive", "true_positive"]
    assert leak_lines(server, revoked["id"], count=0) == []
    assert leak_lines(server, expiring["id"], count=0) == []


def test_no_reported_value_reaches_the_log_or_the_audit_log(server):
    pat = live_pat(server)
    unknown = well_formed_unknown_pat()
    url = f"https://github.com/o/r/blob/1/README.md?t={pat['token']}"
    assert GITHUB.report(server, [pat["token"], unknown], url=url).status_code == 200
    [line] = leak_lines(server, pat["id"])
    assert line["detail"].endswith("README.md?t=[token] source=content")
    texts = [server.stderr_text(), server.stdout_text(), (server.data_dir / "audit.jsonl").read_text()]
    for token in server.created_pats + [unknown]:
        assert all(token not in text for text in texts)


def test_without_keys_there_is_no_endpoint(shared_patgate):
    body = GITHUB.body([well_formed_unknown_pat()])
    for partner in ("github", "gitlab"):
        assert shared_patgate.post(f"/leaks/{partner}", data=body, headers=GITHUB.headers(body)).status_code == 404


def readme_snippet() -> dict:
    """Runs the README's Python snippet (the one a scanner would copy) and returns its names."""
    readme = (REPO / "README.md").read_text()
    [code] = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def is_patgate_token" in block]
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)
    return names


def test_the_readme_pattern_and_checksum_match_real_pats(shared_patgate):
    snippet = readme_snippet()
    pattern, valid = snippet["PAT_PATTERN"], snippet["is_patgate_token"]
    pats = [shared_patgate.create_pat(user="rita")["token"] for _ in range(20)]
    text = "config:\n" + "\n".join(f'  token{i}: "{pat}",' for i, pat in enumerate(pats))
    assert [m.group(0) for m in pattern.finditer(text) if valid(m.group(0))] == pats
    for pat in pats:
        assert valid(pat)
        # One character changed anywhere after the prefix: the checksum no longer holds.
        for index in (5, 20, 31, 37):
            swapped = "B" if pat[index] == "A" else "A"
            assert not valid(pat[:index] + swapped + pat[index + 1:])
    assert not valid("ghp_" + pats[0][5:]) and not valid(pats[0] + "x") and not valid(pats[0][:-1])
    assert valid(well_formed_unknown_pat())
