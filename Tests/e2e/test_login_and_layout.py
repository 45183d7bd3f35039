"""Login errors, the language switch and the phone layout."""
from playwright.sync_api import expect

from conftest import ANNA, SARA, login, screenshot


def test_wrong_password_shows_swedish_error_and_language_switch_gives_english(new_page):
    page = new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Logga in")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "sv"
    page.get_by_label("E-postadress").fill(SARA)
    page.get_by_label("Lösenord").fill("fel-losenord-123")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_have_text("Fel e-postadress eller lösenord.")
    screenshot(page, "4-wrong-password-sv")

    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    # The choice is remembered across a reload.
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    screenshot(page, "4-login-english")


def test_start_page_fits_a_360px_phone(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    login(page, ANNA)
    expect(page.get_by_role("heading", name="Upptäck samarbetsytor")).to_be_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    screenshot(page, "5-start-360px")
    assert width <= 360, f"horizontal scroll at 360 px: scrollWidth={width}"
