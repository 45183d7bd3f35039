""""Mina inloggningar" on the profile: every login of mine with its browser, "Den här enheten",
logging out another one, and "Logga ut överallt" (the other browser is logged out too)."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from a11y import check_accessibility
from conftest import ANNA, login, screenshot

PASSWORD = "Sessionstest-2026"


def create_account(admin: Page, name: str) -> str:
    """Creates a local employee account through the API as the logged-in admin; returns its e-mail."""
    email = f"{uuid.uuid4().hex[:10]}@katrineholm.se"
    csrf = admin.request.get("/api/v1/session").json()["csrfToken"]
    res = admin.request.post("/api/v1/admin/users", headers={"X-CSRF-Token": csrf},
                             data={"email": email, "name": name, "password": PASSWORD, "role": "member"})
    assert res.status == 201, res.text()
    return email


def open_my_logins(page: Page):
    page.goto("/#/profile")
    expect(page.get_by_role("heading", level=1, name="Min profil")).to_be_visible()
    section = page.get_by_role("region", name="Mina inloggningar")
    expect(section).to_be_visible()
    return section


def test_my_logins_list_both_browsers_and_log_out_the_other_one(new_page):
    admin = new_page()
    login(admin, ANNA)
    email = create_account(admin, "Sigrid Sessionsson")
    first, second = new_page(), new_page()
    login(first, email, PASSWORD)
    login(second, email, PASSWORD)

    section = open_my_logins(first)
    items = section.get_by_role("listitem")
    expect(items).to_have_count(2)
    this_device = items.filter(has_text="Den här enheten")
    expect(this_device).to_have_count(1)
    # Headless Chromium on Linux, said briefly; how and from where.
    expect(this_device).to_contain_text(re.compile(r"Chrom(e|ium) \d+ på Linux"))
    expect(this_device).to_contain_text("Inloggad med lösenord")
    expect(this_device).to_contain_text("127.0.0.1")
    expect(this_device.get_by_role("button")).to_have_count(0)
    check_accessibility(first, "the profile with my logins")
    screenshot(first, "identity-3-my-logins")

    other = items.filter(has_not_text="Den här enheten")
    other.get_by_role("button", name=re.compile("^Logga ut ")).click()
    expect(section.get_by_role("listitem")).to_have_count(1)
    expect(first.get_by_role("status").filter(has_text="är avslutad")).to_be_visible()

    # The other browser's login has ended: the next page it opens is the login page.
    second.goto("/#/profile")
    second.reload()
    expect(second.get_by_role("heading", level=1, name="Logga in")).to_be_visible()


def test_log_out_everywhere_ends_this_and_the_other_browser(new_page):
    admin = new_page()
    login(admin, ANNA)
    email = create_account(admin, "Sune Överallt")
    first, second = new_page(), new_page()
    login(first, email, PASSWORD)
    login(second, email, PASSWORD)

    section = open_my_logins(first)
    expect(section.get_by_role("listitem")).to_have_count(2)
    section.get_by_role("button", name="Logga ut överallt").click()
    expect(first.get_by_role("heading", level=1, name="Logga in")).to_be_visible()
    expect(first.get_by_role("status").filter(has_text="Du är utloggad på alla enheter.")).to_be_visible()
    assert first.request.get("/api/v1/session").status == 401

    # The other browser: its live connection is told, or at the latest its next page load.
    second.reload()
    expect(second.get_by_role("heading", level=1, name="Logga in")).to_be_visible()
    assert second.request.get("/api/v1/session").status == 401
