"""The live hub delivers what happens in a workspace to its members, and only to them:
posts in order, typing, presence, resuming after a dropped connection, idempotent writes.

Real `communis serve` process, real WebSockets (the `websockets` package)."""
from __future__ import annotations

import uuid

import pytest

from livekit import ERIK, JOHAN, MARIA, SARA, User, demo_server, topic  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def people(demo_server):
    return {name: User(demo_server, email) for name, email in
            (("erik", ERIK), ("sara", SARA), ("johan", JOHAN), ("maria", MARIA))}


@pytest.fixture
def room(people):
    """A fresh closed workspace: Erik (owner), Sara and Johan members; Maria is not a member.
    Returns (workspace id, thread id of an opening thread)."""
    erik = people["erik"]
    workspace = erik.create_workspace()
    erik.add_member(workspace, people["sara"])
    erik.add_member(workspace, people["johan"])
    thread = erik.create_thread(workspace, "Planering", "Vi börjar här.")["result"]["thread"]["id"]
    return workspace, thread


def test_posts_reach_members_in_order_and_not_a_non_member(people, room):
    workspace, thread = room
    erik, sara, johan, maria = (people[n] for n in ("erik", "sara", "johan", "maria"))
    with erik.live() as a, sara.live() as b, johan.live() as c, maria.live() as d:
        start = a.subscribe(workspace)["data"]["seq"]
        assert b.subscribe(workspace)["data"]["seq"] == start
        c.subscribe(workspace)

        refused = d.command("subscribe", topic(workspace), {})
        assert refused["type"] == "error" and refused["data"]["code"] == "not-member", refused
        assert refused["topic"] == topic(workspace)
        d.subscribe(maria.create_workspace())  # Maria is subscribed to a workspace of her own

        bodies = [f"Inlägg {i}: mötet flyttas till {10 + i}:00 🙂 åäö" for i in range(6)]
        acks = [a.ok("post.create", data={"threadId": thread, "body": body}) for body in bodies]
        seqs = [ack["data"]["seq"] for ack in acks]
        assert seqs == list(range(start + 1, start + 7)), seqs
        for ack, body in zip(acks, bodies):
            post = ack["data"]["result"]["post"]
            assert ack["data"]["duplicate"] is False
            assert post["body"] == body and post["threadId"] == thread and post["author"]["id"] == erik.id

        for reader in (b, c, a):  # the writer gets its own events too
            received = reader.events(workspace=workspace)
            assert [m["seq"] for m in received] == seqs, received
            assert [m["type"] for m in received] == ["post.created"] * 6
            assert [m["data"]["post"]["body"] for m in received] == bodies
            assert [m["data"]["post"]["id"] for m in received] == [x["data"]["result"]["post"]["id"] for x in acks]
            assert all(m["data"]["post"]["author"] == {"id": erik.id, "name": erik.name} for m in received)

        leaked = [m for m in d.drain() if m.get("topic") == topic(workspace) or "post" in m.get("data", {})]
        assert leaked == [], f"a non-member received events of the workspace: {leaked}"


def test_typing_and_presence(people, room):
    workspace, thread = room
    erik, sara, johan, maria = (people[n] for n in ("erik", "sara", "johan", "maria"))
    with erik.live() as a, sara.live() as b, maria.live() as d:
        # typing needs a subscription
        early = a.command("typing", topic(workspace), {"threadId": thread})
        assert early["type"] == "error" and early["data"]["code"] == "not-subscribed", early

        a.subscribe(workspace)
        b.subscribe(workspace)
        d.subscribe(maria.create_workspace())
        a.drain(quiet=0.3)
        b.drain(quiet=0.3)
        d.drain(quiet=0.3)

        a.send("typing", topic(workspace), {"threadId": thread})
        typing = b.wait_type("typing", topic=topic(workspace))
        assert typing["data"]["personId"] == erik.id and typing["data"]["name"] == erik.name
        assert typing["data"]["threadId"] == thread and typing["data"]["expiresInMs"] > 0
        assert "seq" not in typing
        assert [m for m in a.drain() if m["type"] == "typing"] == [], "the typist saw their own indicator"
        assert [m for m in d.drain(quiet=0.1) if m["type"] == "typing"] == [], "a non-member saw typing"

        # C (Johan) arrives: B sees him join; C's presence.state lists everyone present
        c = johan.live()
        c.subscribe(workspace)
        state = c.wait_type("presence.state", topic=topic(workspace))
        present = {p["personId"]: p for p in state["data"]["present"]}
        assert set(present) == {erik.id, sara.id, johan.id}, state
        assert present[sara.id]["name"] == "Sara Nilsson" and present[sara.id]["status"] == "online"
        joined = b.wait(lambda m: m["type"] == "presence.diff" and m["data"]["joins"], what="join diff")
        assert [(p["personId"], p["name"], p["status"]) for p in joined["data"]["joins"]] == [(johan.id, johan.name, "online")]
        assert joined["topic"] == topic(workspace) and joined["data"]["leaves"] == []

        # C goes away: a change, not a leave
        assert c.ok("presence.set", data={"status": "away"})["data"] == {"ok": True}
        changed = b.wait(lambda m: m["type"] == "presence.diff" and m["data"]["changes"], what="change diff")
        assert [(p["personId"], p["status"]) for p in changed["data"]["changes"]] == [(johan.id, "away")]
        assert changed["data"]["joins"] == [] and changed["data"]["leaves"] == []

        # C disconnects: B sees him leave
        c.close()
        left = b.wait(lambda m: m["type"] == "presence.diff" and m["data"]["leaves"], timeout=5, what="leave diff")
        assert left["data"]["leaves"] == [johan.id], left

        # a later subscriber sees the current room without Johan
        with sara.live() as b2:
            b2.subscribe(workspace)
            state = b2.wait_type("presence.state", topic=topic(workspace))
            assert {p["personId"] for p in state["data"]["present"]} == {erik.id, sara.id}
        assert not [m for m in d.drain(quiet=0.1) if m.get("topic") == topic(workspace)]


def test_reconnect_and_resume_receives_exactly_the_missed_events(people, room):
    workspace, thread = room
    erik, sara = people["erik"], people["sara"]
    with erik.live() as a:
        a.subscribe(workspace)
        b = sara.live()
        b.subscribe(workspace)
        a.ok("post.create", data={"threadId": thread, "body": "Innan avbrottet"})
        seen = b.wait_type("post.created", topic=topic(workspace))["seq"]
        b.close()

        missed = [a.ok("post.create", data={"threadId": thread, "body": f"Medan du var borta {i}"}) for i in range(5)]
        missed_seqs = [ack["data"]["seq"] for ack in missed]
        assert missed_seqs == list(range(seen + 1, seen + 6))

        with sara.live() as b:
            ref = b.send("subscribe", topic(workspace), {"lastSeq": seen})
            got = []
            while not any(m.get("ref") == ref for m in got):
                got.append(b.next(5))
            got += b.drain(quiet=0.4)
            answer = next(m for m in got if m.get("ref") == ref)
            assert answer["type"] == "ack" and answer["data"]["seq"] == seen + 5, answer
            assert got[0]["type"] == "presence.state", got[0]
            replayed = b.events(got, workspace)
            assert [m["seq"] for m in replayed] == missed_seqs, f"replay was {[(m['type'], m['seq']) for m in replayed]}"
            assert [m["data"]["post"]["body"] for m in replayed] == [f"Medan du var borta {i}" for i in range(5)]
            assert all(m["type"] == "post.created" for m in replayed)

            live = a.ok("post.create", data={"threadId": thread, "body": "Välkommen tillbaka"})["data"]["seq"]
            after = b.events(b.drain(), workspace)
            assert [(m["seq"], m["data"]["post"]["body"]) for m in after] == [(live, "Välkommen tillbaka")]
            assert live == seen + 6


def test_same_idempotency_key_creates_one_post(people, room):
    workspace, thread = room
    erik, sara = people["erik"], people["sara"]
    key = str(uuid.uuid4())
    command = {"threadId": thread, "body": "Skickas bara en gång", "idempotencyKey": key}
    with sara.live() as b:
        b.subscribe(workspace)
        with erik.live() as a:
            first = a.ok("post.create", data=command)
            second = a.ok("post.create", data=command)
        assert first["data"]["duplicate"] is False
        assert second["data"]["duplicate"] is True, second
        assert second["data"]["seq"] == first["data"]["seq"]
        assert second["data"]["result"]["post"]["id"] == first["data"]["result"]["post"]["id"]

        with erik.live() as again:  # the resend after a reconnect
            third = again.ok("post.create", data=command)
            assert third["data"]["duplicate"] is True and third["data"]["seq"] == first["data"]["seq"]
            assert third["data"]["result"]["post"]["id"] == first["data"]["result"]["post"]["id"]
        delivered = b.events(workspace=workspace)
        assert [(m["type"], m["seq"]) for m in delivered] == [("post.created", first["data"]["seq"])], delivered

    bodies = [p["body"] for p in erik.posts(thread)]
    assert bodies.count("Skickas bara en gång") == 1, bodies
    assert len(bodies) == 2  # the opening post and the one reply


def test_idempotency_key_reused_for_a_different_command_is_a_conflict(people, room):
    """docs/protocol.md: error `conflict` = "an idempotency key reused for a different command"."""
    workspace, thread = room
    erik = people["erik"]
    with erik.live() as a:
        key = str(uuid.uuid4())
        a.ok("post.create", data={"threadId": thread, "body": "Första versionen", "idempotencyKey": key})
        other_body = a.command("post.create", data={"threadId": thread, "body": "Något helt annat", "idempotencyKey": key})
        thread_key = str(uuid.uuid4())
        a.ok("thread.create", topic(workspace), {"title": "Ny tråd", "body": "Öppning", "idempotencyKey": thread_key})
        other_type = a.command("post.create", data={"threadId": thread, "body": "Ett svar", "idempotencyKey": thread_key})
    bodies = [p["body"] for p in erik.posts(thread)]
    answers = {
        "same key, another body": (other_body["type"], other_body["data"].get("code")),
        "key of a thread.create": (other_type["type"], other_type["data"].get("code")),
    }
    assert answers == {"same key, another body": ("error", "conflict"), "key of a thread.create": ("error", "conflict")}, \
        f"answers: {other_body} / {other_type}"
    assert "Något helt annat" not in bodies and "Ett svar" not in bodies
