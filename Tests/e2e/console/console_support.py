"""Helpers for the console's browser tests: headless Chromium through Selenium, sign-in over
the API, screenshots, and reading the browser's console log.

Chromium and its driver are Debian's (`chromium`, `chromium-driver`); nothing is downloaded
at run time (Selenium Manager is bypassed by naming both binaries).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from patgate_e2e import REPO, Patgate, http_session

CHROMIUM = os.environ.get("PATGATE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("PATGATE_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT = 10

#: The policy the contract asks for on every console page, verbatim.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

VALUE_WARNING = "Copy the token value and store it securely: it won't be readable anymore!"


def csp_directives(header: str) -> dict[str, str]:
    """`{"default-src": "'self'", …}` from a Content-Security-Policy value."""
    directives = {}
    for part in header.split(";"):
        words = part.strip().split(None, 1)
        if words:
            directives[words[0].lower()] = words[1].strip() if len(words) > 1 else ""
    return directives


def new_browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--no-proxy-server", "--disable-extensions", "--lang=en-US", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


def severe_entries(driver, allowed: list[str] = ()) -> list[dict]:
    """The browser log's SEVERE entries since the last call, less those matching an `allowed` regex."""
    return [entry for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and not any(re.search(p, entry["message"]) for p in allowed)]


#: The page's first request, GET /api/v1/session, answers 401 when nobody is signed in (the
#: contract's way to say "show the login form"); Chromium logs any 4xx fetch as SEVERE.
SESSION_PROBE_401 = r"/api/v1/session - Failed to load resource: the server responded with a status of 401"


def wait_for(driver, condition, timeout: float = WAIT):
    return WebDriverWait(driver, timeout).until(condition)


def visible(driver, css: str, timeout: float = WAIT):
    return wait_for(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)


def active_id(driver) -> str:
    return driver.execute_script("return document.activeElement && document.activeElement.id")


class Screenshots:
    """Saves PNGs under $PATGATE_SCREENSHOT_DIR (docs/screenshots to refresh the README's)
    or, by default, under the test's temporary folder."""

    def __init__(self, default_dir: Path):
        configured = os.environ.get("PATGATE_SCREENSHOT_DIR")
        self.directory = (REPO / configured if configured and not os.path.isabs(configured)
                          else Path(configured) if configured else default_dir)
        self.directory.mkdir(parents=True, exist_ok=True)

    def save(self, driver, name: str) -> Path:
        """The whole page (the window grows to the document's height, up to 1600 px, then shrinks back)."""
        path = self.directory / f"{name}.png"
        size = driver.get_window_size()
        height = driver.execute_script("return document.documentElement.scrollHeight")
        chrome = size["height"] - driver.execute_script("return window.innerHeight")
        driver.set_window_size(size["width"], max(size["height"], min(1600, height + chrome)))
        try:
            assert driver.save_screenshot(str(path)), path
        finally:
            driver.set_window_size(size["width"], size["height"])
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return path


# -- the API -------------------------------------------------------------------------------

def api_missing(server: Patgate) -> bool:
    """True while the session API is not there (GET /api/v1/session answers 404)."""
    return server.get("/api/v1/session").status_code == 404


class ApiClient:
    """A signed-in API session as the console has it: the cookie plus the CSRF token."""

    def __init__(self, server: Patgate, username: str, password: str):
        self.server = server
        self.http = http_session()
        response = self.http.post(server.url("/api/v1/session"), json={"username": username, "password": password},
                                  timeout=15)
        assert response.status_code == 200, f"sign-in as {username}: {response.status_code} {response.text}"
        self.user = response.json()["user"]
        self.csrf = response.json()["csrf_token"]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["X-CSRF-Token"] = self.csrf
        return self.http.request(method, self.server.url(path), headers=headers, timeout=15, **kwargs)


ONE_TIME_PASSWORD = re.compile(r"(?i)password[^:\n]*:\s*(\S+)")
FIRST_ADMIN = re.compile(r"(?i)administrator account '([^']+)'")


def first_start_admin(server: Patgate) -> tuple[str, str] | None:
    """The administrator the first start created and its one-time password, from stdout:
    "created the administrator account 'admin' … one-time password: …"."""
    text = server.stdout_text()
    account = FIRST_ADMIN.search(text)
    password = ONE_TIME_PASSWORD.search(text, account.end()) if account else None
    return (account.group(1), password.group(1)) if account and password else None


def add_user(server: Patgate, username: str, admin: bool = False) -> tuple[str, str]:
    """`patgate user add NAME [--admin] --generate`; returns (username, the printed password)."""
    args = ["user", "add", username, "--generate"] + (["--admin"] if admin else [])
    result = server.cli(*args)
    password = ONE_TIME_PASSWORD.search(result.stdout)
    assert password, f"no password in `patgate user add` output: {result.stdout!r}"
    return username, password.group(1)
