"""A Web Push service for tests (the push-resource side of RFC 8030), served by the test over
plain HTTP on a loopback port, and a device that can read what the server sends it.

    with PushService() as service:
        device = Device()
        server.call("POST", "/api/v1/push/subscriptions", device.subscription(service.endpoint("phone")))
        ...
        [push] = service.received("phone", timeout=10)
        message = json.loads(decrypt(push.body, device.private_key, device.auth_secret))
        claims = vapid_claims(push.headers["Authorization"], server_public_key)

`POST /push/<name>` records the body and headers and answers 201 Created, or the status set
with `answer(name, status)` (410 Gone tells the server the subscription has expired).
The server must run with `push.allow_http` (COMMUNIS_PUSH_ALLOW_HTTP=true) to accept these
http://127.0.0.1 endpoints."""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class ReceivedPush:
    """One message as the push service got it: the raw (encrypted) body and the headers."""
    body: bytes
    headers: dict[str, str]


@dataclass
class Device:
    """A browser's side of a subscription: its P-256 key pair and 16-byte auth secret."""
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription(self, endpoint: str, user_agent: str = "pytest") -> dict:
        """The body of `POST /api/v1/push/subscriptions` (a browser's `PushSubscription.toJSON()`)."""
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}, "userAgent": user_agent}

    def decrypt(self, body: bytes) -> bytes:
        return decrypt(body, self.private_key, self.auth_secret)


def decrypt(body: bytes, private_key: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """The plaintext of an `aes128gcm` Web Push body (RFC 8291), read with http_ece."""
    return http_ece.decrypt(body, private_key=private_key, auth_secret=auth, version="aes128gcm")


def vapid_claims(authorization: str, public_key: str | None = None) -> dict:
    """Checks `vapid t=<jwt>, k=<key>` (RFC 8292): the ES256 signature verifies with `k`, and
    `k` is `public_key` when given; returns the token's claims."""
    assert authorization.startswith("vapid "), authorization
    params = dict(part.strip().split("=", 1) for part in authorization[len("vapid "):].split(","))
    token, key = params["t"], params["k"]
    if public_key is not None:
        assert key == public_key, f"k={key} is not the server's key {public_key}"
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "ES256", header
    signature = unb64url(signature_b64)
    assert len(signature) == 64, "JOSE ES256 signatures are r||s, 64 bytes"
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        verifier.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise AssertionError("the VAPID token's signature does not verify with k") from error
    return json.loads(unb64url(claims_b64))


class PushService:
    """The push service: a ThreadingHTTPServer on 127.0.0.1 in a thread of its own."""

    def __init__(self):
        self._lock = threading.Condition()
        self._received: dict[str, list[ReceivedPush]] = {}
        self._statuses: dict[str, int] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                name = self.path.split("?")[0].rsplit("/", 1)[-1]
                with service._lock:
                    service._received.setdefault(name, []).append(ReceivedPush(body, dict(self.headers.items())))
                    status = service._statuses.get(name, 201)
                    service._lock.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def endpoint(self, name: str) -> str:
        """The push endpoint of the device `name` (letters, digits, - and _)."""
        return f"{self.base}/push/{name}"

    def answer(self, name: str, status: int) -> None:
        """Answer `status` to later messages for `name` (404/410: the subscription is gone)."""
        with self._lock:
            self._statuses[name] = status

    def received(self, name: str, timeout: float = 10, count: int = 1) -> list[ReceivedPush]:
        """Every message `name` has received, once there are at least `count` (AssertionError
        after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._received.get(name, [])) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no push message for {name} within {timeout} s (got {len(self._received.get(name, []))})"
                self._lock.wait(left)
            return list(self._received[name])

    def all_received(self, name: str) -> list[ReceivedPush]:
        """What `name` has received so far, without waiting."""
        with self._lock:
            return list(self._received.get(name, []))
