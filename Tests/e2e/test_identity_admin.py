"""Administration of issue 10 without the other servers: the sub-pages, the audit log with
its filters and CSV/JSON export, and the directory page of an installation without one."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from a11y import check_accessibility
from conftest import ANNA, ERIK, login, screenshot

LOGIN_FIELD = "Användarnamn eller e-postadress"


def admin_tabs(page):
    return page.get_by_role("navigation", name="Delar av administrationen")


def test_admin_sub_pages_are_reachable_and_accessible(new_page):
    page = new_page()
    login(page, ANNA)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Administration").click()
    tabs = admin_tabs(page)
    expect(tabs.get_by_role("link", name="Konton")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=2, name="Användare", exact=True)).to_be_visible()
    # Logins and keys of an account open on request.
    erik = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Erik Johansson"))
    erik.get_by_text("Inloggningar och nycklar").click()
    expect(erik.get_by_role("heading", name="API-nycklar")).to_be_visible()
    check_accessibility(page, "Administration – Konton")
    screenshot(page, "identity-4-admin-accounts")

    tabs.get_by_role("link", name="Katalog och grupper").click()
    expect(page).to_have_url(re.compile(r"#/admin/directory$"))
    expect(page.get_by_role("heading", level=2, name="Kommunens katalog")).to_be_visible()
    expect(page.get_by_text("Ingen katalog är inställd.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Gruppregler")).to_be_visible()
    # "Spara regel" cannot be pressed before a preview.
    expect(page.get_by_role("button", name="Spara regel")).to_be_disabled()
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("alert")).to_have_text("Välj en grupp")
    check_accessibility(page, "Administration – Katalog och grupper")
    screenshot(page, "identity-5-admin-directory")

    tabs.get_by_role("link", name="Granskningslogg").click()
    expect(page).to_have_url(re.compile(r"#/admin/audit$"))
    expect(page.get_by_role("table", name="Granskningslogg, nyaste först")).to_be_visible()
    check_accessibility(page, "Administration – Granskningslogg")
    screenshot(page, "identity-6-admin-audit")


def test_employees_cannot_open_the_audit_log(new_page):
    page = new_page()
    login(page, ERIK)
    page.goto("/#/admin/audit")
    expect(page.get_by_role("alert")).to_have_text("Endast administratörer har tillgång till den här sidan.")


def test_audit_log_shows_logins_filters_them_and_exports_the_same_filters(new_page, tmp_path: Path):
    # A failed and a successful login to find in the log.
    failing = new_page()
    failing.goto("/#/login")
    failing.get_by_label(LOGIN_FIELD).fill(ERIK)
    failing.get_by_label("Lösenord").fill("inte-eriks-losenord")
    failing.get_by_role("button", name="Logga in").click()
    expect(failing.get_by_role("alert")).to_be_visible()
    login(failing, ERIK)

    page = new_page()
    login(page, ANNA)
    page.goto("/#/admin/audit")
    table = page.get_by_role("table", name="Granskningslogg, nyaste först")
    expect(table.get_by_role("row").filter(has_text="Inloggning lyckades").first).to_be_visible()

    filters = page.get_by_role("form", name="Filtrera granskningsloggen")
    filters.get_by_label("Händelse").select_option(label="Inloggning misslyckades")
    filters.get_by_role("searchbox", name="Person").fill("Erik")
    filters.get_by_role("button", name="Sök person").click()
    filters.get_by_role("button", name=re.compile("^Välj Erik Johansson")).click()
    expect(filters.get_by_text("Vald person: Erik Johansson")).to_be_visible()
    filters.get_by_label("Personen", exact=True).select_option("target")
    filters.get_by_role("button", name="Visa").click()
    rows = table.get_by_role("row")
    expect(rows.filter(has_text="Inloggning misslyckades").first).to_be_visible()
    expect(rows.filter(has_text="Inloggning lyckades")).to_have_count(0)
    expect(table).to_contain_text("Erik Johansson")
    screenshot(page, "identity-7-audit-filtered")

    # The export links carry the filters of the table.
    csv_link = page.get_by_role("link", name="Exportera CSV")
    query = parse_qs(urlparse(csv_link.get_attribute("href")).query)
    assert query["format"] == ["csv"] and query["action"] == ["login.failed"] and "target" in query
    with page.expect_download() as download_info:
        csv_link.click()
    path = tmp_path / "audit.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) >= 2, lines
    header = lines[0].lower()
    assert "action" in header or "händelse" in header, header
    assert all("login.failed" in line or "Inloggning misslyckades" in line for line in lines[1:] if line.strip()), lines

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportera JSON").click()
    json_path = tmp_path / "audit.json"
    download_info.value.save_as(json_path)
    data = json.loads(json_path.read_text(encoding="utf-8-sig"))
    entries = data["items"] if isinstance(data, dict) else data
    assert entries and all(e["action"] == "login.failed" for e in entries)


def test_identity_screens_fit_a_360px_phone(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    login(page, ANNA)
    for route, heading in [("/#/admin/audit", "Händelser"), ("/#/admin/directory", "Gruppregler"),
                           ("/#/admin", "Användare"), ("/#/profile", "Mina inloggningar")]:
        page.goto(route)
        expect(page.get_by_role("heading", level=2, name=heading, exact=True)).to_be_visible()
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, f"horizontal scroll at 360 px on {route}: scrollWidth={width}"
    screenshot(page, "identity-9-profile-360px")
