"""The first load: compression, caching, the bundle, the PWA (manifest, service worker,
offline notice), only the active language, and no API request made twice.

The session's server is `communis serve --demo` as the README starts it, so it serves the
esbuild bundle (Debian's esbuild is installed by .ci/install)."""
from __future__ import annotations

import gzip
import json
import re
import time
import urllib.request

from playwright.sync_api import expect

from conftest import ANNA, login, wait_until

ASSET = re.compile(r'(?:src|href)="(assets/[^"]+)"')


def get(server, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(server.base_url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as err:  # 304 arrives as an "error"
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def index_assets(server) -> list[str]:
    _, _, body = get(server, "/")
    return ASSET.findall(body.decode())


def test_the_start_command_serves_the_bundle(server):
    paths = index_assets(server)
    assert any(re.fullmatch(r"assets/app-[A-Z0-9]{8}\.js", p) for p in paths), paths
    assert any(re.fullmatch(r"assets/styles-[A-Z0-9]{8}\.css", p) for p in paths), paths
    _, _, body = get(server, "/")
    assert b'name="communis-build"' in body and b'rel="manifest"' in body


def test_responses_are_compressed_by_accept_encoding_with_vary(server):
    status, headers, body = get(server, "/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(body).startswith(b"<!doctype html>")
    status, headers, body = get(server, "/", {"Accept-Encoding": "gzip, deflate, br"})
    assert headers["content-encoding"] == "br" and int(headers["content-length"]) == len(body)
    status, headers, body = get(server, "/", {})
    assert "content-encoding" not in headers and body.startswith(b"<!doctype html>")
    script = next(p for p in index_assets(server) if p.endswith(".js"))
    _, js, packed = get(server, "/" + script, {"Accept-Encoding": "br"})
    _, _, plain = get(server, "/" + script, {})
    assert js["content-encoding"] == "br" and len(packed) < len(plain) / 2
    assert js["content-type"].startswith("text/javascript")


def test_index_html_is_revalidated_with_304(server):
    status, headers, _ = get(server, "/", {"Accept-Encoding": "br"})
    assert headers["cache-control"] == "no-cache"
    assert headers["etag"] and headers["last-modified"]
    status, again, body = get(server, "/", {"Accept-Encoding": "br", "If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    status, _, _ = get(server, "/", {"If-Modified-Since": headers["last-modified"]})
    assert status == 304
    for path in ("/sw.js", "/manifest.webmanifest"):
        status, h, _ = get(server, path)
        assert status == 200 and h["cache-control"] == "no-cache", path


def test_hashed_assets_are_immutable_and_the_api_is_never_stored(server):
    _, _, body = get(server, "/")
    build = re.search(rb'data-i18n-sv="(assets/sv-[A-Z0-9]{8}\.json)"', body)
    assert build, body[:600]
    for path in index_assets(server) + [build.group(1).decode()]:
        status, headers, _ = get(server, "/" + path, {"Accept-Encoding": "br"})
        assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable", path
    status, headers, _ = get(server, "/api/v1/session")
    assert status == 401 and "public" not in headers.get("cache-control", "")
    status, headers, _ = get(server, "/api/v1/auth/options")
    assert headers.get("cache-control") == "no-store"


def test_manifest_and_service_worker_make_it_installable(new_page, server):
    _, headers, body = get(server, "/manifest.webmanifest")
    assert headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(body)
    assert manifest["short_name"] == "Communis" and manifest["lang"] == "sv" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    purposes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        status, h, _ = get(server, "/" + icon["src"])
        assert status == 200 and h["content-type"] == icon["type"], icon
    page = new_page()
    page.goto("/")
    expect(page.get_by_label("Användarnamn eller e-postadress")).to_be_visible()
    script = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.active && r.active.scriptURL)")
    assert script == server.base_url + "/sw.js"
    cached = page.evaluate("""async () => {
        const keys = await caches.keys();
        const urls = [];
        for (const k of keys) for (const r of await (await caches.open(k)).keys()) urls.push(new URL(r.url).pathname);
        return urls;
    }""")
    assert "/" in cached and any(u.startswith("/assets/app-") for u in cached), cached
    assert not any(u.startswith("/api/") for u in cached), cached


def controlled(page) -> None:
    """Waits until the service worker controls the page (it claims it on activation)."""
    page.evaluate("() => navigator.serviceWorker.ready")
    wait_until(page, "navigator.serviceWorker.controller !== null")


def test_offline_the_shell_still_opens_and_says_so(new_page):
    page = new_page()
    page.goto("/")
    expect(page.get_by_label("Användarnamn eller e-postadress")).to_be_visible()
    controlled(page)
    status = page.locator("#live-status")
    page.context.set_offline(True)
    expect(status).to_contain_text("Du är offline")
    # A visit without any network: the application shell comes from the service worker.
    page.reload()
    expect(page.get_by_label("Användarnamn eller e-postadress")).to_be_visible()
    expect(status).to_contain_text("Du är offline")
    page.context.set_offline(False)
    expect(status).not_to_contain_text("offline")


def test_offline_notice_in_english(new_page):
    page = new_page()
    page.goto("/")
    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_label("Language")).to_be_visible()
    controlled(page)
    page.context.set_offline(True)
    expect(page.locator("#live-status")).to_contain_text("You are offline")
    page.context.set_offline(False)


def test_only_the_active_language_file_is_loaded(new_page):
    page = new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto("/")
    expect(page.get_by_label("Användarnamn eller e-postadress")).to_be_visible()
    page.wait_for_load_state("networkidle")
    languages = [u for u in seen if re.search(r"/(sv|en)(-[A-Z0-9]{8})?\.json$", u)]
    assert len(languages) == 1 and "/assets/sv-" in languages[0], languages
    page.get_by_label("Språk").select_option("en")
    expect(page.get_by_label("Username or e-mail address")).to_be_visible()
    assert any("/assets/en-" in u for u in seen)


def test_first_load_of_the_start_page_asks_each_api_question_once(new_page):
    page = new_page()
    login(page, ANNA)
    api: list[str] = []
    page.on("request", lambda r: api.append(r.url) if "/api/v1/" in r.url and r.method == "GET" else None)
    page.reload()
    expect(page.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible()
    page.wait_for_load_state("networkidle")
    time.sleep(0.3)
    mine = [u for u in api if "/workspaces?" in u and "scope=mine" in u]
    assert len(mine) == 1, api
    duplicates = sorted({u for u in api if api.count(u) > 1})
    assert not duplicates, api


def test_lazily_loaded_views_still_open(new_page):
    page = new_page()
    login(page, ANNA)
    chunks: list[str] = []
    page.on("request", lambda r: chunks.append(r.url) if "/assets/" in r.url else None)
    page.goto("/#/knowledge")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/#/admin")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert any("/assets/knowledge-" in u for u in chunks) and any("/assets/admin-" in u for u in chunks), chunks


def test_the_login_page_asks_each_api_question_once(new_page):
    page = new_page()
    api: list[str] = []
    page.on("request", lambda r: api.append(r.url) if "/api/v1/" in r.url else None)
    page.goto("/")
    expect(page.get_by_label("Användarnamn eller e-postadress")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert sorted(u.split("/api/v1")[1] for u in api) == ["/auth/options", "/session"], api
