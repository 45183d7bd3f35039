"""A client that stops reading is cut without slowing the room; an acknowledged post
survives `kill -9` and is replayed to a client resuming from before it."""
from __future__ import annotations

import json
import signal
import struct
import tempfile
import threading
import time
from pathlib import Path

from livekit import (ANNA, ERIK, OP_CLOSE, OP_TEXT, SARA, Closed, RawWS, User, frame, running, start_server,
                     stop_server, topic)

QUEUED = 4096
BODY_CHARS = 15_000


def big_body(i: int) -> str:
    """15,000 characters of Swedish (å, ä, ö take two bytes each in UTF-8)."""
    head = f"Inlägg {i:03d} "
    return head + ("Tillgänglighet: " + "åäö ÅÄÖ " * 2000)[: BODY_CHARS - len(head)]


def kernel_send_buffer_max() -> int:
    """The most the kernel may buffer for one TCP sender (it autotunes up to this)."""
    try:
        return int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        return 4 * 1024 * 1024


# Enough posts that they cannot all sit in the kernel's buffers between server and slow client:
# the rest has to wait in the server, which must then cut the client (4008).
POSTS = min(400, (kernel_send_buffer_max() + 1024 * 1024) // len(big_body(0).encode()) + 1)


def live_closes(admin: User, reason: str) -> int:
    """`communis_live_closes_total{reason=…}` from the metrics endpoint (0 when not there)."""
    import urllib.request
    request = urllib.request.Request(admin.server.base + "/api/v1/admin/metrics")
    with admin.opener.open(request, timeout=10) as response:
        text = response.read().decode()
    for line in text.splitlines():
        if line.startswith(f'communis_live_closes_total{{reason="{reason}"}} '):
            return int(line.split()[-1])
    return 0


def test_slow_client_is_cut_while_a_reading_client_gets_everything():
    with running({"COMMUNIS_LIVE_MAX_QUEUED_BYTES": str(QUEUED)}) as server:
        erik, sara, anna = User(server, ERIK), User(server, SARA), User(server, ANNA)
        assert live_closes(anna, "slow-consumer") == 0
        workspace = erik.create_workspace()
        erik.add_member(workspace, sara)
        thread = erik.create_thread(workspace)["result"]["thread"]["id"]

        # the slow client: subscribes, then never reads again (and has a tiny receive buffer)
        slow = RawWS(server, sara.session, rcvbuf=4096)
        assert slow.read_json()["type"] == "welcome"
        slow.send(frame(OP_TEXT, f'{{"v":1,"type":"subscribe","ref":"s","topic":"{topic(workspace)}","data":{{}}}}'.encode()))
        while True:
            message = slow.read_json()
            if message.get("ref") == "s":
                assert message["type"] == "ack", message
                start = message["data"]["seq"]
                break

        reader = sara.live()   # the same person in another tab, reading normally
        reader.subscribe(workspace)
        reader.drain(quiet=0.2)
        received: list[dict] = []
        done = threading.Event()

        def read_all() -> None:
            deadline = time.monotonic() + 60
            while len(received) < POSTS and time.monotonic() < deadline:
                try:
                    message = reader.next(1)
                except AssertionError:
                    continue
                if message["type"] == "post.created":
                    received.append(message)
            done.set()

        # The slow client goes on not reading until the server has cut it (the metric says so),
        # and a little longer; then it reads what it was sent: posts, then the 4008 close frame,
        # which the server waits for it to take (up to 10 s, docs/protocol.md).
        got: list[bytes] = []
        end: dict = {}

        def read_slow() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and live_closes(anna, "slow-consumer") < 1:
                time.sleep(0.1)
            time.sleep(0.5)
            deadline = time.monotonic() + 10
            try:
                while time.monotonic() < deadline:
                    opcode, payload = slow.read_frame(deadline - time.monotonic())
                    if opcode == OP_CLOSE:
                        end["code"] = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                        try:
                            slow.send(frame(OP_CLOSE, payload[:2]))
                        except OSError:
                            pass
                        break
                    if opcode == OP_TEXT:
                        got.append(payload)
            except (Closed, TimeoutError) as error:
                end["error"] = repr(error)

        slow_reader = threading.Thread(target=read_slow, daemon=True)
        slow_reader.start()
        thread_reader = threading.Thread(target=read_all, daemon=True)
        thread_reader.start()
        started = time.monotonic()
        written = [erik.reply(thread, big_body(i))["seq"] for i in range(POSTS)]
        writing = time.monotonic() - started
        assert written == list(range(start + 1, start + POSTS + 1))
        assert done.wait(30), f"the reading client got only {len(received)} of {POSTS} posts"
        assert [m["seq"] for m in received] == written
        assert [m["data"]["post"]["body"] for m in received] == [big_body(i) for i in range(POSTS)]
        assert reader.close_code is None
        assert writing < 30, f"writing {POSTS} posts took {writing:.1f} s: the room waited for the slow client"

        slow_reader.join(80)
        code = end.get("code")
        assert len(got) < POSTS, f"the slow client was never cut: it got all {len(got)} posts"
        assert code == 4008, f"slow client: close code {code} ({end})"
        assert live_closes(anna, "slow-consumer") == 1
        assert "slow-consumer" in server.log(), "the cut was not logged"
        assert slow.ends_within(3), "the slow client's socket was not closed"
        slow.close()
        reader.close()

        # as the close code says: reconnect and resume from the last seq seen; nothing is lost
        last_seen = json.loads(got[-1])["seq"] if got else start
        with sara.live() as again:
            ref = again.send("subscribe", topic(workspace), {"lastSeq": last_seen})
            resumed = []
            deadline = time.monotonic() + 30
            while len(resumed) < len(written) - (last_seen - start) and time.monotonic() < deadline:
                message = again.next(10)
                if message["type"] == "post.created":
                    resumed.append(message["seq"])
                elif message["type"] == "reload":
                    raise AssertionError(f"reload instead of replay: {message}")
            assert resumed == list(range(last_seen + 1, written[-1] + 1)), \
                f"resumed {len(resumed)} events, close code {again.close_code}"
            assert again.answer(ref)["data"]["seq"] == written[-1]


def test_acknowledged_post_survives_kill_9_and_is_replayed():
    data_dir = Path(tempfile.mkdtemp(prefix="communis-live-crash-"))
    server = start_server(data_dir)
    try:
        erik = User(server, ERIK)
        workspace = erik.create_workspace()
        thread = erik.create_thread(workspace)["result"]["thread"]["id"]
        with erik.live() as a:
            ack = a.ok("post.create", data={"threadId": thread, "body": "Kvitterat före kraschen"})
        seq = ack["data"]["seq"]
        post_id = ack["data"]["result"]["post"]["id"]
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
    finally:
        stop_server(server)

    with running(data_dir=data_dir) as restarted:
        erik = User(restarted, ERIK)
        posts = erik.posts(thread)
        assert [(p["id"], p["body"]) for p in posts][-1] == (post_id, "Kvitterat före kraschen"), posts
        with erik.live() as b:
            got_ack = b.subscribe(workspace, last_seq=seq - 1)
            assert got_ack["data"]["seq"] == seq
            replayed = b.events(workspace=workspace)
            assert [(m["type"], m["seq"], m["data"]["post"]["id"]) for m in replayed] == [("post.created", seq, post_id)]
            # and the log goes on without a gap
            nxt = b.ok("post.create", data={"threadId": thread, "body": "Efter omstarten"})["data"]["seq"]
            assert nxt == seq + 1
