"""Meetings through the network emulator (Tests/netem/netem_proxy.py): what the browser test
test_meeting_network_browser.py and the bench bench_meeting_network.py share.

Each participant is a Chromium of its own (its fake microphone file is a launch flag) whose
pages load Communis THROUGH a NetemProxy: the page's origin is the proxy's address, so its
WebSocket (the meeting's audio) goes through the emulated network too. The server takes its
origin from each request's Host when `server.public_url` is empty (as in the browser tests),
so no configuration is needed for the proxy's host:port.

Hooks (init scripts, not part of the app):
- the sender's capture clock: every frame handed to the Opus encoder is recorded with its
  wall time (`performance.timeOrigin + performance.now()`; both browsers run on this machine,
  so their wall clocks agree), keyed by the 48 kHz timestamp the frame is sent with;
- the listener's buffer statistics: every statistics message from the playback worklet is
  recorded with the wall time it arrived (the app keeps only the latest).
"""
from __future__ import annotations

import math
import struct
import sys
import time
import wave
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "netem"))
from netem_proxy import NetemProxy, PROFILES, Profile  # noqa: E402,F401

AUDIO_FLAGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960
AUDIBLE_RMS = 0.005
SILENT_RMS = 0.001

# Installed in every page of a participant's context before the app's scripts run.
HOOKS = r"""
(() => {
  const wall = () => performance.timeOrigin + performance.now();
  // Sender: frame timestamp (µs, the capture clock) -> wall time it was handed to the encoder.
  const cap = window.__benchCapture = { first: null, samples: [] };
  if (typeof AudioEncoder === 'function') {
    const encode = AudioEncoder.prototype.encode;
    AudioEncoder.prototype.encode = function (data) {
      try {
        const at = wall();
        const us = data.timestamp;
        if (cap.samples.length < 20000) cap.samples.push([us, at]);
        else cap.samples[cap.samples.length - 1] = [us, at];
      } catch (e) { /* never break the app */ }
      return encode.call(this, data);
    };
  }
  // Listener: each statistics message of the playback worklet, with the wall time it came.
  const log = window.__benchStats = [];
  const desc = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
  if (desc && desc.set) {
    Object.defineProperty(MessagePort.prototype, 'onmessage', {
      configurable: true, enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(fn) {
        if (typeof fn !== 'function') return desc.set.call(this, fn);
        const wrapped = function (ev) {
          try {
            const d = ev.data;
            if (d && d.type === 'levels' && d.stats && log.length < 100000) log.push({ at: wall(), stats: d.stats });
          } catch (e) { /* never break the app */ }
          return fn.call(this, ev);
        };
        return desc.set.call(this, wrapped);
      },
    });
  }
})();
"""


def tone_wav(path: Path, hz: float, seconds: float = 3.0, amplitude: float = 0.3) -> Path:
    """A 48 kHz mono 16-bit WAV of a steady sine tone (Chromium loops it as the microphone)."""
    frames = int(SAMPLE_RATE * seconds)
    samples = (int(amplitude * 32767 * math.sin(2 * math.pi * hz * i / SAMPLE_RATE)) for i in range(frames))
    _write_wav(path, samples)
    return path


def speech_wav(path: Path, seconds: float = 30.0, seed: int = 7) -> Path:
    """Speech-like audio: tone bursts ("syllables and words") of 80–900 ms with pitch glides and
    a slow amplitude envelope, separated by pauses of 60–1200 ms."""
    import random
    rng = random.Random(seed)
    out: list[int] = []
    total = int(seconds * SAMPLE_RATE)
    phase = 0.0
    while len(out) < total:
        burst = int(rng.uniform(0.08, 0.9) * SAMPLE_RATE)
        f0 = rng.uniform(140, 320)
        f1 = f0 * rng.uniform(0.8, 1.25)
        amp = rng.uniform(0.2, 0.4)
        for i in range(burst):
            x = i / burst
            env = math.sin(math.pi * x) ** 0.5
            f = f0 + (f1 - f0) * x
            phase += 2 * math.pi * f / SAMPLE_RATE
            v = amp * env * (0.7 * math.sin(phase) + 0.2 * math.sin(2 * phase) + 0.1 * math.sin(3 * phase))
            out.append(int(v * 32767))
        out.extend([0] * int(rng.uniform(0.06, 1.2) * SAMPLE_RATE))
    _write_wav(path, out[:total])
    return path


def _write_wav(path: Path, samples) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(b"".join(struct.pack("<h", max(-32768, min(32767, s))) for s in samples))


class Participant:
    """One person: a Chromium of their own, a proxy in front of the server, one page."""

    def __init__(self, launcher, server_url: str, wav: Path, *, profile="clean", seed: int = 1,
                 name: str = "", viewport=None, bypass_csp: bool = False):
        host, port = server_url.rsplit("//", 1)[1].rsplit(":", 1)
        self.proxy = NetemProxy((host, int(port)), profile=profile, seed=seed).start()
        self.browser: Browser = launcher.launch(
            executable_path=_chromium(), headless=True,
            args=[*AUDIO_FLAGS, f"--use-file-for-fake-audio-capture={wav}"])
        args = {"base_url": self.proxy.url, "locale": "sv-SE", "service_workers": "block"}
        if viewport:
            args["viewport"] = viewport
        if bypass_csp:
            args["bypass_csp"] = True
        self.context = self.browser.new_context(**args)
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(HOOKS)
        self.page: Page = self.context.new_page()
        self.name = name
        self.page.on("pageerror", lambda err: print(f"[page error {name}] {err}"))

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self.proxy.stop()

    # ----- reading the meeting

    def own_stream(self) -> int | None:
        return self.page.evaluate("window.__communisMeeting ? window.__communisMeeting.ownStreamId() : null")

    def stream_of(self, name: str) -> int | None:
        return self.page.evaluate("""(name) => {
            const s = window.__communisMeeting.state();
            const p = Object.values(s.participants).find((x) => x.person.name === name);
            return p ? p.streamId : null;
        }""", name)

    def played_level(self, stream: int) -> float:
        return self.page.evaluate(f"(window.__communisMeeting?.playedLevels()[{stream}] ?? 0)")

    def received_level(self, stream: int) -> float:
        return self.page.evaluate(f"(window.__communisMeeting?.receivedLevels()[{stream}] ?? 0)")

    def buffer_stats(self, stream: int) -> dict:
        return self.page.evaluate(
            f"(window.__communisMeeting?.stats()?.playback?.streams?.[{stream}]) ?? {{}}")

    def stats_log(self, since: int = 0) -> list:
        return self.page.evaluate(f"window.__benchStats.slice({since})")

    def capture_clock(self) -> list:
        return self.page.evaluate("window.__benchCapture.samples")

    def debug(self) -> dict:
        return self.page.evaluate("""() => {
            const m = window.__communisMeeting;
            if (!m) return {meeting: null};
            return {status: m.state().status, you: m.ownStreamId(), levels: m.receivedLevels(),
                    played: m.playedLevels(), stats: m.stats(), sending: m.sending(),
                    live: window.__communisLive && window.__communisLive.state};
        }""")


def _chromium() -> str:
    import os
    return os.environ.get("COMMUNIS_CHROMIUM", "/usr/bin/chromium")


def login(page: Page, email: str, password: str) -> None:
    page.goto("/#/login")
    page.get_by_label("Användarnamn eller e-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    expect(page.get_by_label("Användarnamn eller e-postadress")).to_have_value(email)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible(timeout=30_000)


def join(page: Page, meeting_id: str) -> None:
    page.goto(f"/#/meetings/{meeting_id}")
    page.get_by_role("button", name="Gå med", exact=True).click()  # a real click starts the audio
    expect(page.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=20_000)


def poll(fn, timeout_s: float = 15.0, every_s: float = 0.05):
    """Calls `fn` until it answers something truthy (answered), or None after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(every_s)


def extended(ts: int, reference: int | None) -> int:
    """A 32-bit 48 kHz timestamp unwrapped next to `reference`."""
    if reference is None:
        return ts
    mod = 1 << 32
    delta = (ts - reference) % mod
    if delta >= mod // 2:
        delta -= mod
    return reference + delta
