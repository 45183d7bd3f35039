#!/usr/bin/env python3
"""Bench: a meeting on emulated networks (issue 17). Not a test (pytest does not collect
bench_*.py); run it by hand:

    COMMUNIS_BIN=$(swift build --show-bin-path)/communis python3 Tests/e2e/bench_meeting_network.py \
        [--seconds 60] [--profiles clean,4g,bad-mobile,outage-5s] [--server http://127.0.0.1:8080]

For each profile two headless Chromiums (Anna speaks, Erik listens) join one meeting, each
through a TCP proxy of its own (Tests/netem/netem_proxy.py) with that profile in both
directions. Anna's fake microphone plays speech-like audio (tone bursts of 80–900 ms with
pitch glides, pauses of 60–1200 ms). Measured at Erik's ear, for Anna's stream:

- heard: of the 20 ms frames in which Anna spoke (her encoder's input above −46 dBov),
  the share Erik's jitter buffer played (normally, compressed or stretched);
- gaps: runs of output in which Erik's buffer played no real audio (concealment, running
  dry) while the meeting went on: count per minute, median and longest length;
- discarded: speech frames Erik's buffer threw away (`discarded`), and frames Anna's page
  dropped instead of sending (its socket full);
- mouth-to-ear: for every 128-sample quantum Erik plays, the wall time it is played minus
  the wall time Anna's capture took that sample (both browsers on this machine, so
  `performance.timeOrigin + performance.now()` agree); median and 95th percentile over
  speech. The output device's own latency is not included (headless: none);
- outage-5s: at a third of the run Erik's network goes for 5 s (connections dropped, new
  ones refused, his browser offline as a phone's would be); "back" is the time from the
  network's return to Erik playing Anna's audio again. outage-5s-silent (not in the default
  list): the same without the browser's offline/online events (the network failed
  upstream), so only the client's own retries bring it back.

How it sees inside the pages: meeting_net.py's init script records Anna's capture clock;
a small module (a blob: URL; the bench's browser contexts bypass the page's Content-Security-
Policy for it) is added to Erik's AudioWorklet before the playback worklet and subclasses its processor to report,
per render quantum, the timestamp being played and the output level.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from playwright.sync_api import sync_playwright  # noqa: E402

from meeting_net import (FRAME_SAMPLES, PROFILES, SAMPLE_RATE, Participant, join, login, poll,  # noqa: E402
                         speech_wav)

ANNA = "anna.lindqvist@katrineholm.se"
ERIK = "erik.johansson@katrineholm.se"
PASSWORD = "Katrineholm2026"
SPEECH_RMS = 0.005  # −46 dBov
QUANTUM = 128

WORKLET_HOOK = r"""
const original = globalThis.registerProcessor;
globalThis.registerProcessor = function (name, cls) {
  if (name !== 'communis-playback') return original.call(globalThis, name, cls);
  class Hooked extends cls {
    process(inputs, outputs) {
      const r = super.process(inputs, outputs);
      try {
        if (!this.__bench) this.__bench = { ids: [], ts: [], rms: [], t0: currentTime, n: 0 };
        const b = this.__bench;
        const out = outputs[0] && outputs[0][0];
        let sum = 0;
        if (out) for (let i = 0; i < out.length; i++) sum += out[i] * out[i];
        // One stream is enough for the bench: the first other stream.
        let ts = -1;
        let id = -1;
        for (const [sid, s] of this.streams) {
          const jb = s.jb;
          const p = jb && typeof jb.playingTimestamp === 'function' ? jb.playingTimestamp() : null;
          id = sid;
          ts = p === null || p === undefined ? -1 : p;
          break;
        }
        if (b.n === 0) b.t0 = currentTime;
        b.ids.push(id);
        b.ts.push(ts);
        b.rms.push(out ? Math.sqrt(sum / out.length) : 0);
        b.n += 1;
        if (b.n >= 40) {
          this.port.postMessage({ type: 'bench', t0: b.t0, t1: currentTime, ids: b.ids, ts: b.ts, rms: b.rms });
          this.__bench = null;
        }
      } catch (e) { /* never break playback */ }
      return r;
    }
  }
  return original.call(globalThis, name, Hooked);
};
"""

PAGE_HOOK = r"""
(() => {
  const wall = () => performance.timeOrigin + performance.now();
  const add = AudioWorklet.prototype.addModule;
  AudioWorklet.prototype.addModule = async function (url, options) {
    if (String(url).includes('playback-worklet')) {
      const hook = URL.createObjectURL(new Blob([__WORKLET_HOOK__], { type: 'text/javascript' }));
      await add.call(this, hook);
    }
    return add.call(this, url, options);
  };
  const track = window.__benchTrack = [];
  const desc = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
  Object.defineProperty(MessagePort.prototype, 'onmessage', {
    configurable: true,
    get() { return desc.get.call(this); },
    set(fn) {
      if (typeof fn !== 'function') return desc.set.call(this, fn);
      return desc.set.call(this, function (ev) {
        const d = ev.data;
        if (d && d.type === 'bench') { track.push({ at: wall(), ...d }); return; }
        return fn.call(this, ev);
      });
    },
  });
  // Anna's capture: every frame handed to the encoder, with its wall time and level.
  const frames = window.__benchFrames = [];
  if (typeof AudioEncoder === 'function') {
    const encode = AudioEncoder.prototype.encode;
    const buf = new Float32Array(960);
    AudioEncoder.prototype.encode = function (data) {
      try {
        let rms = 0;
        if (data.numberOfFrames === 960) {
          data.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
          let s = 0;
          for (let i = 0; i < 960; i++) s += buf[i] * buf[i];
          rms = Math.sqrt(s / 960);
        }
        frames.push([data.timestamp, wall(), rms]);
      } catch (e) { /* never break the app */ }
      return encode.call(this, data);
    };
  }
})();
"""


def _install_hooks(context) -> None:
    """The page hook, with the worklet hook inside it (a blob: module: the context is made
    with bypass_csp, since playwright cannot route a worklet's own requests)."""
    import json
    context.add_init_script(PAGE_HOOK.replace("__WORKLET_HOOK__", json.dumps(WORKLET_HOOK)))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return s[k]


def analyse(track: list[dict], frames: list[list], stats_first: dict, stats_last: dict, stream: int,
            t_start: float, t_end: float, sent: dict, back_at: float | None) -> dict:
    """`track`: Erik's quanta (wall-timed batches); `frames`: Anna's capture [us, wall, rms];
    `t_start`/`t_end`: the measured window (wall ms)."""
    # Anna's capture clock: wall time of the first sample of timestamp ts (48 kHz).
    offsets = [wall - us / 1000 for us, wall, _ in frames]
    capture_offset = min(offsets) - 20.0  # the encoder gets a frame once all 20 ms are in
    speech = {}
    for us, wall, rms in frames:
        idx = round(us * SAMPLE_RATE / 1_000_000) // FRAME_SAMPLES
        speech[idx] = rms >= SPEECH_RMS
    # Erik's quanta on the wall clock: the context clock mapped by the batch that arrived soonest.
    mapping = min(b["at"] - b["t1"] * 1000 for b in track)
    quanta = []  # (wall ms, ts or None, rms)
    for b in track:
        n = len(b["ts"])
        step = (b["t1"] - b["t0"]) / max(1, n - 1) if n > 1 else QUANTUM / SAMPLE_RATE
        for i in range(n):
            if b["ids"][i] != stream and b["ids"][i] != -1:
                continue
            at = (b["t0"] + i * step) * 1000 + mapping
            ts = b["ts"][i]
            quanta.append((at, None if ts < 0 else ts, b["rms"][i]))
    quanta.sort()
    window = [q for q in quanta if t_start <= q[0] <= t_end]
    # Heard: speech frames whose audio was played, among those spoken in the window (their
    # mouth time), leaving out the last 3 s (they may still be on their way).
    played_frames = {int(ts) // FRAME_SAMPLES for _, ts, _ in quanta if ts is not None}
    spoken = [idx for idx, is_speech in speech.items()
              if is_speech and t_start <= capture_offset + idx * 20.0 <= t_end - 3000]
    heard = sum(1 for idx in spoken if idx in played_frames)
    # Gaps: runs of quanta without real audio, once playing had begun.
    gaps = []
    run = 0.0
    began = False
    for at, ts, _ in window:
        if ts is None:
            if began:
                run += QUANTUM / SAMPLE_RATE * 1000
        else:
            if run > 0:
                gaps.append(run)
            run = 0.0
            began = True
    minutes = (t_end - t_start) / 60_000
    # Mouth-to-ear over speech.
    m2e = [at - (capture_offset + ts / SAMPLE_RATE * 1000) for at, ts, rms in window
           if ts is not None and rms >= SPEECH_RMS and speech.get(int(ts) // FRAME_SAMPLES)]
    back = None
    if back_at is not None:
        first = next((at for at, ts, rms in quanta if at >= back_at and ts is not None), None)
        back = (first - back_at) / 1000 if first is not None else float("inf")
    return {
        "heard": heard / len(spoken) if spoken else float("nan"),
        "spoken_frames": len(spoken),
        "gaps_per_min": len(gaps) / minutes if minutes else float("nan"),
        "long_gaps_per_min": sum(1 for g in gaps if g >= 100) / minutes if minutes else float("nan"),
        "gap_median": statistics.median(gaps) if gaps else 0.0,
        "gap_max": max(gaps) if gaps else 0.0,
        "discarded": stats_last.get("discarded", 0) - stats_first.get("discarded", 0),
        "sender_dropped": sent.get("dropped", 0),
        "m2e_median": statistics.median(m2e) if m2e else float("nan"),
        "m2e_p95": _pct(m2e, 0.95),
        "target_ms": stats_last.get("targetMs"),
        "accelerated_ms": stats_last.get("acceleratedMs", 0) - stats_first.get("acceleratedMs", 0),
        "back_s": back,
    }


def run_profile(pw, server_url: str, meeting_api, name: str, seconds: float, wav_anna: Path, wav_erik: Path,
                seed: int) -> dict:
    status, meeting = meeting_api()
    assert status in (200, 201), meeting
    outage = name.startswith("outage-5s")
    profile = "clean" if outage else name
    chromium = pw.chromium
    anna = Participant(chromium, server_url, wav_anna, seed=seed, name="Anna", bypass_csp=True)
    erik = Participant(chromium, server_url, wav_erik, seed=seed + 1, name="Erik", bypass_csp=True)
    try:
        for p in (anna, erik):
            _install_hooks(p.context)
        login(anna.page, ANNA, PASSWORD)
        login(erik.page, ERIK, PASSWORD)
        join(anna.page, meeting["id"])
        join(erik.page, meeting["id"])
        stream = poll(lambda: erik.stream_of("Anna Lindqvist"), 15)
        assert stream, "Erik does not see Anna"
        assert poll(lambda: erik.played_level(stream) > 0.001, 15), f"Erik hears nothing: {erik.debug()}"
        for p in (anna, erik):
            p.proxy.set_profile(profile)
        time.sleep(5)  # the buffers learn the network
        wall = lambda: erik.page.evaluate("performance.timeOrigin + performance.now()")  # noqa: E731
        t_start = wall()
        first = erik.buffer_stats(stream)
        sent_before = anna.page.evaluate("window.__communisMeeting.stats().capture") or {}
        back_at = None
        if outage:
            # outage-5s: the phone loses the network (offline, then online events);
            # outage-5s-silent: the network goes upstream, the browser sees no event.
            phone = name == "outage-5s"
            time.sleep(seconds / 3)
            erik.proxy.outage(5.0)
            if phone:
                erik.context.set_offline(True)
            while erik.proxy.outage_active():
                time.sleep(0.005)
            if phone:
                erik.context.set_offline(False)
            # The moment the proxy took connections again, on Erik's page clock.
            returned = time.time() - (time.monotonic() - erik.proxy._outage_until)
            before = time.time()
            page_now = wall()
            page_offset = page_now - (before + time.time()) / 2 * 1000
            back_at = returned * 1000 + page_offset
            time.sleep(max(0.0, seconds * 2 / 3 - 5))
        else:
            time.sleep(seconds)
        t_end = wall()
        last = erik.buffer_stats(stream)
        sent_after = anna.page.evaluate("window.__communisMeeting.stats().capture") or {}
        track = erik.page.evaluate("window.__benchTrack")
        frames = anna.page.evaluate("window.__benchFrames")
        if not track:
            raise RuntimeError("no quanta from Erik's playback worklet (the hook did not load?)")
        result = analyse(track, frames, first, last, stream, t_start, t_end,
                         {"dropped": sent_after.get("dropped", 0) - sent_before.get("dropped", 0)}, back_at)
        result["stalls"] = len(erik.proxy.events_of("stall"))
        result["same_stream"] = erik.own_stream()
        return result
    finally:
        anna.close()
        erik.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="measured time per profile (s)")
    ap.add_argument("--profiles", default="clean,4g,bad-mobile,outage-5s")
    ap.add_argument("--server", help="an already running Communis with demo data (default: start one)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    names = [n.strip() for n in args.profiles.split(",") if n.strip()]
    for n in names:
        if n not in ("outage-5s", "outage-5s-silent") and n not in PROFILES:
            ap.error(f"unknown profile {n}")

    import uuid
    from test_meeting_browser import Api
    server = None
    if args.server:
        url = args.server.rstrip("/")
    else:
        os.environ.setdefault("COMMUNIS_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS", "100000")
        from serverproc import Running
        data = Path(tempfile.mkdtemp(prefix="communis-bench-"))
        server = Running(data, "--demo")
        url = server.base
    anna_api = Api(url, ANNA)
    erik_id = Api(url, ERIK).user["id"]
    status, ws = anna_api.call("POST", "/api/v1/workspaces", {"name": f"Bänk {uuid.uuid4().hex[:6]}", "visibility": "closed"})
    assert status in (200, 201), ws
    anna_api.call("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": erik_id})

    def new_meeting():
        return anna_api.call("POST", f"/api/v1/workspaces/{ws['id']}/meetings", {"title": "Bänk"})

    folder = Path(tempfile.mkdtemp(prefix="bench-audio-"))
    wav_anna = speech_wav(folder / "anna.wav", seconds=40, seed=7)
    wav_erik = speech_wav(folder / "erik.wav", seconds=40, seed=8)
    results = {}
    try:
        with sync_playwright() as pw:
            for n in names:
                print(f"== {n}: {args.seconds:.0f} s ...", flush=True)
                results[n] = run_profile(pw, url, new_meeting, n, args.seconds, wav_anna, wav_erik, args.seed)
                print(f"   {results[n]}", flush=True)
    finally:
        if server:
            server.stop()

    print()
    print(f"Meeting on emulated networks, {args.seconds:.0f} s per profile (Anna → Erik, both behind the profile)")
    head = ("| profile | heard | gaps/min (≥ 100 ms) | gap median / max (ms) | discarded (buffer / sender) "
            "| mouth-to-ear median / p95 (ms) | target (ms) | back after outage (s) |")
    print(head)
    print("|" + "---|" * 8)
    for n, r in results.items():
        back = "" if r["back_s"] is None else f"{r['back_s']:.2f}"
        print(f"| {n} | {r['heard']:.2%} | {r['gaps_per_min']:.1f} ({r['long_gaps_per_min']:.1f}) "
              f"| {r['gap_median']:.0f} / {r['gap_max']:.0f} "
              f"| {r['discarded']} / {r['sender_dropped']} | {r['m2e_median']:.0f} / {r['m2e_p95']:.0f} "
              f"| {r['target_ms']} | {back} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
