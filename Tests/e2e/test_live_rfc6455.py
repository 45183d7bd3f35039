"""RFC 6455 held strictly, with a client written by hand over TCP: every broken frame
closes the connection with the documented code; silent and deaf connections are closed."""
from __future__ import annotations

import json
import struct
import time

import pytest

from livekit import (ERIK, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, RawWS, User, frame,
                     running)

MAX_FRAME = 1024
MAX_MESSAGE = 2048
SILENCE = 2


@pytest.fixture(scope="module")
def strict():
    with running({"COMMUNIS_LIVE_MAX_FRAME_BYTES": str(MAX_FRAME),
                  "COMMUNIS_LIVE_MAX_MESSAGE_BYTES": str(MAX_MESSAGE),
                  "COMMUNIS_HTTP_SILENCE_TIMEOUT_SECONDS": str(SILENCE)}) as server:
        yield server, User(server, ERIK)


def opened(strict) -> RawWS:
    server, erik = strict
    raw = RawWS(server, erik.session)
    welcome = raw.read_json()
    assert welcome["type"] == "welcome", welcome
    return raw


def ping_text(ref: str = "p1") -> bytes:
    return json.dumps({"v": 1, "type": "ping", "ref": ref, "data": {}}).encode()


def test_hand_made_client_works_including_fragmented_messages(strict):
    raw = opened(strict)
    try:
        raw.send(frame(OP_TEXT, ping_text("whole")))
        assert raw.read_json()["ref"] == "whole"
        text = ping_text("in-three-parts")
        raw.send(frame(OP_TEXT, text[:10], fin=False))
        raw.send(frame(OP_PING, b"mid-message control frame"))   # allowed between fragments
        raw.send(frame(OP_CONT, text[10:20], fin=False))
        raw.send(frame(OP_CONT, text[20:], fin=True))
        opcode, payload = raw.read_frame()
        assert (opcode, payload) == (OP_PONG, b"mid-message control frame")   # the ping was answered
        answer = raw.read_json()
        assert (answer["type"], answer["ref"]) == ("ack", "in-three-parts"), answer
    finally:
        raw.close()


def _json_text(size: int) -> bytes:
    text = json.dumps({"v": 1, "type": "ping", "ref": "big", "data": {"pad": ""}})
    return text.replace('"pad": ""', '"pad": "' + "a" * (size - len(text)) + '"').encode()


VIOLATIONS = {
    "frame over max_frame_bytes": (1009, [frame(OP_TEXT, _json_text(MAX_FRAME + 200))]),
    "message over max_message_bytes in fragments": (1009, [
        frame(OP_TEXT, b"a" * 900, fin=False), frame(OP_CONT, b"a" * 900, fin=False),
        frame(OP_CONT, b"a" * 900, fin=True)]),
    "text that is not UTF-8": (1007, [frame(OP_TEXT, b'{"v":1,"type":"ping","data":{"x":"\xc3\x28\xff"}}')]),
    "unmasked client frame": (1002, [frame(OP_TEXT, ping_text(), mask=False)]),
    "continuation with no message started": (1002, [frame(OP_CONT, b'{"v":1}', fin=True)]),
    "new message inside a fragmented one": (1002, [frame(OP_TEXT, b'{"v":1,', fin=False), frame(OP_TEXT, ping_text())]),
    "reserved bit set": (1002, [frame(OP_TEXT, ping_text(), rsv=0b100)]),
    "unknown opcode": (1002, [frame(0x3, b"?")]),
    "binary frame over max_frame_bytes": (1009, [frame(OP_BINARY, b"\x10\x00" + b"a" * (MAX_FRAME + 200))]),
}


@pytest.mark.parametrize("case", list(VIOLATIONS))
def test_protocol_violation_closes_with_the_documented_code(strict, case):
    expected, frames = VIOLATIONS[case]
    raw = opened(strict)
    try:
        for data in frames:
            try:
                raw.send(data)
            except (BrokenPipeError, ConnectionResetError):
                break
        code, before = raw.close_code(timeout=5)
        assert code == expected, f"{case}: close code {code} (frames before close: {before})"
        assert OP_TEXT not in before, f"{case}: the server answered the bad frame before closing"
        try:
            raw.send(frame(OP_CLOSE, struct.pack("!H", expected)))
        except OSError:
            pass
        assert raw.ends_within(3), f"{case}: the server kept the TCP connection open after closing"
    finally:
        raw.close()


def test_binary_frame_outside_a_meeting_is_ignored_and_the_connection_stays(strict):
    """Binary frames are meeting audio; from a connection in no meeting they are counted and
    dropped, never answered and never a reason to close."""
    raw = opened(strict)
    try:
        raw.send(frame(OP_BINARY, b"\x10\x9e\x00\x03\x01\x02\x00\x00\xbb\x80\xf8\xff\xfe"))
        raw.send(frame(OP_BINARY, b"\x00\x01not audio at all"))
        raw.send(frame(OP_TEXT, ping_text("after-binary")))
        answer = raw.read_json()
        assert (answer["type"], answer["ref"]) == ("ack", "after-binary"), answer
    finally:
        raw.close()


def test_unfinished_handshake_is_closed_after_the_silence_timeout(strict):
    server, erik = strict
    raw = RawWS(server, erik.session, handshake=False)
    try:
        request = raw.request_bytes()
        raw.send(request[: len(request) // 2])   # half a request, then nothing
        started = time.monotonic()
        ended = raw.ends_within(SILENCE + 3)
        elapsed = time.monotonic() - started
        assert ended, f"connection still open {elapsed:.1f} s after a partial handshake (silence timeout {SILENCE} s)"
        assert elapsed >= SILENCE - 0.5, f"closed after {elapsed:.1f} s, before the silence timeout"
    finally:
        raw.close()


def test_connection_that_never_answers_pings_is_closed_with_4000():
    with running({"COMMUNIS_LIVE_PING_INTERVAL_SECONDS": "1", "COMMUNIS_LIVE_IDLE_TIMEOUT_SECONDS": "2"}) as server:
        erik = User(server, ERIK)
        with erik.live() as healthy:   # answers pings by itself
            assert healthy.welcome["data"]["limits"]["pingIntervalMs"] == 1000
            deaf = RawWS(server, erik.session)
            try:
                started = time.monotonic()
                code, seen = deaf.close_code(timeout=6)
                elapsed = time.monotonic() - started
                assert code == 4000, f"close code {code} after {elapsed:.1f} s, frames seen {seen}"
                assert OP_PING in seen, "the server never pinged"
                assert 1.5 <= elapsed <= 4.5, f"closed after {elapsed:.1f} s with idle timeout 2 s"
                assert deaf.ends_within(3)
            finally:
                deaf.close()
            # the client that answers pings is still there, past the idle timeout
            assert healthy.ok("ping")["data"] == {"ok": True}
            assert healthy.close_code is None
