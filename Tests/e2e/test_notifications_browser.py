"""The notification centre in the browser (issue 14): a person chooses in the settings page to
get mentions by e-mail at once; someone mentions them; the e-mail reaches a real SMTP server
started by the test, with a link to the thread. And a meeting started in a shared workspace
appears live in the centre with "Gå med", which opens the meeting."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from a11y import check_accessibility
from conftest import ANNA, SARA, login, screenshot, wait_until
from identity_services import communis, mailbox, page_on  # noqa: F401 (fixtures)
from test_meeting_browser import Api, audio_page, tones  # noqa: F401 (fixtures)


@pytest.fixture
def contexts():
    made = []
    yield made
    for context in made:
        context.close()


def _shared_workspace(server_base: str, name: str) -> tuple[Api, str, str]:
    """An open workspace of Anna's with Sara as a member; returns Anna's client, its id and Sara's id."""
    anna = Api(server_base, ANNA)
    sara_id = Api(server_base, SARA).user["id"]
    status, ws = anna.call("POST", "/api/v1/workspaces", {"name": name, "visibility": "closed", "description": "Aviseringar."})
    assert status in (200, 201), ws
    status, body = anna.call("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": sara_id})
    assert status in (200, 201, 204), body
    return anna, ws["id"], sara_id


def test_a_mention_comes_by_e_mail_at_once_when_chosen(monkeypatch, mailbox, browser, contexts):  # noqa: F811
    server = communis(monkeypatch, mailbox.env(), "--demo")
    try:
        sara = page_on(browser, server, contexts)
        login(sara, SARA)
        sara.goto("/#/profile?section=notifications")
        settings = sara.get_by_role("region", name="Aviseringar", exact=True)
        expect(settings.get_by_role("table")).to_be_visible()
        # The defaults: mentions in a daily digest.
        email = settings.get_by_label("Någon nämner mig: E-post")
        expect(email).to_have_value("daily")
        email.select_option("immediate")
        settings.get_by_role("button", name="Spara").click()
        expect(settings.get_by_role("status")).to_have_text("Inställningarna är sparade.")
        check_accessibility(sara, "the notification settings")
        screenshot(sara, "notification-settings")

        anna, ws_id, sara_id = _shared_workspace(server.base, "Aviseringsprov")
        status, thread = anna.call("POST", f"/api/v1/workspaces/{ws_id}/threads",
                                   {"title": "Schemat", "body": f"@[Sara Nilsson](person:{sara_id}) kan du titta på schemat?"})
        assert status == 201, thread
        thread_id = thread["result"]["thread"]["id"]

        mail = mailbox.wait_for(SARA)
        assert mail["subject"] == "Anna Lindqvist nämnde dig", mail["subject"]
        link = re.search(r"https?://\S+/#/workspaces/[0-9a-f-]+\?thread=[0-9a-f-]+", mail["text"])
        assert link, mail["text"]
        assert link.group(0).endswith(f"/#/workspaces/{ws_id}?thread={thread_id}")
        assert "kan du titta på schemat?" in mail["text"]

        # The link opens the thread, and the mention is in the centre as well (in the app by default).
        sara.goto(link.group(0).replace(re.match(r"https?://[^/]+", link.group(0)).group(0), server.base))
        expect(sara.get_by_role("heading", level=1, name="Aviseringsprov")).to_be_visible()
        sara.goto("/#/notifications")
        expect(sara.get_by_role("link", name="Anna Lindqvist nämnde dig")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
        contexts.clear()
        server.stop()


def test_a_meeting_start_appears_live_with_join(new_page, audio_page, tones, server):  # noqa: F811
    _, ws_id, _ = _shared_workspace(server.base_url, f"Mötesaviseringar {uuid.uuid4().hex[:6]}")
    sara = new_page()
    login(sara, SARA)
    sara.goto("/#/notifications")
    expect(sara.get_by_role("heading", level=1, name="Aviseringar")).to_be_visible()
    wait_until(sara, "window.__communisLive && window.__communisLive.state === 'open'")

    anna = audio_page(tones["a440"])
    login(anna, ANNA)
    anna.goto(f"/#/workspaces/{ws_id}")
    quick = anna.get_by_role("form", name="Starta möte")
    quick.get_by_label("Namn på mötet").fill("Avstämning om aviseringar")
    quick.get_by_role("button", name="Starta möte").click()
    anna.get_by_role("button", name="Gå med", exact=True).click()
    expect(anna.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)

    # Without a reload: the sentence, and "Gå med" that opens the meeting.
    expect(sara.get_by_role("link", name="Anna Lindqvist startade mötet ”Avstämning om aviseringar”")).to_be_visible(timeout=10_000)
    join = sara.get_by_role("link", name="Gå med i mötet ”Avstämning om aviseringar”")
    expect(join).to_be_visible()
    check_accessibility(sara, "the notification centre with a meeting")
    screenshot(sara, "notification-meeting-started")
    join.click()
    wait_until(sara, "location.hash.startsWith('#/meetings/')")
    expect(sara.get_by_role("heading", level=1, name="Avstämning om aviseringar")).to_be_visible()
