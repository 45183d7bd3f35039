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


def _error(live: Live, ref: str) -> dict:
    answer = live.answer(ref)
    assert answer["type"] == "error", answer
    assert answer["ref"] == ref, answer
    return answer["data"]


def test_every_command_field_is_type_checked_and_the_error_names_it(demo_server, erik):
    """docs/protocol.md: a field of the wrong type is validation-failed, naming the field, with
    the command's ref; nothing is done (a subscribe with a bad lastSeq subscribes to nothing)."""
    workspace = erik.create_workspace()
    thread = erik.create_thread(workspace)["result"]["thread"]["id"]
    meeting = f"meeting:{'0' * 8}-0000-4000-8000-{'0' * 12}"
    cases = [
        ("subscribe", topic(workspace), {"lastSeq": "abc"}, "lastSeq"),
        ("subscribe", topic(workspace), {"lastSeq": True}, "lastSeq"),
        ("subscribe", topic(workspace), {"lastSeq": 1.5}, "lastSeq"),
        ("subscribe", topic(workspace), {"lastSeq": -1}, "lastSeq"),
        ("subscribe", topic(workspace), "everything", "data"),
        ("subscribe", "workspace:not-an-id", {}, "topic"),
        ("unsubscribe", topic(workspace), [1], "data"),
        ("ping", None, "x", "data"),
        ("presence.set", None, {"status": 1}, "status"),
        ("presence.set", None, {"status": "busy"}, "status"),
        ("presence.set", None, {}, "status"),
        ("typing", topic(workspace), {"threadId": 7}, "threadId"),
        ("thread.create", topic(workspace), {"title": ["x"], "body": "b"}, "title"),
        ("thread.create", topic(workspace), {"title": "t", "body": "b", "idempotencyKey": 5}, "idempotencyKey"),
        ("post.create", None, {"threadId": thread, "body": False}, "body"),
        ("post.create", None, {"threadId": "not-a-uuid", "body": "b"}, "threadId"),
        ("post.create", None, {"threadId": thread, "body": "b", "parentId": 3}, "parentId"),
        ("post.edit", None, {"postId": thread, "body": {}}, "body"),
        ("post.delete", None, {"postId": None}, "postId"),
        ("reaction.add", None, {"targetId": thread, "emoji": 1}, "emoji"),
        ("reaction.remove", None, {"targetId": 1, "emoji": "👍"}, "targetId"),
        ("blog.save", topic(workspace), {"title": "t", "body": "b", "publish": "yes"}, "publish"),
        ("blog.delete", None, {"id": True}, "id"),
        ("blog.comment", None, {"blogPostId": thread, "body": 9}, "body"),
        ("meeting.join", meeting, {"muted": "no"}, "muted"),
        ("meeting.leave", meeting, 5, "data"),
        ("meeting.mute", meeting, {"muted": 1}, "muted"),
        ("meeting.mute", meeting, {"muted": True, "streamId": 70000}, "streamId"),
        ("meeting.hand", meeting, {"raised": "up"}, "raised"),
        ("meeting.admit", meeting, {"streamId": "7"}, "streamId"),
        ("meeting.deny", meeting, {"streamId": -1}, "streamId"),
        ("meeting.remove", meeting, {}, "streamId"),
        ("meeting.end", meeting, "now", "data"),
        ("meeting.stats", meeting, [], "data"),
        ("meeting.recording.start", meeting, {"title": 3}, "title"),
        ("meeting.recording.start", meeting, {"kind": "podcast"}, "kind"),
        ("meeting.recording.stop", meeting, 0, "data"),
        ("meeting.recording.chapter", meeting, {"title": None}, "title"),
    ]
    with erik.live() as live:
        for type, where, data, field in cases:
            ref = f"bad-{type}-{field}"
            message = {"v": 1, "type": type, "ref": ref, "data": data}
            if where is not None:
                message["topic"] = where
            live.ws.send(json.dumps(message))
            error = _error(live, ref)
            assert error["code"] == "validation-failed", (type, data, error)
            assert error.get("field") == field, (type, data, error)
            assert field in error["message"], (type, data, error)
            time.sleep(0.11)  # stay under the command rate
        # the subscribe with a bad lastSeq subscribed to nothing: typing needs a subscription
        ref = live.send("typing", topic(workspace), {"threadId": thread})
        assert _error(live, ref)["code"] == "not-subscribed"
        # and a good one still works on the same connection
        assert live.subscribe(workspace, last_seq=0)["data"]["seq"] == 1


def test_bad_message_echoes_a_string_ref(demo_server, erik):
    with erik.live() as live:
        for raw in ['{"ref":"x1","data":{}}', '{"v":1,"ref":"x2"}', '{"v":"1","type":"ping","ref":"x3"}',
                    '{"v":1,"type":"ping","ref":"x4","topic":5}']:
            live.ws.send(raw)
            ref = json.loads(raw)["ref"]
            assert _error(live, ref)["code"] == "bad-message", raw
        for raw in ["not json", '["v", 1]', '{"v":1,"type":"ping","ref":7}']:
            live.ws.send(raw)
            answer = live.wait_type("error")
            assert answer["data"]["code"] == "bad-message" and "ref" not in answer, answer
        assert live.ok("ping")["data"] == {"ok": True}


def test_last_seq_ahead_of_the_log_gets_reload_and_the_subscription_stays(demo_server, erik):
    workspace = erik.create_workspace()
    thread = erik.create_thread(workspace)["result"]["thread"]["id"]
    with erik.live() as live:
        ref = live.send("subscribe", topic(workspace), {"lastSeq": 99})
        reload = live.wait_type("reload", topic=topic(workspace))
        assert reload["data"] == {"reason": "ahead", "seq": 1}, reload
        assert live.answer(ref)["data"]["seq"] == 1
        # still subscribed: the next event arrives live, nothing at or below the reload's seq
        erik.reply(thread, "Efter reload")
        event = live.wait_type("post.created", topic=topic(workspace))
        assert event["seq"] == 2, event
        assert [m for m in live.drain(quiet=0.3) if m["type"] == "reload" or m.get("seq", 3) <= 2] == []

    with erik.live() as live:   # lastSeq equal to the head: nothing to replay, no reload
        ref = live.send("subscribe", topic(workspace), {"lastSeq": 2})
        assert live.answer(ref)["data"]["seq"] == 2
        assert [m for m in live.drain(quiet=0.3) if m["type"] == "reload"] == []
