"""docs/openapi.yaml stays true: every answer the real server gives in a walk through the API
has a status the document lists for that operation, and a body that validates against the
documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Atom feeds
(`application/atom+xml`) are parsed as XML and must be an Atom `feed` document. The identity
endpoints (directory, OpenID Connect, e-mail, audit) are walked by test_openapi_identity.py;
the checks both walks share are in openapi_walk.py."""
from __future__ import annotations

import base64
import json
import struct
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from livekit import Live
from openapi_walk import DOC, IDENTITY_WALK, PUSH_WALK, Checked, another_client, atom_titles, cookie, documented_operations, prometheus_text
from serverproc import Running


def test_the_document_is_valid_openapi_3_1():
    """Client generators read the whole document, not only what a walk reaches: it must be
    valid OpenAPI 3.1, every `$ref` resolving."""
    errors = [error.message for error in OpenAPIV31SpecValidator(DOC).iter_errors()]
    assert not errors, errors[:5]


@pytest.fixture(scope="module")
def servers():
    data_dir = Path(tempfile.mkdtemp(prefix="communis-openapi-"))
    admin = Running(data_dir, "--demo")
    admin.login("anna.lindqvist@katrineholm.se", "Katrineholm2026")
    yield admin, data_dir
    admin.stop()


SILENCE = bytes([0xF8, 0xFF, 0xFE])  # one 20 ms Opus (CELT) frame of silence


def audio_frame(stream: int, sequence: int) -> bytes:
    """One binary live frame (docs/protocol.md, Audio frames): version 1 Opus, voice at
    -30 dBov, the sender's stream id, sequence number and 48 kHz timestamp, then the packet."""
    return struct.pack(">BBHHI", 0x10, 0x9E, stream, sequence & 0xFFFF, (sequence * 960) & 0xFFFFFFFF) + SILENCE


def speak(live: Live, stream: int, first: int, packets: int) -> int:
    """Sends `packets` frames at the real pace of 20 ms each; returns the next sequence number."""
    for sequence in range(first, first + packets):
        live.ws.send(audio_frame(stream, sequence))
        time.sleep(0.02)
    return first + packets


def test_every_answer_matches_the_document(servers):
    server, data_dir = servers
    api = Checked(server)
    erik_server = another_client(server)
    erik = Checked(erik_server)
    anonymous_server = another_client(server, cookies=False)
    anonymous = Checked(anonymous_server)

    # Session and me
    anonymous("GET", "/api/v1/me", expect=401)
    anonymous("POST", "/api/v1/session", {"email": "anna.lindqvist@katrineholm.se", "password": "fel lösenord"}, expect=401)
    anonymous("POST", "/api/v1/session", {"email": "x"}, expect=422)
    session = erik("POST", "/api/v1/session", {"login": "erik.johansson@katrineholm.se", "password": "Katrineholm2026"}, expect=200)
    assert session["user"]["login"] is None and session["user"]["managedBy"] is None  # a local account (no directory here)
    erik_server.csrf = session["csrfToken"]
    api("GET", "/api/v1/session", expect=200)
    me = api("GET", "/api/v1/me", expect=200)
    api("PATCH", "/api/v1/me", {"phone": "0150-123 45", "competences": ["GIS"]}, expect=200)
    api("PATCH", "/api/v1/me", {"title": "x" * 121}, expect=422)
    erik("PUT", "/api/v1/me/password", {"currentPassword": "fel", "newPassword": "NyttLösen2027"}, expect=422)

    # Tokens
    token = api("POST", "/api/v1/tokens", {"name": "Skript"}, expect=201)
    api("GET", "/api/v1/tokens", expect=200)
    api("DELETE", f"/api/v1/tokens/{token['id']}", expect=204)
    api("DELETE", f"/api/v1/tokens/{token['id']}", expect=404)

    # People
    people = api("GET", "/api/v1/people?q=a&limit=5", expect=200)
    api("GET", "/api/v1/people/facets", expect=200)
    api("GET", f"/api/v1/people/{people['items'][0]['id']}", expect=200)
    api("GET", "/api/v1/people/00000000-0000-0000-0000-000000000000", expect=404)
    api("GET", f"/api/v1/people/{people['items'][0]['id']}/presence", expect=200)
    api("GET", "/api/v1/people/00000000-0000-0000-0000-000000000000/presence", expect=404)

    # Workspaces
    api("GET", "/api/v1/workspaces?scope=mine", expect=200)
    api("GET", "/api/v1/workspaces?scope=discover", expect=200)
    api("GET", "/api/v1/workspaces?scope=all", expect=422)
    ws = api("POST", "/api/v1/workspaces", {"name": "Kontrakt", "description": "Prov", "visibility": "closed"}, expect=201)
    api("POST", "/api/v1/workspaces", {"name": "", "visibility": "closed"}, expect=422)
    api("GET", f"/api/v1/workspaces/{ws['id']}", expect=200)
    api("PATCH", f"/api/v1/workspaces/{ws['id']}", {"description": "Ändrad"}, expect=200)
    erik("PATCH", f"/api/v1/workspaces/{ws['id']}", {"description": "Kapad"}, expect=403)
    erik("GET", f"/api/v1/workspaces/{ws['id']}/members", expect=403)
    erik("POST", f"/api/v1/workspaces/{ws['id']}/join", expect=202)
    erik("POST", f"/api/v1/workspaces/{ws['id']}/join", expect=409)
    api("GET", f"/api/v1/workspaces/{ws['id']}/requests", expect=200)
    erik_id = session["user"]["id"]
    api("POST", f"/api/v1/workspaces/{ws['id']}/requests/{erik_id}/approve", expect=201)
    api("GET", f"/api/v1/workspaces/{ws['id']}/members", expect=200)
    api("PATCH", f"/api/v1/workspaces/{ws['id']}/members/{erik_id}", {"role": "owner"}, expect=200)
    api("DELETE", f"/api/v1/workspaces/{ws['id']}/members/{erik_id}", expect=204)
    sara = api("GET", "/api/v1/people?q=sara", expect=200)["items"][0]
    api("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": sara["id"]}, expect=201)
    api("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": sara["id"]}, expect=409)
    open_ws = api("POST", "/api/v1/workspaces", {"name": "Öppen kontrakt", "visibility": "open"}, expect=201)
    erik("POST", f"/api/v1/workspaces/{open_ws['id']}/join", expect=201)
    erik("POST", f"/api/v1/workspaces/{open_ws['id']}/join", expect=409)
    erik("DELETE", f"/api/v1/workspaces/{ws['id']}/requests/{erik_id}", expect=404)
    api("DELETE", f"/api/v1/workspaces/{ws['id']}/members/{me['id']}", expect=409)

    # Guests and invitations
    invitation = api("POST", f"/api/v1/workspaces/{ws['id']}/guests", {"email": "gast@partner.se", "name": "Gäst Gästsson"}, expect=201)
    tok = invitation["inviteUrl"].split("/#/invitation/")[1]
    anonymous("GET", f"/api/v1/invitations/{tok}", expect=200)
    anonymous("POST", f"/api/v1/invitations/{tok}/accept", {"password": "kort"}, expect=422)
    anonymous("POST", f"/api/v1/invitations/{tok}/accept", {"password": "GästLösen2026"}, expect=200)
    anonymous("POST", f"/api/v1/invitations/{tok}/accept", {"password": "GästLösen2026"}, expect=410)
    anonymous("GET", "/api/v1/invitations/okand", expect=410)
    guest_server = another_client(server)
    guest_server.login("gast@partner.se", "GästLösen2026")
    guest = Checked(guest_server)
    # A guest sees a co-member's name and title, no contact details; anyone else is 403.
    seen = guest("GET", f"/api/v1/people/{sara['id']}", expect=200)
    assert seen["name"] == sara["name"] and seen["email"] is None and seen["phone"] == "" and seen["department"] == ""
    guest("GET", f"/api/v1/people/{erik_id}", expect=403)
    members = guest("GET", f"/api/v1/workspaces/{ws['id']}/members", expect=200)["items"]
    assert [m["person"]["department"] for m in members if m["person"]["id"] == sara["id"]] == [""], members

    # Discussions: threads, posts, edits, revisions, reactions
    nobody = "00000000-0000-0000-0000-000000000000"
    anonymous("GET", f"/api/v1/workspaces/{open_ws['id']}/threads", expect=401)
    opening_body = f"Hej @[Erik Johansson](person:{erik_id}), kan du titta på schemat?"
    thread_key = {"Idempotency-Key": "kontrakt-trad-1"}
    created = api("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "Läsårsstart", "body": opening_body},
                  headers=thread_key, expect=201)
    assert created["duplicate"] is False
    thread, opening = created["result"]["thread"], created["result"]["post"]
    assert "parentId" not in opening and "editedAt" not in opening and "deletedBy" not in opening
    repeated = api("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "Läsårsstart", "body": opening_body},
                   headers=thread_key, expect=200)
    assert repeated["duplicate"] is True and repeated["result"]["thread"]["id"] == thread["id"] and repeated["seq"] == created["seq"]
    api("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "", "body": " "}, expect=422)
    api("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "x" * 201, "body": "Text"}, expect=422)
    api("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "Nyckel", "body": "Text"},
        headers={"Idempotency-Key": "k" * 101}, expect=422)
    api("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "Utan text"}, expect=422)
    erik("POST", f"/api/v1/workspaces/{ws['id']}/threads", {"title": "Inte medlem", "body": "Text"}, expect=403)
    erik("GET", f"/api/v1/workspaces/{ws['id']}/threads", expect=403)
    secret_ws = api("POST", "/api/v1/workspaces", {"name": "Hemlig kontrakt", "visibility": "secret"}, expect=201)
    erik("GET", f"/api/v1/workspaces/{secret_ws['id']}/threads", expect=404)
    erik("POST", f"/api/v1/workspaces/{secret_ws['id']}/threads", {"title": "Hemligt", "body": "Text"}, expect=404)
    guest_thread = guest("POST", f"/api/v1/workspaces/{ws['id']}/threads", {"title": "Från gästen", "body": "Hej från partnern"}, expect=201)
    guest("GET", f"/api/v1/workspaces/{ws['id']}/threads", expect=200)
    guest("GET", f"/api/v1/workspaces/{open_ws['id']}/threads", expect=404)

    # Search
    found = api("GET", "/api/v1/search?q=fran%20gasten&limit=1", expect=200)
    assert found["results"] and any(seg["match"] for seg in found["results"][0]["snippet"])
    api("GET", f"/api/v1/search?q=hej&type=discussion,blog,person&workspace={ws['id']}&sort=newest&from=2000-01-01&to=2100-01-01&includeArchived=true", expect=200)
    if "nextCursor" in found:
        api("GET", f"/api/v1/search?q=fran%20gasten&limit=1&cursor={found['nextCursor']}", expect=200)
    api("GET", "/api/v1/search?q=%22NEAR(", expect=422)
    assert guest("GET", "/api/v1/search?q=sara&type=person", expect=200)["results"] == []
    anonymous("GET", "/api/v1/search?q=hej", expect=401)
    guest("GET", f"/api/v1/threads/{thread['id']}", expect=404)
    listed = erik("GET", f"/api/v1/workspaces/{open_ws['id']}/threads?limit=5", expect=200)
    assert [t["id"] for t in listed["items"]] == [thread["id"]]
    api("GET", f"/api/v1/workspaces/{open_ws['id']}/threads?limit=many", expect=422)
    api("GET", f"/api/v1/threads/{guest_thread['result']['thread']['id']}", expect=200)
    api("GET", f"/api/v1/threads/{nobody}", expect=404)
    erik("GET", f"/api/v1/threads/{thread['id']}/posts", expect=200)
    api("GET", f"/api/v1/threads/{nobody}/posts", expect=404)

    reply_key = {"Idempotency-Key": "kontrakt-svar-1"}
    answered = erik("POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "Jag tar det!", "parentId": opening["id"]},
                    headers=reply_key, expect=201)
    reply = answered["result"]["post"]
    assert reply["parentId"] == opening["id"] and "editedAt" not in reply
    again = erik("POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "Jag tar det!", "parentId": opening["id"]},
                 headers=reply_key, expect=200)
    assert again["duplicate"] is True and again["result"]["post"]["id"] == reply["id"]
    erik("POST", f"/api/v1/workspaces/{open_ws['id']}/threads", {"title": "Samma nyckel", "body": "Text"}, headers=reply_key, expect=409)
    erik("POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "  \n "}, expect=422)
    erik("POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "x" * 20001}, expect=422)
    erik("POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "Svar", "parentId": nobody}, expect=404)
    erik("POST", f"/api/v1/threads/{nobody}/posts", {"body": "Svar"}, expect=404)
    erik("POST", f"/api/v1/threads/{guest_thread['result']['thread']['id']}/posts", {"body": "Svar"}, expect=403)

    api("PATCH", f"/api/v1/posts/{reply['id']}", {"body": "Kapat"}, expect=403)
    erik("PATCH", f"/api/v1/posts/{reply['id']}", {"body": ""}, expect=422)
    edited = erik("PATCH", f"/api/v1/posts/{reply['id']}", {"body": "Jag tar det – klart på fredag."}, expect=200)
    assert "editedAt" in edited["result"]["post"] and edited["duplicate"] is False
    erik("PATCH", f"/api/v1/posts/{nobody}", {"body": "Text"}, expect=404)
    revisions = api("GET", f"/api/v1/posts/{reply['id']}/revisions", expect=200)
    assert [r["body"] for r in revisions["items"]] == ["Jag tar det!"]
    api("GET", f"/api/v1/posts/{nobody}/revisions", expect=404)

    thumbs, heart = urllib.parse.quote("👍"), urllib.parse.quote("❤️")
    reacted = api("PUT", f"/api/v1/posts/{reply['id']}/reactions/{thumbs}", expect=200)
    assert reacted["result"]["emoji"] == "👍"
    erik("PUT", f"/api/v1/posts/{reply['id']}/reactions/{heart}", expect=200)
    guest("PUT", f"/api/v1/posts/{guest_thread['result']['post']['id']}/reactions/{thumbs}", expect=200)
    api("PUT", f"/api/v1/posts/{reply['id']}/reactions/ok", expect=422)
    api("PUT", f"/api/v1/posts/{reply['id']}/reactions/{thumbs}{thumbs}", expect=422)
    api("PUT", f"/api/v1/posts/{nobody}/reactions/{thumbs}", expect=404)
    guest("PUT", f"/api/v1/posts/{reply['id']}/reactions/{thumbs}", expect=404)
    posts = api("GET", f"/api/v1/threads/{thread['id']}/posts", expect=200)
    assert {r["emoji"]: r["count"] for r in posts["items"][1]["reactions"]} == {"👍": 1, "❤️": 1}
    api("DELETE", f"/api/v1/posts/{reply['id']}/reactions/{thumbs}", expect=204)
    api("DELETE", f"/api/v1/posts/{reply['id']}/reactions/ok", expect=422)
    api("DELETE", f"/api/v1/posts/{nobody}/reactions/{thumbs}", expect=404)

    erik("DELETE", f"/api/v1/posts/{opening['id']}", expect=403)
    api("DELETE", f"/api/v1/posts/{reply['id']}", expect=204)  # an owner of the workspace
    api("DELETE", f"/api/v1/posts/{reply['id']}", expect=404)
    removed = api("GET", f"/api/v1/threads/{thread['id']}/posts", expect=200)["items"][1]
    assert removed["deleted"] is True and removed["body"] == "" and removed["deletedBy"]["id"] == me["id"]
    assert removed["reactions"] == []

    # Home feed and notifications
    first = erik("GET", "/api/v1/feed?limit=1", expect=200)
    assert len(first["items"]) == 1 and "next" in first
    erik("GET", "/api/v1/feed?limit=1&before=" + urllib.parse.quote(first["next"]), expect=200)
    everything = erik("GET", "/api/v1/feed?limit=100", expect=200)
    assert "next" not in everything
    assert {item["type"] for item in everything["items"]} <= {"thread.created", "post.created"}
    erik("GET", "/api/v1/feed?before=inte-en-markor", expect=422)
    anonymous("GET", "/api/v1/feed", expect=401)
    notifications = erik("GET", "/api/v1/notifications", expect=200)
    mention = notifications["items"][0]
    assert mention["kind"] == "mention" and mention["threadId"] == thread["id"] and notifications["unread"] >= 1
    erik("POST", "/api/v1/notifications/read", {"upTo": "2020-01-01T00:00:00Z"}, expect=204)
    assert erik("GET", "/api/v1/notifications?limit=1", expect=200)["unread"] == notifications["unread"]
    erik("POST", "/api/v1/notifications/read", expect=204)
    assert erik("GET", "/api/v1/notifications", expect=200)["unread"] == 0
    anonymous("GET", "/api/v1/notifications", expect=401)
    anonymous("POST", "/api/v1/notifications/read", expect=401)
    erik("GET", "/api/v1/notifications/unread-count", expect=200)
    settings = erik("GET", "/api/v1/me/notification-settings", expect=200)
    erik("PUT", "/api/v1/me/notification-settings", settings, expect=200)
    erik("PUT", "/api/v1/me/notification-settings", {**settings, "timeZone": "Mars/Olympus"}, expect=422)
    anonymous("GET", "/api/v1/me/notification-settings", expect=401)
    erik("PUT", "/api/v1/me/follows/tag/skolstart", expect=204)
    assert {"kind": "tag", "target": "skolstart", "label": "skolstart", "implicit": False} in erik("GET", "/api/v1/me/follows", expect=200)["items"]
    erik("DELETE", "/api/v1/me/follows/tag/skolstart", expect=204)
    erik("PUT", "/api/v1/me/follows/planet/x", expect=422)
    erik("PUT", "/api/v1/me/follows/workspace/00000000-0000-0000-0000-000000000000", expect=404)
    # A review reminder (no actor; no workspace for an organisation-wide article): the demo's
    # "Boka konferensrum i Outlook" (Ahmed's, review by 2026-01-15) is told at start.
    ahmed = Checked(another_client(server))
    ahmed("POST", "/api/v1/session", {"email": "ahmed.hassan@katrineholm.se", "password": "Katrineholm2026"}, expect=200)
    for _ in range(50):
        reminders = [n for n in ahmed("GET", "/api/v1/notifications", expect=200)["items"] if n["kind"] == "review-due"]
        if reminders:
            break
        time.sleep(0.1)
    outlook = next(n for n in reminders if n["title"] == "Boka konferensrum i Outlook")
    assert outlook["reviewBy"] == "2026-01-15" and "workspaceId" not in outlook and "actor" not in outlook, outlook

    # Workspace blogs: drafts only for their author, publishing, comments, deletion
    open_blog = f"/api/v1/workspaces/{open_ws['id']}/blog"
    anonymous("GET", open_blog, expect=401)
    drafted = erik("POST", open_blog, {"title": "Nytt schema", "body": "Ett första utkast."}, expect=201)
    draft = drafted["result"]
    assert draft["status"] == "draft" and draft["workspaceId"] == open_ws["id"] and "publishedAt" not in draft
    assert drafted["duplicate"] is False
    assert draft["id"] not in [p["id"] for p in api("GET", open_blog, expect=200)["items"]]
    assert [p["id"] for p in erik("GET", open_blog + "?limit=5", expect=200)["items"]] == [draft["id"]]
    api("GET", f"/api/v1/blog/{draft['id']}", expect=404)  # someone else's draft
    erik("GET", f"/api/v1/blog/{draft['id']}", expect=200)
    api("PATCH", f"/api/v1/blog/{draft['id']}", {"title": "Kapat", "body": "Text"}, expect=404)
    api("DELETE", f"/api/v1/blog/{draft['id']}", expect=404)  # owners delete published posts only
    erik("POST", f"/api/v1/blog/{draft['id']}/comments", {"body": "För tidigt"}, expect=404)
    erik("PATCH", f"/api/v1/blog/{draft['id']}", {"title": "", "body": "Text"}, expect=422)
    mention_anna = f"Från **måndag** gäller det nya schemat, @[Anna Lindqvist](person:{me['id']})."
    published = erik("PATCH", f"/api/v1/blog/{draft['id']}", {"title": "Så fungerar nya schemat", "body": mention_anna, "publish": True},
                     expect=200)
    blog_post = published["result"]
    assert blog_post["status"] == "published" and "publishedAt" in blog_post and published["seq"] >= 1
    changed = erik("PATCH", f"/api/v1/blog/{blog_post['id']}", {"title": "Så fungerar nya schemat", "body": "Från **måndag**."}, expect=200)
    assert changed["result"]["status"] == "published" and changed["seq"] > published["seq"]  # stays published
    api("PATCH", f"/api/v1/blog/{blog_post['id']}", {"title": "Kapat", "body": "Text"}, expect=403)
    erik("PATCH", f"/api/v1/blog/{nobody}", {"title": "Text", "body": "Text"}, expect=404)
    erik("POST", open_blog, {"title": "", "body": "Text"}, expect=422)
    erik("POST", open_blog, {"title": "x" * 201, "body": "Text"}, expect=422)
    erik("POST", open_blog, {"title": "Utan text"}, expect=422)
    erik("POST", f"/api/v1/workspaces/{ws['id']}/blog", {"title": "Inte medlem", "body": "Text"}, expect=403)
    erik("GET", f"/api/v1/workspaces/{ws['id']}/blog", expect=403)
    erik("GET", f"/api/v1/workspaces/{secret_ws['id']}/blog", expect=404)
    erik("POST", f"/api/v1/workspaces/{secret_ws['id']}/blog", {"title": "Hemligt", "body": "Text"}, expect=404)
    quiet = api("POST", f"/api/v1/workspaces/{secret_ws['id']}/blog", {"title": "Utkast", "body": "Text"}, expect=201)
    assert quiet["seq"] == 0  # a draft is not announced: the workspace's current seq, none yet
    guest_blog = guest("POST", f"/api/v1/workspaces/{ws['id']}/blog", {"title": "Från partnern", "body": "Hej!", "publish": True},
                       expect=201)["result"]
    guest("GET", f"/api/v1/workspaces/{ws['id']}/blog", expect=200)
    guest("GET", open_blog, expect=404)
    guest("GET", f"/api/v1/blog/{blog_post['id']}", expect=404)
    erik("GET", f"/api/v1/blog/{guest_blog['id']}", expect=403)
    api("GET", open_blog + "?limit=many", expect=422)
    api("GET", f"/api/v1/blog/{nobody}", expect=404)

    comments = f"/api/v1/blog/{blog_post['id']}/comments"
    comment_key = {"Idempotency-Key": "kontrakt-bloggkommentar-1"}
    commented = api("POST", comments, {"body": "Tack, tydligt!"}, headers=comment_key, expect=201)
    comment = commented["result"]["post"]
    assert comment["threadId"] == blog_post["id"] and commented["duplicate"] is False and "parentId" not in comment
    repeated = api("POST", comments, {"body": "Tack, tydligt!"}, headers=comment_key, expect=200)
    assert repeated["duplicate"] is True and repeated["result"]["post"]["id"] == comment["id"] and repeated["seq"] == commented["seq"]
    erik("POST", comments, {"body": "Samma nyckel"}, headers=reply_key, expect=409)
    api("POST", comments, {"body": " \n "}, expect=422)
    api("POST", f"/api/v1/blog/{nobody}/comments", {"body": "Text"}, expect=404)
    erik("POST", f"/api/v1/blog/{guest_blog['id']}/comments", {"body": "Text"}, expect=403)
    guest("POST", comments, {"body": "Text"}, expect=404)
    api("PUT", f"/api/v1/posts/{blog_post['id']}/reactions/{heart}", expect=200)  # blog posts take reactions too
    shown = erik("GET", f"/api/v1/blog/{blog_post['id']}?limit=10", expect=200)
    assert shown["blogPost"]["commentCount"] == 1 and [c["id"] for c in shown["comments"]["items"]] == [comment["id"]]
    assert [r["emoji"] for r in shown["blogPost"]["reactions"]] == ["❤️"]
    api("GET", "/api/v1/notifications", expect=200)  # Anna was @mentioned in the published post

    # The home feed lists published blog posts and comments, never drafts
    hidden = erik("POST", open_blog, {"title": "Hemligt utkast", "body": "Bara för mig."}, expect=201)["result"]
    fed = erik("GET", "/api/v1/feed?limit=100", expect=200)["items"]
    assert {"blog.published", "blog.commented"} <= {item["type"] for item in fed}
    assert hidden["id"] not in json.dumps(fed)
    owner_post = api("POST", open_blog, {"title": "Från ägaren", "body": "Välkomna!", "publish": True}, expect=201)["result"]
    erik("DELETE", f"/api/v1/blog/{owner_post['id']}", expect=403)
    api("DELETE", f"/api/v1/blog/{blog_post['id']}", expect=204)  # an owner deletes a published post
    api("DELETE", f"/api/v1/blog/{blog_post['id']}", expect=404)
    erik("GET", f"/api/v1/blog/{blog_post['id']}", expect=404)
    erik("DELETE", f"/api/v1/blog/{hidden['id']}", expect=204)
    api("DELETE", f"/api/v1/blog/{nobody}", expect=404)
    blanked = [item["data"]["blogPost"] for item in erik("GET", "/api/v1/feed?limit=100", expect=200)["items"]
               if item["type"] == "blog.published" and item["data"]["blogPost"]["id"] == blog_post["id"]]
    assert len(blanked) == 1 and blanked[0]["deleted"] is True and blanked[0]["title"] == "" and blanked[0]["body"] == ""

    # Personal blogs: employees only, not live
    mine = erik("POST", "/api/v1/me/blog", {"title": "Tankar efter konferensen", "body": "Tre saker jag tar med mig."}, expect=201)
    assert mine["status"] == "draft" and "workspaceId" not in mine and "publishedAt" not in mine
    erik("POST", "/api/v1/me/blog", {"title": " ", "body": "Text"}, expect=422)
    assert api("GET", f"/api/v1/people/{erik_id}/blog", expect=200)["total"] == 0
    assert [p["id"] for p in erik("GET", f"/api/v1/people/{erik_id}/blog", expect=200)["items"]] == [mine["id"]]
    api("PATCH", f"/api/v1/me/blog/{mine['id']}", {"title": "Kapat", "body": "Text"}, expect=404)
    api("PATCH", f"/api/v1/me/blog/{owner_post['id']}", {"title": "Kapat", "body": "Text"}, expect=404)  # not a personal post
    erik("PATCH", f"/api/v1/me/blog/{mine['id']}", {"title": "", "body": "Text"}, expect=422)
    mine = erik("PATCH", f"/api/v1/me/blog/{mine['id']}", {"title": "Tankar efter konferensen", "body": "Fyra saker.", "publish": True},
                expect=200)
    assert mine["status"] == "published" and "publishedAt" in mine
    assert [p["id"] for p in api("GET", f"/api/v1/people/{erik_id}/blog?limit=5", expect=200)["items"]] == [mine["id"]]
    api("GET", f"/api/v1/people/{erik_id}/blog?offset=-", expect=422)
    api("GET", f"/api/v1/people/{nobody}/blog", expect=404)
    api("GET", f"/api/v1/blog/{mine['id']}", expect=404)  # not a workspace blog post
    api("POST", f"/api/v1/blog/{mine['id']}/comments", {"body": "Text"}, expect=404)
    guest("GET", f"/api/v1/people/{erik_id}/blog", expect=403)
    # Comments and reactions on a personal post
    personal = f"/api/v1/people/{erik_id}/blog/{mine['id']}"
    comment = api("POST", f"{personal}/comments", {"body": "Bra skrivet!"}, expect=201)
    api("POST", f"{personal}/comments", {"body": " "}, expect=422)
    assert api("GET", personal, expect=200)["blogPost"]["commentCount"] == 1
    api("PUT", f"{personal}/reactions/%F0%9F%91%8D", expect=200)
    api("PUT", f"{personal}/reactions/hej", expect=422)
    assert api("DELETE", f"{personal}/reactions/%F0%9F%91%8D", expect=200)["reactions"] == []
    guest("GET", personal, expect=403)
    api("GET", f"/api/v1/people/{nobody}/blog/{mine['id']}", expect=404)
    erik("DELETE", f"{personal}/comments/{comment['id']}", expect=204)
    erik("DELETE", f"{personal}/comments/{comment['id']}", expect=404)
    other = api("POST", f"{personal}/comments", {"body": "Till."}, expect=201)
    guest("DELETE", f"{personal}/comments/{other['id']}", expect=403)
    assert api("GET", personal, expect=200)["comments"]["items"][0]["deleted"] is True
    guest("POST", "/api/v1/me/blog", {"title": "Gästblogg", "body": "Text"}, expect=403)
    guest("PATCH", f"/api/v1/me/blog/{mine['id']}", {"title": "Gästblogg", "body": "Text"}, expect=403)
    assert mine["id"] not in json.dumps(erik("GET", "/api/v1/feed?limit=100", expect=200))

    # Feed tokens and Atom feeds (read without a session: `anonymous` has no cookies)
    first_token = erik("POST", "/api/v1/me/feed-token", expect=201)
    feed_token = erik("POST", "/api/v1/me/feed-token", expect=201)
    assert feed_token["token"] != first_token["token"]
    assert feed_token["feedUrl"].endswith("/feeds/workspaces/{workspaceId}/blog.atom?token=" + feed_token["token"])
    personal_feed = f"/feeds/people/{erik_id}/blog.atom"
    assert atom_titles(anonymous("GET", f"{personal_feed}?token={feed_token['token']}", expect=200)) == ["Tankar efter konferensen"]
    anonymous("GET", f"{personal_feed}?token={first_token['token']}", expect=404)  # replaced by the new token
    anonymous("GET", personal_feed, expect=404)
    anonymous("GET", f"/feeds/people/{nobody}/blog.atom?token={feed_token['token']}", expect=404)
    guest_token = guest("POST", "/api/v1/me/feed-token", expect=201)
    anonymous("GET", f"{personal_feed}?token={guest_token['token']}", expect=404)  # an employee's token is needed
    assert atom_titles(anonymous("GET", f"/feeds/workspaces/{open_ws['id']}/blog.atom", expect=200)) == ["Från ägaren"]
    closed_feed = f"/feeds/workspaces/{ws['id']}/blog.atom"
    anonymous("GET", closed_feed, expect=404)
    anonymous("GET", f"{closed_feed}?token={feed_token['token']}", expect=404)  # Erik is no member
    anonymous("GET", f"{closed_feed}?token=cft_okand", expect=404)
    assert atom_titles(anonymous("GET", f"{closed_feed}?token={guest_token['token']}", expect=200)) == ["Från partnern"]
    anonymous("GET", f"/feeds/workspaces/{secret_ws['id']}/blog.atom?token={feed_token['token']}", expect=404)
    anonymous("GET", f"/feeds/workspaces/{nobody}/blog.atom", expect=404)
    api("DELETE", f"/api/v1/me/blog/{mine['id']}", expect=404)
    erik("DELETE", f"/api/v1/me/blog/{mine['id']}", expect=204)
    erik("DELETE", f"/api/v1/me/blog/{mine['id']}", expect=404)
    assert atom_titles(anonymous("GET", f"{personal_feed}?token={feed_token['token']}", expect=200)) == []

    # Meetings: scheduling, reading, guest links, attendance, ending
    meetings = f"/api/v1/workspaces/{ws['id']}/meetings"
    anonymous("GET", meetings, expect=401)
    meeting = api("POST", meetings, {"title": "Veckomöte kontrakt", "scheduledFor": "2026-12-01T08:00:00Z"}, expect=201)
    assert meeting["state"] == "scheduled" and meeting["moderator"] is True and meeting["participants"] == []
    assert meeting["scheduledFor"] == "2026-12-01T08:00:00Z" and meeting["startedAt"] is None and meeting["endedBy"] is None
    chat = api("GET", f"/api/v1/threads/{meeting['threadId']}", expect=200)
    assert chat["title"] == "Veckomöte kontrakt" and chat["meeting"] == {"id": meeting["id"], "title": "Veckomöte kontrakt"}
    assert api("GET", "/api/v1/meetings?state=live", expect=200)["items"] == []  # nobody is in it
    api("GET", "/api/v1/meetings?state=ended", expect=422)
    anonymous("GET", "/api/v1/meetings?state=live", expect=401)
    api("POST", meetings, {"title": " "}, expect=422)
    api("POST", meetings, {"title": "Text", "scheduledFor": "i morgon"}, expect=422)
    api("POST", meetings, expect=400)
    erik("POST", meetings, {"title": "Inte medlem"}, expect=403)
    erik("GET", meetings, expect=403)
    erik("GET", f"/api/v1/workspaces/{secret_ws['id']}/meetings", expect=404)
    erik("POST", f"/api/v1/workspaces/{secret_ws['id']}/meetings", {"title": "Hemligt"}, expect=404)
    guest("POST", meetings, {"title": "Gästens möte"}, expect=403)
    assert [m["id"] for m in guest("GET", meetings, expect=200)["items"]] == [meeting["id"]]
    api("GET", meetings + "?includeEnded=kanske", expect=422)
    one = f"/api/v1/meetings/{meeting['id']}"
    assert guest("GET", one, expect=200)["moderator"] is False
    erik("GET", one, expect=404)
    anonymous("GET", one, expect=401)
    api("GET", f"/api/v1/meetings/{nobody}", expect=404)
    assert api("GET", f"{one}/attendance", expect=200)["items"] == []
    guest("GET", f"{one}/attendance", expect=403)
    erik("GET", f"{one}/attendance", expect=404)
    anonymous("GET", f"{one}/attendance", expect=401)
    link = api("POST", f"{one}/invitations", {"name": "Kim Berg", "email": "kim.berg@konsultbolaget.se"}, expect=201)
    meeting_token = link["url"].split("/#/meeting-invitation/")[1]
    assert meeting_token == link["token"] and link["guestName"] == "Kim Berg"
    api("POST", f"{one}/invitations", {"name": ""}, expect=422)
    api("POST", f"{one}/invitations", expect=400)
    guest("POST", f"{one}/invitations", {"name": "Min kollega"}, expect=403)
    erik("POST", f"{one}/invitations", {"name": "Min kollega"}, expect=404)
    anonymous("POST", f"{one}/invitations", {"name": "Min kollega"}, expect=401)
    shown = anonymous("GET", f"/api/v1/meeting-invitations/{meeting_token}", expect=200)
    assert shown["meetingId"] == meeting["id"] and shown["guestName"] == "Kim Berg" and shown["workspaceName"] == "Kontrakt"
    anonymous("GET", "/api/v1/meeting-invitations/okand", expect=410)
    anonymous("POST", "/api/v1/meeting-invitations/okand/accept", expect=410)
    visitor_server = another_client(server)
    visitor = Checked(visitor_server)
    came = visitor("POST", f"/api/v1/meeting-invitations/{meeting_token}/accept", expect=200)
    visitor_server.csrf = came["csrfToken"]
    assert came["meetingId"] == meeting["id"] and came["user"]["role"] == "guest" and came["user"]["name"] == "Kim Berg"
    visitor("GET", one, expect=200)
    visitor("GET", meetings, expect=404)
    visitor("GET", f"/api/v1/threads/{meeting['threadId']}/posts", expect=200)  # the meeting's chat is open to its guests
    visitor("POST", f"{one}/end", expect=403)
    again = another_client(server)
    assert Checked(again)("POST", f"/api/v1/meeting-invitations/{meeting_token}/accept", expect=200)["user"]["id"] == came["user"]["id"]
    guest("POST", f"{one}/end", expect=403)
    erik("POST", f"{one}/end", expect=404)
    anonymous("POST", f"{one}/end", expect=401)
    api("POST", f"/api/v1/meetings/{nobody}/end", expect=404)
    ended = api("POST", f"{one}/end", expect=200)
    assert ended["state"] == "ended" and ended["endedBy"]["id"] == me["id"]
    assert api("POST", f"{one}/end", expect=200)["endedAt"] == ended["endedAt"]
    api("POST", f"{one}/invitations", {"name": "För sent"}, expect=409)
    anonymous("GET", f"/api/v1/meeting-invitations/{meeting_token}", expect=410)
    anonymous("POST", f"/api/v1/meeting-invitations/{meeting_token}/accept", expect=410)
    assert api("GET", meetings, expect=200)["items"] == []
    assert [m["state"] for m in api("GET", meetings + "?includeEnded=true", expect=200)["items"]] == ["ended"]

    # Knowledge bank (how-to articles, revisions, diff, archive)
    articles = "/api/v1/articles"
    anonymous("GET", articles, expect=401)
    article = api("POST", articles, {"workspaceId": ws["id"], "title": "Logga in i Procapita", "summary": "Kort", "body": "1. Öppna\n2. Logga in",
                                     "tags": ["Procapita"], "reviewBy": "2020-01-31",
                                     "recordings": [{"recordingId": "rec-1", "title": "Genomgång", "chapters": [{"title": "Steg 2", "offsetMs": 65000}]}]}, expect=201)
    assert article["reviewDue"] is True
    one_article = f"{articles}/{article['id']}"
    api("POST", articles, {"title": " ", "body": ""}, expect=422)
    api("POST", articles, expect=400)
    erik("POST", articles, {"workspaceId": ws["id"], "title": "Inte medlem", "body": "x"}, expect=403)
    erik("POST", articles, {"workspaceId": secret_ws["id"], "title": "Hemligt", "body": "x"}, expect=404)
    guest("POST", articles, {"title": "Gästens", "body": "x"}, expect=403)
    api("GET", articles + "?includeArchived=true&tag=procapita&limit=5", expect=200)
    api("GET", articles + "?status=gammal", expect=422)
    erik("GET", f"{articles}?workspace={ws['id']}", expect=403)
    api("GET", f"{articles}/review-due", expect=200)
    api("GET", one_article, expect=200)
    erik("GET", one_article, expect=403)
    api("GET", f"{articles}/{nobody}", expect=404)
    saved = api("PUT", one_article, {"baseRevision": 1, "title": "Logga in i Procapita", "body": "1. Öppna\n2. Logga in med kortet"}, expect=200)
    assert saved["revision"] == 2
    api("PUT", one_article, {"baseRevision": 1, "title": "Gammal", "body": "x"}, expect=409)
    api("PUT", one_article, {"baseRevision": 2, "title": "", "body": "x"}, expect=422)
    erik("PUT", one_article, {"baseRevision": 2, "title": "Erik", "body": "x"}, expect=403)
    assert [r["number"] for r in api("GET", f"{one_article}/revisions", expect=200)["items"]] == [2, 1]
    erik("GET", f"{one_article}/revisions", expect=403)
    api("GET", f"{one_article}/revisions/1", expect=200)
    api("GET", f"{one_article}/revisions/7", expect=404)
    erik("GET", f"{one_article}/revisions/1", expect=403)
    diff = api("GET", f"{one_article}/diff?from=1&to=2", expect=200)
    assert [f["field"] for f in diff["fields"] if f["changed"]] == ["summary", "body", "tags", "reviewBy", "recordings"]
    api("GET", f"{one_article}/diff?from=1", expect=422)
    erik("GET", f"{one_article}/diff?from=1&to=2", expect=403)
    assert api("POST", f"{one_article}/revisions/1/restore", {"baseRevision": 2}, expect=200)["revision"] == 3
    api("POST", f"{one_article}/revisions/1/restore", {"baseRevision": 2}, expect=409)
    api("POST", f"{one_article}/revisions/9/restore", expect=404)
    erik("POST", f"{one_article}/revisions/1/restore", expect=403)
    assert api("POST", f"{one_article}/archive", expect=200)["status"] == "archived"
    erik("POST", f"{one_article}/archive", expect=403)
    api("POST", f"{articles}/{nobody}/archive", expect=404)
    assert api("POST", f"{one_article}/restore-current", expect=200)["status"] == "current"
    erik("POST", f"{one_article}/restore-current", expect=403)
    api("POST", f"{articles}/{nobody}/restore-current", expect=404)
    erik("DELETE", one_article, expect=403)
    api("DELETE", one_article, expect=204)
    api("DELETE", one_article, expect=404)

    # Recordings: list, one, audio (whole, ranges, HEAD, download), edit, delete, search
    recordings = "/api/v1/recordings"
    anonymous("GET", recordings, expect=401)
    # A moderator records a real meeting over the live connection, as the web client does: the
    # recorder writes the file and the rows. The first recording is finished (with a chapter),
    # the second still running while the walk goes on.
    recorded_meeting = api("POST", meetings, {"title": "Inspelat kontraktsmöte"}, expect=201)
    on_air = f"meeting:{recorded_meeting['id']}"
    live = Live(server, session=cookie(server, "communis_session"))
    stream = live.ok("meeting.join", on_air, {"muted": False})["data"]["streamId"]
    recording_id = live.ok("meeting.recording.start", on_air, {"title": "Inspelat kontraktsmöte"})["data"]["recording"]["id"]
    sequence = speak(live, stream, 0, 25)
    chapter = live.ok("meeting.recording.chapter", on_air, {"title": "Avtalsvillkor"})["data"]["chapter"]
    sequence = speak(live, stream, sequence, 25)
    assert live.ok("meeting.recording.stop", on_air)["data"]["recordingId"] == recording_id
    running_id = live.ok("meeting.recording.start", on_air, {"title": "Pågående inspelning"})["data"]["recording"]["id"]
    speak(live, stream, sequence, 5)
    one_recording = f"{recordings}/{recording_id}"
    listed = api("GET", f"{recordings}?workspaceId={ws['id']}&limit=5", expect=200)
    assert {r["id"] for r in listed["items"]} == {running_id, recording_id}
    api("GET", f"{recordings}?kind=guide&state=complete", expect=200)
    api("GET", f"{recordings}?kind=podd", expect=422)
    erik("GET", f"{recordings}?workspaceId={secret_ws['id']}", expect=404)
    assert api("GET", one_recording, expect=200)["participants"][0]["streamId"] == stream
    erik("GET", one_recording, expect=403)
    api("GET", f"{recordings}/{nobody}", expect=404)
    audio = api("GET", f"{one_recording}/audio", expect=200)
    assert len(audio) == api("GET", one_recording, expect=200)["sizeBytes"]
    assert api("GET", f"{one_recording}/audio", headers={"Range": "bytes=0-3"}, expect=206) == b"OggS"
    assert api("GET", f"{one_recording}/audio", headers={"Range": "bytes=-10"}, expect=206) == audio[-10:]
    api("GET", f"{one_recording}/audio", headers={"Range": f"bytes={len(audio)}-"}, expect=416)
    api("GET", f"{one_recording}/audio?download=1", expect=200)
    api("HEAD", f"{one_recording}/audio", expect=200)
    api("HEAD", f"{one_recording}/audio", headers={"Range": "bytes=4-"}, expect=206)
    erik("GET", f"{one_recording}/audio", expect=403)
    api("GET", f"{recordings}/{running_id}/audio", expect=409)
    api("GET", f"{recordings}/{nobody}/audio", expect=404)
    search_hits = api("GET", "/api/v1/search?q=avtalsvillkor&type=recording", expect=200)["results"]
    assert {(r["kind"], r.get("offsetMs")) for r in search_hits} == {("recording", None), ("chapter", chapter["offsetMs"])}
    edited = api("PATCH", one_recording, {"title": "Kontraktsmöte", "sharedWithOrganisation": True,
                                          "chapters": [{"title": "Villkor", "offsetMs": 900}, {"title": "Inledning", "offsetMs": 0}]}, expect=200)
    assert [c["offsetMs"] for c in edited["chapters"]] == [0, 900]
    api("PATCH", one_recording, {"title": " "}, expect=422)
    api("PATCH", one_recording, expect=400)
    api("PATCH", f"{recordings}/{nobody}", {"title": "Ingen"}, expect=404)
    assert erik("GET", one_recording, expect=200)["canManage"] is False
    erik("PATCH", one_recording, {"title": "Eriks"}, expect=403)
    erik("DELETE", one_recording, expect=403)
    api("DELETE", f"{recordings}/{running_id}", expect=409)
    assert live.ok("meeting.recording.stop", on_air)["data"]["recordingId"] == running_id
    live.ok("meeting.end", on_air)
    live.close()
    api("DELETE", one_recording, expect=204)
    api("DELETE", one_recording, expect=404)
    assert not (data_dir / "rec" / ws["id"] / f"{recording_id}.opus").exists()

    # Metrics (Prometheus text)
    anonymous("GET", "/api/v1/admin/metrics", expect=401)
    erik("GET", "/api/v1/admin/metrics", expect=403)
    metrics = prometheus_text("metrics", api("GET", "/api/v1/admin/metrics", expect=200))
    assert {"communis_meetings_live", "communis_meeting_participants", "communis_meeting_lobby",
            "communis_audio_packets_in_total", "communis_audio_muted_dropped_total"} <= set(metrics)

    # The live connection's HTTP side (its messages are docs/protocol.md's business)
    anonymous.live(upgrade=False, expect=426)
    anonymous.live(expect=401)
    erik.live(headers={"Origin": "https://elsewhere.example"}, expect=403)
    _, first_frame = erik.live(expect=101)
    assert first_frame[0] == 0x81 and b'"welcome"' in first_frame
    api("DELETE", f"/api/v1/workspaces/{secret_ws['id']}", expect=204)

    # Administration
    erik("GET", "/api/v1/admin/users", expect=403)
    api("GET", "/api/v1/admin/users?q=erik", expect=200)
    created = api("POST", "/api/v1/admin/users", {"email": "ny@katrineholm.se", "name": "Ny Person", "password": "Lösenord12345", "role": "member"}, expect=201)
    api("POST", "/api/v1/admin/users", {"email": "ny@katrineholm.se", "name": "Ny Person", "password": "Lösenord12345", "role": "member"}, expect=409)
    api("PATCH", f"/api/v1/admin/users/{created['id']}", {"title": "Handläggare", "disabled": True}, expect=200)
    api("POST", f"/api/v1/admin/users/{created['id']}/unlock", expect=200)
    api("PUT", f"/api/v1/admin/users/{created['id']}/password", {"newPassword": "Återställt2026"}, expect=204)
    api("PATCH", f"/api/v1/admin/users/{me['id']}", {"disabled": True}, expect=409)
    assert api("GET", f"/api/v1/admin/users/{created['id']}", expect=200)["groups"] == []

    # Identity without a directory, a provider or e-mail (with them: test_openapi_identity.py)
    assert anonymous("GET", "/api/v1/auth/options", expect=200) == {"directory": False, "passwordReset": False, "oidc": None}
    anonymous("GET", "/api/v1/auth/oidc/login", expect=404)
    anonymous("GET", "/api/v1/auth/oidc/callback?code=abc&state=def", expect=404)
    anonymous("POST", "/api/v1/password-reset", {"email": "gast@partner.se"}, expect=409)
    anonymous("GET", "/api/v1/password-reset/okand", expect=410)
    status = api("GET", "/api/v1/admin/directory", expect=200)
    assert (status["configured"], status["url"], status["lastSync"], status["oidc"], status["mail"]["configured"]) == (False, None, None, None, False)
    api("POST", "/api/v1/admin/directory/sync", {"dryRun": True}, expect=404)
    api("POST", "/api/v1/admin/mail/test", {}, expect=409)
    assert api("GET", "/api/v1/admin/groups", expect=200)["items"] == []
    api("POST", "/api/v1/admin/group-rules/preview", {"groupKey": "oidc:Rektorer", "kind": "role", "role": "admin"}, expect=200)
    assert api("GET", "/api/v1/admin/group-rules", expect=200)["items"] == []
    erik("POST", "/api/v1/session", {"login": "erik.johansson@katrineholm.se", "password": "fel"}, expect=401)
    assert [s["method"] for s in erik("GET", "/api/v1/me/sessions", expect=200)["items"]] == ["password"]

    # Documents: a library, folders, tus uploads, versions, approval, locks, trash, links
    documents_ws = api("POST", "/api/v1/workspaces", {"name": "Dokumentkontrakt", "visibility": "closed"}, expect=201)["id"]
    api("POST", f"/api/v1/workspaces/{documents_ws}/members", {"personId": erik_id}, expect=201)
    tus = {"Tus-Resumable": "1.0.0"}

    def metadata(**pairs: str) -> str:
        return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())

    def upload(client: Checked, data: bytes, **pairs: str) -> str:
        client.raw("POST", "/api/v1/uploads", None, {**tus, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(**pairs)}, expect=201)
        location = client.headers["Location"]
        client.raw("PATCH", location, data[:5], {**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, expect=204)
        client.raw("PATCH", location, data[5:], {**tus, "Upload-Offset": "5", "Content-Type": "application/offset+octet-stream"}, expect=204)
        return location

    pdf = b"%PDF-1.4\n\xff\xfe" + bytes(range(256))
    location = upload(api, pdf, filename="Avtal.pdf", workspace=documents_ws, comment="Första")
    document_id = api.headers["Communis-Document-Id"]
    upload_state = api("GET", location, expect=200)
    assert upload_state["complete"] and upload_state["document"]["id"] == document_id
    api.raw("HEAD", location, None, tus, expect=200)
    api.raw("PATCH", location, b"", {**tus, "Upload-Offset": "3", "Content-Type": "application/offset+octet-stream"}, expect=409)
    api.raw("PATCH", location, b"", {"Upload-Offset": str(len(pdf)), "Content-Type": "application/offset+octet-stream"}, expect=412)
    api.raw("DELETE", location, None, tus, expect=204)
    api.raw("POST", "/api/v1/uploads", None, {**tus, "Upload-Length": str(1 << 40), "Upload-Metadata": metadata(filename="Stor.iso", workspace=documents_ws)}, expect=413)
    api.raw("POST", "/api/v1/uploads", None, {**tus, "Upload-Length": "10"}, expect=422)
    library = api("GET", f"/api/v1/workspaces/{documents_ws}/documents?limit=10", expect=200)
    assert [d["id"] for d in library["documents"]["items"]] == [document_id]
    api("GET", f"/api/v1/workspaces/{documents_ws}/documents?limit=0", expect=422)
    api("GET", f"/api/v1/workspaces/{nobody}/documents", expect=404)
    folder = api("POST", f"/api/v1/workspaces/{documents_ws}/folders", {"name": "Avtal"}, expect=201)
    api("POST", f"/api/v1/workspaces/{documents_ws}/folders", {"name": "avtal"}, expect=409)
    api("POST", f"/api/v1/workspaces/{documents_ws}/folders", {"name": "a/b"}, expect=422)
    api("PATCH", f"/api/v1/folders/{folder['id']}", {"name": "Avtal 2026"}, expect=200)
    api("GET", f"/api/v1/workspaces/{documents_ws}/folders", expect=200)
    one_document = f"/api/v1/documents/{document_id}"
    moved = api("PATCH", one_document, {"title": "Hyresavtal.pdf", "folderId": folder["id"]}, expect=200)
    assert moved["path"] == [{"id": folder["id"], "name": "Avtal 2026"}]
    api("DELETE", f"/api/v1/folders/{folder['id']}", expect=409)
    api("GET", f"/api/v1/workspaces/{documents_ws}/documents?folder={folder['id']}", expect=200)
    content = api("GET", f"{one_document}/content", expect=200)
    assert content == pdf
    first_bytes = api("GET", f"{one_document}/content", headers={"Range": "bytes=0-3"}, expect=206)
    assert first_bytes in (b"%PDF", "%PDF")   # decoded as text when the bytes happen to be UTF-8
    api("GET", f"{one_document}/content", headers={"Range": f"bytes={len(pdf)}-"}, expect=416)
    api("GET", f"{one_document}/content", headers={"If-None-Match": f'"{moved["current"]["sha256"]}"'}, expect=304)
    api("GET", f"{one_document}/content?download=2", expect=422)
    api("HEAD", f"{one_document}/content?version=1", expect=200)
    # The preview is made in the background (202 meanwhile); these bytes are no real PDF, so it fails.
    deadline = time.monotonic() + 60
    while (preview := api("GET", f"{one_document}/preview?version=1")) == {"state": "pending"}:
        assert time.monotonic() < deadline, "the damaged PDF's preview stayed pending"
        time.sleep(0.2)
    assert preview["code"] == "preview-failed", preview
    api("GET", f"{one_document}/preview?page=0", expect=422)
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89"
    upload(api, png, filename="Logga.png", workspace=documents_ws)
    assert api("GET", f"/api/v1/documents/{api.headers['Communis-Document-Id']}/preview", expect=200) == png
    upload(erik, b"%PDF-1.4\n\xff version 2", filename="Hyresavtal.pdf", document=document_id)
    assert [v["number"] for v in api("GET", f"{one_document}/versions", expect=200)["versions"]] == [2, 1]
    api("POST", f"{one_document}/versions/1/restore", {"comment": "Tillbaka"}, expect=201)
    erik("PUT", f"{one_document}/approval", {"version": 1}, expect=403)
    assert api("PUT", f"{one_document}/approval", {"version": 1}, expect=200)["approved"]["version"] == 1
    api("DELETE", f"{one_document}/approval", expect=200)
    # Damaged PDFs have no text: 503 text-pending while their jobs wait, then 422 text-unavailable.
    deadline = time.monotonic() + 60
    while (compared := api("GET", f"{one_document}/compare?from=1&to=2"))["code"] == "text-pending":
        assert time.monotonic() < deadline, "the damaged PDFs' text stayed pending"
        time.sleep(0.2)
    assert compared["code"] == "text-unavailable", compared
    lock = erik("POST", f"{one_document}/lock", {"minutes": 5}, expect=200)
    assert lock["mine"] and lock["token"]
    api.raw("POST", "/api/v1/uploads", None, {**tus, "Upload-Length": "4", "Upload-Metadata": metadata(filename="x.pdf", document=document_id)}, expect=423)
    api("DELETE", f"{one_document}/lock", expect=204)
    api("GET", f"{one_document}/links", expect=200)
    assert [d["id"] for d in api("GET", f"/api/v1/documents?ids={document_id},{nobody}", expect=200)["documents"]] == [document_id]
    api("GET", one_document, expect=200)
    api("DELETE", one_document, expect=204)
    api("GET", f"/api/v1/workspaces/{documents_ws}/documents/trash", expect=200)
    api("POST", f"{one_document}/restore", expect=200)
    api("GET", f"/api/v1/documents/{nobody}", expect=404)

    # News and organisations (issue 14, news-api). The demo has Johan Andersson as editor and
    # news for the municipality, for Vård- och omsorgsförvaltningen and for the whole group.
    organisations = api("GET", "/api/v1/organisations", expect=200)["items"]
    assert organisations[0]["isMain"] and organisations[0]["name"] == "Katrineholms kommun"
    company = api("POST", "/api/v1/admin/organisations", {"name": "Katrineholms Energi AB"}, expect=201)
    api("POST", "/api/v1/admin/organisations", {"name": "katrineholms energi ab"}, expect=409)
    erik("POST", "/api/v1/admin/organisations", {"name": "X"}, expect=403)
    erik_id = api("GET", "/api/v1/people?q=Erik+Johansson", expect=200)["items"][0]["id"]
    api("PUT", f"/api/v1/admin/people/{erik_id}/organisation", {"organisationId": company["id"]}, expect=204)
    assert api("GET", f"/api/v1/people/{erik_id}", expect=200)["organisationId"] == company["id"]
    api("PUT", f"/api/v1/admin/people/{erik_id}/organisation", {"organisationId": None}, expect=204)
    api("PUT", f"/api/v1/admin/people/{erik_id}/organisation", {"organisationId": nobody}, expect=422)
    assert [p["name"] for p in api("GET", "/api/v1/admin/news-editors", expect=200)["items"]] == ["Johan Andersson"]
    api("PUT", f"/api/v1/admin/news-editors/{erik_id}", expect=204)
    assert erik("GET", "/api/v1/session", expect=200)["canPublishNews"] is True
    api("DELETE", f"/api/v1/admin/news-editors/{erik_id}", expect=204)
    erik("PUT", f"/api/v1/admin/news-editors/{erik_id}", expect=403)
    assert erik("GET", "/api/v1/session", expect=200)["canPublishNews"] is False
    news_input = {"title": "Ny rutin för nycklar", "introduction": "Kort", "body": "Text med **fetstil**", "tags": ["Rutiner"],
                  "category": None, "publishAt": None, "endsAt": None, "pinned": False, "important": True,
                  "allowComments": True, "allowReactions": True,
                  "acknowledgement": {"required": True, "deadline": "2099-01-01T00:00:00.000Z"},
                  "audience": {"organisationIds": [], "departments": ["Bildningsförvaltningen"], "workplaces": [], "titles": [], "groups": []}}
    item = api("POST", "/api/v1/news", news_input, expect=201)
    api("POST", "/api/v1/news", {**news_input, "title": ""}, expect=422)
    erik("POST", "/api/v1/news", news_input, expect=403)
    assert item["id"] in [n["id"] for n in erik("GET", "/api/v1/news?limit=50", expect=200)["items"]]
    api("GET", "/api/v1/news?state=all&tag=Rutiner&q=nycklar", expect=200)
    erik("GET", "/api/v1/news?state=draft", expect=403)
    erik("GET", f"/api/v1/news/{item['id']}", expect=200)
    erik("GET", f"/api/v1/news/{nobody}", expect=404)
    assert erik("POST", f"/api/v1/news/{item['id']}/acknowledgement", expect=200)["revision"] == 1
    api("PUT", f"/api/v1/news/{item['id']}", {**news_input, "body": "Ny text", "material": True}, expect=200)
    erik("PUT", f"/api/v1/news/{item['id']}", news_input, expect=403)
    assert [r["revision"] for r in erik("GET", f"/api/v1/news/{item['id']}/revisions", expect=200)["items"]] == [1, 2]
    report = api("GET", f"/api/v1/news/{item['id']}/acknowledgements", expect=200)
    assert report["acknowledged"] == 0 and report["total"] >= 1
    erik("GET", f"/api/v1/news/{item['id']}/acknowledgements", expect=403)
    assert api("POST", f"/api/v1/news/{item['id']}/reminders", expect=200)["reminded"] >= 1
    comment = erik("POST", f"/api/v1/news/{item['id']}/comments", {"body": "Tack!"}, expect=201)
    assert erik("GET", f"/api/v1/news/{item['id']}/comments", expect=200)["items"][0]["body"] == "Tack!"
    erik("DELETE", f"/api/v1/news/{item['id']}/comments/{comment['id']}", expect=204)
    erik("PUT", f"/api/v1/news/{item['id']}/reactions/%F0%9F%91%8D", expect=204)
    erik("DELETE", f"/api/v1/news/{item['id']}/reactions/%F0%9F%91%8D", expect=204)
    news_png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89"
    assert api.raw("POST", f"/api/v1/news/{item['id']}/image", news_png, {"Content-Type": "image/png"}, expect=200)["imageUrl"]
    api.raw("POST", f"/api/v1/news/{item['id']}/image", b"GIF89a not allowed", {"Content-Type": "image/gif"}, expect=415)
    assert erik("GET", f"/api/v1/news/{item['id']}/image", expect=200) == news_png
    assert "Ny rutin för nycklar" not in anonymous("GET", "/feeds/news.atom", expect=200)
    anonymous("GET", "/feeds/news.atom?token=cft_unknown", expect=404)
    api("DELETE", f"/api/v1/news/{item['id']}", expect=204)
    erik("GET", f"/api/v1/news/{item['id']}", expect=404)

    api("DELETE", f"/api/v1/workspaces/{open_ws['id']}", expect=204)
    api("GET", f"/api/v1/workspaces/{open_ws['id']}", expect=404)
    erik("DELETE", "/api/v1/session", expect=204)
    erik("DELETE", "/api/v1/session", expect=401)   # nothing left to end
    anonymous("DELETE", "/api/v1/session", expect=401)

    documented = documented_operations() - IDENTITY_WALK - PUSH_WALK - {("get", "/healthz"), ("get", "/api/openapi.yaml")}
    unseen = documented - api.seen - erik.seen - anonymous.seen
    assert not unseen, f"operations never exercised here: {sorted(unseen)}"
