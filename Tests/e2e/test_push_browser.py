"""The push switch on the profile page in a real Chromium: "Push-aviseringar på den här
enheten" is a labelled switch that says what it means on this device, and the page passes
axe with it. (A real `pushManager.subscribe` needs a browser vendor's push service on the
internet, which the tests do not have: subscribing is tested in web/test/push.test.js with a
fake browser and end to end against the test's own push service in test_push.py.)"""
from __future__ import annotations

from playwright.sync_api import expect

from a11y import axe_violations
from conftest import ERIK, login


def test_the_profile_page_has_the_push_switch_for_this_device(new_page):
    page = new_page()
    login(page, ERIK)
    page.goto("/#/profile")
    section = page.get_by_role("region", name="Push-aviseringar")
    switch = section.get_by_role("switch", name="Push-aviseringar på den här enheten")
    expect(switch).to_be_enabled()
    expect(switch).not_to_be_checked()
    expect(section.get_by_text("Den här enheten får inga push-aviseringar.")).to_be_visible()
    expect(section.get_by_role("button", name="Skicka en testavisering")).to_be_hidden()
    violations = axe_violations(page)
    assert not violations, violations
