"""Browser tests for the Communis web client.

Starts the real server binary once per session with demo data and drives Debian's
headless Chromium through playwright. Never skips: a missing binary is a failure.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright, Page, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("COMMUNIS_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "Katrineholm2026"
STARTUP_TIMEOUT_S = 60

ANNA = "anna.lindqvist@katrineholm.se"
ERIK = "erik.johansson@katrineholm.se"
SARA = "sara.nilsson@katrineholm.se"
LENA = "lena.berg@konsultbolaget.se"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as res:
            return res.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    def __init__(self, base_url: str, proc: subprocess.Popen, log_path: Path):
        self.base_url = base_url
        self.proc = proc
        self.log_path = log_path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def server(request):
    binary = Path(os.environ.get("COMMUNIS_BIN", REPO / ".build" / "debug" / "communis"))
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(
            f"Communis server binary not found or not executable at {binary}. "
            "Build it (swift build) or point COMMUNIS_BIN at it.",
            pytrace=False,
        )
    data_dir = Path(tempfile.mkdtemp(prefix="communis-e2e-"))
    log_path = data_dir / "server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir), "--recordings-dir", str(data_dir / "rec"), "--documents-dir", str(data_dir / "documents"), "--demo"]
    log_file = open(log_path, "wb")
    # Every browser test logs in from 127.0.0.1: the per-address login limit (tested in the
    # Swift tests) would otherwise refuse logins once the suite passes 20 a minute.
    # Push endpoints served by a test over plain HTTP on 127.0.0.1 (test_follow_and_push_browser).
    env = {**os.environ, "COMMUNIS_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS": "100000", "COMMUNIS_PUSH_ALLOW_HTTP": "true"}
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    srv = Server(base_url, proc, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _healthy(base_url):
        if proc.poll() is not None:
            log_file.close()
            pytest.fail(f"server exited with {proc.returncode} before /healthz answered.\n"
                        f"command: {' '.join(cmd)}\n--- server log ---\n{srv.log()}", pytrace=False)
        if time.monotonic() > deadline:
            proc.kill()
            log_file.close()
            pytest.fail(f"server did not answer GET /healthz with 200 within {STARTUP_TIMEOUT_S} s.\n"
                        f"command: {' '.join(cmd)}\n--- server log ---\n{srv.log()}", pytrace=False)
        time.sleep(0.25)
    yield srv
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log_file.close()
    if request.session.testsfailed:
        print(f"\n--- communis server log ({log_path}) ---\n{srv.log()}")
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-liberation)", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, server):
    """Factory: a page in a fresh browser context (own cookies and localStorage)."""
    contexts = []

    def make(**context_args) -> Page:
        ctx = browser.new_context(base_url=server.base_url, locale="sv-SE", **context_args)
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_until(page: Page, expression: str, timeout_s: float = 10.0) -> None:
    """Polls a JavaScript expression in the page until it is truthy, else fails the test.
    (Not `page.wait_for_function`: it polls by evaluating strings, which the server's
    Content-Security-Policy forbids, so it only works when the answer is already true.)"""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.05)


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Logs in through the login page; `email` may also be a directory login name."""
    page.goto("/#/login")
    email_field = page.get_by_label("Användarnamn eller e-postadress")
    password_field = page.get_by_label("Lösenord")
    email_field.fill(email)
    password_field.fill(password)
    # Both values must be in the form that is submitted (not in one replaced meanwhile).
    expect(email_field).to_have_value(email)
    expect(password_field).to_have_value(password)
    page.get_by_role("button", name="Logga in").click()
    # bcrypt is slow on purpose, and a loaded two-core machine makes it slower still.
    expect(page.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible(timeout=15_000)


def my_workspace_link(page: Page, name: str, region: str = "Mina samarbetsytor"):
    """The link to workspace `name` in the start page's list `region` ("Mina samarbetsytor"
    or "Upptäck samarbetsytor"), paging on ("Nästa") as a person would when the list is longer
    than one page (lists are by name, and earlier tests create many workspaces)."""
    mine = page.get_by_role("region", name=region)
    expect(mine.locator("ul, p.empty").first).to_be_visible()
    link = mine.get_by_role("link", name=name)
    while link.count() == 0:
        following = mine.get_by_role("button", name="Nästa")
        if following.count() == 0 or following.is_disabled():
            break
        status = mine.locator(".pager-status").inner_text()
        following.click()
        expect(mine.locator(".pager-status")).not_to_have_text(status)
    return link


def create_workspace(page: Page, name: str, visibility: str, description: str = "") -> str:
    """Creates a workspace from the start page; returns its id (from the URL)."""
    page.goto("/#/")
    form = page.get_by_role("region", name="Skapa samarbetsyta")
    form.get_by_label("Namn").fill(name)
    if description:
        form.get_by_label("Beskrivning").fill(description)
    form.get_by_label("Synlighet").select_option(visibility)
    form.get_by_role("button", name="Skapa samarbetsyta").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    return page.url.rsplit("/", 1)[-1]
