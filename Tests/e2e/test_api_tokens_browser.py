""""Mina API-nycklar" on the profile, as a person uses it: they create a token in the page
(the secret shown once, focused, in a labelled read-only field with a copy button and the
server's /dav/ address), the secret works as the Basic password of WebDAV (PROPFIND Depth 0
→ 207) and as a Bearer token for the API, the token is listed, a cancelled revocation keeps
it, a confirmed one removes it, and then the same requests answer 401. The document page's
"Skapa API-nyckel" links here."""
from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import expect

from conftest import ERIK, login, screenshot


def _propfind(server, secret: str) -> int:
    with httpx.Client(base_url=server.base_url, timeout=60, auth=("vem-som-helst", secret)) as dav:
        return dav.request("PROPFIND", "/dav/", headers={"Depth": "0"}).status_code


def _me(server, secret: str) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {secret}"}) as api:
        return api.get("/api/v1/me")


def test_person_creates_uses_and_revokes_own_token(server, new_page):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    login(page, ERIK)
    page.goto("/#/profile?section=tokens")
    section = page.get_by_role("region", name="Mina API-nycklar")
    heading = section.get_by_role("heading", name="Mina API-nycklar", level=2)
    expect(heading).to_be_focused()  # ?section=tokens brings the section into view and focus
    expect(section).to_contain_text("Använd nyckeln som lösenord när du ansluter till dokumenten från Utforskaren, Finder eller Word (WebDAV):")
    expect(section.locator("code")).to_have_text(f"{server.base_url}/dav/")

    # An empty name is refused in the page, next to the field.
    name_field = section.get_by_label("Namn på ny nyckel")
    section.get_by_role("button", name="Skapa API-nyckel").click()
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(name_field).to_be_focused()

    name = f"Word på jobbdatorn {uuid.uuid4().hex[:6]}"
    name_field.fill(name)
    section.get_by_role("button", name="Skapa API-nyckel").click()
    secret_field = section.get_by_label(f"API-nyckeln {name}")
    expect(secret_field).to_be_focused()
    expect(secret_field).to_have_attribute("readonly", "")
    expect(section.get_by_text("Kopiera nyckeln nu – den visas inte igen.")).to_be_visible()
    expect(section.get_by_role("status").filter(has_text=f"Nyckeln {name} är skapad.")).to_be_visible()
    secret = secret_field.input_value()
    assert secret.startswith("cmt_") and len(secret) > 20
    expect(name_field).to_have_value("")

    section.get_by_role("button", name="Kopiera nyckeln").click()
    expect(section.get_by_text("Nyckeln är kopierad.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, "api-tokens-created")

    # The secret is the WebDAV password (any user name) and a Bearer token for the API.
    assert _propfind(server, secret) == 207
    me = _me(server, secret)
    assert me.status_code == 200, me.text
    assert me.json()["email"] == ERIK

    # Listed (after a reload too: the secret itself is gone from the page).
    page.reload()
    section = page.get_by_role("region", name="Mina API-nycklar")
    item = section.locator("li").filter(has_text=name)
    expect(item).to_be_visible()
    expect(item).to_contain_text("Skapad")
    expect(page.get_by_label(f"API-nyckeln {name}")).to_have_count(0)
    assert secret not in page.content()

    # A cancelled revocation keeps the token and gives focus back to the button.
    revoke = section.get_by_role("button", name=f"Återkalla nyckeln {name}")
    revoke.click()
    dialog = page.get_by_role("dialog", name=f"Återkalla nyckeln {name}?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Avbryt")).to_be_focused()
    dialog.get_by_role("button", name="Avbryt").click()
    expect(dialog).to_have_count(0)
    expect(revoke).to_be_focused()
    assert _propfind(server, secret) == 207

    revoke.click()
    dialog = page.get_by_role("dialog", name=f"Återkalla nyckeln {name}?")
    dialog.get_by_role("button", name="Återkalla", exact=True).click()
    expect(section.get_by_text(f"Nyckeln {name} är återkallad.")).to_be_visible()
    expect(section.locator("li").filter(has_text=name)).to_have_count(0)
    expect(section.get_by_role("heading", name="Mina API-nycklar")).to_be_focused()  # not lost to <body>

    assert _propfind(server, secret) == 401
    assert _me(server, secret).status_code == 401


def test_document_page_links_to_my_tokens(server, new_page):
    page = new_page()
    login(page, ERIK)
    ws = page.evaluate("""async () => (await (await fetch('/api/v1/workspaces?scope=mine')).json()).items[0].id""")
    doc_id = page.evaluate("""async (workspace) => {
        const s = await (await fetch('/api/v1/session')).json();
        const b64 = (v) => btoa(String.fromCharCode(...new TextEncoder().encode(v)));
        const bytes = new TextEncoder().encode('Hej');
        const base = { 'Tus-Resumable': '1.0.0', 'X-CSRF-Token': s.csrfToken };
        const name = `Nycklar ${Math.random().toString(36).slice(2, 7)}.odt`;
        const created = await fetch('/api/v1/uploads', { method: 'POST', headers: { ...base,
          'Upload-Length': String(bytes.length), 'Upload-Metadata': `filename ${b64(name)},workspace ${b64(workspace)}` } });
        const done = await fetch(created.headers.get('Location'), { method: 'PATCH', body: bytes, headers: { ...base,
          'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
        return done.headers.get('Communis-Document-Id'); }""", ws)
    page.goto(f"/#/documents/{doc_id}")
    expect(page.get_by_role("link", name="Mina API-nycklar", exact=True)).to_have_attribute("href", "#/profile?section=tokens")
    page.get_by_role("button", name="Skapa API-nyckel").click()
    expect(page.get_by_label("Din API-nyckel")).to_be_visible()
    page.get_by_role("link", name="Du ser och återkallar dina nycklar under Mina API-nycklar.").click()
    expect(page.get_by_role("heading", name="Mina API-nycklar")).to_be_focused()
    expect(page.get_by_role("region", name="Mina API-nycklar").locator("li").filter(has_text="Skrivbordsprogram").first).to_be_visible()
    # Leave the token made here behind for no other test on this server.
    page.evaluate("""async () => {
        const s = await (await fetch('/api/v1/session')).json();
        for (const t of (await (await fetch('/api/v1/tokens')).json()).items.filter((t) => t.name === 'Skrivbordsprogram')) {
          await fetch(`/api/v1/tokens/${t.id}`, { method: 'DELETE', headers: { 'X-CSRF-Token': s.csrfToken } });
        } }""")
