"""The knowledge bank in the browser: a trainer writes a how-to (lathund) from the header's
"Kunskapsbank", edits it, compares the two revisions in the history and archives it; the
archived article says so and leaves the list."""
import uuid

from playwright.sync_api import expect

from conftest import ERIK, SARA, login, screenshot, wait_until


def test_trainer_writes_edits_diffs_and_archives_a_how_to(new_page):
    erik = new_page()
    login(erik, ERIK)
    erik.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kunskapsbank").click()
    expect(erik.get_by_role("heading", name="Kunskapsbank", level=1)).to_be_visible()

    title = f"Skriva ut från Procapita {uuid.uuid4().hex[:4]}"
    erik.get_by_role("link", name="Skriv en lathund").click()
    expect(erik.get_by_role("heading", name="Skriv en lathund")).to_be_visible()
    # The form checks before sending: an empty title is named at once.
    erik.get_by_role("button", name="Spara", exact=True).click()
    expect(erik.get_by_text("Fyll i det här fältet.").first).to_be_visible()
    erik.get_by_label("Rubrik").fill(title)
    erik.get_by_label("Sammanfattning").fill("Så skriver du ut en journalanteckning.")
    erik.get_by_role("textbox", name="Steg", exact=True).fill("1. Öppna journalen\n2. Välj **Skriv ut**\n3. Hämta utskriften")
    erik.get_by_label("Etiketter").fill("Procapita, Utskrift")
    erik.get_by_role("button", name="Spara", exact=True).click()

    expect(erik.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(erik.locator(".kb-article .md strong", has_text="Skriv ut")).to_be_visible()
    wait_until(erik, "location.hash.startsWith('#/knowledge/') && !location.hash.endsWith('/new')")
    article_hash = erik.evaluate("location.hash")

    # Edit: a new revision.
    erik.get_by_role("link", name="Redigera").click()
    steps = erik.get_by_role("textbox", name="Steg", exact=True)
    expect(steps).to_have_value("1. Öppna journalen\n2. Välj **Skriv ut**\n3. Hämta utskriften")
    steps.fill("1. Öppna journalen\n2. Välj **Skriv ut** i Arkiv-menyn\n3. Hämta utskriften")
    erik.get_by_role("button", name="Spara", exact=True).click()
    expect(erik.get_by_text("i Arkiv-menyn")).to_be_visible()

    # History: the diff between revision 1 and 2 shows the removed and the added line.
    erik.get_by_role("link", name="Historik").click()
    expect(erik.get_by_role("heading", name=f"Historik: {title}")).to_be_visible()
    diff = erik.locator(".kb-diff")
    expect(diff.locator(".diff-removed", has_text="2. Välj **Skriv ut**")).to_be_visible()
    expect(diff.locator(".diff-added", has_text="i Arkiv-menyn")).to_be_visible()
    expect(erik.locator(".kb-revision")).to_have_count(2)
    screenshot(erik, "knowledge-bank-diff")

    # Archive: the page says so, the list leaves it out unless asked.
    erik.goto(f"/{article_hash}")
    erik.get_by_role("button", name="Arkivera").click()
    expect(erik.locator(".kb-archived-banner")).to_contain_text("arkiverad")
    expect(erik.get_by_role("button", name="Gör aktuell igen")).to_be_visible()
    erik.goto("/#/knowledge")
    expect(erik.get_by_role("heading", name="Kunskapsbank", level=1)).to_be_visible()
    expect(erik.get_by_role("link", name=title)).to_have_count(0)
    erik.goto("/#/knowledge?status=archived")
    expect(erik.get_by_role("link", name=title)).to_be_visible()

    # A colleague reads the organisation-wide article but may not edit it.
    sara = new_page()
    login(sara, SARA)
    sara.goto(f"/{article_hash}")
    expect(sara.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(sara.get_by_role("link", name="Redigera")).to_have_count(0)
