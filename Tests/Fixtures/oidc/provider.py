#!/usr/bin/env python3
"""A real OpenID Connect provider for Communis's tests.

It runs the PyPI package oidc-provider-mock (0.3.x, authlib underneath) with what a
municipality's provider does and the mock leaves out: PKCE is required (S256 only) and
verified, a nonce is required, ID tokens name their signing key (`kid`), and the signing key
can be rotated.

Usage:
    python3 Tests/Fixtures/oidc/provider.py [--port P] [--host H]
        [--user-claims JSON]... [--token-max-age SECONDS]

    --port P             port to listen on; 0 (the default) picks a free one
    --host H             address to bind (default 127.0.0.1); the issuer is
                         http://<the Host header of each request>, as the mock makes it
    --user-claims JSON   a predefined user: a JSON object with "sub" and its claims, e.g.
                         '{"sub":"anna","name":"Anna A","email":"anna@example.se",
                           "groups":["staff"]}'; repeatable. Predefined users appear as
                         buttons on the authorization page.
    --token-max-age S    lifetime of access and ID tokens (default 3600)
    --exit-with-stdin    stop when standard input reaches its end: a parent that holds the
                         other end of a pipe takes the provider with it even when it crashes

Once it answers it prints one JSON line on stdout and keeps running until SIGTERM/SIGINT:
    {"port": 43121, "pid": 1234, "issuer": "http://127.0.0.1:43121"}
The log (one line per request) goes to stderr.

Endpoints (the mock's, plus two for tests):
    GET  /.well-known/openid-configuration, GET /jwks, GET|POST /oauth2/authorize,
    POST /oauth2/token, GET /userinfo            the mock's provider
    PUT  /users/<sub>   body: JSON object of claims   sets (replaces) a user's claims
    POST /test/rotate-key   replaces the signing key by a new one with a new kid; the JWKS
                            then holds only the new key. Answers {"kid": "<new kid>"}.
    GET  /test/stats        {"jwks_fetches": n, "kid": "<current kid>"}

The authorization page is the mock's: a text field `sub` with an "Authorize" button, and a
button per predefined user; a browser test types or picks a sub and presses it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import urllib.request

# The mock refuses plain http unless told otherwise; tests run on loopback without TLS.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import warnings

import authlib.deprecate

# authlib announces its own deprecations (of modules the mock imports) on every start.
warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)

import flask
import werkzeug.serving
from authlib import jose
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge

import oidc_provider_mock
import oidc_provider_mock._app as mock_app
from oidc_provider_mock._storage import User

# --- PKCE -------------------------------------------------------------------------------
# The mock registers its authorization-code grant without authlib's PKCE extension, and its
# stored authorization codes have no place for the challenge. We monkeypatch inside this
# process only:
#  1. `mock_app.AuthorizationCodeGrant` (the module global the mock's setup registers and its
#     endpoints check with isinstance) becomes a subclass that remembers each code's
#     challenge and applies authlib's `CodeChallenge(required=True)` to every grant instance
#     (what `register_grant(..., [CodeChallenge(required=True)])` would do).
#  2. That CodeChallenge is narrowed: authlib's `required` only forces a verifier on public
#     clients and accepts requests without a challenge or with "plain"; ours refuses an
#     authorization request without an S256 challenge and a token request without a verifier,
#     as a provider configured to require PKCE does.

_challenges: dict[str, tuple[str, str]] = {}  # authorization code -> (challenge, method)
_challenges_lock = threading.Lock()  # werkzeug's threaded server serves requests concurrently


class _RequiredS256CodeChallenge(CodeChallenge):
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge' (PKCE is required)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        return super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier' (PKCE is required)")
        return super().validate_code_verifier(grant, result)

    def get_authorization_code_challenge(self, authorization_code):
        with _challenges_lock:
            return _challenges.get(authorization_code.code, (None, None))[0]

    def get_authorization_code_challenge_method(self, authorization_code):
        with _challenges_lock:
            return _challenges.get(authorization_code.code, (None, None))[1]


_pkce = _RequiredS256CodeChallenge(required=True)


class _PKCEAuthorizationCodeGrant(mock_app.AuthorizationCodeGrant):
    def __init__(self, request, server):
        super().__init__(request, server)
        _pkce(self)

    def save_authorization_code(self, code, request):
        data = request.payload.data
        with _challenges_lock:
            _challenges[code] = (data.get("code_challenge"), data.get("code_challenge_method"))
        return super().save_authorization_code(code, request)


mock_app.AuthorizationCodeGrant = _PKCEAuthorizationCodeGrant


# --- Key id in the ID token header ------------------------------------------------------
# The mock signs without a `kid` header; real providers name the key so that clients can
# pick it from the JWKS and notice a rotation. Add the current key's kid.
_original_get_encode_header = mock_app.OpenIDCode.get_encode_header


def _get_encode_header(self, client):
    header = _original_get_encode_header(self, client)
    header["kid"] = mock_app.storage.jwk.as_dict()["kid"]
    return header


mock_app.OpenIDCode.get_encode_header = _get_encode_header


# --- Test endpoints -----------------------------------------------------------------------
_stats = {"jwks_fetches": 0}
_stats_lock = threading.Lock()


def _add_test_routes(app: flask.Flask) -> None:
    @app.before_request
    def count_jwks_fetches():
        if flask.request.path == "/jwks":
            with _stats_lock:
                _stats["jwks_fetches"] += 1

    @app.post("/test/rotate-key")
    def rotate_key():
        # The mock's before_request has put its Storage (one per app) on flask.g.
        storage = flask.g.oidc_provider_mock_storage
        storage.jwk = jose.RSAKey.generate_key(is_private=True)
        return flask.jsonify({"kid": storage.jwk.as_dict()["kid"]})

    @app.get("/test/stats")
    def stats():
        storage = flask.g.oidc_provider_mock_storage
        with _stats_lock:
            return flask.jsonify({**_stats, "kid": storage.jwk.as_dict()["kid"]})


def _parse_users(values: list[str]) -> list[User]:
    users = []
    for text in values:
        try:
            claims = json.loads(text)
        except json.JSONDecodeError as error:
            sys.exit(f"--user-claims is not JSON ({error}): {text}")
        if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str) or not claims["sub"]:
            sys.exit(f'--user-claims must be a JSON object with a "sub" string: {text}')
        sub = claims.pop("sub")
        users.append(User(sub=sub, claims=claims))
    return users


def main() -> None:
    # A parent that starts us from a thread with signals blocked (Foundation's Process on a
    # Swift concurrency thread does) passes that mask on; SIGTERM must reach us to stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--user-claims", action="append", default=[])
    parser.add_argument("--token-max-age", type=int, default=3600)
    parser.add_argument("--exit-with-stdin", action="store_true")
    args = parser.parse_args()

    from datetime import timedelta

    app = oidc_provider_mock.app(
        require_nonce=True,
        access_token_max_age=timedelta(seconds=args.token_max_age),
        user_claims=_parse_users(args.user_claims),
    )
    _add_test_routes(app)

    server = werkzeug.serving.make_server(args.host, args.port, app, threaded=True)
    port = server.server_port
    host = f"[{args.host}]" if ":" in args.host else args.host
    issuer = f"http://{host}:{port}"

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever to return, so it must not run on its thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.exit_with_stdin:

        def watch_parent():
            # os.read, not sys.stdin: a daemon thread blocked inside the buffered reader makes
            # the interpreter wait a second for its lock when it exits.
            while os.read(0, 4096):
                pass
            stop(None, None)

        threading.Thread(target=watch_parent, daemon=True).start()

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()

    # Announce only once a real request is answered, so a caller can go on at once.
    with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=10) as answer:
        announced = json.load(answer)["issuer"]
    print(json.dumps({"port": port, "pid": os.getpid(), "issuer": announced}), flush=True)

    # Joined in slices: the main thread runs Python's signal handlers only between them.
    while thread.is_alive():
        thread.join(timeout=0.1)
    server.server_close()


if __name__ == "__main__":
    main()
