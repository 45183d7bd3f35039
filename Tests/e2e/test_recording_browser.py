"""Recordings in the browser. A trainer (Erik) records a short guide with a fake microphone
playing a tone, marks a chapter after about three seconds, stops, shares the recording with
the organisation and writes an organisation-wide how-to with it attached; a colleague (Sara,
who is not in Erik's workspace) finds the how-to by a word of its text, opens it, clicks the
chapter and the article's own player plays from there. And in a meeting: when the moderator
starts recording, a participant sees the "Spelas in" sign and the chapters, a guest waiting
in the lobby is told, and stopping says so.

Audio needs a browser of its own per fake microphone (a launch flag), as in
test_meeting_browser.py, whose helpers are reused."""
from __future__ import annotations

import random
import string
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import ANNA, CHROMIUM, ERIK, SARA, login, screenshot, wait_until
from test_meeting_browser import AUDIO_FLAGS, Api, _tone_wav

CHAPTER = "Steg 2: Logga in i Procapita"
WORKSPACE = "Skolstart 2027"  # Erik owns it in the demo data; Sara is not a member


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    return _tone_wav(tmp_path_factory.mktemp("rec-tones") / "a440.wav", 440)


@pytest.fixture
def mic_page(browser, server):
    """Factory: a page in a browser of its own whose microphone plays `wav`."""
    browsers = []

    def make(wav: Path) -> Page:
        b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                        args=[*AUDIO_FLAGS, f"--use-file-for-fake-audio-capture={wav}"])
        browsers.append(b)
        ctx = b.new_context(base_url=server.base_url, locale="sv-SE")
        ctx.set_default_timeout(10_000)
        page = ctx.new_page()
        page.on("pageerror", lambda err: print(f"[page error] {err}"))
        return page

    yield make
    for b in browsers:
        b.close()


def _word() -> str:
    """A word no other test writes (letters only, so the search sees one token)."""
    return "guidord" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))


def test_a_trainer_records_a_guide_and_a_colleague_plays_its_chapter_from_the_how_to(server, mic_page, new_page, tone):
    erik = mic_page(tone)
    login(erik, ERIK)
    title = f"Logga in i Procapita {uuid.uuid4().hex[:4]}"

    # From the knowledge bank: "Spela in en guide", a workspace and a title.
    erik.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kunskapsbank").click()
    erik.get_by_role("link", name="Spela in en guide").click()
    expect(erik.get_by_role("heading", name="Spela in en guide", level=1)).to_be_visible()
    erik.get_by_label("Samarbetsyta", exact=True).select_option(label=WORKSPACE)
    erik.get_by_label("Guidens namn").fill(title)
    erik.get_by_role("button", name="Börja spela in").click()  # a real click starts the audio

    # The sign, announced (role=status), and the chapter controls.
    sign = erik.get_by_role("status").filter(has_text="Spelas in")
    expect(sign).to_be_visible(timeout=15_000)
    started = time.monotonic()
    assert erik.evaluate("window.__communisMeeting.sending()") is True
    chapter_field = erik.get_by_label("Kapitlets rubrik")
    expect(chapter_field).to_be_visible()
    screenshot(erik, "recording-0-guide-recording")

    # About three seconds in: a chapter.
    time.sleep(max(0.0, 3.0 - (time.monotonic() - started)))
    chapter_field.fill(CHAPTER)
    erik.get_by_role("button", name="Markera kapitel").click()
    expect(erik.locator(".rec-chapters li", has_text=CHAPTER)).to_be_visible()
    expect(erik.locator(".rec-chapters li", has_text=CHAPTER)).to_contain_text("0:0")

    # About seven seconds in: stop. The page ends the meeting and opens the recording.
    time.sleep(max(0.0, 7.0 - (time.monotonic() - started)))
    erik.get_by_role("button", name="Stoppa", exact=True).click()
    expect(erik.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=15_000)
    wait_until(erik, "location.hash.startsWith('#/recordings/')")
    recording_id = erik.evaluate("location.hash.split('/')[2].split('?')[0]")
    expect(erik.get_by_text("Inspelningen är sparad.")).to_be_visible()

    api = Api(server.base_url, ERIK)
    status, rec = api.call("GET", f"/api/v1/recordings/{recording_id}")
    assert status == 200, rec
    assert rec["kind"] == "guide" and rec["state"] == "complete", rec
    assert [c["title"] for c in rec["chapters"]] == [CHAPTER], rec
    offset_ms = rec["chapters"][0]["offsetMs"]
    assert 2_000 <= offset_ms <= 6_000, rec
    assert 5_000 <= rec["durationMs"] <= 12_000, rec
    status, meeting = api.call("GET", f"/api/v1/meetings/{rec['meetingId']}")
    assert status == 200 and meeting["state"] == "ended", meeting

    # The recording page plays it: the duration is known from the file itself.
    audio = "document.querySelector('.recording-page audio')"
    wait_until(erik, f"{audio} && {audio}.readyState >= 1 && Number.isFinite({audio}.duration)", 10)
    assert abs(erik.evaluate(f"{audio}.duration") * 1000 - rec["durationMs"]) < 1_500
    expect(erik.get_by_role("button", name=f"Spela från 0:0{offset_ms // 1000}: {CHAPTER}")).to_be_visible()

    # Sara is not in the workspace: Erik shares the recording with the organisation.
    erik.get_by_label("Dela med hela organisationen").check()
    expect(erik.get_by_text("Inspelningen delas nu med hela organisationen.")).to_be_visible()
    screenshot(erik, "recording-1-recording-page")

    # "Skriv en lathund med den här inspelningen": the editor has it attached, chapters copied.
    erik.get_by_role("link", name="Skriv en lathund med den här inspelningen").click()
    expect(erik.get_by_role("heading", name="Skriv en lathund")).to_be_visible()
    attached = erik.locator(".kb-attached-item", has_text=title)
    expect(attached).to_contain_text("1 kapitel")
    word = _word()
    article_title = f"Så loggar du in i Procapita {uuid.uuid4().hex[:4]}"
    erik.get_by_label("Var lathunden hör hemma").select_option(label="Hela organisationen")
    erik.get_by_role("textbox", name="Rubrik", exact=True).fill(article_title)
    erik.get_by_role("textbox", name="Steg", exact=True).fill(
        f"1. Starta Procapita\n2. Logga in med ditt {word}-konto\n3. Lyssna på guiden")
    erik.get_by_role("button", name="Spara", exact=True).click()
    expect(erik.get_by_role("heading", name=article_title, level=1)).to_be_visible()
    expect(erik.locator(".kb-recording audio")).to_have_count(1)
    screenshot(erik, "recording-2-article")

    # Sara searches for the word, opens the how-to and plays the chapter in its player.
    sara = new_page()
    sara.on("pageerror", lambda err: print(f"[page error sara] {err}"))
    login(sara, SARA)
    search = sara.get_by_role("search", name="Sök").first
    search.get_by_role("searchbox").fill(word)
    search.get_by_role("button", name="Sök").click()
    sara.get_by_role("link", name=article_title).click()
    expect(sara.get_by_role("heading", name=article_title, level=1)).to_be_visible()
    chapter_button = sara.get_by_role("button", name=f"Spela från 0:0{offset_ms // 1000}: {CHAPTER}")
    chapter_button.click()
    player = "document.querySelector('.kb-recording audio')"
    start = offset_ms / 1000 - 0.5
    wait_until(sara, f"!{player}.paused && {player}.currentTime >= {start}", 10)
    first = sara.evaluate(f"{player}.currentTime")
    time.sleep(1.0)
    state = sara.evaluate(f"({{t: {player}.currentTime, paused: {player}.paused, d: {player}.duration, e: {player}.error && {player}.error.code}})")
    assert state["paused"] is False, state
    assert state["e"] is None, state
    assert state["t"] > first, (first, state)
    assert state["t"] >= start, state
    assert abs(state["d"] * 1000 - rec["durationMs"]) < 1_500, (state, rec["durationMs"])
    screenshot(sara, "recording-3-sara-plays-chapter")

    # The recording's own page at the chapter (a search result of kind chapter links there).
    sara.get_by_role("link", name=f"Öppna inspelningen {title}").click()
    expect(sara.get_by_role("heading", name=title, level=1)).to_be_visible()
    sara.goto(f"/#/recordings/{recording_id}?t={offset_ms}")
    page_audio = "document.querySelector('.recording-page audio')"
    wait_until(sara, f"{page_audio} && {page_audio}.readyState >= 1 && {page_audio}.currentTime >= {start}", 10)


def _workspace_with_erik(anna: Api) -> str:
    erik_id = Api(anna.base, ERIK).user["id"]
    status, ws = anna.call("POST", "/api/v1/workspaces",
                           {"name": f"Inspelningstest {uuid.uuid4().hex[:6]}", "visibility": "closed", "description": "Inspelade möten."})
    assert status in (200, 201), ws
    status, body = anna.call("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": erik_id})
    assert status in (200, 201, 204), body
    return ws["id"]


def _join_listening(page: Page) -> None:
    """Joins from a browser without a usable microphone: the explanation, then "listen only"."""
    page.get_by_role("button", name="Gå med", exact=True).click()
    page.get_by_role("button", name="Gå med utan mikrofon (bara lyssna)").click()


def test_participants_see_the_recording_sign_and_a_guest_in_the_lobby_is_told(server, mic_page, new_page, tone):
    anna_api = Api(server.base_url, ANNA)
    ws_id = _workspace_with_erik(anna_api)
    status, meeting = anna_api.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Veckomöte IT"})
    assert status in (200, 201), meeting
    status, invitation = anna_api.call("POST", f"/api/v1/meetings/{meeting['id']}/invitations", {"name": "Kim Berg"})
    assert status == 201, invitation

    anna = mic_page(tone)
    login(anna, ANNA)
    anna.goto(f"/#/meetings/{meeting['id']}")
    anna.get_by_role("button", name="Gå med", exact=True).click()
    expect(anna.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)

    erik = new_page()
    login(erik, ERIK)
    erik.goto(f"/#/meetings/{meeting['id']}")
    _join_listening(erik)
    expect(erik.get_by_text("Du lyssnar utan mikrofon.")).to_be_visible()
    # Only moderators may start a recording.
    expect(erik.get_by_role("button", name="Spela in")).to_have_count(0)

    kim = new_page()
    kim.goto(f"/#/meeting-invitation/{invitation['token']}")
    kim.get_by_role("button", name="Gå med").click()
    _join_listening(kim)
    expect(kim.get_by_text("Väntar på att en moderator släpper in dig")).to_be_visible()
    expect(kim.get_by_text("Mötet spelas in")).to_have_count(0)

    # Anna records: everyone is told, in a live region.
    anna.get_by_role("button", name="Spela in", exact=True).click()
    for page in (anna, erik):
        expect(page.get_by_role("status").filter(has_text="Spelas in")).to_be_visible()
    expect(kim.get_by_role("status").filter(has_text="Mötet spelas in")).to_be_visible()
    expect(anna.get_by_role("button", name="Stoppa inspelning")).to_be_visible()
    # And heard: a short sound in the meeting's audio (the lobby's too).
    for page in (anna, erik, kim):
        assert page.evaluate("window.__communisMeeting.cuesPlayed()") == ["start"]
    screenshot(erik, "recording-4-participant-sees-sign")
    screenshot(kim, "recording-5-lobby-told")

    # A chapter reaches the participants with its time.
    anna.get_by_label("Kapitlets rubrik").fill("Dagordning")
    anna.get_by_role("button", name="Markera kapitel").click()
    expect(erik.locator(".rec-chapters li", has_text="Dagordning")).to_contain_text("0:0")
    expect(anna.locator(".rec-chapters li", has_text="Dagordning")).to_have_count(1)

    # A guest admitted while it records still sees the sign.
    anna.get_by_role("region", name="Väntar i lobbyn").get_by_role("button", name="Släpp in Kim Berg").click()
    expect(kim.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)
    expect(kim.get_by_role("status").filter(has_text="Spelas in")).to_be_visible()

    # Stopping: the sign goes and the reason is said.
    anna.get_by_role("button", name="Stoppa inspelning").click()
    for page in (anna, erik, kim):
        expect(page.get_by_text("Inspelningen har stoppats.")).to_be_visible()
        expect(page.locator(".rec-sign-on")).to_have_count(0)
    expect(anna.get_by_role("button", name="Spela in", exact=True)).to_be_visible()
    assert erik.evaluate("window.__communisMeeting.cuesPlayed()") == ["start", "stop"]

    # The recording is listed in the workspace for its members.
    erik.goto(f"/#/workspaces/{ws_id}")
    recordings = erik.get_by_role("region", name="Inspelningar")
    expect(recordings.get_by_role("link", name="Veckomöte IT")).to_be_visible(timeout=10_000)
