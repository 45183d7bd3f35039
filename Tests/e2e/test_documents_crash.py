"""`kill -9` during uploads loses no acknowledged version: the real binary takes resumable
(tus) uploads from several clients at once — new documents and new versions — and is killed
with SIGKILL in the middle. After a restart on the same folders every version whose final
PATCH was answered is there, complete (its bytes' SHA-256 is the recorded one), no version
of any document names a file that is missing or different on disk, and an upload that was
interrupted resumes from the offset the server reports and becomes a document."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from serverproc import Running

PASSWORD = "Katrineholm2026"
CHUNK = 64 * 1024


class Client:
    """A tus client with a bearer token (no cookies: threads share nothing)."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.token = token

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
                timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def create(self, length: int, **metadata: str) -> str:
        pairs = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())
        status, headers, body = self.request("POST", "/api/v1/uploads", None, {
            "Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Upload-Metadata": pairs})
        assert status == 201, (status, body)
        return headers["Location"]

    def patch(self, location: str, offset: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
        return self.request("PATCH", location, data, {
            "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})

    def offset(self, location: str) -> int:
        status, headers, _ = self.request("HEAD", location, None, {"Tus-Resumable": "1.0.0"})
        assert status == 200, status
        return int(headers["Upload-Offset"])


def start(data_dir: Path) -> Running:
    return Running(data_dir, "--demo", env={"COMMUNIS_DOCUMENTS_MIN_FREE_MB": "0"})


def token_for(server: Running) -> str:
    server.login("anna.lindqvist@katrineholm.se", PASSWORD)
    status, body = server.call("POST", "/api/v1/tokens", {"name": f"crash-{os.getpid()}"})
    assert status == 201, body
    return body["token"]


def test_kill_9_during_uploads_loses_no_acknowledged_version():
    data_dir = Path(tempfile.mkdtemp(prefix="communis-documents-crash-"))
    server = start(data_dir)
    client = Client(server.base, token_for(server))
    status, body = server.call("POST", "/api/v1/workspaces", {"name": "Kraschprov", "visibility": "closed"})
    assert status == 201, body
    workspace = body["id"]

    acknowledged: list[tuple[str, int, str]] = []   # (document, version, sha256) whose last PATCH was answered
    lock = threading.Lock()
    stop = threading.Event()

    # One upload left half done on purpose: its acknowledged bytes must survive the kill.
    interrupted_bytes = os.urandom(700_000)
    interrupted = client.create(len(interrupted_bytes), filename="Halvfärdig.bin", workspace=workspace)
    status, headers, _ = client.patch(interrupted, 0, interrupted_bytes[:300_000])
    assert status == 204 and headers["Upload-Offset"] == "300000"

    def uploader(number: int) -> None:
        rng = random.Random(number)
        document: str | None = None
        round_ = 0
        while not stop.is_set():
            round_ += 1
            data = rng.randbytes(rng.randint(1, 40) * 37_000 + rng.randint(0, 999))
            try:
                if document is None:
                    location = client.create(len(data), filename=f"Fil {number}-{round_}.bin", workspace=workspace)
                else:
                    location = client.create(len(data), filename=f"Fil {number}.bin", document=document)
                offset = 0
                while offset < len(data):
                    status, headers, body = client.patch(location, offset, data[offset:offset + CHUNK])
                    assert status == 204, (status, body)
                    offset = int(headers["Upload-Offset"])
                document = headers["Communis-Document-Id"]
                with lock:
                    acknowledged.append((document, int(headers["Communis-Document-Version"]), hashlib.sha256(data).hexdigest()))
            except (OSError, urllib.error.URLError, AssertionError, KeyError):
                if stop.is_set():
                    return  # killed: what was not answered was never promised
                raise

    threads = [threading.Thread(target=uploader, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.uniform(0.05, 0.4))   # somewhere inside the next uploads
    stop.set()
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 12, f"too few uploads before the kill: {len(acknowledged)}\n{server.log()}"

    server = start(data_dir)
    client = Client(server.base, token_for(server))

    # Every acknowledged version is there, with exactly its bytes.
    for document, version, sha in acknowledged:
        status, _, body = client.request("GET", f"/api/v1/documents/{document}/content?version={version}")
        assert status == 200, (document, version, status, body[:200])
        assert hashlib.sha256(body).hexdigest() == sha, (document, version)

    # No version of any document names a missing or different file.
    blobs = data_dir / "documents" / "blobs"
    status, _, raw = client.request("GET", f"/api/v1/workspaces/{workspace}/documents?limit=100")
    assert status == 200
    listed = json.loads(raw)["documents"]["items"]
    assert {d for d, _, _ in acknowledged} <= {d["id"] for d in listed}
    for document in listed:
        status, _, raw = client.request("GET", f"/api/v1/documents/{document['id']}/versions")
        for version in json.loads(raw)["versions"]:
            path = blobs / version["sha256"][:2] / version["sha256"]
            assert path.is_file(), f"{document['title']} v{version['number']} names a missing file"
            assert path.stat().st_size == version["size"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == version["sha256"]

    # The interrupted upload resumes where the server says it stands.
    offset = client.offset(interrupted)
    assert offset >= 300_000
    status, headers, body = client.patch(interrupted, offset, interrupted_bytes[offset:])
    assert status == 204, (status, body)
    document = headers["Communis-Document-Id"]
    status, _, content = client.request("GET", f"/api/v1/documents/{document}/content")
    assert status == 200 and hashlib.sha256(content).hexdigest() == hashlib.sha256(interrupted_bytes).hexdigest()
    server.stop()
