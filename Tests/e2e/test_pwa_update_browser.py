"""A new version deployed under an open tab: the tab keeps working (its lazily loaded chunks
are still served), a new visit opens at once from the kept version, and once no tab runs the
old version the new service worker takes over and removes the old cache."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect

from conftest import ANNA, REPO, _free_port, _healthy, login, wait_until

BINARY = Path(os.environ.get("COMMUNIS_BIN", REPO / ".build" / "debug" / "communis"))


def serve(port: int, folder: Path, web_root: Path) -> subprocess.Popen:
    env = {**os.environ, "COMMUNIS_SERVER_WEB_ROOT": str(web_root),
           "COMMUNIS_SERVER_WEB_BUILD_DIR": str(folder / "web-build"),
           "COMMUNIS_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS": "100000"}
    log = open(folder / f"server-{time.monotonic_ns()}.log", "wb")
    proc = subprocess.Popen([str(BINARY), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(folder / "data"),
                             "--recordings-dir", str(folder / "rec"), "--demo"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while not _healthy(f"http://127.0.0.1:{port}"):
        assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def version(page) -> str:
    return page.evaluate("() => document.querySelector('meta[name=communis-build]').content")


def test_a_deployed_version_takes_over_cleanly(browser):
    folder = Path(tempfile.mkdtemp(prefix="communis-pwa-update-"))
    web = folder / "web"
    shutil.copytree(REPO / "web", web, ignore=shutil.ignore_patterns("test"))
    port = _free_port()
    proc = serve(port, folder, web)
    context = browser.new_context(base_url=f"http://127.0.0.1:{port}", locale="sv-SE")
    context.set_default_timeout(15_000)
    try:
        old_tab = context.new_page()
        login(old_tab, ANNA)
        old_tab.evaluate("() => navigator.serviceWorker.ready")
        wait_until(old_tab, "navigator.serviceWorker.controller !== null")
        first = version(old_tab)

        # A new version: any change under web/ gives another bundle.
        stop(proc)
        with open(web / "app.js", "a", encoding="utf-8") as f:
            f.write("\n// a new version\n")
        proc = serve(port, folder, web)

        # The open tab still finds the chunks of its version (the old bundle is kept).
        old_tab.goto("/#/knowledge")
        expect(old_tab.get_by_role("heading", level=1, name="Kunskapsbank")).to_be_visible()

        # A new visit opens at once from what the old worker kept; the new worker waits.
        second_tab = context.new_page()
        second_tab.goto("/")
        expect(second_tab.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible()
        assert version(second_tab) == first
        wait_until(second_tab, "navigator.serviceWorker.getRegistration().then(r => !!(r && r.waiting))", 20)

        # No tab runs the old version any more: the next visit is the new version.
        old_tab.close()
        second_tab.close()
        deadline = time.monotonic() + 20
        while True:
            page = context.new_page()
            page.goto("/")
            expect(page.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible()
            if version(page) != first:
                break
            page.close()
            assert time.monotonic() < deadline, "the new version never took over"
            time.sleep(0.5)
        current = version(page)
        keys = page.evaluate("() => caches.keys()")
        assert keys == [f"communis-shell-{current}"], keys
    finally:
        context.close()
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
