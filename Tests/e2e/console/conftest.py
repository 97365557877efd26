"""Fixtures for the console's browser tests (Tests/e2e/console).

One `patgate serve` per module, started from a foreign working directory (the console's
files must come from the resource bundle beside the binary, not from the cwd) with
`PATGATE_CACHE_TTL_SECONDS=1`, and one headless Chromium per module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from console_support import ApiClient, Screenshots, add_user, api_missing, first_start_admin, new_browser
from patgate_e2e import Patgate


def start_elsewhere(server: Patgate, cwd: Path, **kwargs) -> Patgate:
    """Starts `server` with `cwd` as the working directory of the process."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return server.start(**kwargs)
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def console_server(tmp_path_factory) -> Iterator[Patgate]:
    workdir = tmp_path_factory.mktemp("console")
    elsewhere = tmp_path_factory.mktemp("cwd")
    server = Patgate(workdir)
    try:
        yield start_elsewhere(server, elsewhere, env={"PATGATE_CACHE_TTL_SECONDS": "1"})
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api(console_server) -> Patgate:
    """The server, once it has the /api/v1 endpoints; skips the test while GET /api/v1/session answers 404."""
    if api_missing(console_server):
        pytest.skip("API missing: GET /api/v1/session answers 404")
    return console_server


@pytest.fixture(scope="module")
def admin_account(api) -> tuple[str, str]:
    """(username, password) of an administrator: the first start's one, else one made with the CLI."""
    account = first_start_admin(api)
    if account is None:
        account = add_user(api, "console-admin", admin=True)
    ApiClient(api, *account)  # fails here, clearly, if the credentials do not work
    return account


@pytest.fixture(scope="module")
def admin_api(api, admin_account) -> ApiClient:
    return ApiClient(api, *admin_account)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def fresh_browser(browser, console_server):
    """The module's browser with no cookies and an empty log, on about:blank."""
    browser.get(console_server.url("/console/"))
    browser.delete_all_cookies()
    browser.get("about:blank")
    browser.get_log("browser")
    return browser


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Screenshots:
    return Screenshots(tmp_path_factory.mktemp("screenshots"))
