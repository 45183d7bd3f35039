"""Daily use in the browser (issue 12): focus stays put after an action, forms are not shown
to people who may not use them, recordings are found where guides are, and the phone gets a
compact header with a menu and the meeting controls within reach of a thumb."""
import uuid

from playwright.sync_api import expect

from conftest import ANNA, SARA, ERIK, create_workspace, login, screenshot, wait_until

PHONE = {"width": 360, "height": 740}


def test_focus_stays_on_the_reaction_after_reacting_with_the_keyboard(new_page):
    anna = new_page()
    login(anna, ANNA)
    create_workspace(anna, f"Fokusprov {uuid.uuid4().hex[:6]}", "open")
    wait_until(anna, "window.__communisLive && window.__communisLive.state === 'open'")
    form = anna.get_by_role("form", name="Starta en ny diskussion")
    form.get_by_label("Rubrik").fill("Tangentbordet")
    form.get_by_label("Inlägg").fill("Går det att reagera utan mus?")
    form.get_by_role("button", name="Starta diskussion").click()
    post = anna.locator("article.post", has_text="utan mus")
    expect(post).to_be_visible()
    post.get_by_text("Reagera", exact=True).focus()
    anna.keyboard.press("Enter")
    expect(post.get_by_role("button", name="Reagera med 👍")).to_be_visible()
    anna.keyboard.press("Tab")
    expect(post.get_by_role("button", name="Reagera med 👍")).to_be_focused()
    anna.keyboard.press("Enter")
    reacted = anna.locator("article.post", has_text="utan mus").get_by_role("button", name="👍: 1")
    expect(reacted).to_be_visible()
    # The post was drawn anew; focus is on its replacement, not on <body> (WCAG 2.4.3).
    expect(reacted).to_be_focused()
    anna.keyboard.press("Enter")
    expect(anna.locator("article.post", has_text="utan mus").get_by_role("button", name="👍: 1")).to_have_count(0)
    assert anna.evaluate("document.activeElement !== document.body")
    expect(anna.locator("article.post", has_text="utan mus").get_by_text("Reagera", exact=True)).to_be_focused()


def test_an_article_editor_is_not_shown_to_someone_who_may_not_edit(new_page):
    sara = new_page()
    login(sara, SARA)
    sara.goto("/#/knowledge")
    sara.get_by_role("link", name="Byt lösenord i Communis").click()
    expect(sara.get_by_role("heading", level=1, name="Byt lösenord i Communis")).to_be_visible()
    expect(sara.get_by_role("link", name="Redigera")).to_have_count(0)
    article_id = sara.url.rsplit("/", 1)[-1]
    sara.goto(f"/#/knowledge/{article_id}/edit")
    expect(sara.get_by_text("Du kan läsa den här lathunden men inte redigera den.")).to_be_visible()
    expect(sara.get_by_role("textbox")).to_have_count(0)
    expect(sara.get_by_role("button", name="Spara")).to_have_count(0)
    sara.get_by_role("link", name="Byt lösenord i Communis").click()
    expect(sara.get_by_role("heading", level=1, name="Byt lösenord i Communis")).to_be_visible()


def test_guide_recordings_are_listed_in_the_knowledge_bank(new_page):
    erik = new_page()
    login(erik, ERIK)
    erik.goto("/#/knowledge")
    guides = erik.get_by_role("region", name="Guideinspelningar")
    # The demo's organisation-wide guide recording.
    demo = guides.get_by_role("listitem").filter(has=erik.get_by_role("link", name="Genomgång: logga in i Procapita"))
    expect(demo).to_contain_text("Hela organisationen")
    guides.get_by_role("link", name="Genomgång: logga in i Procapita").click()
    wait_until(erik, "location.hash.startsWith('#/recordings/')")
    expect(erik.get_by_role("heading", level=1, name="Genomgång: logga in i Procapita")).to_be_visible()


def test_the_phone_header_is_one_row_with_a_menu_and_navigation_at_the_bottom(new_page):
    page = new_page(viewport=PHONE)
    login(page, ANNA)
    header = page.locator("#site-header")
    height = header.bounding_box()["height"]
    assert height <= 80, f"the header takes {height} px of 740"
    nav = page.get_by_role("navigation", name="Huvudmeny")
    box = nav.bounding_box()
    assert box["y"] + box["height"] >= PHONE["height"] - 1, "the main navigation sits at the bottom"
    menu = page.get_by_role("button", name="Meny")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Logga ut")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    # Focus moved into the menu; Escape closes it and gives focus back to the button.
    assert page.evaluate("document.getElementById('header-tools').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(page.get_by_role("button", name="Logga ut")).to_be_hidden()
    # The workspace parts stay on one row (they scroll sideways).
    page.get_by_role("region", name="Mina samarbetsytor").get_by_role("link").first.click()
    tabs = page.locator(".ws-tabs li")
    expect(tabs.first).to_be_visible()
    tops = {round(b["y"]) for b in (tabs.nth(i).bounding_box() for i in range(tabs.count()))}
    assert len(tops) == 1, f"workspace tabs wrap to {len(tops)} rows"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px wide)"
    screenshot(page, "phone-workspace")


def test_long_words_on_the_person_page_hyphenate_instead_of_breaking_anywhere(new_page):
    page = new_page(viewport=PHONE)
    login(page, ANNA)
    page.goto("/#/people?q=Ahmed")
    page.get_by_role("link", name="Ahmed Hassan").first.click()
    # The person page, not the list it was opened from (both name the department for a moment).
    person = page.locator(".person-page")
    expect(person.get_by_role("heading", name="Ahmed Hassan", exact=True)).to_be_visible()
    expect(person.get_by_text("Kommunledningsförvaltningen").first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.evaluate("getComputedStyle(document.querySelector('.person-page')).hyphens") == "auto"
    # Only addresses may break anywhere.
    assert page.evaluate("getComputedStyle(document.querySelector('.person-page dd')).overflowWrap") != "anywhere"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px wide)"
