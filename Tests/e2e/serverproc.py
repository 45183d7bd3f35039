"""A `communis serve` process on its own data folder, and a small HTTP client that keeps
cookies and the CSRF token like the web client does. Used by the tests that need a server
of their own (lifecycle, API conformance) rather than the shared browser-test server."""
from __future__ import annotations

import atexit
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from conftest import REPO, _free_port, _healthy

BINARY = Path(os.environ.get("COMMUNIS_BIN", REPO / ".build" / "debug" / "communis"))


def communis(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *args], cwd=REPO, input=stdin, capture_output=True, text=True, timeout=120)


class Running:
    """One `communis serve` process on a data folder, with an HTTP client that keeps cookies."""

    def __init__(self, data_dir: Path, *extra: str, env: dict[str, str] | None = None):
        """`env`: configuration variables (`COMMUNIS_…`) for this server only, on top of the
        test process's environment."""
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"server-{self.port}.log"
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--port", str(self.port), "--data-dir", str(data_dir),
             "--recordings-dir", str(data_dir / "rec"), "--documents-dir", str(data_dir / "documents"), *extra],
            cwd=REPO, stdout=self.log_file, stderr=subprocess.STDOUT, env={**os.environ, **env} if env else None)
        # A failing test must not leave its server running past the test session.
        atexit.register(self._kill_if_running)
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
        status, _, payload = self.request(method, path, body)
        return status, payload

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        """Status, content type and decoded JSON body (empty for none)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(request, timeout=10) as response:
                raw = response.read()
                return response.status, response.headers.get("Content-Type", ""), json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, error.headers.get("Content-Type", ""), json.loads(raw) if raw else {}

    def _kill_if_running(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def login(self, email: str, password: str) -> None:
        status, body = self.call("POST", "/api/v1/session", {"email": email, "password": password})
        assert status == 200, body
        self.csrf = body["csrfToken"]


