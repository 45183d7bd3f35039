"""Who hears what: removed members stop hearing a workspace at once, guests only hear the
workspaces they were invited to, and @mentions notify the mentioned member (only members)."""
from __future__ import annotations

import pytest

from livekit import (ANNA, DEMO_WORKSPACE, ERIK, JOHAN, LENA, MARIA, SARA, User, demo_server,  # noqa: F401
                     topic)


@pytest.fixture(scope="module")
def people(demo_server):
    return {name: User(demo_server, email) for name, email in
            (("erik", ERIK), ("sara", SARA), ("johan", JOHAN), ("maria", MARIA), ("lena", LENA), ("anna", ANNA))}


def test_removed_member_is_unsubscribed_at_once_and_hears_nothing_more(people):
    erik, sara, johan = people["erik"], people["sara"], people["johan"]
    workspace = erik.create_workspace()
    erik.add_member(workspace, sara)
    erik.add_member(workspace, johan)
    thread = erik.create_thread(workspace)["result"]["thread"]["id"]
    with sara.live() as s, johan.live() as j, erik.live() as a:
        for live in (s, j, a):
            live.subscribe(workspace)
        a.ok("post.create", data={"threadId": thread, "body": "Innan"})
        s.wait_type("post.created", topic=topic(workspace))
        j.drain(quiet=0.2)

        s.drain(quiet=0.2)
        erik.remove_member(workspace, sara)
        gone = s.wait_type("unsubscribed", timeout=3)  # "at once": before any later event
        assert gone["topic"] == topic(workspace) and gone["data"]["reason"] == "removed", gone

        after = a.ok("post.create", data={"threadId": thread, "body": "Efter att Sara gått"})["data"]["seq"]
        a.send("typing", topic(workspace), {"threadId": thread})
        assert [m["seq"] for m in j.events(workspace=workspace)] == [after]  # the others still hear it
        leaked = [m for m in s.drain() if m.get("topic") == topic(workspace)]
        assert leaked == [], f"removed member still received: {leaked}"

        again = s.command("subscribe", topic(workspace), {"lastSeq": 0})
        assert again["type"] == "error" and again["data"]["code"] == "not-member", again
        write = s.command("post.create", data={"threadId": thread, "body": "Får jag skriva?"})
        assert write["type"] == "error" and write["data"]["code"] in ("not-member", "forbidden"), write
        assert [m for m in s.drain(quiet=0.3) if m.get("topic") == topic(workspace)] == []
    assert "Får jag skriva?" not in [p["body"] for p in erik.posts(thread)]


def test_guest_hears_only_the_workspace_she_was_invited_to(people):
    erik, lena, anna = people["erik"], people["lena"], people["anna"]
    status, found = anna.call("GET", "/api/v1/workspaces?scope=mine&limit=100")
    assert status == 200, found
    invited = next(w["id"] for w in found["items"] if w["name"] == DEMO_WORKSPACE)
    invited_thread = anna.create_thread(invited, "Till konsulten", "Hej Lena")["result"]["thread"]["id"]

    elsewhere = erik.create_workspace()
    elsewhere_thread = erik.create_thread(elsewhere)["result"]["thread"]["id"]
    with lena.live() as guest, erik.live() as a:
        refused = guest.command("subscribe", topic(elsewhere), {})
        assert refused["type"] == "error" and refused["data"]["code"] == "not-member", refused
        guest.subscribe(invited)
        a.subscribe(elsewhere)

        a.ok("post.create", data={"threadId": elsewhere_thread, "body": "Internt, inte för gäster"})
        own = anna.reply(invited_thread, "Välkommen in, Lena")["seq"]
        got = guest.drain()
        assert [m["seq"] for m in guest.events(got, invited)] == [own]
        assert [m for m in got if m.get("topic") == topic(elsewhere)
                or "Internt" in str(m.get("data"))] == [], f"the guest received: {got}"


def test_mention_notifies_the_member_and_not_a_non_member(people):
    erik, sara, maria = people["erik"], people["sara"], people["maria"]
    workspace = erik.create_workspace()
    erik.add_member(workspace, sara)
    thread = erik.create_thread(workspace)["result"]["thread"]["id"]
    body = (f"Kan @[Sara Nilsson](person:{sara.id}) titta på det här? "
            f"Och @[Maria Karlsson](person:{maria.id}) också.")
    with sara.live() as s, maria.live() as m, erik.live() as a:  # no subscriptions needed
        post = a.ok("post.create", data={"threadId": thread, "body": body})["data"]["result"]["post"]
        note = s.wait_type("notification", timeout=5)
        data = note["data"]
        assert data["kind"] == "mention" and data["read"] is False, note
        assert (data["workspaceId"], data["threadId"], data["postId"]) == (workspace, thread, post["id"])
        assert data["actor"] == {"id": erik.id, "name": erik.name}
        assert "@Sara Nilsson" in data["excerpt"] and "](person:" not in data["excerpt"], data["excerpt"]
        assert "seq" not in note and "topic" not in note
        assert [x for x in m.drain() if x["type"] == "notification"] == [], "a non-member was notified"
        assert [x for x in s.drain(quiet=0.2) if x["type"] == "notification"] == [], "notified twice"

    status, listed = sara.call("GET", "/api/v1/notifications")
    assert status == 200, listed
    assert listed["unread"] >= 1
    mine = [n for n in listed["items"] if n.get("postId") == post["id"]]
    assert len(mine) == 1 and mine[0]["kind"] == "mention" and mine[0]["id"] == data["id"], listed

    status, theirs = maria.call("GET", "/api/v1/notifications")
    assert status == 200, theirs
    assert [n for n in theirs["items"] if n.get("postId") == post["id"]] == []
