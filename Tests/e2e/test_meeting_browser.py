"""Web meetings in the browser (issue 4): two headless Chromium browsers, each with its own
fake microphone playing a different tone, join one meeting by clicking "Gå med"; each page
decodes non-silent audio from the other (RMS measured in the page on decoded PCM), muting
one makes the other's received level fall to silence, and leaving updates the other's
participant list. Also: scheduling and the live "who is in it" on the workspace page,
rejoining after a dropped connection, the moderator's tools (lower a hand, mute, statistics,
deny, remove, end for all), a guest from an invitation link waiting in the lobby until
admitted. A browser without WebCodecs gets an explanation instead of a silent meeting, and a
refused microphone offers to listen only.

Each participant needs a browser of its own because the fake microphone file is a launch
flag; they are launched from the session's playwright (conftest `browser`)."""
from __future__ import annotations

import json
import math
import re
import struct
import time
import urllib.error
import urllib.request
import uuid
import wave
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import ANNA, CHROMIUM, DEMO_PASSWORD, ERIK, login, screenshot

AUDIO_FLAGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
SAMPLE_RATE = 48_000
# Received RMS above this is "not silent": about −46 dBov. Chromium's noise suppression
# brings a steady tone of RMS 0.2 down to about 0.02 after a few seconds; still far above.
AUDIBLE_RMS = 0.005
# Below this is silence (no frames decoded in the last 500 ms gives exactly 0).
SILENT_RMS = 0.001
AUDIO_TIMEOUT_MS = 10_000


def _tone_wav(path: Path, hz: float, seconds: float = 3.0, amplitude: float = 0.3) -> Path:
    """A 48 kHz mono 16-bit WAV of a sine tone (Chromium loops it as the microphone)."""
    frames = int(SAMPLE_RATE * seconds)
    samples = (int(amplitude * 32767 * math.sin(2 * math.pi * hz * i / SAMPLE_RATE)) for i in range(frames))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


@pytest.fixture(scope="session")
def tones(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tones")
    return {"a440": _tone_wav(folder / "a440.wav", 440), "e660": _tone_wav(folder / "e660.wav", 660)}


@pytest.fixture
def audio_page(browser, server):
    """Factory: a page in a browser of its own whose microphone plays `wav`."""
    browsers = []

    def make(wav: Path, **context_args) -> Page:
        b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                        args=[*AUDIO_FLAGS, f"--use-file-for-fake-audio-capture={wav}"])
        browsers.append(b)
        ctx = b.new_context(base_url=server.base_url, locale="sv-SE", **context_args)
        ctx.set_default_timeout(10_000)
        page = ctx.new_page()
        page.on("pageerror", lambda err: print(f"[page error] {err}"))
        return page

    yield make
    for b in browsers:
        b.close()


class Api:
    """A logged-in HTTP client (cookie + CSRF token) for setting up a test."""

    def __init__(self, base_url: str, email: str):
        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf = None
        status, body = self.call("POST", "/api/v1/session", {"email": email, "password": DEMO_PASSWORD})
        assert status == 200, body
        self.csrf = body["csrfToken"]
        self.user = body["user"]

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else {}


def _workspace_for_anna_and_erik(server) -> tuple[Api, str]:
    anna = Api(server.base_url, ANNA)
    erik_id = Api(server.base_url, ERIK).user["id"]
    status, ws = anna.call("POST", "/api/v1/workspaces",
                           {"name": f"Mötestest {uuid.uuid4().hex[:6]}", "visibility": "closed", "description": "Webbmöten."})
    assert status in (200, 201), ws
    status, body = anna.call("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": erik_id})
    assert status in (200, 201, 204), body
    return anna, ws["id"]


def _stream_of(page: Page, name: str) -> int:
    """The stream id of the participant called `name`, from the page's meeting state."""
    return page.evaluate("""(name) => {
        const s = window.__communisMeeting.state();
        const p = Object.values(s.participants).find((x) => x.person.name === name);
        return p ? p.streamId : null;
    }""", name)


def _until(page: Page, expression: str, timeout_ms: int = AUDIO_TIMEOUT_MS) -> bool:
    """Polls `expression` in the page until it is truthy. (Not wait_for_function: the server's
    Content-Security-Policy forbids the string evaluation it polls with, and the test should
    run under the real policy.)"""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        if page.evaluate(expression):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def _wait_level(page: Page, stream: int, *, above: float | None = None, below: float | None = None,
                other: Page | None = None) -> None:
    level = f"(window.__communisMeeting.receivedLevels()[{stream}] ?? 0)"
    if _until(page, f"{level} > {above}" if above is not None else f"{level} < {below}"):
        return
    detail = "JSON.stringify({levels: window.__communisMeeting.receivedLevels(), stats: window.__communisMeeting.stats(),"\
             " sending: window.__communisMeeting.sending(), speaking: window.__communisMeeting.state().speaking})"
    raise AssertionError(f"stream {stream}: wanted level {'>' if above is not None else '<'} "
                         f"{above if above is not None else below}; this page: {page.evaluate(detail)}; "
                         f"other page: {other.evaluate(detail) if other else '-'}")


def _join(page: Page) -> None:
    page.get_by_role("button", name="Gå med", exact=True).click()  # a real click starts the audio
    expect(page.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)


def test_two_browsers_hear_each_other_mute_falls_silent_and_leaving_updates_the_list(server, audio_page, tones):
    _, ws_id = _workspace_for_anna_and_erik(server)
    anna = audio_page(tones["a440"])
    erik = audio_page(tones["e660"], viewport={"width": 390, "height": 844})
    login(anna, ANNA)
    login(erik, ERIK)

    # Erik has the workspace open; Anna starts an ad hoc meeting from hers.
    erik.goto(f"/#/workspaces/{ws_id}")
    meetings_erik = erik.locator("section.meetings")
    expect(meetings_erik.get_by_role("heading", name="Möten")).to_be_visible()
    expect(meetings_erik.get_by_text("Inga planerade eller pågående möten.")).to_be_visible()
    # Erik schedules one for later; it is listed with its time.
    meetings_erik.get_by_text("Planera ett möte").click()
    schedule = erik.get_by_role("form", name="Planera ett möte")
    schedule.get_by_label("Rubrik").fill("Planering vecka 49")
    schedule.get_by_label("Datum och tid").fill("2026-12-01T09:30")
    schedule.get_by_role("button", name="Planera möte").click()
    expect(meetings_erik.get_by_role("link", name="Planering vecka 49")).to_be_visible()
    expect(meetings_erik.locator(".meeting-item", has_text="Planering vecka 49")).to_contain_text("Planerat till")
    assert _until(erik, "window.__communisLive && window.__communisLive.state === 'open'", 10_000)

    anna.goto(f"/#/workspaces/{ws_id}")
    # "Starta möte" asks for a title, suggested from the date and time.
    quick = anna.get_by_role("form", name="Starta möte")
    expect(quick.get_by_label("Namn på mötet")).to_have_value(re.compile(r"^Möte \d{1,2} \w+\.? \d{2}:\d{2}$"))
    quick.get_by_label("Namn på mötet").fill("Avstämning skyltar")
    quick.get_by_role("button", name="Starta möte").click()
    expect(anna.get_by_role("button", name="Gå med", exact=True)).to_be_visible()
    meeting_url = anna.url
    assert "#/meetings/" in meeting_url
    _join(anna)
    expect(anna.locator(".participant", has_text="Anna Lindqvist")).to_be_visible()

    # Erik's workspace page shows who is in the meeting now, without a reload.
    expect(meetings_erik.get_by_text("I mötet nu: Anna Lindqvist")).to_be_visible(timeout=5_000)
    meetings_erik.scroll_into_view_if_needed()
    screenshot(erik, "meeting-0-erik-workspace-meetings-390")
    meetings_erik.get_by_role("link", name="Avstämning skyltar").click()
    _join(erik)

    for page in (anna, erik):
        expect(page.locator(".participant")).to_have_count(2)
        expect(page.get_by_role("heading", name="2 deltagare")).to_be_visible()
    erik_stream = _stream_of(anna, "Erik Johansson")
    anna_stream = _stream_of(erik, "Anna Lindqvist")
    assert erik_stream and anna_stream and erik_stream != anna_stream
    assert anna.evaluate("window.__communisMeeting.ownStreamId()") == anna_stream

    # Each decodes non-silent audio from the other.
    _wait_level(anna, erik_stream, above=AUDIBLE_RMS, other=erik)
    _wait_level(erik, anna_stream, above=AUDIBLE_RMS, other=anna)
    # The server names the speakers; the page highlights them.
    expect(anna.locator(".participant-speaking", has_text="Erik Johansson")).to_be_visible(timeout=5_000)
    screenshot(anna, "meeting-1-anna-hears-erik")
    screenshot(erik, "meeting-1-erik-hears-anna-390")

    # Erik mutes: Anna sees it, and what she receives from him falls to silence, while
    # Erik still hears Anna.
    erik.get_by_role("button", name="Stäng av mikrofonen").click()
    expect(erik.get_by_role("button", name="Slå på mikrofonen")).to_be_visible()
    expect(anna.locator(".participant", has_text="Erik Johansson").get_by_text("Mikrofonen avstängd")).to_be_attached()
    _wait_level(anna, erik_stream, below=SILENT_RMS, other=erik)
    time.sleep(0.6)
    assert anna.evaluate(f"window.__communisMeeting.receivedLevels()[{erik_stream}] ?? 0") < SILENT_RMS
    _wait_level(erik, anna_stream, above=AUDIBLE_RMS, other=anna)
    screenshot(anna, "meeting-2-anna-erik-muted")

    # Unmuting brings him back, as a speaker too.
    erik.get_by_role("button", name="Slå på mikrofonen").click()
    _wait_level(anna, erik_stream, above=AUDIBLE_RMS, other=erik)
    expect(anna.locator(".participant-speaking", has_text="Erik Johansson")).to_be_visible(timeout=5_000)

    # Anna's connection drops: her page rejoins by itself, taking back her stream (the
    # server holds her place for the rejoin grace period), and the two hear each other again.
    anna.evaluate("window.__communisLive.drop()")
    assert _until(anna, "window.__communisMeeting.rejoins().length >= 1"
                        " && window.__communisMeeting.state().status === 'joined'", 15_000), "Anna did not join again"
    assert anna.evaluate("window.__communisMeeting.rejoins().at(-1)") == {"rejoined": True, "streamId": anna_stream}
    assert anna.evaluate("window.__communisMeeting.ownStreamId()") == anna_stream
    assert _until(erik, f"window.__communisMeeting.state().participants[{anna_stream}] !== undefined", 10_000)
    expect(erik.locator(".participant")).to_have_count(2)
    _wait_level(erik, anna_stream, above=AUDIBLE_RMS, other=anna)
    _wait_level(anna, erik_stream, above=AUDIBLE_RMS, other=erik)

    # Raising a hand shows on the other page; Anna, the moderator, lowers it.
    erik.get_by_role("button", name="Räck upp handen").click()
    erik_in_annas_list = anna.locator(".participant", has_text="Erik Johansson")
    expect(erik_in_annas_list.get_by_text("Räcker upp handen")).to_be_attached()
    anna.get_by_role("button", name="Sänk handen för Erik Johansson").click()
    expect(erik_in_annas_list.get_by_text("Räcker upp handen")).to_have_count(0)
    expect(erik.get_by_role("button", name="Räck upp handen")).to_be_visible()

    # A moderator may mute someone (only they unmute themselves).
    anna.get_by_role("button", name="Stäng av mikrofonen för Erik Johansson").click()
    expect(erik.get_by_text("Anna Lindqvist stängde av din mikrofon.")).to_be_visible()
    expect(erik.get_by_role("button", name="Slå på mikrofonen")).to_be_visible()
    _wait_level(anna, erik_stream, below=SILENT_RMS, other=erik)
    erik.get_by_role("button", name="Slå på mikrofonen").click()
    _wait_level(anna, erik_stream, above=AUDIBLE_RMS, other=erik)

    # Erik leaves: Anna's list updates by itself.
    erik.get_by_role("button", name="Lämna mötet").click()
    expect(erik.get_by_role("heading", name="Du har lämnat mötet")).to_be_visible()
    expect(anna.locator(".participant", has_text="Erik Johansson")).to_have_count(0)
    expect(anna.get_by_role("heading", name="1 deltagare")).to_be_visible()
    _wait_level(anna, erik_stream, below=SILENT_RMS, other=erik)
    screenshot(anna, "meeting-3-anna-after-erik-left")


def test_a_browser_without_webcodecs_gets_an_explanation_not_a_silent_meeting(server, new_page):
    anna, ws_id = _workspace_for_anna_and_erik(server)
    status, meeting = anna.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Veckomöte IT"})
    assert status in (200, 201), meeting
    erik = new_page()
    erik.context.add_init_script("delete window.AudioEncoder; delete window.AudioDecoder;")
    login(erik, ERIK)
    erik.goto(f"/#/meetings/{meeting['id']}")
    expect(erik.get_by_role("heading", name="Veckomöte IT")).to_be_visible()
    erik.get_by_role("button", name="Gå med", exact=True).click()
    alert = erik.get_by_role("alert")
    expect(alert.get_by_text("Din webbläsare kan inte delta i webbmöten")).to_be_visible()
    expect(alert).to_contain_text("WebCodecs")
    # It did not join: no controls, and the meeting did not take it in.
    expect(erik.get_by_role("heading", name="Dina kontroller")).to_have_count(0)
    assert erik.evaluate("window.__communisMeeting.state().status") == "idle"
    screenshot(erik, "meeting-4-no-webcodecs")


def test_a_refused_microphone_is_explained_and_listening_is_offered(server, browser):
    anna, ws_id = _workspace_for_anna_and_erik(server)
    status, meeting = anna.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Avstämning"})
    assert status in (200, 201), meeting
    # A fake microphone exists, but without the fake-UI flag or a grant the request is refused.
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"])
    try:
        ctx = b.new_context(base_url=server.base_url, locale="sv-SE")
        ctx.set_default_timeout(10_000)
        erik = ctx.new_page()
        login(erik, ERIK)
        erik.goto(f"/#/meetings/{meeting['id']}")
        erik.get_by_role("button", name="Gå med", exact=True).click()
        alert = erik.get_by_role("alert")
        expect(alert.get_by_text("Mikrofonen är blockerad")).to_be_visible()
        alert.get_by_role("button", name="Gå med utan mikrofon (bara lyssna)").click()
        expect(erik.get_by_text("Du lyssnar utan mikrofon.")).to_be_visible()
        expect(erik.locator(".participant", has_text="Erik Johansson")).to_be_visible()
        assert erik.evaluate("window.__communisMeeting.sending()") is False
    finally:
        b.close()


def test_a_guest_with_an_invitation_link_waits_in_the_lobby_until_admitted(server, audio_page, tones):
    anna_api, ws_id = _workspace_for_anna_and_erik(server)
    status, meeting = anna_api.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Samråd med konsult"})
    assert status in (200, 201), meeting
    anna = audio_page(tones["a440"])
    login(anna, ANNA)
    anna.goto(f"/#/meetings/{meeting['id']}")
    _join(anna)

    # Anna, a moderator, invites a named guest and gets a link to pass on.
    invite = anna.get_by_role("region", name="Bjud in en gäst")
    invite.get_by_label("Gästens namn").fill("Lena Berg")
    invite.get_by_role("button", name="Skapa länk").click()
    link = invite.get_by_label("Inbjudningslänk").input_value()
    assert "#/meeting-invitation/" in link, link

    # The guest opens the link: the meeting, who invited and her name; "Gå med" goes on.
    guest = audio_page(tones["e660"])
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Samråd med konsult")).to_be_visible()
    expect(guest.get_by_text("Hej Lena Berg!")).to_be_visible()
    expect(guest.get_by_text("Anna Lindqvist")).to_be_visible()
    screenshot(guest, "meeting-5-guest-invitation")
    # One click: "Gå med" on the invitation goes straight to the lobby (no second "Gå med").
    guest.get_by_role("button", name="Gå med").click()
    expect(guest.locator(".meeting-lobby")).to_be_visible()
    expect(guest.get_by_role("button", name="Gå med", exact=True)).to_have_count(0)
    expect(guest.get_by_text("Väntar på att en moderator släpper in dig")).to_be_visible()
    # The meeting's chat is open to its invited guest (and no other thread of the workspace).
    expect(guest.get_by_role("textbox", name="Skriv i chatten")).to_be_visible()
    screenshot(guest, "meeting-6-guest-lobby")

    # Anna sees her in the lobby and lets her in.
    lobby = anna.get_by_role("region", name="Väntar i lobbyn")
    expect(lobby.get_by_text("Lena Berg")).to_be_visible()
    lobby.get_by_role("button", name="Släpp in Lena Berg").click()
    expect(lobby).to_be_hidden()
    expect(guest.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)
    expect(anna.locator(".participant", has_text="Lena Berg").get_by_text("Gäst")).to_be_visible()

    guest_stream = _stream_of(anna, "Lena Berg")
    anna_stream = _stream_of(guest, "Anna Lindqvist")
    _wait_level(anna, guest_stream, above=AUDIBLE_RMS, other=guest)
    _wait_level(guest, anna_stream, above=AUDIBLE_RMS, other=anna)

    # The moderator's statistics name both participants.
    stats = anna.get_by_role("region", name="Statistik")
    stats.get_by_role("button", name="Visa statistik").click()
    # The relay's table (captioned "Statistik"); "Det du tar emot" beside it is what Anna's
    # own page receives.
    table = stats.get_by_role("table", name="Statistik", exact=True)
    expect(table.get_by_role("rowheader", name="Lena Berg")).to_be_visible()
    expect(stats.get_by_test_id("meeting-stats-received").get_by_role("rowheader", name="Lena Berg")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Anna Lindqvist")).to_be_visible()
    screenshot(anna, "meeting-8-anna-statistics")

    # Anna ends the meeting for everyone.
    anna.get_by_role("button", name="Avsluta mötet för alla").click()
    anna.get_by_role("dialog", name="Avsluta mötet för alla deltagare?").get_by_role("button", name="Ja").click()
    expect(guest.get_by_role("heading", name="Mötet är avslutat")).to_be_visible()
    expect(anna.get_by_role("heading", name="Mötet är avslutat")).to_be_visible()
    screenshot(guest, "meeting-7-guest-ended")


def _join_listening(page: Page) -> None:
    """Joins from a browser without a usable microphone: the explanation, then "listen only"."""
    page.get_by_role("button", name="Gå med", exact=True).click()
    page.get_by_role("button", name="Gå med utan mikrofon (bara lyssna)").click()


def test_a_moderator_denies_a_guest_and_removes_a_participant(server, audio_page, tones, new_page):
    anna_api, ws_id = _workspace_for_anna_and_erik(server)
    status, meeting = anna_api.call("POST", f"/api/v1/workspaces/{ws_id}/meetings", {"title": "Styrgrupp"})
    assert status in (200, 201), meeting
    status, invitation = anna_api.call("POST", f"/api/v1/meetings/{meeting['id']}/invitations", {"name": "Kim Berg"})
    assert status == 201, invitation
    anna = audio_page(tones["a440"])
    login(anna, ANNA)
    anna.goto(f"/#/meetings/{meeting['id']}")
    _join(anna)

    # A guest knocks (from a browser without a microphone, listening only) and is denied.
    kim = new_page()
    kim.goto(f"/#/meeting-invitation/{invitation['token']}")
    kim.get_by_role("button", name="Gå med").click()
    # Joining at once found no microphone: she may listen instead.
    kim.get_by_role("button", name="Gå med utan mikrofon (bara lyssna)").click()
    expect(kim.get_by_text("Väntar på att en moderator släpper in dig")).to_be_visible()
    lobby = anna.get_by_role("region", name="Väntar i lobbyn")
    lobby.get_by_role("button", name="Neka Kim Berg").click()
    expect(kim.get_by_text("Anna Lindqvist släppte inte in dig i mötet.")).to_be_visible()
    expect(lobby).to_be_hidden()
    expect(anna.locator(".participant", has_text="Kim Berg")).to_have_count(0)

    # A member joins and is removed by the moderator.
    erik = new_page()
    login(erik, ERIK)
    erik.goto(f"/#/meetings/{meeting['id']}")
    _join_listening(erik)
    expect(erik.get_by_text("Du lyssnar utan mikrofon.")).to_be_visible()
    expect(anna.locator(".participant", has_text="Erik Johansson")).to_be_visible()
    anna.get_by_role("button", name="Ta bort Erik Johansson från mötet").click()
    expect(erik.get_by_role("heading", name="Du är inte längre med i mötet")).to_be_visible()
    expect(erik.get_by_text("Anna Lindqvist tog bort dig från mötet.")).to_be_visible()
    expect(anna.locator(".participant", has_text="Erik Johansson")).to_have_count(0)
    expect(anna.get_by_role("heading", name="1 deltagare")).to_be_visible()
