"""WebDAV at /dav/ against the real server, as a desktop client uses it: Basic authentication
with an API token as the password (and bearer tokens), PROPFIND of the workspaces and of a
library, MKCOL, PUT of a new file and of a new version, GET, LOCK/UNLOCK and another person's
PUT refused while locked, MOVE that keeps the document's id, Word's save through a temporary
file, COPY, DELETE to the trash, and a non-member who sees nothing. The documents API checks
what WebDAV did; search and the preview check that the background processing ran. Debian's
litmus (the WebDAV conformance suite) runs against a workspace too, its known refusals named."""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ElementTree
import zipfile
from urllib.parse import quote

import httpx
import pytest

from conftest import ANNA, DEMO_PASSWORD, ERIK, SARA

DAV = "{DAV:}"


def session(server, email: str) -> httpx.Client:
    """A logged-in API client (session cookie and CSRF token)."""
    client = httpx.Client(base_url=server.base_url, timeout=60)
    res = client.post("/api/v1/session", json={"login": email, "password": DEMO_PASSWORD})
    assert res.status_code == 200, res.text
    client.headers["X-CSRF-Token"] = res.json()["csrfToken"]
    return client


def token(api: httpx.Client) -> str:
    res = api.post("/api/v1/tokens", json={"name": f"WebDAV {uuid.uuid4().hex[:6]}"})
    assert res.status_code == 201, res.text
    return res.json()["token"]


def dav(server, secret: str, bearer: bool = False) -> httpx.Client:
    """A WebDAV client: Basic with the token as password (any user name), or a bearer token."""
    if bearer:
        return httpx.Client(base_url=server.base_url, timeout=120, headers={"Authorization": f"Bearer {secret}"})
    return httpx.Client(base_url=server.base_url, timeout=120, auth=("vem-som-helst", secret))


def propfind(client: httpx.Client, path: str, depth: str = "1", body: str | None = None) -> dict[str, dict[str, str]]:
    """href → {property local name: text} of the 200 propstats of a PROPFIND answer."""
    res = client.request("PROPFIND", path, headers={"Depth": depth}, content=body)
    assert res.status_code == 207, f"{res.status_code} {res.text}"
    assert res.headers["content-type"].startswith("application/xml")
    found: dict[str, dict[str, str]] = {}
    for response in ElementTree.fromstring(res.content).findall(f"{DAV}response"):
        props: dict[str, str] = {}
        for propstat in response.findall(f"{DAV}propstat"):
            if "200" not in propstat.findtext(f"{DAV}status"):
                continue
            for prop in propstat.find(f"{DAV}prop"):
                name = prop.tag.split("}")[-1]
                if len(prop):
                    # An element value: its children's names (resourcetype → collection, lockdiscovery → activelock).
                    props[name] = " ".join(child.tag.split("}")[-1] for child in prop)
                else:
                    props[name] = prop.text or ""
        found[response.findtext(f"{DAV}href")] = props
    return found


def docx(words: str) -> bytes:
    """A minimal Word document (the XML Word writes, cut to one paragraph)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                         '<Default Extension="xml" ContentType="application/xml"/>'
                         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                         '</Types>')
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                         '</Relationships>')
        archive.writestr("word/document.xml",
                         '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                         f'<w:body><w:p><w:r><w:t>{words}</w:t></w:r></w:p></w:body></w:document>')
    return out.getvalue()


@pytest.fixture(scope="module")
def world(server):
    anna_api, erik_api, sara_api = session(server, ANNA), session(server, ERIK), session(server, SARA)
    res = anna_api.post("/api/v1/workspaces", json={"name": f"Dokument över WebDAV {uuid.uuid4().hex[:6]}", "visibility": "secret",
                                                    "description": "Skrivbordsprogram sparar här."})
    assert res.status_code == 201, res.text
    workspace = res.json()["id"]
    erik_id = erik_api.get("/api/v1/me").json()["id"]
    assert anna_api.post(f"/api/v1/workspaces/{workspace}/members", json={"personId": erik_id}).status_code == 201
    return {
        "workspace": workspace, "anna_api": anna_api,
        "anna": dav(server, token(anna_api)), "erik": dav(server, token(erik_api)),
        "sara_token": token(sara_api), "anna_bearer": dav(server, token(anna_api), bearer=True),
    }


def documents_in(api: httpx.Client, workspace: str, folder: str | None = None) -> dict:
    res = api.get(f"/api/v1/workspaces/{workspace}/documents", params={"folder": folder} if folder else None)
    assert res.status_code == 200, res.text
    return res.json()


def test_options_and_authentication(server):
    anonymous = httpx.Client(base_url=server.base_url, timeout=30)
    res = anonymous.request("OPTIONS", "/dav/")
    assert res.status_code == 200
    assert "2" in [v.strip() for v in res.headers["dav"].split(",")]
    assert res.headers["ms-author-via"] == "DAV"
    assert "PROPFIND" in res.headers["allow"] and "LOCK" in res.headers["allow"]
    res = anonymous.request("PROPFIND", "/dav/", headers={"Depth": "0"})
    assert res.status_code == 401
    assert res.headers["www-authenticate"].startswith("Basic")
    wrong = httpx.Client(base_url=server.base_url, timeout=30, auth=("anna", "inte-en-nyckel"))
    assert wrong.request("PROPFIND", "/dav/", headers={"Depth": "0"}).status_code == 401
    # The session cookie is not WebDAV's way in.
    api = session(server, ANNA)
    assert api.request("PROPFIND", "/dav/", headers={"Depth": "0"}).status_code == 401


def test_workspaces_and_library(server, world):
    ws = world["workspace"]
    listed = propfind(world["anna"], "/dav/")
    assert listed["/dav/"]["resourcetype"] == "collection"
    assert listed[f"/dav/{ws}/"]["displayname"].startswith("Dokument över WebDAV")
    assert listed[f"/dav/{ws}/"]["resourcetype"] == "collection"
    # Bearer tokens work as well.
    assert f"/dav/{ws}/" in propfind(world["anna_bearer"], "/dav/")
    # One level at a time.
    res = world["anna"].request("PROPFIND", f"/dav/{ws}/", headers={"Depth": "infinity"})
    assert res.status_code == 403 and "propfind-finite-depth" in res.text
    # Named properties: the ones it has with 200, others with 404.
    res = world["anna"].request("PROPFIND", f"/dav/{ws}/", headers={"Depth": "0"},
                                content='<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><D:getcontentlength/></D:prop></D:propfind>')
    assert res.status_code == 207 and "404 Not Found" in res.text and "<D:displayname>" in res.text


def test_put_get_versions_lock_move_delete(server, world):
    anna, erik, api, ws = world["anna"], world["erik"], world["anna_api"], world["workspace"]
    assert anna.request("MKCOL", f"/dav/{ws}/Protokoll").status_code == 201
    assert anna.request("MKCOL", f"/dav/{ws}/Protokoll").status_code == 405
    assert anna.request("MKCOL", f"/dav/{ws}/Saknas/Under").status_code == 409
    path = f"/dav/{ws}/Protokoll/{quote('Möte 1.txt')}"
    first = "Protokoll från mötet\nBeslut: ny budget\n".encode()
    res = anna.put(path, content=first, headers={"Content-Type": "text/plain"})
    assert res.status_code == 201, res.text
    res = anna.get(path)
    assert res.status_code == 200 and res.content == first
    assert res.headers["etag"] == f'"{hashlib.sha256(first).hexdigest()}"'
    assert anna.get(path, headers={"If-None-Match": res.headers["etag"]}).status_code == 304
    assert anna.get(path, headers={"Range": "bytes=0-9"}).content == first[:10]
    folder = next(f for f in documents_in(api, ws)["folders"] if f["name"] == "Protokoll")
    document = documents_in(api, ws, folder["id"])["documents"]["items"][0]
    assert document["title"] == "Möte 1.txt" and document["version"] == 1
    listing = propfind(anna, f"/dav/{ws}/Protokoll/")
    assert listing[path]["getcontentlength"] == str(len(first))
    assert listing[path]["getetag"] == f'"{hashlib.sha256(first).hexdigest()}"'
    assert listing[path]["getlastmodified"].endswith("GMT")

    # A new version; the same bytes again add none.
    second = first + b"Beslut: nytt datum\n"
    assert anna.put(path, content=second).status_code == 204
    assert anna.put(path, content=second).status_code == 204
    versions = api.get(f"/api/v1/documents/{document['id']}/versions").json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]

    # Checked out by Anna: Erik's save is refused with 423 until she checks it in.
    lock_body = ('<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
                 '<D:locktype><D:write/></D:locktype><D:owner>Anna</D:owner></D:lockinfo>')
    res = anna.request("LOCK", path, content=lock_body, headers={"Timeout": "Second-600"})
    assert res.status_code == 200, res.text
    lock_token = res.headers["lock-token"].strip("<>")
    assert lock_token in res.text
    assert erik.put(path, content=b"Eriks version").status_code == 423
    assert erik.put(path, content=b"Eriks version", headers={"If": f"(<{lock_token}>)"}).status_code == 423
    assert erik.request("LOCK", path, content=lock_body).status_code == 423
    # The lock is the token's: Anna's other programs need it too, and a wrong one fails the condition.
    assert anna.put(path, content=b"utan nyckel").status_code == 423
    assert anna.put(path, content=b"fel nyckel", headers={"If": "(<opaquelocktoken:fel>)"}).status_code == 412
    assert propfind(erik, path, depth="0")[path]["lockdiscovery"] == "activelock"
    assert api.get(f"/api/v1/documents/{document['id']}").json()["lock"]["holder"]["name"] == "Anna Lindqvist"
    # Refresh, then save with the token.
    assert anna.request("LOCK", path, headers={"If": f"(<{lock_token}>)", "Timeout": "Second-1200"}).status_code == 200
    assert anna.put(path, content=second + b"Tredje\n", headers={"If": f"(<{lock_token}>)"}).status_code == 204
    assert erik.request("UNLOCK", path, headers={"Lock-Token": "<opaquelocktoken:fel>"}).status_code == 409
    assert anna.request("UNLOCK", path, headers={"Lock-Token": f"<{lock_token}>"}).status_code == 204
    assert erik.put(path, content=b"Eriks version").status_code == 204
    versions = api.get(f"/api/v1/documents/{document['id']}/versions").json()["versions"]
    assert [v["number"] for v in versions] == [4, 3, 2, 1]

    # MOVE to another folder under another name keeps the document.
    assert anna.request("MKCOL", f"/dav/{ws}/Arkiv").status_code == 201
    moved = f"/dav/{ws}/Arkiv/{quote('Möte 1 (slutlig).txt')}"
    res = anna.request("MOVE", path, headers={"Destination": server.base_url + moved})
    assert res.status_code == 201, res.text
    assert anna.get(path).status_code == 404
    assert anna.get(moved).content == b"Eriks version"
    after = api.get(f"/api/v1/documents/{document['id']}").json()
    assert after["title"] == "Möte 1 (slutlig).txt" and after["version"] == 4 and after["folderId"] != folder["id"]
    # Overwrite: F refuses a name that is taken.
    assert anna.put(f"/dav/{ws}/Arkiv/annan.txt", content=b"x").status_code == 201
    res = anna.request("MOVE", f"/dav/{ws}/Arkiv/annan.txt", headers={"Destination": moved, "Overwrite": "F"})
    assert res.status_code == 412

    # COPY: a new document with the same content.
    res = anna.request("COPY", moved, headers={"Destination": f"/dav/{ws}/Protokoll/kopia.txt"})
    assert res.status_code == 201
    assert anna.get(f"/dav/{ws}/Protokoll/kopia.txt").content == b"Eriks version"

    # DELETE: to the trash.
    assert anna.delete(moved).status_code == 204
    assert anna.get(moved).status_code == 404
    trash = api.get(f"/api/v1/workspaces/{ws}/documents/trash").json()["items"]
    assert document["id"] in [d["id"] for d in trash]
    # A folder goes with what is in it.
    assert anna.delete(f"/dav/{ws}/Arkiv/").status_code == 204
    assert "Arkiv" not in [f["name"] for f in documents_in(api, ws)["folders"]]


def test_word_saves_through_a_temporary_file(server, world):
    anna, api, ws = world["anna"], world["anna_api"], world["workspace"]
    word = f"Kvartalsrapport{uuid.uuid4().hex[:8]}"
    path = f"/dav/{ws}/rapport.docx"
    assert anna.put(path, content=docx(f"{word} första utkastet")).status_code == 201
    document = next(d for d in documents_in(api, ws)["documents"]["items"] if d["title"] == "rapport.docx")
    # Word writes the new content to a temporary file and renames it over the document.
    temporary = f"/dav/{ws}/~WRL0001.tmp"
    assert anna.put(temporary, content=docx(f"{word} andra utkastet")).status_code == 201
    res = anna.request("MOVE", temporary, headers={"Destination": path, "Overwrite": "T"})
    assert res.status_code == 204, res.text
    same = api.get(f"/api/v1/documents/{document['id']}").json()
    assert same["version"] == 2 and same["title"] == "rapport.docx"
    assert "~WRL0001.tmp" not in [d["title"] for d in documents_in(api, ws)["documents"]["items"]]

    # The text was extracted in the background: search finds the newest version.
    deadline = time.monotonic() + 90
    while True:
        hits = api.get("/api/v1/search", params={"q": word}).json()["results"]
        if any(h["id"] == document["id"] and h["kind"] == "document" and h["documentVersion"] == 2 for h in hits):
            break
        assert time.monotonic() < deadline, f"search never found the document: {hits}"
        time.sleep(1)
    # And a preview was made (LibreOffice, then poppler).
    deadline = time.monotonic() + 120
    while True:
        res = api.get(f"/api/v1/documents/{document['id']}/preview", params={"page": 1})
        if res.status_code == 200:
            assert res.headers["content-type"] == "image/png" and res.content.startswith(b"\x89PNG")
            break
        assert res.status_code == 202, f"{res.status_code} {res.text}"
        assert time.monotonic() < deadline, "no preview within 120 s"
        time.sleep(1)


def test_checked_out_in_the_browser_then_opened_in_word(world):
    anna, api, ws = world["anna"], world["anna_api"], world["workspace"]
    path = f"/dav/{ws}/budget.xlsx"
    assert anna.put(path, content=b"PK\x03\x04 inte riktigt").status_code == 201
    document = next(d for d in documents_in(api, ws)["documents"]["items"] if d["title"] == "budget.xlsx")
    web = api.post(f"/api/v1/documents/{document['id']}/lock")
    assert web.status_code == 200, web.text
    lock_body = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
                 '<D:locktype><D:write/></D:locktype></D:lockinfo>')
    res = anna.request("LOCK", path, content=lock_body)
    assert res.status_code == 200 and res.headers["lock-token"] == f"<{web.json()['token']}>"
    assert anna.put(path, content=b"sparad i Excel", headers={"If": f"(<{web.json()['token']}>)"}).status_code == 204
    assert api.get(f"/api/v1/documents/{document['id']}").json()["version"] == 2


def test_desktop_clutter_is_refused(world):
    anna, ws = world["anna"], world["workspace"]
    assert anna.put(f"/dav/{ws}/.DS_Store", content=b"\0").status_code == 403
    assert anna.put(f"/dav/{ws}/._rapport.docx", content=b"\0").status_code == 403


def test_a_non_member_sees_nothing(server, world):
    ws = world["workspace"]
    sara = dav(server, world["sara_token"])
    assert f"/dav/{ws}/" not in propfind(sara, "/dav/")
    assert sara.request("PROPFIND", f"/dav/{ws}/", headers={"Depth": "0"}).status_code == 404
    assert sara.put(f"/dav/{ws}/intrang.txt", content=b"x").status_code == 404
    assert sara.request("MKCOL", f"/dav/{ws}/Intrång").status_code == 404
    assert sara.get(f"/dav/{ws}/Protokoll/kopia.txt").status_code == 404


# What litmus finds that Communis refuses on purpose (docs/architecture/documents.md, "WebDAV"): dead
# properties are not kept (PROPPATCH answers 403 for them); a LOCK by the person who holds the
# lock gives them that lock (so a document checked out in the browser opens in Word); no shared
# locks and no locks on folders. complex_cond_put and fail_complex_cond_put send an If header
# with two ETags, which litmus cuts off after about 200 characters: our ETags are SHA-256 (64
# hex digits), so the header arrives broken and is refused with 400.
LITMUS_KNOWN = {
    "props": {"propset", "propmanyns", "propget"},
    "locks": {"notowner_lock", "owner_modify", "complex_cond_put", "fail_complex_cond_put", "lock_shared", "lock_collection"},
}


def test_litmus(server, world):
    litmus = shutil.which("litmus")
    assert litmus, "litmus is not installed (.ci/install --test installs Debian's litmus)"
    ws = world["workspace"]
    secret = token(world["anna_api"])
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run([litmus, "-k", f"{server.base_url}/dav/{ws}/", "litmus", secret], cwd=folder, capture_output=True, text=True,
                             timeout=600, env={**os.environ, "TESTS": "basic copymove props locks http"})
    output = run.stdout + run.stderr
    summaries = dict(re.findall(r"<- summary for `(\w+)': of \d+ tests run: \d+ passed, (\d+) failed", output))
    assert set(summaries) == {"basic", "copymove", "props", "locks", "http"}, output
    failed: dict[str, set[str]] = {}
    suite = ""
    for line in output.splitlines():
        if match := re.match(r"-> running `(\w+)'", line):
            suite = match.group(1)
        elif match := re.match(r"\s*\d+\. (\w+)\.*\s.*\bFAIL\b", line):
            failed.setdefault(suite, set()).add(match.group(1))
    for name in ("basic", "copymove", "http"):
        assert summaries[name] == "0", f"litmus {name}: {failed.get(name)}\n{output}"
    for name, known in LITMUS_KNOWN.items():
        assert failed.get(name, set()) <= known, f"litmus {name}: new failures {failed.get(name, set()) - known}\n{output}"
