"""What the OpenAPI walks share (test_openapi_conformance.py, test_openapi_identity.py): the
document, and a client that calls a real server and checks every answer against it — a status
the document lists for that operation, the response headers it marks as required, and a body
that validates against the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses).
Atom feeds are parsed as XML, Prometheus text line by line, CSV as RFC 4180."""
from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from email.message import Message
from http.cookiejar import CookieJar

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import REPO
from serverproc import Running

DOC = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text())
BASE = "urn:communis:openapi"
REGISTRY = Registry().with_resource(BASE, Resource.from_contents(DOC, default_specification=DRAFT202012))
JSON_MEDIA = {"application/json", "application/problem+json"}
ATOM_MEDIA = "application/atom+xml"
ATOM = "{http://www.w3.org/2005/Atom}"
PROMETHEUS_MEDIA = "text/plain"
AUDIO_MEDIA = "audio/ogg"
CSV_MEDIA = "text/csv"
METHODS = {"get", "head", "post", "put", "patch", "delete"}

# The operations test_openapi_identity.py walks (against a server with a directory, an OpenID
# Connect provider and e-mail); test_openapi_conformance.py walks every other one.
IDENTITY_WALK = {
    ("get", "/api/v1/auth/options"), ("get", "/api/v1/auth/oidc/login"), ("get", "/api/v1/auth/oidc/callback"),
    ("post", "/api/v1/password-reset"), ("get", "/api/v1/password-reset/{token}"), ("post", "/api/v1/password-reset/{token}"),
    ("get", "/api/v1/me/sessions"), ("delete", "/api/v1/me/sessions"), ("delete", "/api/v1/me/sessions/{id}"),
    ("get", "/api/v1/admin/users/{id}"), ("get", "/api/v1/admin/users/{id}/sessions"), ("delete", "/api/v1/admin/users/{id}/sessions"),
    ("delete", "/api/v1/admin/users/{id}/sessions/{sessionId}"), ("delete", "/api/v1/admin/users/{id}/tokens/{tokenId}"),
    ("get", "/api/v1/admin/directory"), ("post", "/api/v1/admin/directory/sync"), ("get", "/api/v1/admin/groups"),
    ("post", "/api/v1/admin/mail/test"), ("get", "/api/v1/admin/group-rules"), ("post", "/api/v1/admin/group-rules"),
    ("post", "/api/v1/admin/group-rules/preview"), ("get", "/api/v1/admin/group-rules/{id}/delete-preview"),
    ("delete", "/api/v1/admin/group-rules/{id}"), ("get", "/api/v1/admin/audit"), ("get", "/api/v1/admin/audit/export"),
}

# Walked by test_push.py, against a server that accepts the test's http:// push service.
PUSH_WALK = {
    ("get", "/api/v1/push/vapid-public-key"), ("get", "/api/v1/push/subscriptions"), ("post", "/api/v1/push/subscriptions"),
    ("delete", "/api/v1/push/subscriptions/{id}"), ("post", "/api/v1/push/test"),
}


def decode(content_type: str, raw: bytes) -> dict | str:
    """A JSON body as a dict (empty for none); any other body as text."""
    media = content_type.split(";")[0].strip()
    if not raw:
        return {}
    if media in JSON_MEDIA:
        return json.loads(raw)
    if media.startswith("audio/"):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # a stored file (documents' content), checked as bytes


def atom_feed(text: str) -> ElementTree.Element:
    """Parses an Atom document (RFC 4287) and checks the elements Communis always gives a feed
    and each of its entries."""
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == ATOM + "feed", f"the root element is {root.tag}, not an Atom feed"
    for element in ("id", "title", "updated"):
        assert root.find(ATOM + element) is not None, f"the feed has no <{element}>"
    for entry in root.findall(ATOM + "entry"):
        for element in ("id", "title", "updated", "author", "content"):
            assert entry.find(ATOM + element) is not None, f"an entry has no <{element}>"
    return root


def atom_titles(text: str) -> list[str]:
    return [entry.findtext(ATOM + "title") for entry in atom_feed(text).findall(ATOM + "entry")]


def prometheus_text(where: str, text: dict | str) -> dict[str, float]:
    """Checks a Prometheus text exposition (format 0.0.4): every line is `# HELP name text`,
    `# TYPE name gauge|counter`, or `name value`, each sample after its TYPE, a final newline.
    Returns the samples."""
    assert isinstance(text, str) and text.endswith("\n"), f"{where}: not Prometheus text ending in a newline"
    typed: set[str] = set()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert re.match(r"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S", line), f"{where}: bad HELP line {line!r}"
        elif line.startswith("# TYPE "):
            match = re.match(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter)$", line)
            assert match, f"{where}: bad TYPE line {line!r}"
            typed.add(match.group(1))
        else:
            # A sample may carry labels: name{label="value",…} value.
            match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9]+(\.[0-9]+)?)$', line)
            assert match, f"{where}: bad sample line {line!r}"
            assert match.group(1) in typed, f"{where}: {match.group(1)} has no TYPE line before it"
            samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return samples


def csv_rows(where: str, text: dict | str) -> list[list[str]]:
    """An RFC 4180 CSV body: CRLF line ends, every row as wide as the header. Returns the rows,
    the header first (without a leading byte-order mark)."""
    assert isinstance(text, str) and text.endswith("\r\n"), f"{where}: not CSV text ending in CRLF"
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows and all(len(row) == len(rows[0]) for row in rows), f"{where}: rows of different widths"
    return rows


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def resolved(node: dict) -> dict:
    """A `$ref` to somewhere in the document, followed."""
    while "$ref" in node:
        target = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def template_of(method: str, path: str) -> str:
    """The documented path template that matches a concrete path."""
    concrete = path.split("?")[0]
    for template, operations in DOC["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, concrete) and method.lower() in operations:
            return template
    raise AssertionError(f"{method} {concrete} is not in docs/openapi.yaml")


def documented_operations() -> set[tuple[str, str]]:
    return {(m, p) for p, ops in DOC["paths"].items() for m in ops if m in METHODS}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to check, not to follow (the OIDC login's 302s)."""

    def redirect_request(self, *args, **kwargs):
        return None


class Checked:
    """Calls the server and checks each answer against the document. `headers` holds the
    last answer's headers."""

    def __init__(self, server: Running):
        self.server = server
        self.seen: set[tuple[str, str]] = set()
        self.headers = Message()

    def __call__(self, method: str, path: str, body: dict | None = None, expect: int | None = None,
                 headers: dict[str, str] | None = None) -> dict | str:
        status, content_type, payload = self.request_with_headers(method, path, body, headers or {})
        return self.check(method, path, status, content_type, payload, expect, self.headers)

    def request_with_headers(self, method: str, path: str, body: dict | None, headers: dict[str, str]) -> tuple[int, str, dict | str]:
        """Like `Running.request`, with extra request headers (such as `Idempotency-Key`), and
        bodies other than JSON (Atom feeds, CSV) returned as text."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.server.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.server.csrf)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with self.server.opener.open(request, timeout=10) as response:
                self.headers = response.headers
                content_type = response.headers.get("Content-Type", "")
                return response.status, content_type, decode(content_type, response.read())
        except urllib.error.HTTPError as error:
            self.headers = error.headers
            content_type = error.headers.get("Content-Type", "")
            return error.code, content_type, decode(content_type, error.read())

    def raw(self, method: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
            expect: int | None = None) -> dict | str | bytes:
        """A request whose body is bytes (tus PATCH), checked like every other answer."""
        request = urllib.request.Request(self.server.base + path, data=data, method=method)
        if self.server.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.server.csrf)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.server.opener.open(request, timeout=10) as response:
                self.headers = response.headers
                status, content_type, raw = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            self.headers = error.headers
            status, content_type, raw = error.code, error.headers.get("Content-Type", ""), error.read()
        return self.check(method, path, status, content_type, decode(content_type, raw), expect, self.headers)

    def live(self, expect: int, headers: dict[str, str] | None = None, upgrade: bool = True) -> tuple[dict, bytes]:
        """`GET /api/v1/live` over a raw socket (urllib cannot upgrade), with this client's
        cookies. Returns the checked body and, after a 101, the first bytes of the WebSocket."""
        host, port = urllib.parse.urlsplit(self.server.base).netloc.rsplit(":", 1)
        lines = [f"GET /api/v1/live HTTP/1.1", f"Host: {host}:{port}"]
        if upgrade:
            lines += ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                      "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode()]
        else:
            lines += ["Connection: close"]
        cookies = [c for h in self.server.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor) for c in h.cookiejar]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{c.name}={c.value}" for c in cookies))
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(65536)
                assert chunk, f"connection closed before an answer: {received!r}"
                received += chunk
            head, rest = received.split(b"\r\n\r\n", 1)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ")[1])
            answer = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in header_lines)}
            if status == 101:
                while len(rest) < 2:  # the first frame (welcome) follows at once
                    rest += connection.recv(65536)
                return self.check("GET", "/api/v1/live", status, "", {}, expect), rest
            length = int(answer.get("content-length", "0"))
            while len(rest) < length:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                rest += chunk
        payload = json.loads(rest[:length]) if length else {}
        return self.check("GET", "/api/v1/live", status, answer.get("content-type", ""), payload, expect), b""

    def check(self, method: str, path: str, status: int, content_type: str, payload: dict | str, expect: int | None,
              headers: Message | None = None) -> dict | str:
        if expect is not None:
            assert status == expect, f"{method} {path}: {status} {payload}"
        template = template_of(method, path)
        self.seen.add((method.lower(), template))
        responses = DOC["paths"][template][method.lower()]["responses"]
        assert str(status) in responses, f"{method} {template} answered {status}, which the document does not list"
        location = ("paths", template, method.lower(), "responses", str(status))
        response = responses[str(status)]
        if "$ref" in response:
            name = response["$ref"].split("/")[-1]
            location = ("components", "responses", name)
            response = DOC["components"]["responses"][name]
        for name, header in response.get("headers", {}).items():
            header = resolved(header)
            if headers is not None and header.get("required"):
                value = headers.get(name)
                assert value is not None, f"{method} {template} {status}: the required header {name} is missing"
                if header.get("schema", {}).get("type") == "integer":
                    assert value.isdigit(), f"{method} {template} {status}: {name}: {value!r} is not a whole number"
        content = response.get("content")
        if not content:
            assert payload == {}, f"{method} {template} {status} has an undocumented body"
            return payload
        media = content_type.split(";")[0].strip()
        where = f"{method} {template} {status}"
        if media not in content and "*/*" in content:
            # A stored file served with its own media type (documents' content).
            assert isinstance(payload, (bytes, str)) and payload, f"{where}: an empty file body"
            return payload
        assert media in content, f"{method} {template} {status}: {media} is not documented ({list(content)})"
        if media == ATOM_MEDIA:
            assert isinstance(payload, str) and payload, f"{where}: an empty Atom body"
            try:
                atom_feed(payload)
            except ElementTree.ParseError as error:
                raise AssertionError(f"{where}: not well-formed XML: {error}") from None
        elif media == PROMETHEUS_MEDIA:
            prometheus_text(where, payload)
        elif media == CSV_MEDIA:
            csv_rows(where, payload)
        elif media == AUDIO_MEDIA:
            assert isinstance(payload, bytes) and payload, f"{where}: an empty audio body"
            if status == 200:
                assert payload.startswith(b"OggS"), f"{where}: not an Ogg stream"
            return payload
        else:
            assert media in JSON_MEDIA, f"{where}: no check for bodies of type {media}"
        ref = BASE + "#/" + pointer(*location, "content", media, "schema")
        errors = sorted(Draft202012Validator({"$ref": ref}, registry=REGISTRY).iter_errors(payload), key=str)
        assert not errors, f"{where}: {errors[0].message} at {list(errors[0].absolute_path)}"
        return payload


def another_client(server: Running, cookies: bool = True) -> Running:
    """A second client of the same server process, with its own cookies (or none). It does
    not follow redirects."""
    client = Running.__new__(Running)
    client.__dict__.update(server.__dict__)
    handlers = [urllib.request.HTTPCookieProcessor(CookieJar())] if cookies else []
    client.opener = urllib.request.build_opener(NoRedirects(), *handlers)
    client.csrf = None
    return client


def cookie(client: Running, name: str) -> str | None:
    """The value of a cookie the client holds."""
    for handler in client.opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            for stored in handler.cookiejar:
                if stored.name == name:
                    return stored.value
    return None
