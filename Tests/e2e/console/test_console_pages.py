"""The console in a real browser, without signing in: the login page renders, its labels
and focus work, the browser enforces the CSP, and nothing lands in the error console."""

from __future__ import annotations

import time

from selenium.webdriver import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from console_support import SESSION_PROBE_401, active_id, api_missing, severe_entries, visible, wait_for

# Before the API lands, the session probe answers 404; the login page must still render.
SESSION_PROBE_404 = r"/api/v1/session - Failed to load resource: the server responded with a status of 404"


def open_login(driver, server):
    driver.get(server.url("/console"))
    visible(driver, "#login-view")
    return driver


def test_login_page_renders_with_labels_and_focus(fresh_browser, console_server, screenshots):
    driver = open_login(fresh_browser, console_server)
    assert driver.current_url == console_server.url("/console/")
    assert driver.find_element(By.CSS_SELECTOR, "#login-view h1").text == "Sign in to patgate"
    assert driver.title == "Sign in · patgate"
    for field, label in (("login-username", "Username"), ("login-password", "Password")):
        element = driver.find_element(By.ID, field)
        assert element.get_attribute("required") is not None
        assert driver.find_element(By.CSS_SELECTOR, f"label[for='{field}']").text == label
    assert driver.find_element(By.ID, "login-password").get_attribute("type") == "password"
    # Focus starts in the form, and the header shows no navigation to a signed-out reader.
    wait_for(driver, lambda d: active_id(d) == "login-username")
    assert not driver.find_element(By.ID, "nav").is_displayed()
    assert not driver.find_element(By.ID, "admin-link").is_displayed()
    status = driver.find_element(By.ID, "status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    # Keyboard: Tab goes from the username to the password, then to the button.
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert active_id(driver) == "login-password"
    screenshots.save(driver, "login")
    assert severe_entries(driver, [SESSION_PROBE_401, SESSION_PROBE_404]) == []


def test_the_skip_link_is_the_first_tab_stop_and_shows_on_focus(fresh_browser, console_server):
    driver = open_login(fresh_browser, console_server)
    first = driver.execute_script(
        "return document.querySelector('a[href], button:not([hidden]), input, select, [tabindex=\"0\"]')")
    assert first.get_attribute("class") == "skip-link"
    hidden_top = first.rect["y"]
    driver.execute_script("arguments[0].focus()", first)
    assert first.rect["y"] >= 0 > hidden_top and first.text == "Skip to content"
    # Enter follows it: the focus lands on <main>.
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_for(driver, lambda d: active_id(d) == "main")


def test_the_browser_enforces_the_csp(fresh_browser, console_server):
    driver = open_login(fresh_browser, console_server)
    driver.get_log("browser")
    outcome = driver.execute_script("""
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = true;';
        document.body.append(script);
        const probe = document.getElementById('login-title');
        const before = getComputedStyle(probe).color;
        probe.setAttribute('style', 'color: rgb(1, 2, 3)');
        // A string timer is an eval sink: the page's CSP refuses it (the driver's own
        // evaluation is exempt from the CSP, so eval() is not tried directly).
        try { setTimeout('window.__timerRan = true', 0); } catch (e) {}
        return {inline: window.__inlineRan === true, styled: getComputedStyle(probe).color !== before};
    """)
    assert outcome == {"inline": False, "styled": False}
    time.sleep(0.2)
    assert driver.execute_script("return window.__timerRan === true") is False
    violations = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    assert any("script-src" in m for m in violations), violations
    assert any("style-src" in m for m in violations), violations


def test_the_console_cannot_be_framed(fresh_browser, console_server):
    driver = fresh_browser
    driver.get("data:text/html,<iframe id=f src='" + console_server.url("/console/") + "'></iframe>")
    driver.switch_to.frame("f")
    assert driver.find_elements(By.ID, "login-form") == []
    driver.switch_to.default_content()
    driver.get_log("browser")  # the refused frame logs an error: expected here


def test_wrong_password_or_missing_api_shows_an_alert(fresh_browser, console_server):
    driver = open_login(fresh_browser, console_server)
    driver.find_element(By.ID, "login-username").send_keys("nobody")
    driver.find_element(By.ID, "login-password").send_keys("not-the-password" + Keys.ENTER)
    error = visible(driver, "#login-error")
    assert error.get_attribute("role") == "alert"
    expected = ("This server has no sign-in API (/api/v1/session)." if api_missing(console_server)
                else "The username or password is incorrect.")
    assert error.text == expected
    assert driver.find_element(By.ID, "login-password").get_attribute("value") == ""
    assert active_id(driver) == "login-password"


def test_admin_page_without_a_session_sends_to_sign_in(fresh_browser, console_server):
    driver = fresh_browser
    driver.get(console_server.url("/console/admin"))
    wait_for(driver, lambda d: d.current_url == console_server.url("/console/"))
    visible(driver, "#login-view")
    assert not driver.find_element(By.ID, "admin-link").is_displayed()
