"""Shared helpers for the live hub tests (`test_live_*.py`).

- `start_server(data_dir, env)`: a `serverproc.Running` whose process gets extra environment
  variables (configuration overrides such as COMMUNIS_LIVE_MAX_QUEUED_BYTES).
- `User`: one person's HTTP client (own cookies and CSRF token), with the calls the tests need.
- `Live`: a well-behaved WebSocket client (the `websockets` package) with an inbox, so a test
  can wait for one message without losing the others.
- `RawWS`: a hand-made RFC 6455 client over a plain TCP socket, for breaking the protocol on
  purpose and for a client that stops reading.
"""
from __future__ import annotations

import base64
import collections
import contextlib
import json
import os
import socket
import struct
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Callable, Iterator

import pytest
import websockets.exceptions
from websockets.sync.client import connect as ws_connect

from conftest import DEMO_PASSWORD
from serverproc import Running

ANNA = "anna.lindqvist@katrineholm.se"      # admin
ERIK = "erik.johansson@katrineholm.se"
SARA = "sara.nilsson@katrineholm.se"
JOHAN = "johan.andersson@katrineholm.se"
MARIA = "maria.karlsson@katrineholm.se"
LENA = "lena.berg@konsultbolaget.se"        # guest
DEMO_WORKSPACE = "Ny webbplats för medborgare"

# Every test server allows many logins from 127.0.0.1: the tests log in far more than 20 times.
BASE_ENV = {"COMMUNIS_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS": "100000"}

QUIET = 0.6   # how long "nothing arrives" is watched for


# --------------------------------------------------------------------------- servers

@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def start_server(data_dir: Path, env: dict[str, str] | None = None, demo: bool = True) -> Running:
    """`communis serve` on data_dir with configuration overrides in its environment."""
    with _environment({**BASE_ENV, **(env or {})}):
        return Running(data_dir, *(["--demo"] if demo else []))


def stop_server(server: Running) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=20)
        except Exception:
            server.proc.kill()
            server.proc.wait(timeout=10)
    server.log_file.close()


@contextlib.contextmanager
def running(env: dict[str, str] | None = None, data_dir: Path | None = None) -> Iterator[Running]:
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="communis-live-"))
    server = start_server(data_dir, env)
    try:
        yield server
    except BaseException:
        print(f"\n--- communis server log ({server.log_path}) ---\n{server.log()[-20000:]}")
        raise
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def demo_server():
    """One demo server for a whole test module (tests make their own workspaces)."""
    with running() as server:
        yield server


# --------------------------------------------------------------------------- HTTP per person

class User:
    """One logged-in person: cookies, CSRF token, person id, and the HTTP calls tests use."""

    def __init__(self, server: Running, email: str, password: str = DEMO_PASSWORD):
        self.server = server
        self.email = email
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf: str | None = None
        status, body = self.call("POST", "/api/v1/session", {"email": email, "password": password})
        assert status == 200, f"login {email}: {status} {body}"
        self.csrf = body["csrfToken"]
        self.id = body["user"]["id"]
        self.name = body["user"]["name"]

    @property
    def session(self) -> str:
        for cookie in self.jar:
            if cookie.name == "communis_session":
                return cookie.value
        raise AssertionError(f"no session cookie for {self.email}")

    def call(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.csrf)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with self.opener.open(request, timeout=15) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw) if raw else {}
            except ValueError:
                return error.code, {"raw": raw.decode(errors="replace")}

    # -- conveniences that assert success
    def create_workspace(self, name: str | None = None, visibility: str = "closed") -> str:
        name = name or f"Live {uuid.uuid4().hex[:8]}"
        status, body = self.call("POST", "/api/v1/workspaces", {"name": name, "visibility": visibility})
        assert status == 201, body
        return body["id"]

    def add_member(self, workspace: str, person: "User | str") -> None:
        person_id = person if isinstance(person, str) else person.id
        status, body = self.call("POST", f"/api/v1/workspaces/{workspace}/members", {"personId": person_id})
        assert status == 201, body

    def remove_member(self, workspace: str, person: "User | str") -> None:
        person_id = person if isinstance(person, str) else person.id
        status, body = self.call("DELETE", f"/api/v1/workspaces/{workspace}/members/{person_id}")
        assert status == 204, (status, body)

    def create_thread(self, workspace: str, title: str = "Tråd", body: str = "Första inlägget") -> dict:
        """Over HTTP; returns {"seq", "duplicate", "result": {"thread", "post"}}."""
        status, written = self.call("POST", f"/api/v1/workspaces/{workspace}/threads", {"title": title, "body": body})
        assert status == 201, written
        return written

    def reply(self, thread: str, body: str, key: str | None = None) -> dict:
        status, written = self.call("POST", f"/api/v1/threads/{thread}/posts", {"body": body},
                                    headers={"Idempotency-Key": key} if key else None)
        assert status in (200, 201), (status, written)
        return written

    def posts(self, thread: str) -> list[dict]:
        status, page = self.call("GET", f"/api/v1/threads/{thread}/posts?limit=100")
        assert status == 200, page
        return page["items"]

    def token(self) -> str:
        status, body = self.call("POST", "/api/v1/tokens", {"name": f"live-test-{uuid.uuid4().hex[:6]}"})
        assert status == 201, body
        return body["token"]

    def live(self, **kwargs) -> "Live":
        return Live(self.server, session=self.session, **kwargs)


def topic(workspace: str) -> str:
    return f"workspace:{workspace}"


# --------------------------------------------------------------------------- live client

class Live:
    """A well-behaved live client: answers pings, reads everything, keeps an inbox."""

    def __init__(self, server: Running, session: str | None = None, token: str | None = None,
                 origin: str | None = "own", welcome: bool = True):
        headers = {}
        if session:
            headers["Cookie"] = f"communis_session={session}"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.ws = ws_connect(
            f"ws://127.0.0.1:{server.port}/api/v1/live",
            origin=server.base if origin == "own" else origin,
            additional_headers=headers, open_timeout=10, close_timeout=2,
            ping_interval=None, compression=None, proxy=None, max_size=None, max_queue=None)
        self.ws.__enter__()  # the object is used directly, not in a with block
        self.inbox: collections.deque[dict] = collections.deque()
        self.refs = 0
        self.welcome = self.next(5) if welcome else None
        if welcome:
            assert self.welcome["type"] == "welcome", self.welcome

    # -- sending
    def send(self, type: str, topic: str | None = None, data: dict | None = None,
             ref: str | None = "auto", v: int = 1) -> str | None:
        if ref == "auto":
            self.refs += 1
            ref = f"r{self.refs}"
        message: dict = {"v": v, "type": type, "data": data if data is not None else {}}
        if ref is not None:
            message["ref"] = ref
        if topic is not None:
            message["topic"] = topic
        self.ws.send(json.dumps(message))
        return ref

    def command(self, type: str, topic: str | None = None, data: dict | None = None, timeout: float = 5) -> dict:
        """Sends a command and returns its answer (ack or error); other messages stay in the inbox."""
        ref = self.send(type, topic, data)
        return self.answer(ref, timeout)

    def answer(self, ref: str, timeout: float = 5) -> dict:
        return self.wait(lambda m: m.get("ref") == ref and m["type"] in ("ack", "error"), timeout,
                         what=f"answer to {ref}")

    def ok(self, type: str, topic: str | None = None, data: dict | None = None, timeout: float = 5) -> dict:
        answer = self.command(type, topic, data, timeout)
        assert answer["type"] == "ack", f"{type} {topic} {data}: {answer}"
        return answer

    def subscribe(self, workspace: str, last_seq: int | None = None) -> dict:
        return self.ok("subscribe", topic(workspace), {} if last_seq is None else {"lastSeq": last_seq})

    # -- receiving
    def _read(self, timeout: float) -> dict | None:
        try:
            raw = self.ws.recv(timeout=max(timeout, 0))
        except TimeoutError:
            return None
        return json.loads(raw)

    def next(self, timeout: float = 5) -> dict:
        if self.inbox:
            return self.inbox.popleft()
        message = self._read(timeout)
        assert message is not None, f"no message within {timeout} s"
        return message

    def wait(self, predicate: Callable[[dict], bool], timeout: float = 5, what: str = "message") -> dict:
        """The first message (inbox first) matching predicate; the others stay in the inbox in order."""
        for index, message in enumerate(self.inbox):
            if predicate(message):
                del self.inbox[index]
                return message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            message = self._read(left) if left > 0 else None
            if message is None:
                raise AssertionError(f"no {what} within {timeout} s; had: {list(self.inbox)}")
            if predicate(message):
                return message
            self.inbox.append(message)

    def wait_type(self, type: str, timeout: float = 5, **fields) -> dict:
        return self.wait(lambda m: m["type"] == type and all(m.get(k) == v for k, v in fields.items()),
                         timeout, what=f"{type} {fields}")

    def drain(self, quiet: float = QUIET, limit: float = 10) -> list[dict]:
        """Everything that arrives until nothing has come for `quiet` seconds (inbox included)."""
        got = list(self.inbox)
        self.inbox.clear()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            message = self._read(quiet)
            if message is None:
                break
            got.append(message)
        return got

    def events(self, messages: list[dict] | None = None, workspace: str | None = None) -> list[dict]:
        """Workspace events (those with seq) from messages, or from what drains now."""
        messages = self.drain() if messages is None else messages
        return [m for m in messages if "seq" in m and m["type"] not in ("ack", "error")
                and (workspace is None or m.get("topic") == topic(workspace))]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code

    def __enter__(self) -> "Live":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def refused_status(server: Running, **kwargs) -> tuple[int, str]:
    """Tries a live connection expected to be refused; returns HTTP status and body."""
    try:
        live = Live(server, **kwargs)
    except websockets.exceptions.InvalidStatus as refused:
        return refused.response.status_code, refused.response.body.decode(errors="replace") if refused.response.body else ""
    live.close()
    raise AssertionError(f"live connection was accepted: {live.welcome}")


# --------------------------------------------------------------------------- raw RFC 6455

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes = b"", fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([mask_bit | length])
    elif length < 65536:
        head += bytes([mask_bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class Closed(Exception):
    """The TCP connection ended (EOF or reset)."""


class RawWS:
    """A WebSocket client written by hand over a TCP socket."""

    def __init__(self, server: Running, session: str, rcvbuf: int | None = None, handshake: bool = True):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", server.port))
        self.server = server
        self.session = session
        self.buffer = b""
        self.status_line = ""
        if handshake:
            self.handshake()

    def request_bytes(self) -> bytes:
        key = base64.b64encode(os.urandom(16)).decode()
        return (f"GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1:{self.server.port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {self.server.base}\r\n"
                f"Cookie: communis_session={self.session}\r\n\r\n").encode()

    def handshake(self) -> None:
        self.sock.sendall(self.request_bytes())
        while b"\r\n\r\n" not in self.buffer:
            self._fill(10)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status_line = head.split(b"\r\n", 1)[0].decode()
        assert " 101 " in self.status_line + " ", head.decode(errors="replace")

    def _fill(self, timeout: float) -> None:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError as error:
            raise Closed("reset") from error
        if not chunk:
            raise Closed("eof")
        self.buffer += chunk

    def _need(self, count: int, deadline: float) -> bytes:
        while len(self.buffer) < count:
            self._fill(deadline - time.monotonic())
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self, timeout: float = 5) -> tuple[int, bytes]:
        """(opcode, payload) of the next server frame. Raises socket.timeout or Closed."""
        deadline = time.monotonic() + timeout
        b0, b1 = self._need(2, deadline)
        assert not b1 & 0x80, "server frames must not be masked"
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._need(2, deadline))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._need(8, deadline))[0]
        return b0 & 0x0F, self._need(length, deadline)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_text(self, message: dict | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        self.send(frame(OP_TEXT, text.encode()))

    def read_json(self, timeout: float = 5) -> dict:
        """The next text message (pings are answered with pongs)."""
        deadline = time.monotonic() + timeout
        while True:
            opcode, payload = self.read_frame(deadline - time.monotonic())
            if opcode == OP_PING:
                self.send(frame(OP_PONG, payload))
                continue
            if opcode == OP_PONG:
                continue
            assert opcode == OP_TEXT, (opcode, payload[:200])
            return json.loads(payload)

    def close_code(self, timeout: float = 5) -> tuple[int | None, list[int]]:
        """Reads until the server's close frame; returns its code and the opcodes seen before.
        The code is None when the connection ended without a close frame."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                opcode, payload = self.read_frame(deadline - time.monotonic())
            except Closed:
                return None, seen
            if opcode == OP_CLOSE:
                return (struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005), seen
            seen.append(opcode)

    def ends_within(self, timeout: float) -> bool:
        """True when the server ends the TCP connection (EOF/reset) within timeout; data is discarded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                if not self.sock.recv(65536):
                    return True
            except (ConnectionResetError, BrokenPipeError):
                return True
            except socket.timeout:
                return False
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
