"""The door of the live hub (Origin, session, bearer token) and how a healthy connection
copes with bad input and floods of commands: errors, never a dropped connection."""
from __future__ import annotations

import json
import struct
import time

import pytest

from livekit import (ERIK, OP_CLOSE, OP_TEXT, Live, RawWS, User, demo_server, frame, refused_status, running,  # noqa: F401
                     topic)


@pytest.fixture(scope="module")
def erik(demo_server):
    return User(demo_server, ERIK)


def test_wrong_origin_is_refused_with_403(demo_server, erik):
    status, body = refused_status(demo_server, session=erik.session, origin="https://evil.example.com")
    assert status == 403, body
    assert "origin-refused" in body, body
    port_mix = f"http://127.0.0.1:{demo_server.port + 1}"
    assert refused_status(demo_server, session=erik.session, origin=port_mix)[0] == 403


def test_no_session_is_refused_with_401(demo_server, erik):
    status, body = refused_status(demo_server)
    assert status == 401, body
    assert "unauthenticated" in body, body
    assert refused_status(demo_server, session="not-a-real-session")[0] == 401
    assert refused_status(demo_server, token="cmt_not-a-real-token", origin=None)[0] == 401
    with Live(demo_server, session=erik.session) as ok:  # the same door opens with a real session
        assert ok.welcome["data"]["person"]["id"] == erik.id


def test_bearer_token_opens_a_live_connection(demo_server, erik):
    token = erik.token()
    with Live(demo_server, token=token, origin=None) as live:
        welcome = live.welcome["data"]
        assert welcome["protocolVersion"] == 1
        assert welcome["person"] == {"id": erik.id, "name": erik.name}
        limits = welcome["limits"]
        assert limits["commandBurst"] == 40 and limits["commandsPerSecond"] == 10
        assert limits["maxMessageBytes"] == 65536 and limits["maxBodyCharacters"] == 20000
        workspace = erik.create_workspace()
        assert live.subscribe(workspace)["data"]["seq"] == 0
        thread = live.ok("thread.create", topic(workspace), {"title": "Via token", "body": "Skrivet av ett skript"})
        assert thread["data"]["seq"] == 1
        assert thread["data"]["result"]["thread"]["title"] == "Via token"
        assert [e["type"] for e in live.events(workspace=workspace)] == ["thread.created"]


def test_bad_input_gets_errors_and_the_connection_stays_open(demo_server, erik):
    workspace = erik.create_workspace()
    thread = erik.create_thread(workspace)["result"]["thread"]["id"]
    with erik.live() as live:
        live.ws.send("this is not json {")
        answer = live.wait_type("error")
        assert answer["data"]["code"] == "bad-message", answer

        live.ws.send(json.dumps({"data": {}, "ref": "no-type"}))
        answer = live.wait_type("error")
        assert answer["data"]["code"] == "bad-message", answer

        answer = live.command("teleport", topic(workspace), {})
        assert answer["type"] == "error" and answer["data"]["code"] == "unknown-type", answer

        answer = live.command("post.create", data={"body": "Ingen tråd angiven"})
        assert answer["type"] == "error" and answer["data"]["code"] == "validation-failed", answer
        answer = live.command("post.create", data={"threadId": thread, "body": ""})
        assert answer["type"] == "error" and answer["data"]["code"] == "validation-failed", answer
        answer = live.command("post.create", data={"threadId": thread, "body": "x" * 20001})
        assert answer["type"] == "error" and answer["data"]["code"] == "validation-failed", answer
        answer = live.command("presence.set", data={"status": "sleeping"})
        assert answer["type"] == "error" and answer["data"]["code"] == "validation-failed", answer

        ref = live.send("ping", v=2)
        answer = live.answer(ref)
        assert answer["type"] == "error" and answer["data"]["code"] == "unsupported-version", answer

        assert live.ok("ping")["data"] == {"ok": True}
        live.subscribe(workspace)
        written = live.ok("post.create", data={"threadId": thread, "body": "Fortfarande uppkopplad"})
        assert written["data"]["result"]["post"]["body"] == "Fortfarande uppkopplad"
        assert live.close_code is None
    assert [p["body"] for p in erik.posts(thread)][-1] == "Fortfarande uppkopplad"


def test_command_burst_is_rate_limited_with_retry_after(demo_server, erik):
    with erik.live() as live:
        burst = live.welcome["data"]["limits"]["commandBurst"]
        refs = [live.send("ping") for _ in range(burst + 20)]
        answers = [live.answer(ref) for ref in refs]
        acks = [a for a in answers if a["type"] == "ack"]
        limited = [a for a in answers if a["type"] == "error"]
        assert {a["data"]["code"] for a in limited} == {"rate-limited"}, limited[:3]
        assert burst <= len(acks) < burst + 10, (len(acks), len(limited))
        assert len(limited) >= 10
        assert all(isinstance(a["data"].get("retryAfterMs"), int) and a["data"]["retryAfterMs"] > 0 for a in limited), limited[:3]
        assert all(a["data"]["retryAfterMs"] <= 2000 for a in limited), limited[:3]

        time.sleep(max(a["data"]["retryAfterMs"] for a in limited[-1:]) / 1000 + 0.05)
        assert live.ok("ping")["data"] == {"ok": True}   # the connection survived the flood
        assert live.close_code is None


def test_a_burst_of_command_burst_commands_sent_at_once_is_served():
    """communis.yaml: live.command_burst = "Commands a connection may send at once". With it
    set to 300, 300 pings written in one go must all be answered with acks: no `rate-limited`
    errors and no 4029 close (the connection is not flooding; it is within its allowance)."""
    with running({"COMMUNIS_LIVE_COMMAND_BURST": "300"}) as server:
        erik = User(server, ERIK)
        raw = RawWS(server, erik.session)
        try:
            welcome = raw.read_json()
            assert welcome["data"]["limits"]["commandBurst"] == 300
            raw.send(b"".join(frame(OP_TEXT, json.dumps({"v": 1, "type": "ping", "ref": f"b{i}", "data": {}}).encode())
                              for i in range(300)))
            answers: dict[str, str] = {}
            while len(answers) < 300:
                opcode, payload = raw.read_frame(10)
                if opcode == OP_CLOSE:
                    code = struct.unpack("!H", payload[:2])[0]
                    raise AssertionError(f"closed with {code} {payload[2:].decode()!r} after {len(answers)} of 300 answers")
                if opcode == OP_TEXT:
                    message = json.loads(payload)
                    answers[message["ref"]] = message["type"] if message["type"] == "ack" else message["data"]["code"]
            assert sorted(answers) == sorted(f"b{i}" for i in range(300))
            assert set(answers.values()) == {"ack"}, {k: v for k, v in answers.items() if v != "ack"}
        finally:
            raw.close()
