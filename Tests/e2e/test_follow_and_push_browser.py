"""Following and push, end to end (issue 14's "Done when"): following a tag brings its news
into the start page's feed, live; a meeting started in one of my workspaces reaches my phone
as a Web Push message that the test's own push service receives and decrypts."""
from __future__ import annotations

import json
import urllib.parse
import uuid

from playwright.sync_api import expect

from conftest import ANNA, ERIK, SARA, login, screenshot, wait_until
from pushservice import Device, PushService, vapid_claims
from test_meeting_browser import Api, audio_page, tones  # noqa: F401 (fixtures)

JOHAN = "johan.andersson@katrineholm.se"  # the demo's news editor


def _publish(johan: Api, title: str, tags: list[str], category: str | None = None) -> str:
    status, item = johan.call("POST", "/api/v1/news", {
        "title": title, "introduction": f"Om {title}.", "body": "Läs mer på intranätet.", "tags": tags, "category": category,
        "audience": {"organisationIds": [], "departments": [], "workplaces": [], "titles": [], "groups": []}})
    assert status == 201, item
    return item["id"]


def test_following_a_tag_brings_its_news_into_the_feed_live(new_page, server):
    tag = f"Skolskjuts{uuid.uuid4().hex[:5]}"
    erik = new_page()
    login(erik, ERIK)
    erik.goto(f"/#/news?tag={urllib.parse.quote(tag)}")
    follow = erik.get_by_role("button", name=f"Följ taggen #{tag}")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    expect(follow).to_have_text("Följer")

    erik.goto("/#/")
    feed = erik.get_by_role("region", name="Flöde")
    expect(feed.get_by_role("heading", name="Flöde")).to_be_visible()
    wait_until(erik, "window.__communisLive && window.__communisLive.state === 'open'")
    expect(feed.get_by_role("heading", name="Nyheter du följer")).to_have_count(0)

    johan = Api(server.base_url, JOHAN)
    other = f"Lunchmeny vecka {uuid.uuid4().hex[:4]}"
    _publish(johan, other, ["Lunch"])
    title = f"Nya hållplatser för {tag}"
    _publish(johan, title, [tag.lower()])  # the tag as the editor wrote it, in another case

    followed = feed.get_by_role("list", name="Nyheter du följer")
    expect(followed.get_by_role("link", name=title)).to_be_visible(timeout=10_000)
    expect(followed.get_by_role("link", name=other)).to_have_count(0)
    screenshot(erik, "follow-tag-news-in-feed")

    # A category is followed from one of its items; the next item in it comes to the feed too.
    category = f"Vinterväghållning {uuid.uuid4().hex[:4]}"
    first = _publish(johan, "Plogningen börjar", [], category)
    erik.goto(f"/#/news/{first}")
    by_category = erik.get_by_role("button", name=f"Följ kategorin {category}")
    by_category.click()
    expect(by_category).to_have_attribute("aria-pressed", "true")
    erik.goto("/#/")
    wait_until(erik, "window.__communisLive && window.__communisLive.state === 'open'")
    next_title = f"Sandning av gångvägar {uuid.uuid4().hex[:4]}"
    _publish(johan, next_title, [], category.upper())
    followed = erik.get_by_role("region", name="Flöde").get_by_role("list", name="Nyheter du följer")
    expect(followed.get_by_role("link", name=next_title)).to_be_visible(timeout=10_000)
    expect(followed.get_by_role("link", name=title)).to_be_visible()
    Api(server.base_url, ERIK).call("DELETE", f"/api/v1/me/follows/category/{urllib.parse.quote(category)}")

    # Unfollowing takes it out again.
    status, _ = Api(server.base_url, ERIK).call("DELETE", f"/api/v1/me/follows/tag/{urllib.parse.quote(tag)}")
    assert status == 204
    erik.reload()
    expect(erik.get_by_role("region", name="Flöde").get_by_role("heading", name="Flöde")).to_be_visible()
    expect(erik.get_by_role("heading", name="Nyheter du följer")).to_have_count(0)


def test_a_meeting_start_reaches_a_members_phone_as_an_encrypted_push(audio_page, tones, server):  # noqa: F811
    anna_api = Api(server.base_url, ANNA)
    sara_api = Api(server.base_url, SARA)
    sara_id = sara_api.user["id"]
    status, ws = anna_api.call("POST", "/api/v1/workspaces", {"name": f"Pushmöten {uuid.uuid4().hex[:6]}", "visibility": "closed",
                                                              "description": "Möten som når telefonen."})
    assert status in (200, 201), ws
    status, body = anna_api.call("POST", f"/api/v1/workspaces/{ws['id']}/members", {"personId": sara_id})
    assert status in (200, 201, 204), body
    # Whatever the hour: quiet hours would hold push back at night.
    status, body = sara_api.call("PUT", "/api/v1/me/notification-settings", {"quietHours": {"enabled": False}})
    assert status == 200, body
    status, settings = sara_api.call("GET", "/api/v1/me/notification-settings")
    assert settings["kinds"]["meeting-started"]["push"] is True, settings

    status, key = sara_api.call("GET", "/api/v1/push/vapid-public-key")
    assert status == 200, key
    phone = Device()
    with PushService() as service:
        status, created = sara_api.call("POST", "/api/v1/push/subscriptions", phone.subscription(service.endpoint("sara"), "Sara's phone"))
        assert status == 201, created

        anna = audio_page(tones["a440"])
        login(anna, ANNA)
        anna.goto(f"/#/workspaces/{ws['id']}")
        quick = anna.get_by_role("form", name="Starta möte")
        quick.get_by_label("Namn på mötet").fill("Morgonmöte om snöröjning")
        quick.get_by_role("button", name="Starta möte").click()
        anna.get_by_role("button", name="Gå med", exact=True).click()
        expect(anna.get_by_role("heading", name="Dina kontroller")).to_be_visible(timeout=15_000)

        [push] = service.received("sara", timeout=20)

    message = json.loads(phone.decrypt(push.body))
    assert "Morgonmöte om snöröjning" in message["title"] + message["body"], message
    assert message["url"].startswith("/#/meetings/"), message
    assert push.headers["Content-Encoding"] == "aes128gcm"
    claims = vapid_claims(push.headers["Authorization"], key["key"])
    assert claims["aud"] == service.base
