"""The real servers the identity browser tests need, each started by the test on a free port
in a folder of its own and stopped at the end: slapd (Tests/Fixtures/ldap/slapd.py), an SMTP
server (Tests/Fixtures/smtp/smtp_server.py), an OpenID Connect provider
(Tests/Fixtures/oidc/provider.py), and a Communis server configured to use them.
A missing program is a failure with the fixture's own message, never a skip."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from conftest import REPO
from serverproc import Running

FIXTURES = REPO / "Tests" / "Fixtures"


def _ready_line(proc: subprocess.Popen, what: str) -> dict:
    """The one JSON line a fixture server prints when it listens (it exits when it cannot)."""
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        pytest.fail(f"{what} did not start: {proc.stderr.read()}", pytrace=False)
    return json.loads(line)


class Slapd:
    def __init__(self, info: dict):
        self.info = info
        self.url = info["url"]
        self.base = info["baseDN"]

    def env(self) -> dict[str, str]:
        """Communis's directory keys for this server (OpenLDAP, the read-only service account)."""
        return {
            "COMMUNIS_DIRECTORY_URL": self.url,
            "COMMUNIS_DIRECTORY_KIND": "openldap",
            "COMMUNIS_DIRECTORY_BIND_DN": self.info["serviceDN"],
            "COMMUNIS_DIRECTORY_BIND_PASSWORD": self.info["servicePassword"],
            "COMMUNIS_DIRECTORY_USER_BASE": f"ou=people,{self.base}",
            "COMMUNIS_DIRECTORY_GROUP_BASE": f"ou=groups,{self.base}",
            # No automatic runs: the test presses "Synkronisera nu" itself.
            "COMMUNIS_DIRECTORY_SYNC_INTERVAL_MINUTES": "0",
        }


@pytest.fixture
def slapd():
    folder = Path(tempfile.mkdtemp(prefix="communis-e2e-slapd-")) / "ldap"
    script = FIXTURES / "ldap" / "slapd.py"
    started = subprocess.run([sys.executable, str(script), "start", "--dir", str(folder), "--watch-pid", str(os.getpid())],
                             capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        pytest.fail(f"slapd did not start: {started.stderr}", pytrace=False)
    yield Slapd(json.loads(started.stdout.strip().splitlines()[-1]))
    subprocess.run([sys.executable, str(script), "stop", "--dir", str(folder)], capture_output=True, text=True, timeout=60)


class Mailbox:
    """The SMTP server's folder: one JSON file per accepted message."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port

    def env(self) -> dict[str, str]:
        return {
            "COMMUNIS_MAIL_SMTP_HOST": "127.0.0.1",
            "COMMUNIS_MAIL_SMTP_PORT": str(self.port),
            "COMMUNIS_MAIL_SECURITY": "none",
            "COMMUNIS_MAIL_FROM_ADDRESS": "communis@katrineholm.se",
        }

    def messages(self) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.folder.glob("[0-9]*.json"))]

    def wait_for(self, to: str, timeout_s: float = 30) -> dict:
        """The newest message to `to`, waiting until one arrives."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [m for m in self.messages() if any(to.lower() == r.lower() for r in m.get("rcptTos", []))]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {to} within {timeout_s} s; got {[m.get('rcptTos') for m in self.messages()]}")
            time.sleep(0.2)


@pytest.fixture
def mailbox():
    folder = Path(tempfile.mkdtemp(prefix="communis-e2e-smtp-"))
    proc = subprocess.Popen([sys.executable, str(FIXTURES / "smtp" / "smtp_server.py"), "--dir", str(folder), "--port", "0",
                             "--stop-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = _ready_line(proc, "the SMTP server")
    yield Mailbox(folder, info["port"])
    proc.terminate()
    proc.wait(timeout=15)


class Provider:
    def __init__(self, info: dict):
        self.issuer = info["issuer"]
        self.port = info["port"]

    def env(self, display_name: str) -> dict[str, str]:
        return {
            "COMMUNIS_OIDC_ISSUER": self.issuer,
            "COMMUNIS_OIDC_CLIENT_ID": "communis-e2e",
            "COMMUNIS_OIDC_CLIENT_SECRET": "e2e-secret",
            "COMMUNIS_OIDC_DISPLAY_NAME": display_name,
        }


def start_provider(*users: dict) -> tuple[subprocess.Popen, Provider]:
    args = [sys.executable, str(FIXTURES / "oidc" / "provider.py"), "--port", "0", "--exit-with-stdin"]
    for user in users:
        args += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, Provider(_ready_line(proc, "the OIDC provider"))


def communis(monkeypatch, env: dict[str, str], *args: str, data_dir: Path | None = None) -> Running:
    """A Communis server with these configuration variables (set for the child only)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    folder = data_dir or Path(tempfile.mkdtemp(prefix="communis-e2e-identity-"))
    server = Running(folder, *args)
    for key in env:
        monkeypatch.delenv(key)
    return server


def page_on(browser: Browser, server: Running, contexts: list) -> Page:
    context = browser.new_context(base_url=server.base, locale="sv-SE")
    context.set_default_timeout(15_000)
    contexts.append(context)
    return context.new_page()
