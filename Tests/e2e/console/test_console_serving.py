"""The console's files as patgate serves them: routes, content types, security headers, and
static checks that the pages can live under the strict CSP (no inline code or styles)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from console_support import CONSOLE_CSP, csp_directives
from patgate_e2e import REPO

CONSOLE_DIR = REPO / "Sources" / "PatgateServer" / "Console"
PAGES = ["/console/", "/console/admin"]
ASSETS = sorted(p.relative_to(CONSOLE_DIR).as_posix() for p in (CONSOLE_DIR / "assets").iterdir())
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def assert_security_headers(response, html: bool) -> None:
    headers = response.headers
    assert csp_directives(headers.get("Content-Security-Policy", "")) == csp_directives(CONSOLE_CSP), headers
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"
    if html:
        assert "no-store" in headers.get("Cache-Control", "")


def test_console_redirects_to_the_trailing_slash(console_server):
    response = console_server.get("/console", allow_redirects=False)
    assert response.status_code in (301, 308), response.status_code
    assert response.headers["Location"] == "/console/"
    assert_security_headers(response, html=True)
    followed = console_server.get("/console")
    assert followed.url.endswith("/console/") and followed.status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_html_with_the_security_headers(console_server, path):
    response = console_server.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == "text/html"
    assert "charset=utf-8" in response.headers["Content-Type"].lower()
    assert_security_headers(response, html=True)
    assert "<!doctype html>" in response.text.lower()


@pytest.mark.parametrize("asset", ASSETS)
def test_assets_are_served_from_the_bundle_with_their_content_type(console_server, asset):
    response = console_server.get(f"/console/{asset}")
    assert response.status_code == 200, asset
    expected = CONTENT_TYPES[Path(asset).suffix]
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert_security_headers(response, html=False)
    # The bytes are the repository's file: the bundle is the one built from this tree.
    assert response.content == (CONSOLE_DIR / asset).read_bytes()


@pytest.mark.parametrize("path", ["/console/assets/nope.js", "/console/assets/..%2Findex.html",
                                  "/console/assets/%2e%2e%2f%2e%2e%2fpatgate.yaml", "/console/nope"])
def test_unknown_paths_are_404_without_a_file_read(console_server, path):
    response = console_server.get(path, allow_redirects=False)
    assert response.status_code == 404, (path, response.status_code)
    assert "issuer" not in response.text and "<html" not in response.text.lower()


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, <style>, style= and on*= attributes."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            if not names.get("src"):
                self.problems.append("inline <script>")
            else:
                self.scripts.append(names["src"])
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src") and value and re.match(r"(?i)\s*(javascript:|https?://|//)", value):
                self.problems.append(f"<{tag} {name}={value}> (external or javascript: URL)")


@pytest.mark.parametrize("page", ["index.html", "admin.html"])
def test_pages_have_nothing_inline_for_the_csp_to_block(page):
    finder = InlineFinder()
    finder.feed((CONSOLE_DIR / page).read_text())
    assert finder.problems == []
    assert finder.scripts and all(src.startswith("/console/assets/") for src in finder.scripts)


@pytest.mark.parametrize("script", [a for a in ASSETS if a.endswith(".js")])
def test_scripts_never_eval_build_markup_or_store_secrets(script):
    source = (CONSOLE_DIR / script).read_text()
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)  # comments may name what the code avoids
    source = re.sub(r"(^|\s)//.*$", "", source, flags=re.M)
    for forbidden in (r"\beval\s*\(", r"new\s+Function\b", r"\binnerHTML\b", r"\bouterHTML\b",
                      r"insertAdjacentHTML", r"document\.write", r"\blocalStorage\b", r"\bsessionStorage\b",
                      r"document\.cookie", r"\.style\.", r"setAttribute\(\s*['\"]style", r"history\.(push|replace)State",
                      r"https?://"):
        assert not re.search(forbidden, source), f"{script} uses {forbidden}"
