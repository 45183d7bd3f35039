"""axe-core over every screen at both sizes (1280 px and a 360×740 phone), failing on any WCAG
2.1 A/AA violation: login, password reset, invitations, start page, workspace (each part), a
discussion with the composer and the mention list open, blogs, people, person, profile (and
its API tokens: a new token's secret shown, the question before revoking one),
knowledge bank list/article/editor/diff, news (page, item, editor, acknowledgement report), search with and without results, a meeting before
and after joining (fake media), a recording, administration, notifications, and the phone's
menu open. Every screen is checked; the failure lists all of them at once."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from a11y import axe_violations
from conftest import ANNA, CHROMIUM, login, wait_until

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
               "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="module")
def media_browser(browser):
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=MEDIA_FLAGS)
    yield b
    b.close()


def _api(page: Page, method: str, path: str, body=None):
    return page.evaluate("""async ([method, path, body]) => {
        const s = await (await fetch('/api/v1/session')).json();
        const r = await fetch('/api/v1' + path, { method, headers: { 'Content-Type': 'application/json',
          'X-CSRF-Token': s.csrfToken }, body: body === null ? undefined : JSON.stringify(body) });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : null }; }""", [method, path, body])


def _upload(page: Page, workspace: str, name: str, text: str) -> str:
    """Uploads a small text file by tus 1.0 (POST, then one PATCH); returns the document id."""
    return page.evaluate("""async ([workspace, name, text]) => {
        const s = await (await fetch('/api/v1/session')).json();
        const b64 = (v) => btoa(String.fromCharCode(...new TextEncoder().encode(v)));
        const bytes = new TextEncoder().encode(text);
        const base = { 'Tus-Resumable': '1.0.0', 'X-CSRF-Token': s.csrfToken };
        const created = await fetch('/api/v1/uploads', { method: 'POST', headers: { ...base,
          'Upload-Length': String(bytes.length), 'Upload-Metadata': `filename ${b64(name)},workspace ${b64(workspace)}` } });
        const done = await fetch(created.headers.get('Location'), { method: 'PATCH', body: bytes, headers: { ...base,
          'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
        return done.headers.get('Communis-Document-Id'); }""", [workspace, name, text])


class Screens:
    def __init__(self, page: Page, size: str):
        self.page = page
        self.size = size
        self.found: dict[str, list] = {}

    def check(self, name: str) -> None:
        time.sleep(0.3)  # let late parts (live lists, counts) settle
        violations = axe_violations(self.page)
        if violations:
            self.found[f"{self.size}: {name}"] = violations

    def visit(self, hash_: str, name: str, ready=None) -> None:
        self.page.goto("/" + hash_)
        if ready is not None:
            expect(ready(self.page)).to_be_visible()
        else:
            expect(self.page.locator("main h1").first).to_be_visible()
        self.check(name)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_screen_passes_axe(size, media_browser, server):
    ctx = media_browser.new_context(base_url=server.base_url, locale="sv-SE", viewport=SIZES[size])
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    s = Screens(page, size)
    try:
        # Without a session.
        s.visit("#/login", "login")
        s.visit("#/reset", "password reset request")
        s.visit("#/reset/ingen-riktig-lank", "password reset, expired link")
        s.visit("#/invitation/ingen-riktig-inbjudan", "workspace invitation, invalid")
        s.visit("#/meeting-invitation/ingen-riktig-inbjudan", "meeting invitation, invalid")

        login(page, ANNA)
        wait_until(page, "window.__communisLive && window.__communisLive.state === 'open'")
        s.check("start page")
        if size == "phone":
            page.get_by_role("button", name="Meny").click()
            expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
            s.check("start page, menu open")
            page.keyboard.press("Escape")

        mine = _api(page, "GET", "/workspaces?scope=mine", None)["body"]["items"]
        ws = next(w for w in mine if w["name"] == "Lathundar och IT-tips")
        s.visit(f"#/workspaces/{ws['id']}", "workspace, discussions")
        s.visit(f"#/workspaces/{ws['id']}/blog", "workspace, blog")
        s.visit(f"#/knowledge?workspace={ws['id']}", "workspace, knowledge bank")

        # Documents: the library, a document's page, and the link picker in a composer.
        doc_id = _upload(page, ws["id"], f"Axe {uuid.uuid4().hex[:4]}.txt", "Rad ett\nRad två\n")
        s.visit(f"#/workspaces/{ws['id']}/documents", "workspace, documents",
                ready=lambda p: p.locator(".doc-list .doc-item").first)
        s.visit(f"#/documents/{doc_id}", "document page", ready=lambda p: p.get_by_role("heading", name="Versioner"))
        page.goto(f"/#/workspaces/{ws['id']}")
        page.get_by_role("form", name="Starta en ny diskussion").get_by_role("button", name="Länka dokument").click()
        expect(page.get_by_role("dialog", name="Länka dokument").locator(".doc-pick").first).to_be_visible()
        s.check("discussion composer, document picker open")
        page.keyboard.press("Escape")

        # A discussion with the composer and the mention list open.
        threads = _api(page, "GET", f"/workspaces/{ws['id']}/threads", None)["body"]["items"]
        page.goto(f"/#/workspaces/{ws['id']}?thread={threads[0]['id']}")
        reply = page.get_by_role("combobox", name="Ditt svar")
        expect(reply).to_be_visible()
        reply.press_sequentially("Fråga @", delay=20)
        expect(page.get_by_role("listbox")).to_be_visible()
        s.check("discussion, composer and mention list open")
        page.keyboard.press("Escape")

        blog = _api(page, "GET", f"/workspaces/{ws['id']}/blog", None)["body"]["items"]
        if blog:
            s.visit(f"#/workspaces/{ws['id']}/blog/{blog[0]['id']}", "blog post")
        s.visit("#/people", "people directory")
        people = _api(page, "GET", "/people?q=Ahmed", None)["body"]["items"]
        s.visit(f"#/people/{people[0]['id']}", "person page")
        s.visit("#/profile", "profile")
        # "Mina API-nycklar": a new token's secret shown once, then the question before revoking it.
        # (Ready when its heading has focus: the new drawing, not the one of "#/profile".)
        s.visit("#/profile?section=tokens", "profile, my API tokens", ready=lambda p: p.locator("#my-tokens-h:focus"))
        tokens = page.get_by_role("region", name="Mina API-nycklar")
        token_name = f"Axe {uuid.uuid4().hex[:4]}"
        tokens.get_by_label("Namn på ny nyckel").fill(token_name)
        tokens.get_by_role("button", name="Skapa API-nyckel").click()
        expect(tokens.get_by_label(f"API-nyckeln {token_name}")).to_be_focused()
        s.check("profile, new API token shown once")
        tokens.get_by_role("button", name=f"Återkalla nyckeln {token_name}").click()
        revoke = page.get_by_role("dialog", name=f"Återkalla nyckeln {token_name}?")
        expect(revoke).to_be_visible()
        s.check("profile, revoke API token dialog")
        revoke.get_by_role("button", name="Återkalla", exact=True).click()
        expect(tokens.get_by_text(f"Nyckeln {token_name} är återkallad.")).to_be_visible()
        s.visit("#/notifications", "notifications")

        # News: the page, an item asking for "läst och förstått", the editor (new and edit) and the report.
        s.visit("#/news", "news page", ready=lambda p: p.locator(".news-list .news-item").first)
        news_items = _api(page, "GET", "/news?limit=20", None)["body"]["items"]
        asking = next((n for n in news_items if n["acknowledgement"]["required"]), news_items[0])
        s.visit(f"#/news/{asking['id']}", "news item")
        s.visit("#/news/new", "news editor, new", ready=lambda p: p.get_by_role("button", name="Publicera"))
        s.visit(f"#/news/{asking['id']}/edit", "news editor", ready=lambda p: p.get_by_role("button", name="Spara ändringar"))
        s.visit(f"#/news/{asking['id']}/acknowledgements", "news acknowledgement report",
                ready=lambda p: p.locator(".news-report-total"))

        s.visit("#/knowledge", "knowledge bank")
        articles = _api(page, "GET", "/articles", None)["body"]["items"]
        article = articles[0]
        s.visit(f"#/knowledge/{article['id']}", "article")
        s.visit("#/knowledge/new", "article editor, new")
        s.visit(f"#/knowledge/{article['id']}/edit", "article editor")
        full = _api(page, "GET", f"/articles/{article['id']}", None)["body"]
        if full["revision"] < 2:
            changed = {k: full[k] for k in ("title", "summary", "tags", "audience", "reviewBy", "recordings")}
            changed["body"] = full["body"] + "\n\nEn rad till."
            changed["baseRevision"] = full["revision"]
            assert _api(page, "PUT", f"/articles/{article['id']}", changed)["status"] == 200
        s.visit(f"#/knowledge/{article['id']}/history", "article history and diff",
                ready=lambda p: p.locator(".kb-diff pre").first)

        s.visit("#/search?q=procapita", "search results", ready=lambda p: p.locator(".search-result").first)
        s.visit("#/search?q=zzzyxxq", "search, no results", ready=lambda p: p.get_by_text("Inga träffar."))
        s.visit(f"#/search?q=zzzyxxq&workspace={ws['id']}", "search in a workspace, no results",
                ready=lambda p: p.get_by_role("link", name="Sök i hela Communis"))

        recordings = _api(page, "GET", "/recordings?state=complete", None)["body"]["items"]
        s.visit(f"#/recordings/{recordings[0]['id']}", "recording")

        s.visit("#/admin", "administration, accounts")
        s.visit("#/admin/directory", "administration, directory and groups")
        s.visit("#/admin/audit", "administration, audit log")
        s.visit("#/admin/news", "administration, news editors and organisations",
                ready=lambda p: p.get_by_role("heading", name="Nyhetsredaktörer"))

        # A meeting: before and after joining (fake microphone).
        meeting = _api(page, "POST", f"/workspaces/{ws['id']}/meetings", {"title": f"Axe {uuid.uuid4().hex[:4]}"})["body"]
        s.visit(f"#/meetings/{meeting['id']}", "meeting, before joining")
        page.get_by_role("button", name="Gå med", exact=True).click()
        expect(page.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)
        s.check("meeting, joined")
        if size == "phone":
            page.get_by_role("button", name="Chatt").click()
            s.check("meeting, joined, chat segment")
        page.get_by_role("button", name="Lämna mötet").click()

        # Valid invitation pages.
        invite = _api(page, "POST", f"/workspaces/{ws['id']}/guests",
                      {"email": f"axe-{uuid.uuid4().hex[:6]}@example.se", "name": "Axel Gäst"})["body"]
        m_invite = _api(page, "POST", f"/meetings/{meeting['id']}/invitations", {"name": "Maja Gäst"})["body"]
        _api(page, "POST", f"/meetings/{meeting['id']}/end", None)  # not left "going on" for the other tests
        other = media_browser.new_context(base_url=server.base_url, locale="sv-SE", viewport=SIZES[size])
        try:
            guest = other.new_page()
            g = Screens(guest, size)
            if invite.get("inviteUrl"):
                g.visit("#/" + invite["inviteUrl"].split("#/", 1)[1], "workspace invitation")
            g.visit(f"#/meeting-invitation/{m_invite['token']}", "meeting invitation")
            s.found.update(g.found)
        finally:
            other.close()
    finally:
        ctx.close()
    assert s.found == {}, "axe-core found WCAG 2.1 AA problems:\n" + json.dumps(s.found, ensure_ascii=False, indent=2)
