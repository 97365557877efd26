"""The console's whole flow against the real /api/v1 (issue 3, section 5): sign in, create a
PAT, read its value once, see it listed, exchange it at /token, revoke it in the console and
see the exchange fail; rotation, expiry marks, the admin page and the policy's expiry choices.

Every test here needs the API: the `api` fixture skips them while GET /api/v1/session
answers 404 (the API branch not merged yet), and only then.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from selenium.webdriver import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import start_elsewhere
from console_support import (SESSION_PROBE_401, VALUE_WARNING, ApiClient, active_id, add_user, api_missing,
                             first_start_admin, severe_entries, visible, wait_for)
from patgate_e2e import Patgate, assert_oauth_error, poll

PAT_PATTERN = re.compile(r"[a-z0-9]{1,16}_[0-9A-Za-z]{33}")


# -- helpers -----------------------------------------------------------------------------------

def sign_in(driver, server, username, password):
    driver.get(server.url("/console/"))
    visible(driver, "#login-view")
    # The signed-out page's only error entry is its session probe's 401; this also drains the log.
    assert severe_entries(driver, [SESSION_PROBE_401]) == []
    driver.find_element(By.ID, "login-username").send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(password + Keys.ENTER)
    visible(driver, "#tokens-view")
    table_loaded(driver)


def press(driver, key):
    """Types `key` into whatever has the focus, as a person would (no element targeted)."""
    ActionChains(driver).send_keys(key).perform()


def table_loaded(driver, table="tokens-table"):
    """Waits until the table has been filled: not busy, and rows or the empty message shown
    (a freshly loaded page is not busy either, before its script has asked for anything)."""
    body, empty = {"tokens-table": ("tokens-body", "tokens-empty"),
                   "admin-tokens-table": ("admin-tokens-body", "admin-tokens-empty")}[table]
    wait_for(driver, lambda d: d.execute_script("""
        const [table, body, empty] = arguments;
        const element = document.getElementById(table);
        return element.offsetParent !== null && !element.hasAttribute('aria-busy')
            && (document.getElementById(body).rows.length > 0 || !document.getElementById(empty).hidden);
    """, table, body, empty))


def reload_tokens(driver):
    driver.refresh()
    table_loaded(driver)


def row(driver, name, body="tokens-body"):
    return driver.find_element(By.CSS_SELECTOR, f"#{body} tr[data-name='{name}']")


def rows(driver, body="tokens-body"):
    return {r.get_attribute("data-name"): r for r in driver.find_elements(By.CSS_SELECTOR, f"#{body} tr")}


def row_names(driver, body="tokens-body") -> list[str]:
    """The names listed, read in one script (rows may be re-rendered at any moment)."""
    return driver.execute_script(
        "return [...document.querySelectorAll(`#${arguments[0]} tr`)].map((r) => r.dataset.name)", body)


def open_create(driver):
    driver.find_element(By.ID, "create-button").click()
    wait_for(driver, lambda d: d.execute_script("return document.getElementById('create-dialog').open"))
    wait_for(driver, lambda d: active_id(d) == "token-name")


def choose_scopes(driver, *scopes):
    for scope in scopes:
        box = driver.find_element(By.CSS_SELECTOR, f"#scope-list input[value='{scope}']")
        driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").click()
        assert box.is_selected()


def read_value_once(driver):
    visible(driver, "#value-dialog")
    return driver.find_element(By.ID, "token-value").get_attribute("value")


def close_value_dialog(driver):
    driver.find_element(By.ID, "value-done").click()
    wait_for(driver, lambda d: not d.execute_script("return document.getElementById('value-dialog').open"))


def confirm(driver, expected_label):
    visible(driver, "#confirm-dialog")
    assert active_id(driver) == "confirm-cancel"  # the safe answer has the focus
    button = driver.find_element(By.ID, "confirm-ok")
    assert button.text == expected_label
    button.click()
    wait_for(driver, lambda d: not d.execute_script("return document.getElementById('confirm-dialog').open"))


def status_text(driver):
    wait_for(driver, lambda d: d.find_element(By.ID, "status").text != "")
    return driver.find_element(By.ID, "status").text


def stored_anywhere(driver, value) -> list[str]:
    """Where in the browser's storage, cookies, URL or page the value can still be found."""
    places = driver.execute_script("""
        const dump = (s) => JSON.stringify(Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)])));
        return {local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie,
                url: location.href, history: String(history.state), dom: document.documentElement.outerHTML,
                field: document.getElementById('token-value') ? document.getElementById('token-value').value : ''};
    """)
    places["cookies"] = json.dumps(driver.get_cookies())
    return [name for name, text in places.items() if value in (text or "")]


def exchange_fails(server, value, within=3.5):
    failed = poll(lambda: server.exchange(value, auth="public").status_code == 400, timeout=within, interval=0.1)
    assert failed, "a PAT revoked in the console still exchanges after the cache TTL"
    assert_oauth_error(server.exchange(value, auth="public"), 400, "invalid_request")


# -- the flow ----------------------------------------------------------------------------------

def test_create_read_once_list_exchange_revoke(fresh_browser, api, admin_account, admin_api, screenshots):
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    assert driver.find_element(By.ID, "admin-link").is_displayed()

    open_create(driver)
    name_field = driver.find_element(By.ID, "token-name")
    assert name_field.get_attribute("required") is not None and name_field.get_attribute("maxlength") == "100"
    catalogue = admin_api.call("GET", "/api/v1/scopes").json()["scopes"]
    offered = [b.get_attribute("value") for b in driver.find_elements(By.CSS_SELECTOR, "#scope-list input")]
    assert offered == catalogue and {"openid", "profile", "tokens"} <= set(offered), offered
    name_field.send_keys("ci-deploy")
    choose_scopes(driver, "openid", "profile")
    Select(driver.find_element(By.ID, "token-expiry")).select_by_visible_text("30 days")
    screenshots.save(driver, "create-dialog")
    driver.find_element(By.ID, "create-save").click()

    value = read_value_once(driver)
    assert PAT_PATTERN.fullmatch(value), value
    assert driver.find_element(By.ID, "value-title").text == "Token “ci-deploy” created"
    assert driver.find_element(By.ID, "value-warning").text.strip().endswith(VALUE_WARNING)
    assert active_id(driver) == "copy-button"
    screenshots.save(driver, "value-shown-once")

    # Copy: the Clipboard API with permission granted; read it back to be sure.
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": api.base_url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    driver.find_element(By.ID, "copy-button").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "copy-button").text == "Copied")
    assert "copied" in status_text(driver).lower()
    pasted = driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))")
    assert pasted == value

    # The value is in the dialog's field only, nowhere else; closing the dialog wipes it.
    assert stored_anywhere(driver, value) == ["field"]
    close_value_dialog(driver)
    wait_for(driver, lambda d: active_id(d) == "create-button")  # focus went back to CREATE
    assert stored_anywhere(driver, value) == []

    listed = row(driver, "ci-deploy")
    cells = listed.find_elements(By.CSS_SELECTOR, "th, td")
    assert [c.text.split("\n")[0] for c in cells][0] == "ci-deploy"
    assert [c.text for c in cells[2].find_elements(By.CSS_SELECTOR, "li")] == ["openid", "profile"]
    assert cells[1].find_element(By.TAG_NAME, "time").get_attribute("datetime")
    assert "Expire" not in cells[1].text  # 30 days left: no badge
    assert cells[3].text == "Never used"
    screenshots.save(driver, "tokens")

    body = api.exchange(value, auth="public", scope="openid")
    assert body.status_code == 200, body.text
    assert body.json()["access_token"]

    # DELETE with its confirmation; the row goes and the exchange fails within the cache TTL.
    row(driver, "ci-deploy").find_element(By.XPATH, ".//button[normalize-space()='Delete']").click()
    confirm(driver, "Delete")
    wait_for(driver, lambda d: "ci-deploy" not in row_names(d))
    assert "deleted" in status_text(driver).lower()
    exchange_fails(api, value)
    reload_tokens(driver)
    assert "ci-deploy" not in row_names(driver)
    assert value not in driver.page_source
    assert severe_entries(driver) == []


def test_cancel_keeps_the_token(fresh_browser, api, admin_account, admin_api):
    created = admin_api.call("POST", "/api/v1/tokens", json={"name": "keep-me", "scopes": ["openid"]})
    assert created.status_code == 201, created.text
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    row(driver, "keep-me").find_element(By.XPATH, ".//button[normalize-space()='Delete']").click()
    visible(driver, "#confirm-dialog")
    press(driver, Keys.ESCAPE)
    wait_for(driver, lambda d: not d.execute_script("return document.getElementById('confirm-dialog').open"))
    assert "keep-me" in row_names(driver)
    assert api.exchange(created.json()["token"], auth="public").status_code == 200


def test_create_dialog_keyboard_and_focus(fresh_browser, api, admin_account):
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    create = driver.find_element(By.ID, "create-button")
    driver.execute_script("arguments[0].focus()", create)
    press(driver, Keys.ENTER)
    wait_for(driver, lambda d: active_id(d) == "token-name")
    dialog_is_modal = driver.execute_script("return document.getElementById('create-dialog').matches(':modal')")
    assert dialog_is_modal

    # Tab walks the dialog's controls in order and never leaves it.
    seen = []
    for _ in range(12):
        press(driver, Keys.TAB)
        inside = driver.execute_script(
            "const a = document.activeElement; return a === document.body || !!a.closest('#create-dialog')")
        assert inside, active_id(driver)
        seen.append(active_id(driver))
    assert seen[0] == "scope-0"
    assert "token-expiry" in seen and "create-save" in seen

    # Space toggles a scope chip; Enter on an empty name does not submit, it says why.
    driver.execute_script("document.getElementById('scope-0').focus()")
    press(driver, Keys.SPACE)
    assert driver.find_element(By.ID, "scope-0").is_selected()
    driver.execute_script("document.getElementById('token-name').focus()")
    press(driver, Keys.ENTER)
    error = visible(driver, "#create-error")
    assert "1 to 100 characters" in error.text
    assert driver.find_element(By.ID, "token-name").get_attribute("aria-invalid") == "true"
    assert active_id(driver) == "token-name"
    # A name but no scope: the dialog says so and points at the first chip.
    driver.execute_script("document.getElementById('scope-0').click()")  # untick it again
    press(driver, "x")
    driver.execute_script("document.getElementById('token-name').focus()")
    press(driver, Keys.ENTER)
    wait_for(driver, lambda d: d.find_element(By.ID, "create-error").text == "Choose at least one scope.")
    assert active_id(driver) == "scope-0"

    # Escape closes, and the focus returns to CREATE.
    press(driver, Keys.ESCAPE)
    wait_for(driver, lambda d: not d.execute_script("return document.getElementById('create-dialog').open"))
    assert active_id(driver) == "create-button"
    assert severe_entries(driver) == []


def test_duplicate_name_is_reported_in_the_dialog(fresh_browser, api, admin_account, admin_api):
    assert admin_api.call("POST", "/api/v1/tokens", json={"name": "twice", "scopes": ["openid"]}).status_code == 201
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    open_create(driver)
    driver.find_element(By.ID, "token-name").send_keys("twice")
    choose_scopes(driver, "openid")
    driver.find_element(By.ID, "token-name").send_keys(Keys.ENTER)
    error = visible(driver, "#create-error")
    assert error.text and error.get_attribute("role") == "alert"
    assert active_id(driver) == "token-name"
    assert driver.execute_script("return document.getElementById('create-dialog').open")


def test_rotate_shows_a_new_value_and_retires_the_old(fresh_browser, api, admin_account, admin_api):
    created = admin_api.call("POST", "/api/v1/tokens", json={"name": "rotate-me", "scopes": ["openid"]})
    assert created.status_code == 201, created.text
    old = created.json()["token"]
    assert api.exchange(old, auth="public").status_code == 200
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    row(driver, "rotate-me").find_element(By.XPATH, ".//button[normalize-space()='Rotate']").click()
    confirm(driver, "Rotate")
    new = read_value_once(driver)
    assert PAT_PATTERN.fullmatch(new) and new != old
    assert driver.find_element(By.ID, "value-title").text == "Token “rotate-me” rotated"
    close_value_dialog(driver)
    assert row(driver, "rotate-me").get_attribute("data-token-id") != created.json()["id"]
    exchange_fails(api, old)
    assert api.exchange(new, auth="public").status_code == 200
    assert stored_anywhere(driver, new) == [] and stored_anywhere(driver, old) == []


def test_expired_and_soon_to_expire_tokens_are_marked_in_words(fresh_browser, api, admin_account, screenshots):
    username = admin_account[0]
    api.create_pat(user=username, name="soon", expires_in="3d")
    api.create_pat(user=username, name="later", expires_in="60d")
    api.create_pat(user=username, name="gone", expires_in="1")
    time.sleep(1.5)
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    listed = rows(driver)
    assert listed["soon"].get_attribute("data-state") == "soon"
    assert re.search(r"Expires soon \(in 2 days\)", listed["soon"].text), listed["soon"].text
    assert listed["gone"].get_attribute("data-state") == "expired"
    assert "Expired" in listed["gone"].text
    assert listed["gone"].find_elements(By.XPATH, ".//button[normalize-space()='Rotate']") == []
    assert listed["later"].get_attribute("data-state") == "ok" and "Expire" not in listed["later"].text
    screenshots.save(driver, "tokens-expiry")


def test_last_use_is_shown_after_an_exchange(fresh_browser, api, admin_account, admin_api):
    created = admin_api.call("POST", "/api/v1/tokens", json={"name": "used", "scopes": ["openid"]}).json()
    assert api.exchange(created["token"], auth="public").status_code == 200
    driver = fresh_browser
    sign_in(driver, api, *admin_account)

    def shown():
        reload_tokens(driver)
        return row(driver, "used").find_elements(By.CSS_SELECTOR, "td.last-used time")

    assert poll(shown, timeout=10, interval=0.5), "the Last used column still says Never used after an exchange"


def test_admin_page_lists_users_and_revokes_anyones_token(fresh_browser, api, admin_account, admin_api, screenshots):
    made = admin_api.call("POST", "/api/v1/admin/users", json={"username": "bob", "display_name": "Bob"})
    assert made.status_code == 201, made.text
    bob = ApiClient(api, "bob", made.json()["password"])
    token = bob.call("POST", "/api/v1/tokens", json={"name": "bobs-ci", "scopes": ["openid"]}).json()
    assert api.exchange(token["token"], auth="public").status_code == 200

    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    driver.find_element(By.ID, "admin-link").click()
    visible(driver, "#admin-view")
    table_loaded(driver, "admin-tokens-table")
    users = driver.find_elements(By.CSS_SELECTOR, "#users-body tr")
    assert {u.get_attribute("data-username") for u in users} >= {admin_account[0], "bob"}
    listed = row(driver, "bobs-ci", body="admin-tokens-body")
    assert listed.find_element(By.TAG_NAME, "td").text == "bob"
    screenshots.save(driver, "admin")
    listed.find_element(By.XPATH, ".//button[normalize-space()='Revoke']").click()
    confirm(driver, "Revoke")
    wait_for(driver, lambda d: "bobs-ci" not in row_names(d, "admin-tokens-body"))
    exchange_fails(api, token["token"])
    assert severe_entries(driver) == []

    # Bob is no admin: no link, and the page says so.
    driver.find_element(By.ID, "logout").click()
    visible(driver, "#login-view")
    driver.find_element(By.ID, "login-username").send_keys("bob")
    driver.find_element(By.ID, "login-password").send_keys(made.json()["password"] + Keys.ENTER)
    visible(driver, "#tokens-view")
    assert not driver.find_element(By.ID, "admin-link").is_displayed()
    driver.get(api.url("/console/admin"))
    visible(driver, "#forbidden-view")
    assert not driver.find_element(By.ID, "admin-view").is_displayed()


def test_sign_out_ends_the_session(fresh_browser, api, admin_account):
    driver = fresh_browser
    sign_in(driver, api, *admin_account)
    driver.find_element(By.ID, "logout").click()
    visible(driver, "#login-view")
    assert "signed out" in status_text(driver).lower()
    driver.refresh()
    visible(driver, "#login-view")
    assert severe_entries(driver, [SESSION_PROBE_401]) == []


def test_expiry_choices_follow_the_policy(tmp_path_factory, browser):
    server = Patgate(tmp_path_factory.mktemp("policy"))
    start_elsewhere(server, tmp_path_factory.mktemp("cwd"), env={
        "PATGATE_ISSUER_POLICY_MAX_LIFETIME_DAYS": "30",
        "PATGATE_ISSUER_POLICY_EXPIRY_REQUIRED": "true",
    })
    try:
        if api_missing(server):
            pytest.skip("API missing: GET /api/v1/session answers 404")
        account = first_start_admin(server) or add_user(server, "policy-admin", admin=True)
        client = ApiClient(server, *account)
        policy = client.call("GET", "/api/v1/scopes").json()["policy"]
        assert policy["max_lifetime_seconds"] == 30 * 86400 and policy["expiry_required"] is True
        browser.delete_all_cookies()
        sign_in(browser, server, *account)
        open_create(browser)
        options = [o.text for o in Select(browser.find_element(By.ID, "token-expiry")).options]
        assert options == ["7 days", "30 days (maximum)", "Custom date…"]
        assert "30 days" in browser.find_element(By.ID, "expiry-hint").text
        Select(browser.find_element(By.ID, "token-expiry")).select_by_visible_text("Custom date…")
        date = visible(browser, "#token-expiry-date")
        assert date.get_attribute("max") and date.get_attribute("min")
        browser.find_element(By.ID, "token-name").send_keys("policy-max")
        choose_scopes(browser, "openid")
        Select(browser.find_element(By.ID, "token-expiry")).select_by_visible_text("30 days (maximum)")
        browser.find_element(By.ID, "create-save").click()
        read_value_once(browser)
        close_value_dialog(browser)
        expires = row(browser, "policy-max").find_element(By.TAG_NAME, "time").get_attribute("datetime")
        left = time.mktime(time.strptime(expires, "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(time.gmtime())
        assert 30 * 86400 - 120 <= left <= 30 * 86400 + 5
    finally:
        server.stop()
