"""The server as an operator meets it: the command line, graceful shutdown, and durability.

No browser here: these start their own server processes on fresh data folders.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from conftest import REPO, _free_port, _healthy

BINARY = Path(os.environ.get("COMMUNIS_BIN", REPO / ".build" / "debug" / "communis"))


def communis(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *args], cwd=REPO, input=stdin, capture_output=True, text=True, timeout=120)


class Running:
    """One `communis serve` process on a data folder, with an HTTP client that keeps cookies."""

    def __init__(self, data_dir: Path, *extra: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"server-{self.port}.log"
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--port", str(self.port), "--data-dir", str(data_dir),
             "--recordings-dir", str(data_dir / "rec"), *extra],
            cwd=REPO, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not _healthy(self.base):
            assert self.proc.poll() is None, f"server exited early:\n{self.log()}"
            assert time.monotonic() < deadline, f"server did not become healthy:\n{self.log()}"
            time.sleep(0.2)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def login(self, email: str, password: str) -> None:
        status, body = self.call("POST", "/api/v1/session", {"email": email, "password": password})
        assert status == 200, body
        self.csrf = body["csrfToken"]


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
