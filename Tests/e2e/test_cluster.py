"""Communis as a cluster: three `communis serve` nodes (a, b, c) on one PostgreSQL database
behind a real nginx (round-robin, no sticky sessions). What people notice: any node answers,
a post written on one node reaches people connected to another at once and in order, a
reconnect after a node dies loses and repeats nothing, presence and typing cross nodes and a
dead node's people leave, and periodic jobs run once for the whole cluster.

Harness: cluster.py (PostgreSQL via Tests/Fixtures/postgres/pgcluster.py, nginx via
Tests/Fixtures/nginx/cluster.conf.template). Every failure carries every node's log.

    COMMUNIS_BIN=/path/to/communis python3 -m pytest -q Tests/e2e/test_cluster.py
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import websockets.exceptions

from cluster import Cluster, Member, Postgres, explained, metric, metric_samples, wait_for
from livekit import Live, topic

DELIVERY_S = 2.0      # a post written on one node reaches subscribers on the others within this
LEAVE_S = 15.0        # a killed node's people leave the others' presence within this
PRESENCE_S = 3.0      # someone joining on another node shows up (as a join) within this


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture
def cluster(postgres):
    """A fresh three-node cluster (own database) behind nginx, for one test."""
    with Cluster(postgres, ("a", "b", "c")) as running:
        yield running


def shared_workspace(owner: Member, *others: Member) -> tuple[str, str]:
    """A closed workspace of `owner` with `others` as members and one thread; (workspace, thread)."""
    workspace = owner.create_workspace(f"Kluster {uuid.uuid4().hex[:6]}")
    for person in others:
        owner.add_member(workspace, person)
    thread = owner.create_thread(workspace, "Samordning", "Vi börjar här.")["result"]["thread"]["id"]
    return workspace, thread


def read_events(live: Live, workspace: str, until: float, stop=lambda events: False) -> list[dict]:
    """Workspace events (with seq) arriving on `live` until the monotonic time `until` or until
    `stop(events)` holds; other messages are dropped. A connection that ends sets `live.gone`."""
    events: list[dict] = []
    pending = list(live.inbox)
    live.inbox.clear()
    while True:
        for message in pending:
            if "seq" in message and message["type"] not in ("ack", "error") and message.get("topic") == topic(workspace):
                message["_arrived"] = time.monotonic()
                events.append(message)
        pending = []
        if stop(events):
            return events
        left = until - time.monotonic()
        if left <= 0:
            return events
        try:
            message = live._read(left)
        except (websockets.exceptions.ConnectionClosed, OSError):
            live.gone = True  # type: ignore[attr-defined]
            return events
        if message is not None:
            pending.append(message)


def present_after(live: Live, workspace: str, state: dict, want: set[str], present: set[str] | None = None,
                  timeout: float | None = None) -> set[str]:
    """Who `live` sees present: its presence.state with the presence.diffs that follow applied,
    until that is `want` (or, with `present` given, for `timeout` more seconds). People on other
    nodes may come as a join just after the state."""
    present = {p["personId"] for p in state["data"]["present"]} if present is None else set(present)
    deadline = time.monotonic() + (PRESENCE_S if timeout is None else timeout)
    while (timeout is not None or present != want) and time.monotonic() < deadline:
        try:
            diff = live.wait(lambda m: m["type"] == "presence.diff" and m.get("topic") == topic(workspace),
                             max(deadline - time.monotonic(), 0.01), what="presence.diff")
        except AssertionError:
            break
        present |= {p["personId"] for p in diff["data"]["joins"]}
        present -= set(diff["data"]["leaves"])
    return present


def describe(events: list[dict]) -> list[tuple]:
    return [(e["seq"], e["type"], (e["data"].get("post") or {}).get("body")) for e in events]


# --------------------------------------------------------------------------- 1

@explained
def test_nginx_spreads_requests_over_nodes_and_upgrades_websockets(cluster: Cluster):
    direct = {node_id: node.health() for node_id, node in cluster.nodes.items()}
    assert all(status == 200 for status, _ in direct.values()), f"a node's /healthz is not 200: {direct}"
    named = {node_id: body.get("node") if isinstance(body, dict) else body for node_id, (_, body) in direct.items()}
    assert named == {"a": "a", "b": "b", "c": "c"}, \
        f"each node's /healthz should name it (COMMUNIS_CLUSTER_NODE_ID): expected node a/b/c, got {direct}"

    answers = [cluster.nginx.health() for _ in range(9)]
    assert all(status == 200 for status, _ in answers), f"GET /healthz through nginx: {answers}"
    seen = [body.get("node") for _, body in answers]
    assert len(set(seen)) >= 2, f"9 health checks through nginx all came from the same node: {seen}"
    assert set(seen) == {"a", "b", "c"}, f"round-robin over three nodes should reach all three in 9 requests: {seen}"

    xenia = cluster.member("xenia", "nginx")
    workspace, thread = shared_workspace(xenia)
    with cluster.live(xenia, "nginx") as live:
        assert live.welcome["data"]["person"]["id"] == xenia.id, live.welcome
        ack = live.subscribe(workspace)
        assert ack["data"]["seq"] == 1, f"subscribe through nginx: {ack}"
        state = live.wait_type("presence.state", topic=topic(workspace))
        assert [p["personId"] for p in state["data"]["present"]] == [xenia.id], state
        written = xenia.reply(thread, "Genom nginx")
        arrived = live.wait(lambda m: m.get("seq") == written["seq"] and m["type"] == "post.created", DELIVERY_S,
                            what=f"post.created seq {written['seq']} (written through nginx, maybe on another node)")
        assert arrived["data"]["post"]["body"] == "Genom nginx"
        assert live.ok("ping")["data"] == {"ok": True}


# --------------------------------------------------------------------------- 2

@explained
def test_posts_written_on_one_node_reach_subscribers_on_others_in_order(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    yusuf_b = cluster.member("yusuf", "b")
    zara = cluster.member("zara", "nginx")
    workspace, thread = shared_workspace(xenia_a, yusuf_b, zara)

    subscribers = {
        "Yusuf on node b": cluster.live(yusuf_b, "b"),
        "Zara through nginx": cluster.live(zara, "nginx"),
        "Xenia on node a (the writer's node)": cluster.live(xenia_a, "a"),
    }
    try:
        for who, live in subscribers.items():
            ack = live.subscribe(workspace)
            assert ack["data"]["seq"] == 1, f"{who}: subscribe ack {ack}"
        for live in subscribers.values():
            live.drain(quiet=0.3)

        # one post on node a
        written = xenia_a.reply(thread, "Skrivet på nod a")
        wrote_at = time.monotonic()
        assert written["seq"] == 2, written
        for who, live in subscribers.items():
            got = read_events(live, workspace, wrote_at + DELIVERY_S, stop=lambda events: bool(events))
            assert describe(got) == [(2, "post.created", "Skrivet på nod a")], \
                f"{who}: expected the post written on node a (seq 2) within {DELIVERY_S} s, got {describe(got)}"

        # ten posts, alternately on node a and node b
        writes = []
        for i in range(10):
            writer, node = (xenia_a, "a") if i % 2 == 0 else (yusuf_b, "b")
            body = f"Inlägg {i} från nod {node}"
            writes.append((writer.reply(thread, body)["seq"], body))
        last_write = time.monotonic()
        assert [seq for seq, _ in writes] == list(range(3, 13)), f"the writes' seqs are not 3…12: {writes}"

        for who, live in subscribers.items():
            got = read_events(live, workspace, last_write + DELIVERY_S, stop=lambda events: len(events) >= len(writes))
            got += read_events(live, workspace, time.monotonic() + 0.7)   # anything extra (duplicates)
            assert describe(got) == [(seq, "post.created", body) for seq, body in writes], (
                f"{who}: expected seqs 3…12 each once, in order, within {DELIVERY_S} s of the last write; "
                f"got {describe(got)}")
    finally:
        for live in subscribers.values():
            live.close()


# --------------------------------------------------------------------------- 3

class Writer(threading.Thread):
    """Posts to a thread every `pause` seconds until stopped; remembers (seq, body, time)."""

    def __init__(self, member: Member, thread: str, pause: float = 0.15):
        super().__init__(daemon=True)
        self.member, self.thread, self.pause = member, thread, pause
        self.written: list[tuple[int, str]] = []
        self.failure: BaseException | None = None
        self.halt = threading.Event()

    def run(self) -> None:
        i = 0
        try:
            while not self.halt.is_set():
                body = f"Löpande {i}"
                self.written.append((self.member.reply(self.thread, body)["seq"], body))
                i += 1
                self.halt.wait(self.pause)
        except BaseException as failure:  # reported by the test
            self.failure = failure

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=20)
        assert self.failure is None, f"writing on {self.member.server.name} failed: {self.failure!r}"


@explained
def test_reconnect_through_nginx_after_a_node_is_killed_resumes_without_gap_or_duplicate(cluster: Cluster):
    xenia = cluster.member("xenia", "a")
    yusuf_b = cluster.member("yusuf", "b")
    workspace, thread = shared_workspace(yusuf_b, xenia)

    first = cluster.live(xenia, "a")
    start = first.subscribe(workspace)["data"]["seq"]
    writer = Writer(yusuf_b, thread)
    writer.start()
    try:
        before_kill = read_events(first, workspace, time.monotonic() + 1.5)
        assert len(before_kill) >= 3, \
            f"Xenia on node a got only {describe(before_kill)} in 1.5 s of Yusuf posting on node b ({writer.written})"

        cluster.kill("a")
        before_kill += read_events(first, workspace, time.monotonic() + 5, stop=lambda _: getattr(first, "gone", False))
        assert getattr(first, "gone", False), "Xenia's connection to the killed node a did not end within 5 s"
        last_seen = before_kill[-1]["seq"]
        assert [e["seq"] for e in before_kill] == list(range(start + 1, last_seen + 1)), \
            f"before the kill, node a delivered {describe(before_kill)} (expected {start + 1}…{last_seen} in order)"

        time.sleep(1.0)   # Yusuf keeps posting on node b while Xenia is away
        second = cluster.live(xenia, "nginx")   # nginx: node a refuses, b or c serve
        ref = second.send("subscribe", topic(workspace), {"lastSeq": last_seen})
        answer = second.answer(ref, timeout=5)
        assert answer["type"] == "ack", f"resume through nginx with lastSeq {last_seen}: {answer}"
        head_at_resume = answer["data"]["seq"]
        assert head_at_resume > last_seen, f"nothing was written while Xenia was away? ack {answer}, writes {writer.written}"

        time.sleep(1.0)   # live events after the resume
        writer.stop()
        final = writer.written[-1][0]
        got = read_events(second, workspace, time.monotonic() + DELIVERY_S + 1,
                          stop=lambda events: bool(events) and events[-1]["seq"] >= final)
        got += read_events(second, workspace, time.monotonic() + 0.7)
        bodies = dict(writer.written)
        expected = [(seq, "post.created", bodies[seq]) for seq in range(last_seen + 1, final + 1)]
        assert describe(got) == expected, (
            f"after resuming with lastSeq {last_seen} (ack seq {head_at_resume}), expected exactly seqs "
            f"{last_seen + 1}…{final} once each in order (missed ones, then live ones); got {describe(got)}")
        assert any(e["seq"] > head_at_resume for e in got), "no live event arrived after the resume"
        assert [seq for seq, _ in writer.written] == list(range(start + 1, final + 1)), \
            f"writes on node b were not gapless: {writer.written}"
        second.close()
    finally:
        writer.halt.set()
        first.close()


# --------------------------------------------------------------------------- 4

@explained
def test_presence_and_typing_cross_nodes_and_a_killed_nodes_people_leave(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    yusuf_b = cluster.member("yusuf", "b")
    zara = cluster.member("zara", "nginx")
    workspace, thread = shared_workspace(xenia_a, yusuf_b, zara)

    with cluster.live(xenia_a, "a") as x:
        x.subscribe(workspace)
        state = x.wait_type("presence.state", topic=topic(workspace))
        assert {p["personId"] for p in state["data"]["present"]} == {xenia_a.id}, state
        x.drain(quiet=0.3)

        y = cluster.live(yusuf_b, "b")
        y.subscribe(workspace)
        y_state = y.wait_type("presence.state", topic=topic(workspace))
        assert {p["personId"] for p in y_state["data"]["present"]} == {xenia_a.id, yusuf_b.id}, \
            f"the first subscriber on node b should get a presence.state listing Xenia (on node a) too: {y_state}"
        y_sees = present_after(y, workspace, y_state, {xenia_a.id, yusuf_b.id})
        assert y_sees == {xenia_a.id, yusuf_b.id}, \
            f"Yusuf on node b should see Xenia (on node a) and himself present within {PRESENCE_S} s: saw {y_sees}, " \
            f"his presence.state was {y_state}"

        joined = x.wait(lambda m: m["type"] == "presence.diff"
                        and yusuf_b.id in [p["personId"] for p in m["data"]["joins"]], 3,
                        what="presence.diff joining Yusuf (subscribed on node b)")
        assert [(p["personId"], p["name"], p["status"]) for p in joined["data"]["joins"]] == \
            [(yusuf_b.id, "Yusuf Berg", "online")], joined

        y.send("typing", topic(workspace), {"threadId": thread})
        typing = x.wait_type("typing", timeout=3, topic=topic(workspace))
        assert (typing["data"]["personId"], typing["data"]["name"], typing["data"]["threadId"]) == \
            (yusuf_b.id, "Yusuf Berg", thread), typing
        assert typing["data"]["expiresInMs"] > 0, typing

        early = [m for m in x.drain(quiet=0.3) if m["type"] == "presence.diff" and m["data"]["leaves"]]
        assert early == [], f"someone left before node b was killed: {early}"

        cluster.kill("b")
        killed_at = time.monotonic()
        left = x.wait(lambda m: m["type"] == "presence.diff" and yusuf_b.id in m["data"]["leaves"], LEAVE_S,
                      what=f"presence.diff with Yusuf leaving after node b was killed (within {LEAVE_S} s)")
        took = time.monotonic() - killed_at
        assert left["data"]["leaves"] == [yusuf_b.id], left
        assert x.ok("ping")["data"] == {"ok": True}, "Xenia's connection to node a should live on"
        y.close()

        # a newcomer through nginx sees the room as it is now: Xenia, not Yusuf
        with cluster.live(zara, "nginx") as z:
            z.subscribe(workspace)
            names = {xenia_a.id: "Xenia", yusuf_b.id: "Yusuf", zara.id: "Zara"}
            now = z.wait_type("presence.state", topic=topic(workspace))
            assert {p["personId"] for p in now["data"]["present"]} == {xenia_a.id, zara.id}, \
                f"{took:.1f} s after node b's death, a newcomer's presence.state should list Xenia and herself: {now}"
            z_sees = present_after(z, workspace, now, {xenia_a.id, zara.id})
            z_sees = present_after(z, workspace, now, {xenia_a.id, zara.id}, z_sees, timeout=0.5)  # and no one else
            assert z_sees == {xenia_a.id, zara.id}, \
                f"{took:.1f} s after node b's death, a newcomer through nginx should see Xenia and herself present " \
                f"(not Yusuf): saw {z_sees}; names {names}; her presence.state was {now}"


# --------------------------------------------------------------------------- 5

JOBS_ONCE = ("sweep-sessions", "prune-events")


@explained
def test_periodic_jobs_run_once_across_the_cluster(cluster: Cluster):
    admin = cluster.member("admin", "a")

    def read_all() -> dict[str, str]:
        return {node_id: admin.via(node).metrics() for node_id, node in cluster.nodes.items()}

    def runs(texts: dict[str, str], job: str) -> dict[str, float]:
        return {node_id: metric(text, "communis_jobs_run_total", job=job) or 0.0 for node_id, text in texts.items()}

    def started(texts: dict[str, str]) -> bool:
        return all(sum(runs(texts, job).values()) >= 1 for job in JOBS_ONCE)

    deadline = time.monotonic() + 20
    while not started(texts := read_all()):
        if time.monotonic() > deadline:
            lines = {n: [line for line in t.splitlines() if line.startswith(("communis_jobs", "communis_node", "communis_cluster"))]
                     for n, t in texts.items()}
            raise AssertionError(f"no node reported running {JOBS_ONCE} within 20 s of start (communis_jobs_run_total); "
                                 f"cluster lines of each node's /api/v1/admin/metrics: {lines}")
        time.sleep(0.5)

    time.sleep(2)   # every node has long since tried its start-up run
    texts = read_all()
    for job in JOBS_ONCE:
        per_node = runs(texts, job)
        assert sum(per_node.values()) == 1, (
            f"job {job!r}: the nodes started within {cluster.startup_seconds:.1f} s of each other and should have "
            f"run it once in all, got communis_jobs_run_total per node {per_node}")
    every_job = {n: [(labels.get("job"), value) for labels, value in metric_samples(t, "communis_jobs_run_total")]
                 for n, t in texts.items()}

    for node_id, text in texts.items():
        assert metric(text, "communis_node_info", node=node_id) == 1, \
            f"node {node_id}'s metrics should carry communis_node_info{{node=\"{node_id}\"}} 1:\n{text}"

    def all_see_three():
        counts = {n: metric(t, "communis_cluster_nodes") for n, t in read_all().items()}
        return counts if all(value == 3 for value in counts.values()) else AssertionError(f"communis_cluster_nodes {counts}")

    wait_for(all_see_three, 15, 0.5, what=f"every node counting 3 alive nodes (jobs per node: {every_job})")


# --------------------------------------------------------------------------- 6

def audio_frame(stream: int, sequence: int, payload: bytes) -> bytes:
    """A binary audio frame (docs/protocol.md, "Audio frames"): version 1 Opus, voice at
    -30 dBov, the sender's stream id, sequence, 48 kHz timestamp, then the packet."""
    return struct.pack(">BBHHI", 0x10, 0x80 | 30, stream, sequence & 0xFFFF, (sequence * 960) & 0xFFFFFFFF) + payload


def binary_frames(live: Live, seconds: float) -> list[bytes]:
    """The binary frames `live` receives within `seconds`; text messages go to its inbox."""
    got: list[bytes] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            raw = live.ws.recv(timeout=left)
        except TimeoutError:
            break
        if isinstance(raw, bytes):
            got.append(raw)
        else:
            live.inbox.append(json.loads(raw))
    return got


@explained
def test_two_participants_on_different_nodes_hear_each_other_in_one_meeting(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    yusuf_b = cluster.member("yusuf", "b")
    workspace, _ = shared_workspace(xenia_a, yusuf_b)
    status, meeting = xenia_a.call("POST", f"/api/v1/workspaces/{workspace}/meetings", {"title": "Klustermöte"})
    assert status == 201, meeting
    on_air = f"meeting:{meeting['id']}"

    with cluster.live(xenia_a, "a") as x, cluster.live(yusuf_b, "b") as y:
        x_stream = x.ok("meeting.join", on_air, {"muted": False})["data"]["streamId"]
        joined = y.ok("meeting.join", on_air, {"muted": False})
        assert joined["data"]["state"] == "joined", f"Yusuf (node b) joining the meeting relayed by node a: {joined}"
        y_stream = joined["data"]["streamId"]
        assert y_stream != x_stream
        people = [p["person"]["id"] for p in joined["data"]["meeting"]["participants"]]
        assert people == [xenia_a.id, yusuf_b.id], f"one meeting, both in it, in joining order: {joined}"
        # Xenia (on a) is told Yusuf (on b) came.
        x.wait(lambda m: m["type"] == "meeting.participant.joined" and m["data"]["participant"]["streamId"] == y_stream, 3,
               what="meeting.participant.joined for Yusuf (node b)")
        # Over HTTP, every node tells who is in the meeting (node a relays it).
        for who in (yusuf_b, cluster.member("xenia", "c")):
            deadline = time.monotonic() + 3
            while True:
                status, read = who.call("GET", f"/api/v1/meetings/{meeting['id']}")
                if status == 200 and [p["id"] for p in read["participants"]] == [xenia_a.id, yusuf_b.id]:
                    break
                assert time.monotonic() < deadline, f"GET /api/v1/meetings/{{id}} on another node than the relay: {status} {read}"
                time.sleep(0.2)

        # Yusuf speaks through node b; Xenia hears exactly his frames, unchanged.
        sent = [audio_frame(y_stream, n, bytes([0xF8, 0xFF, 0xFE, n])) for n in range(10)]
        for frame in sent:
            y.ws.send(frame)
            time.sleep(0.02)
        heard = binary_frames(x, 1.5)
        assert heard == sent, f"Xenia on node a should hear Yusuf's 10 frames from node b unchanged: got {len(heard)}: {heard[:3]}"

        # Xenia speaks on node a; Yusuf hears her through the link back to node b.
        sent = [audio_frame(x_stream, n, bytes([0xF8, 0xFF, 0xFE, 0x40 + n])) for n in range(10)]
        for frame in sent:
            x.ws.send(frame)
            time.sleep(0.02)
        heard = binary_frames(y, 1.5)
        assert heard == sent, f"Yusuf on node b should hear Xenia's 10 frames unchanged: got {len(heard)}: {heard[:3]}"

        # Commands answer through the link too: Yusuf mutes himself, Xenia sees it; he leaves.
        y.ok("meeting.mute", on_air, {"muted": True})
        x.wait(lambda m: m["type"] == "meeting.participant.updated" and m["data"]["participant"]["streamId"] == y_stream
               and m["data"]["participant"]["muted"], 3, what="meeting.participant.updated (muted) for Yusuf (sent on node b)")
        y.ok("meeting.leave", on_air)
        left = x.wait(lambda m: m["type"] == "meeting.participant.left" and m["data"]["streamId"] == y_stream, 3,
                      what="meeting.participant.left for Yusuf (sent on node b)")
        assert left["data"]["reason"] == "left", left


@explained
def test_a_meeting_moves_to_another_node_when_its_node_dies_and_people_rejoin(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    yusuf_b = cluster.member("yusuf", "b")
    zara_c = cluster.member("zara", "c")
    workspace, _ = shared_workspace(xenia_a, yusuf_b, zara_c)
    status, meeting = xenia_a.call("POST", f"/api/v1/workspaces/{workspace}/meetings", {"title": "Flyttmöte"})
    assert status == 201, meeting
    on_air = f"meeting:{meeting['id']}"

    x = cluster.live(xenia_a, "a")
    y = cluster.live(yusuf_b, "b")
    x.ok("meeting.join", on_air, {"muted": False})   # node a relays the meeting
    y.ok("meeting.join", on_air, {"muted": False})   # forwarded from b to a
    cluster.kill("a")
    x.close()
    # Yusuf's connection to node b ends too (1001: reconnect), since his meeting's relay is gone.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            y.ws.recv(timeout=deadline - time.monotonic())
        except TimeoutError:
            break
        except websockets.exceptions.ConnectionClosed:
            break
    assert y.ws.close_code == 1001, f"Yusuf's connection on node b should close with 1001 when node a dies: {y.ws.close_code}"

    # He reconnects to b and joins again; until node a's lease runs out the join says to retry.
    y = cluster.live(yusuf_b, "b")
    z = cluster.live(zara_c, "c")
    started = time.monotonic()
    while True:
        answer = y.command("meeting.join", on_air, {"muted": False})
        if answer["type"] == "ack":
            break
        assert answer["data"]["code"] == "conflict", f"a join while the meeting moves should say so: {answer}"
        assert time.monotonic() - started < 25, f"the meeting never moved off the dead node: {answer}"
        time.sleep(1)
    y_stream = answer["data"]["streamId"]
    z_stream = z.ok("meeting.join", on_air, {"muted": False})["data"]["streamId"]   # forwarded from c to b
    sent = [audio_frame(z_stream, n, bytes([0xF8, 0xFF, 0xFE, n])) for n in range(5)]
    for frame in sent:
        z.ws.send(frame)
        time.sleep(0.02)
    heard = binary_frames(y, 1.5)
    assert heard == sent, f"after the move, Yusuf (b) should hear Zara (c): got {len(heard)} frames"
    assert y_stream != z_stream
    y.close()
    z.close()


@explained
def test_a_recording_cut_off_by_its_nodes_death_is_finalised_by_a_node_alive(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    workspace, _ = shared_workspace(xenia_a)
    status, meeting = xenia_a.call("POST", f"/api/v1/workspaces/{workspace}/meetings", {"title": "Inspelat klustermöte"})
    assert status == 201, meeting
    on_air = f"meeting:{meeting['id']}"
    x = cluster.live(xenia_a, "a")
    stream = x.ok("meeting.join", on_air, {"muted": False})["data"]["streamId"]
    recording = x.ok("meeting.recording.start", on_air, {"title": "Avbruten"})["data"]["recording"]["id"]
    for n in range(50):   # one second of 20 ms silence frames
        x.ws.send(audio_frame(stream, n, b"\xf8\xff\xfe"))
        time.sleep(0.02)
    time.sleep(1.5)       # the recorder flushes its pages at least every second
    cluster.kill("a")
    x.close()

    reader = cluster.member("xenia", "b")
    deadline = time.monotonic() + 75
    while True:
        status, read = reader.call("GET", f"/api/v1/recordings/{recording}")
        assert status == 200, read
        if read["state"] != "recording":
            break
        assert time.monotonic() < deadline, f"the recording stayed 'recording' after its node died: {read}"
        time.sleep(1)
    assert (read["state"], read.get("stopReason")) == ("complete", "interrupted"), read
    assert read["durationMs"] > 0, f"what was written before the crash is kept: {read}"
    # Xenia's stay in the meeting, opened on node a, is closed too.
    status, stays = reader.call("GET", f"/api/v1/meetings/{meeting['id']}/attendance")
    assert status == 200, stays
    assert [s["leftAt"] is not None for s in stays["items"]] == [True], f"the dead node's stays are closed: {stays}"


def meeting_guest(cluster: Cluster, token: str, via: str) -> Member:
    """The guest of a meeting's invitation link, signed in through `via` by following the link."""
    import urllib.request
    from http.cookiejar import CookieJar

    guest = Member.__new__(Member)
    guest.server = cluster.endpoint(via)  # type: ignore[assignment]
    guest.email = "länkgäst"
    guest.jar = CookieJar()
    guest.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(guest.jar))
    guest.csrf = None
    status, body = guest.call("POST", f"/api/v1/meeting-invitations/{token}/accept")
    assert status == 200, f"accepting the meeting invitation: {status} {body}"
    guest.csrf, guest.id, guest.name = body["csrfToken"], body["user"]["id"], body["user"]["name"]
    return guest


@explained
def test_a_meeting_guest_on_one_node_gets_the_chat_written_on_another(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    yusuf_c = cluster.member("yusuf", "c")
    workspace, _ = shared_workspace(xenia_a, yusuf_c)
    status, meeting = xenia_a.call("POST", f"/api/v1/workspaces/{workspace}/meetings", {"title": "Möte med partner"})
    assert status == 201, meeting
    status, invited = xenia_a.call("POST", f"/api/v1/meetings/{meeting['id']}/invitations", {"name": "Pia Partner"})
    assert status == 201, invited
    guest_b = meeting_guest(cluster, invited["token"], "b")
    on_air = f"meeting:{meeting['id']}"

    with cluster.live(xenia_a, "a") as x, cluster.live(guest_b, "b") as g:
        x.ok("meeting.join", on_air, {"muted": True})  # node a relays the meeting
        waiting = g.ok("meeting.join", on_air, {"muted": True})
        assert waiting["data"]["state"] == "lobby", waiting
        x.ok("meeting.admit", on_air, {"streamId": waiting["data"]["streamId"]})
        g.wait(lambda m: m["type"] == "meeting.admitted", 5, what="meeting.admitted for the guest (node b)")

        # Yusuf writes in the meeting's chat on node c: neither the relay nor the guest's node.
        status, written = yusuf_c.call("POST", f"/api/v1/threads/{meeting['threadId']}/posts", {"body": "Välkommen, Pia!"})
        assert status == 201, written
        chat = g.wait(lambda m: m["type"] == "meeting.chat", 5, what="meeting.chat for the guest on node b (written on node c)")
        assert chat["topic"] == on_air and chat["data"]["event"] == "post.created", chat
        assert chat["data"]["post"]["body"] == "Välkommen, Pia!" and chat["data"]["post"]["meetingId"] == meeting["id"], chat

        # And the guest writes in it through node b: its own copy comes back the same way.
        g.ok("post.create", None, {"threadId": meeting["threadId"], "body": "Tack, hej alla!"})
        again = g.wait(lambda m: m["type"] == "meeting.chat" and m["data"]["post"]["body"] == "Tack, hej alla!", 5,
                       what="meeting.chat of the guest's own post")
        assert again["data"]["post"]["author"]["id"] == guest_b.id, again


# --------------------------------------------------------------------------- documents

def tus(member: Member, method: str, path: str, data: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A tus request (bytes, not JSON) with the member's session; (status, headers, body)."""
    request = urllib.request.Request(member.server.base + path, data=data, method=method)
    request.add_header("Tus-Resumable", "1.0.0")
    if member.csrf and method != "GET":
        request.add_header("X-CSRF-Token", member.csrf)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with member.opener.open(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def tus_metadata(**pairs: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())


def test_documents_uploaded_on_one_node_are_announced_read_and_resumed_on_others(cluster: Cluster):
    xenia_a = cluster.member("xenia", "a")
    yusuf_b = cluster.member("yusuf", "b")
    workspace, _ = shared_workspace(xenia_a, yusuf_b)
    first_half, second_half = os.urandom(300_000), os.urandom(200_000)
    content = first_half + second_half

    with cluster.live(yusuf_b, "b") as live:
        ack = live.subscribe(workspace)
        live.drain(quiet=0.3)
        # The upload starts on node a and, after a cut, is finished on node c: the upload's
        # files are on storage every node shares.
        status, headers, body = tus(xenia_a, "POST", "/api/v1/uploads", None, {
            "Upload-Length": str(len(content)),
            "Upload-Metadata": tus_metadata(filename="Budget 2027.xlsx", workspace=workspace, comment="Första utkastet")})
        assert status == 201, body
        upload = urllib.parse.urlsplit(headers["Location"]).path
        status, headers, body = tus(xenia_a, "PATCH", upload, first_half,
                                    {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert status == 204 and headers["Upload-Offset"] == str(len(first_half)), (status, headers, body)
        xenia_c = xenia_a.via(cluster["c"])
        status, headers, _ = tus(xenia_c, "HEAD", upload)
        assert status == 200 and headers["Upload-Offset"] == str(len(first_half)), (status, headers)
        status, headers, body = tus(xenia_c, "PATCH", upload, second_half,
                                    {"Upload-Offset": str(len(first_half)), "Content-Type": "application/offset+octet-stream"})
        assert status == 204, (status, headers, body)
        document = headers["Communis-Document-Id"]
        done_at = time.monotonic()

        # Yusuf, subscribed on node b, is told at once, with the next seq.
        got = read_events(live, workspace, done_at + DELIVERY_S, stop=lambda events: bool(events))
        assert [(e["seq"], e["type"], e["data"]["document"]["title"]) for e in got] == \
            [(ack["data"]["seq"] + 1, "document.added", "Budget 2027.xlsx")], got

        # He reads the same bytes through node b.
        request = urllib.request.Request(cluster["b"].base + f"/api/v1/documents/{document}/content")
        with yusuf_b.opener.open(request, timeout=15) as response:
            assert hashlib.sha256(response.read()).hexdigest() == hashlib.sha256(content).hexdigest()

        # Checked out by Xenia on node a: Yusuf's new version through node c is refused, naming her.
        status, lock = xenia_a.call("POST", f"/api/v1/documents/{document}/lock", {"minutes": 10})
        assert status == 200, lock
        status, _, body = tus(yusuf_b.via(cluster["c"]), "POST", "/api/v1/uploads", None, {
            "Upload-Length": "5", "Upload-Metadata": tus_metadata(filename="Budget 2027.xlsx", document=document)})
        problem = json.loads(body)
        assert status == 423 and problem["holder"]["id"] == xenia_a.id, (status, problem)
        got = read_events(live, workspace, time.monotonic() + DELIVERY_S, stop=lambda events: bool(events))
        assert [e["type"] for e in got] == ["document.locked"], got
