"""Search in the browser: a colleague finds a post by a word with å/ä/ö typed without
diacritics from the header's search box, sees the word highlighted and opens the result."""
import uuid

import pytest
from playwright.sync_api import expect

from conftest import ERIK, SARA, create_workspace, login, screenshot, wait_until


def test_a_colleague_finds_a_post_typed_without_diacritics_and_opens_it(new_page):
    erik = new_page()
    login(erik, ERIK)
    suffix = uuid.uuid4().hex[:6]
    workspace = create_workspace(erik, f"Sökprov {suffix}", "open")
    word = f"Västgötaåsensöppning{suffix}"
    form = erik.get_by_role("form", name="Starta en ny diskussion")
    form.get_by_label("Rubrik").fill(f"Kvällsöppet {suffix}")
    form.get_by_label("Inlägg").fill(f"Nu gäller {word} för alla <b>besökare</b>.")
    form.get_by_role("button", name="Starta diskussion").click()
    expect(erik.get_by_role("heading", level=3, name=f"Kvällsöppet {suffix}")).to_be_visible()

    sara = new_page()
    login(sara, SARA)
    box = sara.get_by_role("search", name="Sök").first
    box.get_by_role("searchbox").fill(f"vastgotaasensoppning{suffix[:4]}")
    box.get_by_role("searchbox").press("Enter")
    expect(sara.get_by_role("heading", name="Sök", level=1)).to_be_visible()
    wait_until(sara, "location.hash.startsWith('#/search?')")
    result = sara.locator(".search-result").first
    expect(result.locator("mark")).to_have_text(word)
    # The post's markup is shown as text, never as HTML.
    expect(result.locator(".search-snippet")).to_contain_text("<b>besökare</b>")
    expect(result.locator("b")).to_have_count(0)
    # Results are grouped under a heading per kind.
    expect(sara.get_by_role("heading", level=2, name="Diskussioner")).to_be_visible()
    screenshot(sara, "search-results")

    # The type filter keeps the words; "Personer" finds nothing for this word, and offers
    # the whole of Communis instead.
    sara.get_by_role("navigation", name="Visa typ").get_by_role("link", name="Personer", exact=True).click()
    expect(sara.get_by_text("Inga träffar här.")).to_be_visible()
    sara.get_by_role("link", name="Sök i hela Communis").click()
    expect(sara.locator(".search-result").first.locator("mark")).to_have_text(word)
    sara.get_by_role("link", name="Diskussioner", exact=True).click()
    sara.locator(".search-result").first.get_by_role("link").click()
    wait_until(sara, f"location.hash.startsWith('#/workspaces/{workspace}')")
    expect(sara.get_by_text(word)).to_be_visible()


def test_workspaces_are_found_first_under_their_own_heading_without_a_date(new_page):
    sara = new_page()
    login(sara, SARA)
    sara.goto("/#/search?q=Lathundar")
    groups = sara.locator(".search-group")
    expect(groups.first.get_by_role("heading", level=2)).to_contain_text("Samarbetsytor")
    hit = groups.first.locator(".search-result").first
    expect(hit.get_by_role("link", name="Lathundar och IT-tips")).to_be_visible()
    expect(hit.locator("time")).to_have_count(0)
    # Snippets are plain text: no Markdown markers.
    for text in sara.locator(".search-snippet").all_inner_texts():
        assert "**" not in text, text
    hit.get_by_role("link", name="Lathundar och IT-tips").click()
    expect(sara.get_by_role("heading", level=1, name="Lathundar och IT-tips")).to_be_visible()
