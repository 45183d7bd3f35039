"""News in the browser (issue 14, "Done when" for news): an editor publishes an item to one
department with "läst och förstått"; a person in that department sees it appear on the start
page without reloading; a person outside never sees it – not on the start page, the news
page, at its address (nor its image), in search or in the Atom feed; the reader sees the image,
reacts, comments and acknowledges, and the editor's report counts it per department; a
material revision resets it and the reader sees what changed."""
from __future__ import annotations

import base64
import datetime as dt
import urllib.request
import uuid

from playwright.sync_api import Page, expect

from conftest import ERIK, SARA, login, screenshot, wait_until

JOHAN = "johan.andersson@katrineholm.se"  # news editor in the demo (not an administrator)
VARD = "Vård- och omsorgsförvaltningen"
# A 1×1 PNG: the item's image.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def _api(page: Page, method: str, path: str, body=None):
    return page.evaluate("""async ([method, path, body]) => {
        const s = await (await fetch('/api/v1/session')).json();
        const r = await fetch('/api/v1' + path, { method, headers: { 'Content-Type': 'application/json',
          'X-CSRF-Token': s.csrfToken }, body: body === null ? undefined : JSON.stringify(body) });
        const text = await r.text();
        let parsed = null; try { parsed = JSON.parse(text); } catch { parsed = text; }
        return { status: r.status, body: parsed }; }""", [method, path, body])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.read().decode("utf-8")


def _live(page: Page) -> None:
    wait_until(page, "window.__communisLive && window.__communisLive.state === 'open'")


def test_news_reaches_its_department_only_and_is_acknowledged_and_revised(new_page, server):
    word = f"Läkemedelsrutin{uuid.uuid4().hex[:6]}"
    title = f"{word}: ny rutin för överlämning"
    sara, erik, johan = new_page(), new_page(), new_page()
    for page, who in ((sara, SARA), (erik, ERIK), (johan, JOHAN)):
        login(page, who)
        _live(page)
    sara_news = sara.get_by_role("region", name="Nyheter")
    erik_news = erik.get_by_role("region", name="Nyheter")
    expect(sara_news).to_be_visible()
    expect(erik_news).to_be_visible()
    sara.evaluate("window.__notReloaded = true")

    # The editor writes the item from the news page: one department, läst och förstått by a deadline.
    johan.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Nyheter").click()
    expect(johan.get_by_role("heading", level=1, name="Nyheter")).to_be_visible()
    johan.get_by_role("link", name="Skriv nyhet").first.click()
    expect(johan.get_by_role("heading", level=1, name="Skriv nyhet")).to_be_visible()
    johan.get_by_role("button", name="Publicera").click()
    expect(johan.get_by_text("Fyll i fältet.").first).to_be_visible()
    johan.get_by_label("Rubrik").fill(title)
    johan.get_by_label("Ingress").fill("Från och med måndag gäller en ny rutin.")
    johan.get_by_label("Brödtext").fill("Steg 1: läs ordinationen\nSteg 2: signera i journalen\nSteg 3: lämna över muntligt")
    johan.get_by_label("Taggar").fill("Läkemedel, Rutin")
    johan.get_by_label("Bild").set_input_files({"name": "rutin.png", "mimeType": "image/png", "buffer": PNG})
    johan.get_by_label("Kräv läst och förstått").check()
    deadline = (dt.datetime.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT12:00")
    johan.get_by_label("Bekräfta senast").fill(deadline)
    johan.get_by_role("combobox", name="Förvaltningar/avdelningar").fill(VARD)
    johan.get_by_role("button", name="Lägg till förvaltning").click()
    expect(johan.get_by_role("button", name=f"Ta bort {VARD}")).to_be_visible()
    expect(johan.locator(".news-audience-summary")).to_contain_text(VARD)
    johan.get_by_role("button", name="Publicera").click()
    expect(johan.get_by_role("heading", level=1, name=title)).to_be_visible()
    wait_until(johan, "/^#\\/news\\/[^/]+$/.test(location.hash)")
    news_id = johan.evaluate("location.hash").rsplit("/", 1)[-1]
    screenshot(johan, "news-1-published")

    # The reader in the department sees it on the start page at once, without reloading.
    expect(sara_news.get_by_role("link", name=title)).to_be_visible()
    assert sara.evaluate("window.__notReloaded === true"), "the start page was reloaded"
    expect(sara_news.locator(f'[data-news="{news_id}"]')).to_contain_text("Bekräfta senast")
    screenshot(sara, "news-2-live-on-start-page")

    # The person outside never sees it: not live, not after reloading, not on the news page,
    # not at its address, not in search, not in the public Atom feed.
    expect(erik_news.get_by_role("link", name=title)).to_have_count(0)
    erik.reload()
    expect(erik.get_by_role("region", name="Nyheter")).to_be_visible()
    expect(erik.get_by_role("link", name=title)).to_have_count(0)
    erik.goto("/#/news")
    expect(erik.get_by_role("heading", level=1, name="Nyheter")).to_be_visible()
    expect(erik.locator(".news-list")).to_be_visible()
    expect(erik.get_by_role("link", name=title)).to_have_count(0)
    erik.goto(f"/#/news/{news_id}")
    expect(erik.get_by_role("heading", level=1, name="Nyheten finns inte")).to_be_visible()
    assert _api(erik, "GET", f"/news/{news_id}")["status"] == 404
    assert _api(erik, "GET", f"/news/{news_id}/image")["status"] == 404
    erik.goto(f"/#/search?q={word}")
    expect(erik.get_by_text("Inga träffar.")).to_be_visible()
    sara.goto(f"/#/search?q={word}")
    expect(sara.get_by_role("link", name=title)).to_be_visible()
    public = _get(server.base_url + "/feeds/news.atom")
    assert "<feed" in public and title not in public
    # With a personal feed token the feed holds what its person may read: Sara's has it, Erik's not.
    for page, sees in ((sara, True), (erik, False)):
        token = _api(page, "POST", "/me/feed-token")["body"]["token"]
        assert (title in _get(f"{server.base_url}/feeds/news.atom?token={token}")) is sees

    # The reader sees the image, reacts and comments, and acknowledges.
    sara.goto(f"/#/news/{news_id}")
    expect(sara.get_by_role("heading", level=1, name=title)).to_be_visible()
    wait_until(sara, "(() => { const i = document.querySelector('.news-image'); return i && i.complete && i.naturalWidth === 1; })()")
    sara.get_by_text("Reagera", exact=True).click()
    sara.get_by_role("button", name="Reagera med 👍").click()
    expect(sara.get_by_role("button", name="👍: 1")).to_have_attribute("aria-pressed", "true")
    sara.get_by_label("Din kommentar").fill("Tack, uppfattat.")
    sara.get_by_role("button", name="Skicka kommentar").click()
    expect(sara.get_by_role("heading", name="1 kommentar")).to_be_visible()
    expect(sara.get_by_role("article", name="Kommentar av Sara Nilsson")).to_contain_text("Tack, uppfattat.")
    expect(sara.get_by_text("Bekräfta att du har läst och förstått nyheten senast")).to_be_visible()
    sara.get_by_role("button", name="Jag har läst och förstått").click()
    expect(sara.get_by_text("Du bekräftade att du har läst och förstått")).to_be_visible()
    expect(sara.get_by_role("button", name="Jag har läst och förstått")).to_have_count(0)

    # The editor's report: one confirmed, counted in her department; the others not yet; a reminder.
    johan.get_by_role("link", name="Läskvitton").click()
    expect(johan.get_by_role("heading", level=1, name="Läst och förstått")).to_be_visible()
    expect(johan.locator(".news-report-total")).to_contain_text("1 av")
    departments = johan.get_by_role("region", name="Per förvaltning")
    row = departments.get_by_role("row", name=VARD)
    expect(row).to_be_visible()
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
    expect(departments.get_by_role("row", name="Bildningsförvaltningen")).to_have_count(0)
    done = johan.get_by_role("region", name="Har bekräftat")
    expect(done.get_by_role("link", name="Sara Nilsson")).to_be_visible()
    expect(johan.get_by_role("region", name="Har inte bekräftat").get_by_role("link", name="Fatima Ali")).to_be_visible()
    johan.get_by_role("button", name="Skicka påminnelse").click()
    expect(johan.get_by_text("Påminnelse skickad till")).to_be_visible()
    screenshot(johan, "news-3-report")

    # A material revision: the acknowledgement starts over and the reader sees what changed.
    johan.goto(f"/#/news/{news_id}/edit")
    body = johan.get_by_label("Brödtext")
    expect(body).to_have_value("Steg 1: läs ordinationen\nSteg 2: signera i journalen\nSteg 3: lämna över muntligt")
    body.fill("Steg 1: läs ordinationen\nSteg 2: signera i journalen med e-legitimation\nSteg 3: lämna över muntligt")
    johan.get_by_label("Väsentlig ändring").check()
    johan.get_by_role("button", name="Spara ändringar").click()
    expect(johan.get_by_text("med e-legitimation")).to_be_visible()
    johan.goto(f"/#/news/{news_id}/acknowledgements")
    expect(johan.locator(".news-report-total")).to_contain_text("0 av")

    sara.reload()
    expect(sara.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(sara.get_by_text("Uppdaterad sedan du bekräftade").first).to_be_visible()
    diff = sara.locator(".news-diff")
    expect(diff.locator(".diff-removed", has_text="Steg 2: signera i journalen")).to_be_visible()
    expect(diff.locator(".diff-added", has_text="med e-legitimation")).to_be_visible()
    screenshot(sara, "news-4-changed-since-confirmed")
    sara.get_by_role("button", name="Jag har läst och förstått").click()
    expect(sara.get_by_text("Du bekräftade att du har läst och förstått")).to_be_visible()
    johan.reload()
    expect(johan.locator(".news-report-total")).to_contain_text("1 av")
