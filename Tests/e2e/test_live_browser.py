"""Live collaboration in the browser: two people on the same workspace page see each other's
threads, replies, presence and typing without reloading, and a page whose connection drops
shows "Återansluter…" and catches up by itself (docs/protocol.md, "Resuming")."""
import re
import uuid

from playwright.sync_api import Page, expect

from conftest import ANNA, ERIK, SARA, login, create_workspace, screenshot, wait_until

LIVE_TIMEOUT = 5_000  # "within a few seconds"


def _workspace_with_erik(anna: Page, visibility: str = "open") -> tuple[str, str]:
    """Anna creates a workspace and adds Erik as a member; returns (id, name)."""
    name = f"Livetest {uuid.uuid4().hex[:6]}"
    ws_id = create_workspace(anna, name, visibility, "Samordning i realtid.")
    invite = anna.get_by_role("region", name="Bjud in en anställd")
    invite.get_by_label("Sök anställd").fill("Erik Johansson")
    invite.get_by_role("button", name="Sök", exact=True).click()
    invite.get_by_role("button", name="Bjud in Erik Johansson").click()
    expect(anna.get_by_role("region", name="Medlemmar").get_by_role("link", name="Erik Johansson")).to_be_visible()
    return ws_id, name


def _open_workspace(page: Page, ws_id: str) -> None:
    page.goto(f"/#/workspaces/{ws_id}")
    expect(page.get_by_role("region", name="Närvarande nu")).to_be_visible()
    # The discussions have loaded (list or the empty text) and the live connection is open.
    expect(page.locator(".thread-list, .thread-list-body .empty").first).to_be_visible()
    wait_until(page, "window.__communisLive && window.__communisLive.state === 'open'")


def _unread(page: Page) -> int:
    """The unread count the header's notifications link announces (0 without a count)."""
    name = page.locator("a.notif-link").get_attribute("aria-label") or ""
    found = re.search(r"(\d+)", name)
    return int(found.group(1)) if found else 0


def _mark_no_reload(page: Page) -> None:
    page.evaluate("window.__noReload = 'still here'")


def _assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload") == "still here", "the page was reloaded"


def _start_thread(page: Page, title: str, body: str) -> None:
    form = page.get_by_role("form", name="Starta en ny diskussion")
    form.get_by_label("Rubrik").fill(title)
    form.get_by_label("Inlägg").fill(body)
    form.get_by_role("button", name="Starta diskussion").click()
    expect(page.get_by_role("heading", level=3, name=title)).to_be_visible()


def _reply(page: Page, text: str) -> None:
    form = page.get_by_role("form", name="Ditt svar")
    form.get_by_label("Ditt svar").fill(text)
    form.get_by_role("button", name="Skicka svar").click()
    expect(form.get_by_label("Ditt svar")).to_have_value("")


def test_thread_reply_presence_typing_and_mention_arrive_live(new_page):
    anna = new_page()
    login(anna, ANNA)
    ws_id, _ = _workspace_with_erik(anna)
    _open_workspace(anna, ws_id)

    erik = new_page()
    login(erik, ERIK)
    _open_workspace(erik, ws_id)
    _mark_no_reload(erik)
    _mark_no_reload(anna)

    # Presence: each sees the other in "Närvarande nu".
    expect(erik.get_by_role("region", name="Närvarande nu").get_by_text("Anna Lindqvist")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(anna.get_by_role("region", name="Närvarande nu").get_by_text("Erik Johansson")).to_be_visible(timeout=LIVE_TIMEOUT)

    # Anna starts a thread; it appears in Erik's list without a reload.
    title = f"Julmarknad {uuid.uuid4().hex[:4]}"
    _start_thread(anna, title, "Vem tar **skyltarna** till torget?")
    expect(anna.locator(".post .md strong", has_text="skyltarna")).to_be_visible()  # Markdown rendered
    erik_link = erik.get_by_role("link", name=title)
    expect(erik_link).to_be_visible(timeout=LIVE_TIMEOUT)
    erik_link.click()
    expect(erik.get_by_role("heading", level=3, name=title)).to_be_visible()
    expect(erik.get_by_text("Vem tar skyltarna till torget?")).to_be_visible()

    # Anna is typing a reply: Erik sees the indicator.
    reply_box = anna.get_by_role("form", name="Ditt svar").get_by_label("Ditt svar")
    reply_box.press_sequentially("Jag kan", delay=30)
    expect(erik.get_by_text("Anna Lindqvist skriver…")).to_be_visible(timeout=LIVE_TIMEOUT)
    screenshot(erik, "live-1-erik-sees-typing")

    # Anna mentions Erik through the @ suggestions and sends the reply.
    reply_box.press_sequentially(" fråga @Eri", delay=30)
    option = anna.get_by_role("option", name="Erik Johansson")
    expect(option).to_be_visible()
    reply_box.press("Enter")
    value = reply_box.input_value()
    assert re.search(r"@\[Erik Johansson\]\(person:[0-9a-f-]{36}\) $", value), value
    reply_box.press_sequentially("om bilen.", delay=10)
    # Erik may have unread notifications from earlier tests on this server (news for his
    # department, meetings that started): the mention adds one to them.
    unread_before = _unread(erik)
    anna.get_by_role("form", name="Ditt svar").get_by_role("button", name="Skicka svar").click()
    expect(reply_box).to_have_value("")

    # Erik sees the reply (with the mention rendered as a link), the typing indicator is
    # gone, and his notifications indicator counts the mention.
    post = erik.locator("article.post", has_text="om bilen.")
    expect(post).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(post.get_by_role("link", name="@Erik Johansson")).to_be_visible()
    expect(erik.get_by_text("Anna Lindqvist skriver…")).to_have_count(0)
    unread = unread_before + 1
    expected = "Aviseringar, 1 oläst" if unread == 1 else f"Aviseringar, {unread} olästa"
    expect(erik.get_by_role("link", name=expected, exact=True)).to_be_visible(timeout=LIVE_TIMEOUT)

    # Erik reacts; Anna sees the count without a reload. Then Erik toggles it off.
    first_post = erik.locator("article.post", has_text="Vem tar skyltarna")
    first_post.get_by_text("Reagera").click()
    first_post.get_by_role("button", name="Reagera med 👍").click()
    anna_first = anna.locator("article.post", has_text="Vem tar skyltarna")
    expect(anna_first.get_by_role("button", name="👍: 1")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(first_post.get_by_role("button", name="👍: 1")).to_have_attribute("aria-pressed", "true")

    # Anna edits her first post: Erik sees the new text and the "redigerad" marker, and
    # can open the earlier version.
    anna_first.get_by_role("button", name="Redigera").click()
    edit_box = anna.get_by_label("Redigera inlägget")
    edit_box.fill("Vem tar skyltarna och tälten till torget?")
    anna.get_by_role("button", name="Spara").click()
    erik_edited = erik.locator("article.post", has_text="skyltarna och tälten")
    expect(erik_edited).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(erik_edited.locator(".badge", has_text="redigerad")).to_be_visible()
    erik_edited.get_by_text("visa tidigare versioner").click()
    expect(erik_edited.locator(".revision", has_text="Vem tar skyltarna till torget?")).to_be_visible()

    # Erik deletes his own reply ... first he writes one.
    _reply(erik, "Det här tar jag tillbaka.")
    anna_reply = anna.locator("article.post", has_text="Det här tar jag tillbaka.")
    expect(anna_reply).to_be_visible(timeout=LIVE_TIMEOUT)
    erik.locator("article.post", has_text="Det här tar jag tillbaka.").get_by_role("button", name="Ta bort").click()
    erik.get_by_role("dialog", name="Vill du ta bort inlägget?").get_by_role("button", name="Ja").click()
    expect(anna.locator("article.post", has_text="Det här tar jag tillbaka.")).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(anna.get_by_text("(borttaget)")).to_be_visible()

    _assert_not_reloaded(erik)
    _assert_not_reloaded(anna)
    screenshot(anna, "live-2-anna-thread-desktop")
    screenshot(erik, "live-2-erik-thread-desktop")

    # The notification is listed on the notifications page.
    erik.get_by_role("link", name=expected, exact=True).click()
    expect(erik.get_by_role("heading", level=1, name="Aviseringar")).to_be_visible()
    expect(erik.get_by_role("link", name="Anna Lindqvist nämnde dig").first).to_be_visible()
    screenshot(erik, "live-3-erik-notifications")
    erik.get_by_role("button", name="Markera alla som lästa").click()
    expect(erik.get_by_role("link", name="Aviseringar", exact=True)).to_be_visible()

    # The home feed lists the thread, newest first.
    anna.goto("/#/")
    feed = anna.get_by_role("region", name="Flöde")
    expect(feed.get_by_role("link", name=f"Anna Lindqvist startade diskussionen ”{title}”")).to_be_visible()
    screenshot(anna, "live-4-anna-home-feed")


def test_dropped_connection_shows_banner_and_catches_up(new_page):
    anna = new_page()
    login(anna, ANNA)
    ws_id, _ = _workspace_with_erik(anna)
    _open_workspace(anna, ws_id)
    title = f"Vinterväghållning {uuid.uuid4().hex[:4]}"
    _start_thread(anna, title, "Plogrutter för december.")

    erik = new_page(viewport={"width": 360, "height": 780})
    login(erik, ERIK)
    erik.goto(f"/#/workspaces/{ws_id}")
    erik.get_by_role("link", name=title).click()
    expect(erik.get_by_text("Plogrutter för december.")).to_be_visible()
    wait_until(erik, "window.__communisLive && window.__communisLive.state === 'open'")
    _mark_no_reload(erik)
    banner = erik.get_by_role("status").filter(has_text="Återansluter…")

    # The connection drops (as if the network went away for 4 s).
    erik.evaluate("window.__communisLive.drop(4000)")
    expect(banner).to_be_visible()
    # Meanwhile Anna writes a reply, and Erik's page cannot see it yet.
    _reply(anna, "Rutt 3 plogas först.")
    screenshot(erik, "live-5-erik-reconnecting-360")
    expect(erik.get_by_text("Rutt 3 plogas först.")).to_have_count(0)

    # After reconnecting the banner disappears and the missed reply shows up.
    expect(banner).to_have_count(0, timeout=15_000)
    expect(erik.get_by_text("Rutt 3 plogas först.")).to_be_visible(timeout=LIVE_TIMEOUT)
    _assert_not_reloaded(erik)
    # And it keeps working live afterwards.
    _reply(anna, "Och rutt 7 efter lunch.")
    expect(erik.get_by_text("Och rutt 7 efter lunch.")).to_be_visible(timeout=LIVE_TIMEOUT)
    screenshot(erik, "live-6-erik-caught-up-360")
    width = erik.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px wide)"


def test_non_member_reads_threads_without_live_or_forms(new_page):
    anna = new_page()
    login(anna, ANNA)
    ws_id, _ = _workspace_with_erik(anna, "open")
    _open_workspace(anna, ws_id)
    title = f"Öppen fråga {uuid.uuid4().hex[:4]}"
    _start_thread(anna, title, "Alla får läsa det här.")

    sara = new_page()
    login(sara, SARA)
    sara.goto(f"/#/workspaces/{ws_id}")
    expect(sara.get_by_text("Du läser diskussionerna som icke-medlem.")).to_be_visible()
    expect(sara.get_by_role("region", name="Närvarande nu")).to_have_count(0)
    expect(sara.get_by_role("form", name="Starta en ny diskussion")).to_have_count(0)
    sara.get_by_role("link", name=title).click()
    expect(sara.get_by_text("Alla får läsa det här.")).to_be_visible()
    expect(sara.get_by_role("form", name="Ditt svar")).to_have_count(0)
    expect(sara.get_by_role("button", name="Svara")).to_have_count(0)
    # Not subscribed: no workspace topic on the live connection.
    assert sara.evaluate(f"window.__communisLive.isSubscribed('{ws_id}')") is False
    screenshot(sara, "live-7-sara-read-only")


def test_home_feed_updates_live_and_shows_more(new_page):
    anna = new_page()
    login(anna, ANNA)
    ws_id, ws_name = _workspace_with_erik(anna)
    _open_workspace(anna, ws_id)

    erik = new_page(viewport={"width": 360, "height": 780})
    login(erik, ERIK)
    feed = erik.get_by_role("region", name="Flöde")
    expect(feed).to_be_visible()
    wait_until(erik, f"window.__communisLive && window.__communisLive.isSubscribed('{ws_id}')")
    wait_until(erik, f"window.__communisLive.lastSeq('{ws_id}') !== undefined")
    _mark_no_reload(erik)

    # Enough threads for more than one feed page (10 per page).
    titles = [f"Punkt {i} {uuid.uuid4().hex[:4]}" for i in range(12)]
    for title in titles:
        _start_thread(anna, title, f"Underlag för {title}.")
        anna.get_by_role("button", name="Alla diskussioner").click()

    # The newest is on top, without a reload.
    newest = feed.get_by_role("link", name=f"Anna Lindqvist startade diskussionen ”{titles[-1]}”")
    expect(newest).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(feed.get_by_role("listitem").first).to_contain_text(titles[-1])
    expect(feed.get_by_text(f"i {ws_name}").first).to_be_visible()
    _assert_not_reloaded(erik)
    screenshot(erik, "live-8-erik-home-feed-360")

    # After a reload the first page has 10 items and "Visa fler" brings the older ones.
    erik.reload()
    expect(feed.get_by_role("listitem")).to_have_count(10)
    feed.get_by_role("button", name="Visa fler").click()
    expect(feed.get_by_role("link", name=f"Anna Lindqvist startade diskussionen ”{titles[0]}”")).to_be_visible()
    width = erik.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the start page scrolls sideways at 360 px ({width} px wide)"

    # Opening a feed item leads to the thread.
    feed.get_by_role("link", name=f"Anna Lindqvist startade diskussionen ”{titles[0]}”").click()
    expect(erik.get_by_role("heading", level=3, name=titles[0])).to_be_visible()
    expect(erik.get_by_text(f"Underlag för {titles[0]}.")).to_be_visible()
