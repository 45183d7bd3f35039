"""Meetings in daily use (issue 12), in the browser against the server's side of it: the start
page's "Pågår nu" kept live, a meeting's own title, its chat shown as the meeting's chat in the
reader's language, and a meeting guest whose page holds the meeting and nothing else."""
from playwright.sync_api import expect

import uuid

from conftest import ANNA, SARA, login, screenshot, wait_until
from test_meeting_browser import Api, audio_page, tones  # noqa: F401 (fixtures)


def _workspace_for_anna_and_sara(server) -> tuple[Api, str]:
    """Sara, not Erik: other tests read Erik's first page of workspaces, which more would push on."""
    anna = Api(server.base_url, ANNA)
    sara_id = Api(server.base_url, SARA).user["id"]
    status, ws = anna.call("POST", "/api/v1/workspaces",
                           {"name": f"Mötestest {uuid.uuid4().hex[:6]}", "visibility": "closed", "description": "Webbmöten."})
    assert status in (200, 201), ws
    status, body = anna.call("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": sara_id})
    assert status in (200, 201, 204), body
    return anna, ws["id"]


def _open(page) -> None:
    wait_until(page, "window.__communisLive && window.__communisLive.state === 'open'")


def test_the_start_page_shows_meetings_going_on_now_live(new_page, audio_page, tones, server):  # noqa: F811
    _, ws_id = _workspace_for_anna_and_sara(server)
    sara = new_page()
    login(sara, SARA)
    _open(sara)
    # Nothing going on in this workspace yet (others' meetings may be).
    now = sara.get_by_role("region", name="Pågår nu")
    expect(now.get_by_text("Veckoavstämning")).to_have_count(0)

    anna = audio_page(tones["a440"])
    login(anna, ANNA)
    anna.goto(f"/#/workspaces/{ws_id}")
    quick = anna.get_by_role("form", name="Starta möte")
    quick.get_by_label("Namn på mötet").fill("Veckoavstämning")
    quick.get_by_role("button", name="Starta möte").click()
    anna.get_by_role("button", name="Gå med", exact=True).click()
    expect(anna.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)

    # Sara's start page shows it without a reload: title, workspace, how many are in, "Gå med".
    entry = now.get_by_role("listitem").filter(has_text="Veckoavstämning")
    expect(entry).to_be_visible(timeout=10_000)
    expect(entry).to_contain_text("1 deltagare i mötet")
    expect(entry).to_contain_text("i Mötestest")
    screenshot(sara, "daily-live-now")
    entry.get_by_role("link", name="Gå med i Veckoavstämning").click()
    wait_until(sara, "location.hash.startsWith('#/meetings/')")
    expect(sara.get_by_role("heading", level=1, name="Veckoavstämning")).to_be_visible()


def test_a_meetings_chat_is_shown_as_the_meetings_and_in_the_readers_language(new_page, server):
    anna_api, ws_id = _workspace_for_anna_and_sara(server)
    status, meeting = anna_api.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Språkprov"})
    assert status in (200, 201), meeting
    sara = new_page()
    login(sara, SARA)
    sara.evaluate("localStorage.setItem('communis.lang', 'en')")
    sara.goto(f"/#/workspaces/{ws_id}")
    sara.reload()
    chat = sara.get_by_role("link", name="Chat of the meeting Språkprov")
    expect(chat).to_be_visible()
    chat.click()
    expect(sara.get_by_text("Anna Lindqvist created the meeting Språkprov. This is the meeting's chat; it stays after the meeting.")).to_be_visible()
    expect(sara.get_by_text("skapade mötet")).to_have_count(0)
    sara.get_by_role("link", name="Go to the meeting").first.click()
    wait_until(sara, f"location.hash === '#/meetings/{meeting['id']}'")


def test_a_meeting_guest_gets_the_meeting_and_its_chat_only(new_page, audio_page, tones, server):  # noqa: F811
    anna_api, ws_id = _workspace_for_anna_and_sara(server)
    status, meeting = anna_api.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Samråd"})
    assert status in (200, 201), meeting
    status, invitation = anna_api.call("POST", f"/api/v1/meetings/{meeting['id']}/invitations", {"name": "Kim Gäst"})
    assert status == 201, invitation
    anna = audio_page(tones["a440"])
    login(anna, ANNA)
    anna.goto(f"/#/meetings/{meeting['id']}")
    anna.get_by_role("button", name="Gå med", exact=True).click()
    expect(anna.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)

    guest = audio_page(tones["e660"])
    guest.goto(f"/#/meeting-invitation/{invitation['token']}")
    guest.get_by_role("button", name="Gå med").click()
    expect(guest.get_by_text("Väntar på att en moderator släpper in dig")).to_be_visible()
    # The meeting and nothing else: no employee navigation, search, or way to the workspace.
    expect(guest.get_by_role("navigation", name="Huvudmeny")).to_have_count(0)
    expect(guest.get_by_role("search")).to_have_count(0)
    expect(guest.get_by_role("link", name="Till samarbetsytan")).to_have_count(0)
    screenshot(guest, "daily-guest-lobby")

    anna.get_by_role("region", name="Väntar i lobbyn").get_by_role("button", name="Släpp in Kim Gäst").click()
    expect(guest.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)
    # The chat works both ways, live.
    chat = guest.get_by_role("region", name="Mötets chatt")
    chat.get_by_role("textbox", name="Skriv i chatten").fill("Hej från gästen")
    chat.get_by_role("button", name="Skicka").click()
    expect(anna.get_by_role("region", name="Mötets chatt").get_by_text("Hej från gästen")).to_be_visible(timeout=10_000)
    anna_chat = anna.get_by_role("region", name="Mötets chatt")
    anna_chat.get_by_role("textbox", name="Skriv i chatten").fill("Välkommen, Kim")
    anna_chat.get_by_role("button", name="Skicka").click()
    expect(chat.get_by_text("Välkommen, Kim")).to_be_visible(timeout=10_000)

    # Any other route leads back to the meeting.
    guest.evaluate("location.hash = '#/knowledge'")
    wait_until(guest, f"location.hash === '#/meetings/{meeting['id']}'")


def test_on_a_phone_the_meeting_controls_are_a_bar_at_the_bottom_and_the_participants_come_first(audio_page, tones, server):  # noqa: F811
    anna_api, ws_id = _workspace_for_anna_and_sara(server)
    status, meeting = anna_api.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Telefonmöte"})
    assert status in (200, 201), meeting
    phone = {"width": 360, "height": 740}
    anna = audio_page(tones["a440"], viewport=phone)
    login(anna, ANNA)
    anna.goto(f"/#/meetings/{meeting['id']}")
    anna.get_by_role("button", name="Gå med", exact=True).click()
    expect(anna.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)
    # Mute, hand and leave sit in a bar at the bottom of the screen, within reach of a thumb.
    for name in ("Stäng av mikrofonen", "Räck upp handen", "Lämna mötet"):
        box = anna.get_by_role("button", name=name).bounding_box()
        assert box["y"] >= phone["height"] - 110 and box["y"] + box["height"] <= phone["height"], (name, box)
    # The participants are on the first screen, the chat a tap away.
    participants = anna.get_by_role("heading", name="1 deltagare")
    expect(participants).to_be_visible()
    screenshot(anna, "daily-phone-meeting")
    assert participants.bounding_box()["y"] < phone["height"] - 110
    expect(anna.get_by_role("region", name="Mötets chatt")).to_be_hidden()
    anna.get_by_role("button", name="Chatt").click()
    expect(anna.get_by_role("button", name="Chatt")).to_have_attribute("aria-pressed", "true")
    expect(anna.get_by_role("region", name="Mötets chatt")).to_be_visible()
    expect(participants).to_be_hidden()
    width = anna.evaluate("document.documentElement.scrollWidth")
    assert width <= phone["width"], f"the page scrolls sideways ({width} px wide)"
    screenshot(anna, "daily-phone-meeting-chat")
