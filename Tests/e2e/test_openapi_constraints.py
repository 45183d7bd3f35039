"""Every rule docs/openapi.yaml states about input is one the server enforces, and the other
way round: for each operation (those of the identity walk aside), each query parameter with a
range or an enumeration, and each JSON body property with a length, a pattern, a range or an
enumeration, is sent a value that breaks the rule, derived from the document itself; the
answer must be 422 `validation-failed` naming the field (out-of-range pagination is refused,
not clamped). A body that is not JSON must get a status the operation documents (400). Every
answer is also checked against the document by `Checked` (status listed, body valid), so an
undocumented status fails here too. A new operation or a new rule in the document is covered
without touching this file; one whose rule cannot be tested this way must be named in `SKIP`
with the reason."""
from __future__ import annotations

import itertools
import json
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from openapi_walk import DOC, IDENTITY_WALK, METHODS, Checked, resolved
from serverproc import Running

ANNA_PASSWORD = "Katrineholm2026"
CONTROL = "a\u0001b"     # a control character inside a text
BLANK = "   "            # only white space: "empty" once trimmed

# Operations whose input rules are walked elsewhere or need a state this walk does not make.
SKIP = {
    ("post", "/api/v1/invitations/{token}/accept"): "needs a fresh invitation token (test_openapi_conformance walks it)",
    ("post", "/api/v1/session"): "a login: the credentials are checked, not lengths (walked in test_openapi_conformance)",
}


@pytest.fixture(scope="module")
def walk():
    data_dir = Path(tempfile.mkdtemp(prefix="communis-openapi-rules-"))
    server = Running(data_dir, "--demo")
    server.login("anna.lindqvist@katrineholm.se", ANNA_PASSWORD)
    api = Checked(server)
    yield api, resources(api)
    server.stop()


def resources(api: Checked) -> dict[str, str]:
    """Things of Anna's own that the operations' path parameters can name."""
    me = api("GET", "/api/v1/me", expect=200)
    ws = api("POST", "/api/v1/workspaces", {"name": "Regler", "visibility": "open"}, expect=201)["id"]
    thread = api("POST", f"/api/v1/workspaces/{ws}/threads", {"title": "Tråd", "body": "Text"}, expect=201)["result"]
    blog = api("POST", f"/api/v1/workspaces/{ws}/blog", {"title": "Inlägg", "body": "Text", "publish": True}, expect=201)
    personal = api("POST", "/api/v1/me/blog", {"title": "Eget", "body": "Text", "publish": True}, expect=201)
    article = api("POST", "/api/v1/articles", {"workspaceId": ws, "title": "Lathund", "body": "1. Gör så"}, expect=201)
    meeting = api("POST", f"/api/v1/workspaces/{ws}/meetings", {"title": "Möte"}, expect=201)["id"]
    erik = api("GET", "/api/v1/people?q=erik", expect=200)["items"][0]["id"]
    api("POST", f"/api/v1/workspaces/{ws}/members", {"personId": erik}, expect=201)
    complete = api("GET", "/api/v1/recordings?state=complete", expect=200)["items"]
    return {
        "me": me["id"], "workspace": ws, "thread": thread["thread"]["id"], "post": thread["post"]["id"],
        "blog": blog.get("result", blog)["id"], "personal": personal.get("result", personal)["id"], "article": article["id"], "meeting": meeting, "erik": erik,
        "recording": complete[0]["id"] if complete else "",
    }


def concrete(template: str, ids: dict[str, str]) -> str | None:
    """The template with its path parameters named from `ids` (None when one is unknown)."""
    rules = [
        (r"^/api/v1/workspaces/\{id\}/members/\{personId\}", {"id": "workspace", "personId": "erik"}),
        (r"^/api/v1/workspaces/\{id\}", {"id": "workspace"}),
        (r"^/api/v1/threads/\{id\}", {"id": "thread"}),
        (r"^/api/v1/posts/\{id\}", {"id": "post"}),
        (r"^/api/v1/blog/\{id\}", {"id": "blog"}),
        (r"^/api/v1/me/blog/\{id\}", {"id": "personal"}),
        (r"^/api/v1/people/\{id\}/blog/\{post\}", {"id": "me", "post": "personal"}),
        (r"^/api/v1/people/\{id\}", {"id": "me"}),
        (r"^/api/v1/admin/users/\{id\}", {"id": "erik"}),
        (r"^/api/v1/articles/\{id\}/revisions/\{number\}", {"id": "article", "number": "1"}),
        (r"^/api/v1/articles/\{id\}", {"id": "article"}),
        (r"^/api/v1/meetings/\{id\}", {"id": "meeting"}),
        (r"^/api/v1/recordings/\{id\}", {"id": "recording"}),
    ]
    for pattern, names in rules:
        if re.match(pattern, template):
            path = template
            for parameter, key in names.items():
                value = ids.get(key, key) if not key.isdigit() else key
                if not value:
                    return None
                path = path.replace("{" + parameter + "}", value)
            return None if "{" in path else path
    return None if "{" in template else template


def operations():
    for template, item in DOC["paths"].items():
        for method, operation in item.items():
            if method in METHODS and (method, template) not in IDENTITY_WALK and (method, template) not in SKIP:
                parameters = [resolved(p) for p in item.get("parameters", []) + operation.get("parameters", [])]
                yield method, template, operation, parameters


def breaking(schema: dict, ids: dict[str, str] | None = None) -> list[tuple[str, object]]:
    """(rule, value) pairs: one value per rule of `schema` that breaks only that rule. For an
    array: too many items, and one item breaking each rule of the item's own properties."""
    schema = resolved(schema)
    values: list[tuple[str, object]] = []
    if schema.get("type") == "array" and ids is not None:
        items = resolved(schema.get("items", {}))
        if items.get("type") == "object":
            valid = {k: sample(k, v, ids) for k, v in items.get("properties", {}).items() if k in items.get("required", [])}
            if "maxItems" in schema:
                values.append(("maxItems", [valid] * (schema["maxItems"] + 1)))
            for name, property_schema in items.get("properties", {}).items():
                for rule, value in breaking(property_schema, ids):
                    values.append((f"items.{name}.{rule}", [{**valid, name: value}]))
        elif "maxItems" in schema:
            values.append(("maxItems", ["x"] * (schema["maxItems"] + 1)))
    if "enum" in schema:
        values.append(("enum", "no-such-value" if all(isinstance(v, str) for v in schema["enum"]) else -987654))
    if "minimum" in schema:
        values.append(("minimum", schema["minimum"] - 1))
    if "maximum" in schema:
        values.append(("maximum", schema["maximum"] + 1))
    if schema.get("minLength", 0) >= 1:
        values.append(("minLength", ""))
    if "maxLength" in schema:
        values.append(("maxLength", "x" * (schema["maxLength"] + 1)))
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])
        for value in (CONTROL, BLANK):
            if not pattern.search(value):
                values.append(("pattern", value))
    return values


def sample(name: str, schema: dict, ids: dict[str, str], counter=itertools.count()) -> object:
    """A value that keeps every rule of `schema` (for the properties not under test)."""
    schema = resolved(schema)
    special = {
        "email": lambda: f"regel{next(counter)}@partner.se", "personId": lambda: ids["erik"],
        "password": lambda: "EttLångtLösen2026", "newPassword": lambda: "EttLångtLösen2026",
        "currentPassword": lambda: ANNA_PASSWORD, "baseRevision": lambda: 1, "q": lambda: "text",
    }
    if name in special:
        return special[name]()
    if "enum" in schema:
        return schema["enum"][-1] if name == "role" else schema["enum"][0]
    kind = schema.get("type", "string")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "boolean":
        return False
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if schema.get("format") == "date-time":
        return "2030-01-01T09:00:00Z"
    if schema.get("format") == "date":
        return "2030-01-31"
    return "Giltig text"


def body_schema(operation: dict) -> dict | None:
    body = operation.get("requestBody")
    if not body:
        return None
    content = resolved(body).get("content", {})
    return resolved(content["application/json"]["schema"]) if "application/json" in content else None


def named(payload: dict, field: str) -> bool:
    return any(e.get("field", "").split(".")[0] == field for e in payload.get("errors") or [])


def test_every_documented_query_rule_is_enforced(walk):
    api, ids = walk
    checked = 0
    for method, template, operation, parameters in operations():
        path = concrete(template, ids)
        if path is None or method == "head":
            continue  # HEAD answers have no body to name the field; GET of the same path is walked
        required = {p["name"]: sample(p["name"], p.get("schema", {}), ids)
                    for p in parameters if p["in"] == "query" and p.get("required")}
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            for rule, value in breaking(parameter.get("schema", {})):
                query = urllib.parse.urlencode({**required, parameter["name"]: value})
                body = None
                schema = body_schema(operation)
                if schema is not None:
                    body = {k: sample(k, v, ids) for k, v in schema.get("properties", {}).items() if k in schema.get("required", [])}
                answer = api(method.upper(), f"{path}?{query}", body, expect=422)
                assert named(answer, parameter["name"]), f"{method} {template} {parameter['name']} ({rule}): {answer}"
                checked += 1
    # limit and offset of every paged list, search's sort and limit, the enumerations …
    assert checked >= 40, checked


def test_every_documented_body_rule_is_enforced(walk):
    api, ids = walk
    checked = 0
    for method, template, operation, _ in operations():
        schema = body_schema(operation)
        path = concrete(template, ids)
        if schema is None or path is None:
            continue
        properties = schema.get("properties", {})
        # The required properties, and the revision an article edit starts from (PUT needs it).
        base = {k: sample(k, v, ids) for k, v in properties.items() if k in schema.get("required", []) or k == "baseRevision"}
        for name, property_schema in properties.items():
            for rule, value in breaking(property_schema, ids):
                body = {**base, name: value}
                answer = api(method.upper(), path, body, expect=422)
                assert named(answer, name), f"{method} {template} {name} ({rule}, {value!r:.20}): {answer}"
                checked += 1
    assert checked >= 60, checked


def test_a_body_that_is_not_json_gets_a_documented_answer(walk):
    api, ids = walk
    checked = 0
    for method, template, operation, _ in operations():
        path = concrete(template, ids)
        if body_schema(operation) is None or path is None:
            continue
        request = urllib.request.Request(api.server.base + path, data=b'{"title": "oavslutat', method=method.upper())
        request.add_header("Content-Type", "application/json")
        request.add_header("X-CSRF-Token", api.server.csrf)
        try:
            with api.server.opener.open(request, timeout=10) as response:
                status, content_type, raw = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            status, content_type, raw = error.code, error.headers.get("Content-Type", ""), error.read()
        api.check(method.upper(), path, status, content_type, json.loads(raw) if raw else {}, expect=400)
        checked += 1
    assert checked >= 25, checked


def test_a_path_parameter_that_cannot_be_decoded_gets_a_documented_answer(walk):
    """`%ZZ` is no percent-encoding: such an id cannot exist, so the answer is one the operation
    documents (404; 410 for a token link), never a 400 the document does not list (web/ file serving once answered
    those for API paths)."""
    api, _ = walk
    checked = 0
    for method, template, operation, _ in operations():
        if method != "get" or "{" not in template or template.startswith("/api/v1/admin/"):
            continue
        path = re.sub(r"\{[^}]+\}", "%ZZ", template)
        status, content_type, payload = api.request_with_headers("GET", path, None, {})
        api.check("GET", path, status, content_type, payload, expect=None)
        assert status in (404, 410), f"GET {path}: {status} {payload}"   # 410: a token link no longer valid
        checked += 1
    assert checked >= 20, checked
