"""The server as an operator meets it: the command line, graceful shutdown, and durability.

No browser here: these start their own server processes on fresh data folders.
"""
from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import pytest

from serverproc import Running, communis

@pytest.fixture
def data_dir():
    path = Path(tempfile.mkdtemp(prefix="communis-lifecycle-"))
    yield path


def test_user_add_bootstraps_an_installation_without_demo(data_dir):
    migrated = communis("migrate", "--data-dir", str(data_dir))
    assert migrated.returncode == 0, migrated.stderr
    assert "v1-people" in migrated.stdout
    added = communis("user", "add", "--data-dir", str(data_dir), "--email", "It@Kommun.se",
                     "--name", "IT-administratör", "--admin", stdin="ett långt lösenord\n")
    assert added.returncode == 0, added.stderr
    assert "admin" in added.stdout and "it@kommun.se" in added.stdout
    again = communis("user", "add", "--data-dir", str(data_dir), "--email", "it@kommun.se",
                     "--name", "Dubblett", "--password", "ett långt lösenord")
    assert again.returncode != 0
    assert "already" in (again.stderr + again.stdout)
    short = communis("user", "add", "--data-dir", str(data_dir), "--email", "g@partner.se",
                     "--name", "Gäst", "--guest", "--password", "kort")
    assert short.returncode != 0
    server = Running(data_dir)
    try:
        server.login("it@kommun.se", "ett långt lösenord")
        status, me = server.call("GET", "/api/v1/me")
        assert status == 200 and me["role"] == "admin"
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=30)


def test_unknown_configuration_key_stops_start_up(data_dir):
    config = data_dir / "bad.yaml"
    config.write_text("server:\n  prot: 9000\n")
    result = communis("serve", "--config", str(config), "--data-dir", str(data_dir))
    assert result.returncode != 0
    assert "server.prot" in result.stderr + result.stdout


def test_sigterm_finishes_requests_and_closes_the_database(data_dir):
    server = Running(data_dir, "--demo")
    server.login("erik.johansson@katrineholm.se", "Katrineholm2026")
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0, server.log()
    assert "database closed" in server.log()


def test_acknowledged_writes_survive_kill_9(data_dir):
    server = Running(data_dir, "--demo")
    server.login("erik.johansson@katrineholm.se", "Katrineholm2026")
    names = [f"Överlever krasch {i}" for i in range(20)]
    for name in names:
        status, body = server.call("POST", "/api/v1/workspaces", {"name": name, "visibility": "open"})
        assert status == 201, body
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=10)

    restarted = Running(data_dir)
    try:
        restarted.login("erik.johansson@katrineholm.se", "Katrineholm2026")
        status, page = restarted.call("GET", "/api/v1/workspaces?scope=mine&q=%C3%96verlever&limit=100")
        assert status == 200
        assert sorted(item["name"] for item in page["items"]) == sorted(names)
    finally:
        restarted.proc.terminate()
        restarted.proc.wait(timeout=30)


def test_sigterm_with_live_connections_tells_them_to_come_back_and_exits(data_dir):
    import time

    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    server = Running(data_dir, "--demo")
    server.login("erik.johansson@katrineholm.se", "Katrineholm2026")
    jar = next(h.cookiejar for h in server.opener.handlers if hasattr(h, "cookiejar"))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)

    # The sync client: browser tests in the same session keep an asyncio loop running.
    with connect(server.base.replace("http", "ws") + "/api/v1/live",
                 additional_headers={"Cookie": cookie, "Origin": server.base}) as ws:
        assert '"welcome"' in ws.recv(timeout=5)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = None
        try:
            while True:
                ws.recv(timeout=10)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        seconds = time.monotonic() - started

    assert code == 1001, f"close code {code}"
    assert server.proc.wait(timeout=15) == 0, server.log()
    assert seconds < 5
    assert "database closed" in server.log()


def test_unknown_communis_environment_variable_is_a_warning_not_a_refusal(data_dir):
    server = Running(data_dir, env={"COMMUNIS_DEPLOY_TAG": "blue", "COMMUNIS_SERVER_PROT": "1"})
    try:
        status, _ = server.call("GET", "/healthz")
        assert status == 200
        log = server.log()
        assert "COMMUNIS_DEPLOY_TAG" in log and "COMMUNIS_SERVER_PROT" in log
    finally:
        server.stop()


def _raw_http(port: int, request: bytes, timeout: float = 10) -> tuple[bytes, bool]:
    """Sends one raw request; returns the response head and whether the server then closed."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
        head = received.split(b"\r\n\r\n", 1)[0]
        closed = False
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
        except socket.timeout:
            closed = False
        return head, closed


def test_connection_close_from_the_client_is_echoed_and_honoured(data_dir):
    """RFC 9112 §9.6: a server that closes after the response says so with Connection: close."""
    server = Running(data_dir)
    try:
        head, closed = _raw_http(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout=5)
        lines = head.decode("latin-1").lower().split("\r\n")
        assert lines[0].startswith("http/1.1 200"), head
        assert "connection: close" in lines, head
        assert closed
        head, _ = _raw_http(server.port, b"GET /api/v1/nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout=5)
        assert "connection: close" in head.decode("latin-1").lower().split("\r\n"), head
        # The token in any case and in a list (RFC 9110 §7.6.1) is honoured and echoed too.
        for value in (b"Close", b"keep-alive, CLOSE"):
            head, closed = _raw_http(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: " + value + b"\r\n\r\n", timeout=5)
            assert "connection: close" in head.decode("latin-1").lower().split("\r\n"), (value, head)
            assert closed, value
        # Without it the connection stays open (keep-alive) and says nothing about closing.
        head, closed = _raw_http(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=2)
        assert "connection: close" not in head.decode("latin-1").lower().split("\r\n") and not closed, head
    finally:
        server.stop()


def test_sigterm_does_not_wait_for_idle_keep_alive_connections(data_dir):
    import socket
    import time

    server = Running(data_dir)
    idle = []
    try:
        for _ in range(2):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            received = b""
            while b"\r\n\r\n" not in received:
                received += sock.recv(4096)
            assert received.startswith(b"HTTP/1.1 200"), received
            idle.append(sock)  # kept alive, idle
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=30) == 0, server.log()
        seconds = time.monotonic() - started
        assert seconds < 5, f"shutdown took {seconds:.1f} s with idle keep-alive connections open"
        for sock in idle:
            sock.settimeout(5)
            rest = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                rest += chunk
    finally:
        for sock in idle:
            sock.close()
        server.stop()
