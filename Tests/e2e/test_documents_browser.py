"""Documents in the browser (issue 13): a workspace owner uploads two files by the file picker
with a progress bar each (the larger one in several chunks, its bar seen between 0 and 100),
a member watching the library sees them arrive live, a third file is dropped on the list;
a new version with a comment, the comparison of the two, approval ("Fastställd"), check-out
with the badge the member sees and the member's refused upload naming who holds it; links
from a discussion post and from a how-to article by "Länka dokument", shown as cards that
open the document; the preview; search finds the document by a word of its text; the
document page lists where it is linked from; the trash and back."""
from __future__ import annotations

import re
import struct
import time
import uuid
import zlib

from playwright.sync_api import Page, expect

from conftest import ANNA, ERIK, create_workspace, login, screenshot, wait_until

MB = 1024 * 1024


def _api(page: Page, method: str, path: str, body=None):
    return page.evaluate("""async ([method, path, body]) => {
        const s = await (await fetch('/api/v1/session')).json();
        const r = await fetch('/api/v1' + path, { method, headers: { 'Content-Type': 'application/json',
          'X-CSRF-Token': s.csrfToken }, body: body === null ? undefined : JSON.stringify(body) });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : null }; }""", [method, path, body])


def _png(width: int = 64, height: int = 48) -> bytes:
    """A small valid PNG (a blue-to-green gradient), for the preview."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (0, x * 4 % 256, 200)) for _ in range(height))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _record_progress(page: Page) -> None:
    """Remembers every value an upload's progress bar takes (the bar moves faster than polling)."""
    page.evaluate("""() => {
        window.__progress = [];
        const desc = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value');
        Object.defineProperty(HTMLProgressElement.prototype, 'value', { configurable: true, get: desc.get,
          set(v) { desc.set.call(this, v); window.__progress.push([this.getAttribute('aria-label'), Number(v)]); } });
    }""")


def _doc_row(page: Page, title_part: str):
    return page.locator(".doc-list .doc-item", has=page.locator(".doc-title", has_text=title_part))


def _doc_id_from_url(page: Page) -> str:
    wait_until(page, "location.hash.startsWith('#/documents/')")
    return re.match(r"#/documents/([0-9a-f-]{36})", page.evaluate("location.hash")).group(1)


def test_documents_upload_versions_approve_lock_link_preview_and_search(new_page):
    suffix = uuid.uuid4().hex[:6]
    word = f"kvartalsprognos{suffix}"
    anna = new_page()
    login(anna, ANNA)
    ws = create_workspace(anna, f"Dokumentprov {suffix}", "closed", "Budgetarbete")
    erik_id = _api(anna, "GET", "/people?q=Erik%20Johansson")["body"]["items"][0]["id"]
    assert _api(anna, "POST", f"/workspaces/{ws}/members", {"personId": erik_id})["status"] in (200, 201, 204)

    # Erik watches the library: what Anna uploads arrives live.
    erik = new_page()
    login(erik, ERIK)
    erik.goto(f"/#/workspaces/{ws}/documents")
    expect(erik.get_by_role("heading", level=2, name="Dokument")).to_be_visible()
    expect(erik.get_by_text("Inga dokument ännu.")).to_be_visible()

    # ---- Upload two files by the picker, each with its progress bar.
    anna.get_by_role("navigation", name="Samarbetsytans delar").get_by_role("link", name="Dokument").click()
    wait_until(anna, f"location.hash === '#/workspaces/{ws}/documents'")
    expect(anna.get_by_role("heading", level=2, name="Dokument")).to_be_visible()
    _record_progress(anna)
    budget = f"Budget 2027 {suffix}.txt"
    budget_text = "\n".join([f"Budget för 2027 – {word}", "Intäkter: 120 miljoner", "Kostnader: 118 miljoner", "Resultat: 2 miljoner"])
    big = f"Underlag {suffix}.bin"
    big_bytes = bytes(range(256)) * (12 * MB // 256)  # 12 MB: three 5 MB chunks
    with anna.expect_file_chooser() as chooser:
        anna.get_by_role("button", name="Ladda upp filer").click()
    chooser.value.set_files([
        {"name": budget, "mimeType": "text/plain", "buffer": budget_text.encode("utf-8")},
        {"name": big, "mimeType": "application/octet-stream", "buffer": big_bytes},
    ])
    uploads = anna.get_by_role("list", name="Uppladdningar")
    expect(uploads.locator("progress")).to_have_count(2)
    expect(anna.get_by_role("progressbar", name=f"Uppladdning av {big}")).to_be_visible()
    expect(uploads.locator(".upload-item.upload-done")).to_have_count(2, timeout=60_000)
    expect(uploads.locator(".upload-status").first).to_have_text("Klar")
    values = [v for label, v in anna.evaluate("window.__progress") if label == f"Uppladdning av {big}"]
    assert any(0 < v < 100 for v in values), f"no progress between 0 and 100 seen: {values}"
    assert values[-1] == 100
    screenshot(anna, "documents-uploaded")

    expect(_doc_row(anna, "Budget 2027")).to_be_visible()
    expect(_doc_row(anna, "Underlag")).to_contain_text("12 MB")
    expect(_doc_row(erik, "Budget 2027")).to_be_visible(timeout=15_000)
    expect(_doc_row(erik, "Underlag")).to_be_visible()

    # ---- A third file dropped on the list.
    anna.evaluate("""(name) => {
        const dt = new DataTransfer();
        dt.items.add(new File(['Dropped'], name, { type: 'text/plain' }));
        const zone = document.querySelector('.doc-drop');
        for (const type of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
    }""", f"Släppt {suffix}.txt")
    expect(_doc_row(anna, "Släppt")).to_be_visible(timeout=30_000)
    expect(_doc_row(erik, "Släppt")).to_be_visible(timeout=15_000)

    # ---- A folder, and a document moved into it keeps working.
    anna.get_by_role("button", name="Ny mapp").click()
    anna.get_by_role("dialog").get_by_label("Mappens namn").fill("Arkiv")
    anna.get_by_role("dialog").get_by_role("button", name="Skapa").click()
    expect(anna.locator(".doc-folder .doc-title", has_text="Arkiv")).to_be_visible()
    _doc_row(anna, "Släppt").get_by_role("button", name=re.compile("^Flytta")).click()
    anna.get_by_role("dialog").get_by_label("Till mapp").select_option(label="Arkiv")
    anna.get_by_role("dialog").get_by_role("button", name="Flytta").click()
    expect(_doc_row(anna, "Släppt")).to_have_count(0)
    anna.locator(".doc-folder .doc-title", has_text="Arkiv").click()
    expect(anna.get_by_role("navigation", name="Sökväg")).to_contain_text("Arkiv")
    expect(_doc_row(anna, "Släppt")).to_be_visible()
    # To the trash and back.
    _doc_row(anna, "Släppt").get_by_role("button", name=re.compile("i papperskorgen$")).click()
    anna.get_by_role("dialog").get_by_role("button", name="Till papperskorgen").click()
    expect(_doc_row(anna, "Släppt")).to_have_count(0)
    anna.get_by_role("link", name="Papperskorg").click()
    expect(anna.get_by_role("heading", level=2, name="Papperskorg – dokument")).to_be_visible()
    _doc_row(anna, "Släppt").get_by_role("button", name=re.compile("^Återställ")).click()
    expect(_doc_row(anna, "Släppt")).to_have_count(0)
    anna.get_by_role("link", name="Tillbaka till dokumenten").click()
    anna.locator(".doc-folder .doc-title", has_text="Arkiv").click()
    expect(_doc_row(anna, "Släppt")).to_be_visible()
    anna.get_by_role("navigation", name="Sökväg").get_by_role("link", name="Dokument").click()

    # ---- The document page: a new version with a comment.
    _doc_row(anna, "Budget 2027").locator(".doc-title").click()
    doc_id = _doc_id_from_url(anna)
    expect(anna.get_by_role("heading", level=1, name=re.compile("Budget 2027"))).to_be_visible()
    versions = anna.locator(".doc-versions > li")
    expect(versions).to_have_count(1)
    new_version = anna.get_by_role("region", name="Ladda upp ny version")
    new_version.get_by_label("Fil", exact=True).set_input_files({"name": budget, "mimeType": "text/plain",
        "buffer": budget_text.replace("Kostnader: 118 miljoner", "Kostnader: 117 miljoner").encode("utf-8")})
    new_version.get_by_label("Kommentar (vad har ändrats?)").fill("Reviderade kostnader")
    new_version.get_by_role("button", name="Ladda upp version").click()
    expect(versions).to_have_count(2, timeout=30_000)
    expect(versions.first).to_contain_text("Reviderade kostnader")
    expect(versions.first).to_contain_text("Anna Lindqvist")
    expect(anna.locator(".doc-page-head .meta")).to_contain_text("version 2")

    # Compare the two: the changed line removed and added.
    # The text is extracted in the background: until it is, the comparison says "not yet".
    compare = anna.get_by_role("region", name="Jämför versioner")
    deadline = time.monotonic() + 60
    while True:
        compare.get_by_role("button", name="Jämför").click()
        expect(compare.locator(".doc-diff > *").first).to_be_visible()
        expect(compare.locator(".doc-diff .loading")).to_have_count(0)
        if compare.locator(".diff-removed").count() or time.monotonic() > deadline:
            break
        expect(compare).to_contain_text("prova igen om en liten stund")
        anna.wait_for_timeout(1000)
    expect(compare.locator(".diff-removed", has_text="118 miljoner")).to_be_visible()
    expect(compare.locator(".diff-added", has_text="117 miljoner")).to_be_visible()

    # ---- Approve version 2.
    anna.get_by_role("button", name="Fastställ version 2").click()
    expect(anna.locator(".doc-page-head .doc-approved")).to_have_text("Fastställd")
    expect(versions.first.locator(".badge-ok")).to_have_text("Fastställd")

    # ---- Check out: the badge, for Anna and for Erik, and Erik's upload refused naming Anna.
    anna.get_by_role("button", name="Checka ut").click()
    expect(anna.locator(".doc-page-head .doc-locked")).to_contain_text(re.compile(r"Utcheckad av dig till \d\d:\d\d"))
    erik.goto(f"/#/documents/{doc_id}")
    expect(erik.locator(".doc-page-head .doc-locked")).to_contain_text(re.compile(r"Utcheckad av Anna Lindqvist till \d\d:\d\d"))
    erik_form = erik.get_by_role("region", name="Ladda upp ny version")
    expect(erik_form).to_contain_text("Anna Lindqvist har checkat ut dokumentet")
    erik_form.get_by_label("Fil", exact=True).set_input_files({"name": budget, "mimeType": "text/plain", "buffer": b"Eriks version"})
    erik_form.get_by_role("button", name="Ladda upp version").click()
    expect(erik_form.locator(".upload-failed")).to_contain_text(re.compile("utcheckat av Anna Lindqvist"), timeout=15_000)
    screenshot(erik, "documents-locked")
    # Checked in: Erik's page follows live.
    anna.get_by_role("button", name="Checka in").click()
    expect(anna.locator(".doc-page-head .doc-locked")).to_have_count(0)
    expect(erik.locator(".doc-page-head .doc-locked")).to_have_count(0, timeout=15_000)

    # ---- A link from a discussion post, shown as a card that opens the document.
    anna.goto(f"/#/workspaces/{ws}")
    form = anna.get_by_role("form", name="Starta en ny diskussion")
    form.get_by_label("Rubrik").fill(f"Budgeten {suffix}")
    form.get_by_label("Inlägg").fill("Här är underlaget: ")
    form.get_by_role("button", name="Länka dokument").click()
    picker = anna.get_by_role("dialog", name="Länka dokument")
    picker.get_by_role("button", name=re.compile("Budget 2027")).click()
    expect(form.get_by_label("Inlägg")).to_have_value(re.compile(rf"\[Budget 2027[^\]]*\]\(#/documents/{doc_id}\)"))
    form.get_by_role("button", name="Starta diskussion").click()
    card = anna.locator(".thread-view a.doc-card")
    expect(card).to_contain_text("Budget 2027")
    expect(card).to_contain_text("version 2")
    expect(card).to_contain_text("Fastställd")
    # A pasted address of the document page becomes a card too.
    reply = anna.get_by_role("combobox", name="Ditt svar")
    reply.fill(f"Samma som {anna.evaluate('location.origin')}/#/documents/{doc_id}")
    anna.get_by_role("button", name="Skicka svar").click()
    expect(anna.locator(".thread-view a.doc-card")).to_have_count(2)
    screenshot(anna, "documents-card-post")
    card = anna.locator(".thread-view a.doc-card").first
    card.click()
    wait_until(anna, f"location.hash === '#/documents/{doc_id}'")
    expect(anna.get_by_role("heading", level=1, name=re.compile("Budget 2027"))).to_be_visible()

    # ---- A link from a how-to article (the approved version), opened from its card.
    anna.goto(f"/#/knowledge/new?workspace={ws}")
    anna.get_by_label("Rubrik").fill(f"Så läser du budgeten {suffix}")
    steps = anna.get_by_role("textbox", name="Steg", exact=True)
    steps.fill("1. Öppna budgeten: ")
    anna.get_by_role("button", name="Länka dokument").click()
    picker = anna.get_by_role("dialog", name="Länka dokument")
    picker.get_by_label("Länka till den fastställda versionen (om det finns en)").check()
    picker.get_by_role("button", name=re.compile("Budget 2027")).click()
    expect(steps).to_have_value(re.compile(rf"\(#/documents/{doc_id}\?version=approved\)"))
    anna.get_by_role("button", name="Spara", exact=True).click()
    card = anna.locator(".kb-article a.doc-card")
    expect(card).to_contain_text("Budget 2027")
    expect(card).to_contain_text("Fastställd")
    card.click()
    wait_until(anna, f"location.hash === '#/documents/{doc_id}?version=approved'")
    expect(anna.get_by_role("heading", level=1, name=re.compile("Budget 2027"))).to_be_visible()

    # "Länkas från": the post and the article.
    links = anna.get_by_role("region", name="Länkas från")
    expect(links.get_by_role("link", name=f"Så läser du budgeten {suffix}")).to_be_visible()
    expect(links.locator("li", has_text="Inlägg").first).to_be_visible()  # the thread's posts (one or both)
    expect(links.locator("li").nth(1)).to_be_visible()

    # ---- A preview: an image's page is shown (after "Förhandsvisning skapas …" if it takes a moment).
    anna.goto(f"/#/workspaces/{ws}/documents")
    with anna.expect_file_chooser() as chooser:
        anna.get_by_role("button", name="Ladda upp filer").click()
    chooser.value.set_files({"name": f"Karta {suffix}.png", "mimeType": "image/png", "buffer": _png()})
    expect(_doc_row(anna, "Karta")).to_be_visible(timeout=30_000)
    _doc_row(anna, "Karta").locator(".doc-title").click()
    preview = anna.get_by_role("region", name="Förhandsvisning")
    expect(preview.locator("img.doc-preview-image")).to_be_visible(timeout=90_000)
    assert anna.evaluate("document.querySelector('img.doc-preview-image').naturalWidth") > 0
    screenshot(anna, "documents-preview")

    # ---- Search finds the document by a word of its text (extracted in the background).
    deadline = time.monotonic() + 60
    while True:
        anna.goto(f"/#/search?q={word}")
        expect(anna.get_by_role("heading", name="Sök", level=1)).to_be_visible()
        anna.wait_for_timeout(500)
        if anna.locator(".search-document").count() or time.monotonic() > deadline:
            break
        anna.wait_for_timeout(2000)
    expect(anna.get_by_role("heading", level=2, name=re.compile("^Dokument"))).to_be_visible()
    result = anna.locator(".search-document").first
    expect(result.get_by_role("link", name=re.compile("Budget 2027"))).to_be_visible()
    result.get_by_role("link", name=re.compile("Budget 2027")).click()
    wait_until(anna, f"location.hash.startsWith('#/documents/{doc_id}')")
    expect(anna.get_by_role("heading", level=1, name=re.compile("Budget 2027"))).to_be_visible()


def test_an_upload_refused_by_the_size_limit_or_a_network_failure_says_so_in_swedish(new_page):
    """A 413 from the tus endpoint shows the size message; a dropped connection during a chunk
    resumes from the server's offset (HEAD) and completes."""
    suffix = uuid.uuid4().hex[:6]
    anna = new_page()
    login(anna, ANNA)
    ws = create_workspace(anna, f"Uppladdningsprov {suffix}", "closed")
    anna.goto(f"/#/workspaces/{ws}/documents")
    expect(anna.get_by_role("button", name="Ladda upp filer")).to_be_visible()

    # The connection breaks during the second chunk once: the upload asks HEAD and resumes.
    broken = {"done": False, "heads": 0}

    def flaky(route):
        req = route.request
        if req.method == "PATCH" and not broken["done"] and req.headers.get("upload-offset") not in (None, "0"):
            broken["done"] = True
            route.abort("connectionreset")
            return
        if req.method == "HEAD":
            broken["heads"] += 1
        route.fallback()

    anna.route("**/api/v1/uploads/**", flaky)
    with anna.expect_file_chooser() as chooser:
        anna.get_by_role("button", name="Ladda upp filer").click()
    chooser.value.set_files({"name": f"Stor {suffix}.bin", "mimeType": "application/octet-stream", "buffer": b"x" * (11 * MB)})
    expect(anna.locator(".upload-item.upload-done")).to_have_count(1, timeout=60_000)
    assert broken["done"] and broken["heads"] >= 1
    expect(_doc_row(anna, f"Stor {suffix}")).to_contain_text("11 MB")
    anna.unroute("**/api/v1/uploads/**")

    # The server's size refusal, as the server says it (the limit is configuration: here faked).
    anna.route("**/api/v1/uploads", lambda route: route.fulfill(status=413, content_type="application/problem+json",
        body='{"type":"urn:communis:problem:file-too-large","code":"file-too-large","status":413,"title":"Too large","detail":"x"}'))
    with anna.expect_file_chooser() as chooser:
        anna.get_by_role("button", name="Ladda upp filer").click()
    chooser.value.set_files({"name": f"För stor {suffix}.bin", "mimeType": "application/octet-stream", "buffer": b"y" * 10})
    expect(anna.locator(".upload-item.upload-failed")).to_contain_text("Filen är större än vad som får laddas upp")
    # And the disk-full answer.
    anna.unroute("**/api/v1/uploads")
    anna.route("**/api/v1/uploads", lambda route: route.fulfill(status=507, content_type="application/problem+json",
        body='{"code":"storage-full","status":507,"title":"Full","detail":"x"}'))
    with anna.expect_file_chooser() as chooser:
        anna.get_by_role("button", name="Ladda upp filer").click()
    chooser.value.set_files({"name": f"Full {suffix}.bin", "mimeType": "application/octet-stream", "buffer": b"z" * 10})
    expect(anna.locator(".upload-item.upload-failed").last).to_contain_text("Servern har inte plats för filen just nu.")
