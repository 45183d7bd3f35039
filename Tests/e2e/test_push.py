"""Web Push end to end: a `communis serve` of its own (push.allow_http, so that it accepts the
http://127.0.0.1 push endpoints of `pushservice.PushService`), devices whose keys the test
makes, subscriptions through the HTTP API, `POST /api/v1/push/test`, and the message read
back from what the push service received: decrypted with http_ece (RFC 8291, aes128gcm) and
its VAPID token verified against `GET /api/v1/push/vapid-public-key` (RFC 8292). Every answer
is checked against docs/openapi.yaml (the push operations are walked here, not in
test_openapi_conformance.py)."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest

from openapi_walk import PUSH_WALK, Checked, another_client, documented_operations
from pushservice import Device, PushService, vapid_claims
from serverproc import Running

PASSWORD = "Katrineholm2026"
TEST_MESSAGE = {"title": "Communis", "body": "Push-aviseringar fungerar på den här enheten.", "url": "/#/profile", "tag": "push-test"}
ENV = {"COMMUNIS_PUSH_ALLOW_HTTP": "true", "COMMUNIS_PUSH_SUBJECT": "mailto:it@katrineholm.se", "COMMUNIS_PUSH_TTL_SECONDS": "600"}


@pytest.fixture(scope="module")
def data_dir():
    return Path(tempfile.mkdtemp(prefix="communis-push-"))


@pytest.fixture(scope="module")
def server(data_dir):
    server = Running(data_dir, "--demo", env=ENV)
    server.login("anna.lindqvist@katrineholm.se", PASSWORD)
    yield server
    server.stop()


def login(server: Running, email: str) -> Running:
    client = another_client(server)
    status, body = client.call("POST", "/api/v1/session", {"email": email, "password": PASSWORD})
    assert status == 200, body
    client.csrf = body["csrfToken"]
    return client


def test_a_test_message_reaches_the_device_encrypted_and_signed(server):
    anna = Checked(server)
    key = anna("GET", "/api/v1/push/vapid-public-key", expect=200)["key"]
    phone = Device()
    with PushService() as service:
        created = anna("POST", "/api/v1/push/subscriptions", phone.subscription(service.endpoint("anna-phone"), "Firefox på Android"),
                       expect=201)
        devices = anna("GET", "/api/v1/push/subscriptions", expect=200)["items"]
        assert [d["id"] for d in devices] == [created["id"]]
        assert devices[0]["service"] == "127.0.0.1" and devices[0]["userAgent"] == "Firefox på Android"

        started = time.time()
        assert anna("POST", "/api/v1/push/test", expect=200) == {"sent": 1}
        [push] = service.received("anna-phone", timeout=10)

    assert json.loads(phone.decrypt(push.body)) == TEST_MESSAGE
    assert len(push.body) < 4096
    assert push.headers["Content-Encoding"] == "aes128gcm"
    assert push.headers["TTL"] == "600"
    assert push.headers["Urgency"] == "normal"
    assert 0 < len(push.headers["Topic"]) <= 32 and "push-test" not in push.headers["Topic"]
    claims = vapid_claims(push.headers["Authorization"], key)
    assert claims["aud"] == service.base, "the audience is the push service's origin"
    assert claims["sub"] == "mailto:it@katrineholm.se"
    assert started < claims["exp"] <= time.time() + 24 * 3600


def test_subscriptions_are_idempotent_per_endpoint_move_to_whoever_subscribes_and_are_one_persons_own(server):
    anna = Checked(server)
    erik = Checked(login(server, "erik.johansson@katrineholm.se"))
    laptop = Device()
    with PushService() as service:
        endpoint = service.endpoint("shared-laptop")
        first = anna("POST", "/api/v1/push/subscriptions", laptop.subscription(endpoint), expect=201)
        again = anna("POST", "/api/v1/push/subscriptions", laptop.subscription(endpoint), expect=201)
        assert again == first, "the same endpoint is the same device"
        assert first["id"] in [d["id"] for d in anna("GET", "/api/v1/push/subscriptions", expect=200)["items"]]

        erik("DELETE", f"/api/v1/push/subscriptions/{first['id']}", expect=404)   # not his
        moved = erik("POST", "/api/v1/push/subscriptions", laptop.subscription(endpoint), expect=201)
        assert moved == first
        assert first["id"] not in [d["id"] for d in anna("GET", "/api/v1/push/subscriptions", expect=200)["items"]]
        assert [d["id"] for d in erik("GET", "/api/v1/push/subscriptions", expect=200)["items"]] == [first["id"]]

        erik("POST", "/api/v1/push/test", expect=200)
        [push] = service.received("shared-laptop")
        assert json.loads(laptop.decrypt(push.body))["title"] == "Communis"

        erik("DELETE", f"/api/v1/push/subscriptions/{first['id']}", expect=204)
        erik("DELETE", f"/api/v1/push/subscriptions/{first['id']}", expect=404)
        assert erik("GET", "/api/v1/push/subscriptions", expect=200)["items"] == []
        assert erik("POST", "/api/v1/push/test", expect=200) == {"sent": 0}


def test_a_device_whose_push_service_answers_410_is_removed(server):
    anna = Checked(server)
    with PushService() as service:
        kept, gone = Device(), Device()
        anna("POST", "/api/v1/push/subscriptions", kept.subscription(service.endpoint("kept")), expect=201)
        gone_id = anna("POST", "/api/v1/push/subscriptions", gone.subscription(service.endpoint("gone")), expect=201)["id"]
        service.answer("gone", 410)
        before = len(anna("GET", "/api/v1/push/subscriptions", expect=200)["items"])
        sent = anna("POST", "/api/v1/push/test", expect=200)["sent"]
        assert len(service.received("gone")) == 1 and len(service.received("kept")) == 1
        ids = [d["id"] for d in anna("GET", "/api/v1/push/subscriptions", expect=200)["items"]]
        assert gone_id not in ids and len(ids) == before - 1, "the gone device is removed, the others stay"
        assert sent == 1, "only the kept device's service took it (earlier tests' services are closed)"


def test_bad_subscriptions_are_refused_with_the_field_named(server):
    anna = Checked(server)
    device = Device()
    body = anna("POST", "/api/v1/push/subscriptions", {**device.subscription("ftp://push.example.net/x")}, expect=422)
    assert "endpoint" in json.dumps(body)
    bad_keys = {"endpoint": "https://push.example.net/x", "keys": {"p256dh": "AAAA", "auth": "kort"}}
    body = anna("POST", "/api/v1/push/subscriptions", bad_keys, expect=422)
    assert "keys.p256dh" in json.dumps(body) and "keys.auth" in json.dumps(body)
    anna("POST", "/api/v1/push/subscriptions", {"endpoint": "https://push.example.net/x"}, expect=422)
    anonymous = Checked(another_client(server, cookies=False))
    anonymous("GET", "/api/v1/push/vapid-public-key", expect=401)
    anonymous("POST", "/api/v1/push/test", expect=401)


def test_every_push_operation_is_walked_here():
    """test_openapi_conformance.py leaves the push operations to this file."""
    assert PUSH_WALK == {op for op in documented_operations() if op[1].startswith("/api/v1/push/")}


def test_the_vapid_key_survives_a_restart(server, data_dir):
    key = Checked(server)("GET", "/api/v1/push/vapid-public-key", expect=200)["key"]
    server.stop()
    again = Running(data_dir, env=ENV)
    try:
        again.login("anna.lindqvist@katrineholm.se", PASSWORD)
        assert Checked(again)("GET", "/api/v1/push/vapid-public-key", expect=200)["key"] == key
    finally:
        again.stop()
