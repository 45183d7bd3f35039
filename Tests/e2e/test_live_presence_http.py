"""A person's presence across tabs, as the profile page reads it over HTTP."""
from __future__ import annotations

import time

from livekit import User, demo_server  # noqa: F401  (fixture)


def presence(viewer: User, person_id: str) -> dict:
    status, body = viewer.call("GET", f"/api/v1/people/{person_id}/presence")
    assert status == 200, body
    return body


def test_online_in_any_tab_away_when_all_tabs_are_away_then_last_seen(demo_server):
    erik = User(demo_server, "erik.johansson@katrineholm.se")
    sara = User(demo_server, "sara.nilsson@katrineholm.se")
    erik_id = erik.call("GET", "/api/v1/me")[1]["id"]
    assert presence(sara, erik_id)["status"] == "offline"

    first, second = erik.live(), erik.live()
    try:
        assert presence(sara, erik_id)["status"] == "online"
        first.ok("presence.set", data={"status": "away"})
        assert presence(sara, erik_id)["status"] == "online", "the other tab is still online"
        second.ok("presence.set", data={"status": "away"})
        assert presence(sara, erik_id)["status"] == "away"
    finally:
        first.close()
        second.close()
    deadline = time.monotonic() + 5
    while presence(sara, erik_id)["status"] != "offline" and time.monotonic() < deadline:
        time.sleep(0.1)
    after = presence(sara, erik_id)
    assert after["status"] == "offline"
    assert after.get("lastSeen"), after


def test_a_guest_cannot_watch_an_employee_she_does_not_work_with(demo_server):
    lena = User(demo_server, "lena.berg@konsultbolaget.se")
    sara = User(demo_server, "sara.nilsson@katrineholm.se")
    sara_id = sara.call("GET", "/api/v1/me")[1]["id"]
    status, body = lena.call("GET", f"/api/v1/people/{sara_id}/presence")
    assert status == 403, body
