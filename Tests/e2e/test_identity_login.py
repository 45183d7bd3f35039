"""The login page of issue 10: one field for the login name or e-mail, the wait after too
many attempts, the messages of `#/login?error=`, and password reset pages that need no mail."""
from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from a11y import check_accessibility
from conftest import ANNA, DEMO_PASSWORD, REPO, SARA, login, screenshot, wait_until
from serverproc import Running

LOGIN_FIELD = "Användarnamn eller e-postadress"


def test_login_by_e_mail_through_the_new_field(new_page):
    page = new_page()
    page.goto("/#/login")
    field = page.get_by_label(LOGIN_FIELD)
    expect(field).to_have_attribute("autocomplete", "username")
    expect(field).to_have_attribute("type", "text")
    # The demo has no directory, mail or OIDC: no provider button, and "Glömt lösenordet?"
    # says whom to ask, since a reset by e-mail is not on offer.
    expect(page.get_by_role("link", name=re.compile("^Logga in med"))).to_have_count(0)
    check_accessibility(page, "the login page")
    screenshot(page, "identity-1-login")
    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page.get_by_role("heading", level=1, name="Glömt lösenordet?")).to_be_visible()
    expect(page.get_by_text("Kontakta IT-supporten")).to_be_visible()
    expect(page.get_by_label("E-postadress")).to_have_count(0)
    login(page, ANNA)
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Administration")).to_be_visible()


def test_login_returns_to_the_page_asked_for(new_page):
    page = new_page()
    page.goto("/#/knowledge")
    expect(page.get_by_role("heading", level=1, name="Logga in")).to_be_visible()
    page.get_by_label(LOGIN_FIELD).fill(SARA)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"#/knowledge$"))


@pytest.mark.parametrize("code, text", [
    ("oidc-failed", "Inloggningen via inloggningstjänsten misslyckades. Försök igen."),
    ("oidc-unavailable", "Inloggningstjänsten går inte att nå just nu."),
    ("account-disabled", "Kontot är avstängt. Kontakta en administratör."),
    ("oidc-expired", "Inloggningen tog för lång tid och avbröts. Försök igen."),
    ("<b>okänd</b>", "Inloggningen misslyckades. Försök igen."),
])
def test_the_login_page_explains_a_failed_provider_login(new_page, code, text):
    page = new_page()
    page.goto(f"/#/login?error={code}")
    expect(page.get_by_role("alert")).to_contain_text(text)
    assert "<b>" not in page.get_by_role("alert").inner_html(), "the code must never be rendered as HTML"


def auth_keys() -> set[str]:
    """The `auth:` keys of config/communis.yaml (which lists every key the server knows)."""
    keys, inside = set(), False
    for line in (REPO / "config" / "communis.yaml").read_text(encoding="utf-8").splitlines():
        if re.match(r"^\S", line):
            inside = line.startswith("auth:")
        elif inside and (m := re.match(r"^  ([a-z_]+):", line)):
            keys.add(m.group(1))
    return keys


@pytest.fixture
def strict_server(monkeypatch):
    """A server of its own on which a few failed logins from one address already mean waiting."""
    keys = auth_keys()
    # Only known keys: the server refuses environment variables that name unknown ones.
    limits = {"free_attempts": "2", "login_attempts_per_address": "2", "login_window_seconds": "120"}
    assert keys & {"free_attempts", "login_attempts_per_address"}, f"no login limit among the auth keys {sorted(keys)}"
    for key, value in limits.items():
        if key in keys:
            monkeypatch.setenv(f"COMMUNIS_AUTH_{key.upper()}", value)
    data_dir = Path(tempfile.mkdtemp(prefix="communis-identity-"))
    server = Running(data_dir, "--demo")
    yield server
    server.stop()


def test_too_many_attempts_say_how_long_to_wait_and_keep_the_button_disabled(browser, strict_server):
    context = browser.new_context(base_url=strict_server.base, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/#/login")
        button = page.get_by_role("button", name="Logga in")
        wait = page.locator(".wait-notice")
        for _ in range(6):
            page.get_by_label(LOGIN_FIELD).fill(SARA)
            page.get_by_label("Lösenord").fill("fel-losenord-123")
            button.click()
            wait_until(page, "document.querySelector('.wait-notice:not([hidden])') !== null"
                             " || document.querySelector('[role=alert]') !== null")
            if wait.is_visible():
                break
            expect(page.get_by_role("alert")).to_have_text("Fel e-postadress eller lösenord.")
        expect(wait).to_have_text(re.compile(r"^Vänta \d+ (minut|minuter|sekunder|sekund) innan du försöker igen\.$"))
        expect(button).to_be_disabled()
        # Said once to screen readers (politely), not once a second.
        spoken = page.locator(".wait-notice + [role=status]")
        expect(spoken).to_have_attribute("aria-live", "polite")
        first = spoken.text_content()
        assert first.startswith("Vänta ")
        time.sleep(1.2)
        assert spoken.text_content() == first
        check_accessibility(page, "the login page while waiting")
        screenshot(page, "identity-2-login-wait")
        # A reload does not lift the limit: the server still refuses and the page says so.
        page.reload()
        page.get_by_label(LOGIN_FIELD).fill(SARA)
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.locator(".wait-notice")).to_contain_text("innan du försöker igen.")
        expect(page.get_by_role("button", name="Logga in")).to_be_disabled()
        page.get_by_label("Språk").select_option("en")
        page.get_by_label("Username or e-mail address").fill(SARA)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log in")).to_be_disabled()
        expect(page.locator(".wait-notice")).to_contain_text("before you try again.")
    finally:
        context.close()


def test_an_unknown_reset_link_offers_a_new_one(new_page):
    page = new_page()
    page.goto("/#/reset/detta-ar-ingen-riktig-lank")
    expect(page.get_by_role("alert")).to_have_text("Länken har gått ut eller redan använts.")
    check_accessibility(page, "an expired reset link")
    page.get_by_role("link", name="Be om en ny länk").click()
    expect(page.get_by_role("heading", level=1, name="Glömt lösenordet?")).to_be_visible()
    check_accessibility(page, "the reset request page")
    page.get_by_role("link", name="Tillbaka till inloggningen").click()
    expect(page.get_by_role("heading", level=1, name="Logga in")).to_be_visible()
