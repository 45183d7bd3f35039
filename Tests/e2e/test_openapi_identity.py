"""docs/openapi.yaml stays true for issue 10's endpoints: a walk through login by login name and
e-mail, login delays, the directory and its sync, groups and group rules, people's sessions,
the audit log and its exports, password reset, e-mail and OpenID Connect, against a Communis
server that uses real outside systems started here, each on a free port in a folder of its
own: slapd with StartTLS (Tests/Fixtures/ldap/slapd.py), an SMTP server that requires STARTTLS
and AUTH (Tests/Fixtures/smtp/smtp_server.py) and an OpenID Connect provider
(Tests/Fixtures/oidc/provider.py). Every answer is checked against the document as in
test_openapi_conformance.py (openapi_walk.py); a missing program is a failure, never a skip."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from openapi_walk import DOC, IDENTITY_WALK, Checked, NoRedirects, another_client, cookie, csv_rows, documented_operations
from serverproc import Running

FIXTURES = REPO / "Tests" / "Fixtures"
PASSWORD = "Katrineholm2026"  # every person's in Tests/Fixtures/ldap/katrineholm.ldif
NOBODY = "00000000-0000-0000-0000-000000000000"
AUDIT_CSV_HEADER = ["id", "time", "action", "actor_id", "actor", "target_type", "target_id", "target", "workspace_id",
                    "workspace", "via", "address", "details"]
# Someone who logs in through the provider; without an e-mail address, so `email` is null.
MIRA = {"sub": "mira.lind", "name": "Mira Lind", "groups": ["Skolstart 2027"]}


class World:
    """The outside systems and the Communis server that uses them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.slapd: dict = {}
        self.provider: dict = {}
        self.server: Running | None = None
        self.processes: list[subprocess.Popen] = []

    def start_slapd(self) -> None:
        started = subprocess.run(
            [sys.executable, str(FIXTURES / "ldap" / "slapd.py"), "start", "--dir", str(self.folder / "ldap"), "--flavor", "openldap",
             "--watch-pid", str(os.getpid())], capture_output=True, text=True, timeout=120)
        if started.returncode != 0:
            pytest.fail(f"slapd did not start: {started.stderr}", pytrace=False)
        self.slapd = json.loads(started.stdout.strip().splitlines()[-1])

    def stop_slapd(self) -> None:
        subprocess.run([sys.executable, str(FIXTURES / "ldap" / "slapd.py"), "stop", "--dir", str(self.folder / "ldap")],
                       capture_output=True, text=True, timeout=60)

    def start(self, args: list[str], what: str) -> dict:
        """A fixture server that prints one JSON line when it listens and stops when its stdin closes."""
        proc = subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.processes.append(proc)
        line = proc.stdout.readline()
        if not line:
            proc.wait(timeout=10)
            pytest.fail(f"{what} did not start: {proc.stderr.read()}", pytrace=False)
        return json.loads(line)

    def stop(self) -> None:
        if self.server:
            self.server.stop()
        for proc in self.processes:
            proc.terminate()
            proc.wait(timeout=15)
        self.stop_slapd()

    def mail_to(self, address: str, timeout_s: float = 30) -> dict:
        """The newest message the SMTP server accepted for `address`, waiting for one."""
        deadline = time.monotonic() + timeout_s
        while True:
            for path in sorted((self.folder / "mail").glob("[0-9]*.json"), reverse=True):
                message = json.loads(path.read_text(encoding="utf-8"))
                if address in [r.lower() for r in message["rcptTos"]]:
                    return message
            assert time.monotonic() < deadline, f"no mail to {address} within {timeout_s} s:\n{self.server.log()[-3000:]}"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def world():
    world = World(Path(tempfile.mkdtemp(prefix="communis-openapi-identity-")))
    try:
        world.start_slapd()
        smtp = world.start([str(FIXTURES / "smtp" / "smtp_server.py"), "--dir", str(world.folder / "mail"), "--port", "0",
                            "--generate-cert", str(world.folder / "smtp-cert"), "--require-starttls", "--auth", "communis:brevbarare-2026",
                            "--stop-on-stdin-eof"], "the SMTP server")
        world.provider = world.start([str(FIXTURES / "oidc" / "provider.py"), "--port", "0", "--exit-with-stdin",
                                      "--user-claims", json.dumps(MIRA, ensure_ascii=False)], "the OIDC provider")
        base = world.slapd["baseDN"]
        (world.folder / "data").mkdir()
        world.server = Running(world.folder / "data", "--demo", env={
            "COMMUNIS_SERVER_TRUSTED_PROXIES": "127.0.0.1",  # the walk speaks for clients at other addresses
            "COMMUNIS_DIRECTORY_URL": world.slapd["url"], "COMMUNIS_DIRECTORY_START_TLS": "true",
            "COMMUNIS_DIRECTORY_CA_FILE": world.slapd["caFile"], "COMMUNIS_DIRECTORY_BIND_DN": world.slapd["serviceDN"],
            "COMMUNIS_DIRECTORY_BIND_PASSWORD": world.slapd["servicePassword"], "COMMUNIS_DIRECTORY_USER_BASE": f"ou=people,{base}",
            "COMMUNIS_DIRECTORY_GROUP_BASE": f"ou=groups,{base}", "COMMUNIS_DIRECTORY_SYNC_INTERVAL_MINUTES": "0",
            "COMMUNIS_OIDC_ISSUER": world.provider["issuer"], "COMMUNIS_OIDC_CLIENT_ID": "communis-openapi",
            "COMMUNIS_OIDC_CLIENT_SECRET": "openapi-hemlighet-2026", "COMMUNIS_OIDC_DISPLAY_NAME": "Katrineholms kommun",
            "COMMUNIS_MAIL_SMTP_HOST": "127.0.0.1", "COMMUNIS_MAIL_SMTP_PORT": str(smtp["port"]), "COMMUNIS_MAIL_USERNAME": "communis",
            "COMMUNIS_MAIL_PASSWORD": "brevbarare-2026", "COMMUNIS_MAIL_FROM_ADDRESS": "communis@katrineholm.se",
            "COMMUNIS_MAIL_CA_FILE": smtp["cert"],
        })
        yield world
    finally:
        world.stop()


def at_the_provider(location: str, sub: str) -> str:
    """What a person does at the provider: opens its page, picks who they are, and is sent
    back; returns where to (the provider is not Communis: plain HTTP, not checked)."""
    opener = urllib.request.build_opener(NoRedirects())
    with opener.open(location, timeout=10) as page:
        assert page.status == 200
    form = urllib.request.Request(location, data=urllib.parse.urlencode({"sub": sub}).encode(),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        opener.open(form, timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.read()
        return redirect.headers["Location"]
    raise AssertionError("the provider did not send the browser back")


def logged_in(server: Running, login: str, address: str | None = None) -> Checked:
    """A new browser of someone logged in with a login name or e-mail (from `address`)."""
    client = another_client(server)
    checked = Checked(client)
    session = checked("POST", "/api/v1/session", {"login": login, "password": PASSWORD},
                      headers={"X-Forwarded-For": address} if address else None, expect=200)
    client.csrf = session["csrfToken"]
    return checked


def test_the_documented_audit_actions_are_the_servers():
    source = (REPO / "Sources" / "CommunisModel" / "Audit.swift").read_text().split("public enum AuditVia")[0]
    assert DOC["components"]["schemas"]["AuditAction"]["enum"] == re.findall(r'case \w+ = "([^"]+)"', source)


def test_identity_answers_match_the_document(world):
    server = world.server
    anonymous = Checked(another_client(server, cookies=False))

    # What the login page may offer
    assert anonymous("GET", "/api/v1/auth/options", expect=200) == {
        "directory": True, "passwordReset": True, "oidc": {"displayName": "Katrineholms kommun", "loginUrl": "/api/v1/auth/oidc/login"}}

    # Login by login name (through a trusted proxy) and by e-mail, both through the directory
    api = logged_in(server, "annlin", address="10.20.30.40")
    me = api("GET", "/api/v1/me", expect=200)
    assert (me["login"], me["managedBy"], me["role"]) == ("annlin", "directory", "admin") and "phone" in me["managedFields"]
    assert api("GET", "/api/v1/session", expect=200)["user"]["id"] == me["id"]
    api("PATCH", "/api/v1/me", {"title": "Chef"}, expect=422)  # the directory's field
    api("PATCH", "/api/v1/me", {"competences": ["Informationssäkerhet"]}, expect=200)
    api("PUT", "/api/v1/me/password", {"currentPassword": PASSWORD, "newPassword": "NyttLösenord2027"}, expect=409)
    erik = logged_in(server, "erik.johansson@katrineholm.se")
    erik_id = erik("GET", "/api/v1/me", expect=200)["id"]
    anonymous("POST", "/api/v1/session", {"login": "annlin", "password": "fel lösenord"}, expect=401)
    anonymous("POST", "/api/v1/session", {"password": PASSWORD}, expect=422)
    anonymous("POST", "/api/v1/session", expect=400)

    # Delays after failed logins: only for the address they came from
    far = {"X-Forwarded-For": "10.66.0.1"}
    for _ in range(5):
        anonymous("POST", "/api/v1/session", {"login": "tovnys", "password": "fel lösenord"}, headers=far, expect=401)
    waiting = anonymous("POST", "/api/v1/session", {"login": "tovnys", "password": PASSWORD}, headers=far, expect=429)
    assert waiting["retryAfterSeconds"] >= 1 and anonymous.headers["Retry-After"] == str(waiting["retryAfterSeconds"])
    tove_id = logged_in(server, "tovnys", address="10.66.0.2")("GET", "/api/v1/me", expect=200)["id"]
    assert api("POST", f"/api/v1/admin/users/{tove_id}/unlock", expect=200)["lockedUntil"] is None

    # The directory: status, dry run and real sync
    status = api("GET", "/api/v1/admin/directory", expect=200)
    assert (status["configured"], status["kind"], status["lastSync"], status["mail"]["configured"]) == (True, "openldap", None, True)
    assert status["oidc"] == {"issuer": world.provider["issuer"], "displayName": "Katrineholms kommun"}
    erik("GET", "/api/v1/admin/directory", expect=403)
    anonymous("GET", "/api/v1/admin/directory", expect=401)
    dry = api("POST", "/api/v1/admin/directory/sync", {"dryRun": True}, expect=200)
    api("POST", "/api/v1/admin/directory/sync", {"dryRun": "ja"}, expect=422)
    erik("POST", "/api/v1/admin/directory/sync", {}, expect=403)
    erik("POST", "/api/v1/admin/directory/sync", expect=403)
    # No body is a real sync (every field is optional).
    synced = api("POST", "/api/v1/admin/directory/sync", expect=200)
    assert dry["dryRun"] and not synced["dryRun"] and synced["created"] == dry["created"] and synced["errors"] == 0
    again = api("POST", "/api/v1/admin/directory/sync", {}, expect=200)
    assert again["created"] == 0
    assert api("GET", "/api/v1/admin/directory", expect=200)["lastSync"]["ok"] is True

    # OpenID Connect: the redirect with its flow cookie, the provider, the callback
    browser = another_client(server)
    oidc = Checked(browser)
    oidc("GET", "/api/v1/auth/oidc/login?returnTo=%23/knowledge", expect=302)
    location = oidc.headers["Location"]
    assert location.startswith(world.provider["issuer"] + "/oauth2/authorize?") and "code_challenge_method=S256" in location
    assert cookie(browser, "communis_oidc")
    anonymous("GET", "/api/v1/auth/oidc/callback?code=abc&state=def", expect=302)  # no flow cookie
    assert anonymous.headers["Location"] == "/#/login?error=oidc-expired"
    back = urllib.parse.urlsplit(at_the_provider(location, MIRA["sub"]))
    assert back.path == "/api/v1/auth/oidc/callback"
    oidc("GET", f"{back.path}?{back.query}", expect=302)
    assert oidc.headers["Location"] == "/#/knowledge" and cookie(browser, "communis_session") and not cookie(browser, "communis_oidc")
    mira = oidc("GET", "/api/v1/me", expect=200)
    assert (mira["name"], mira["email"], mira["managedBy"], mira["managedFields"]) == ("Mira Lind", None, "oidc", ["name", "email"])
    assert [s["method"] for s in oidc("GET", "/api/v1/me/sessions", expect=200)["items"]] == ["oidc"]

    # Groups and an administrator's view of one person
    groups = api("GET", "/api/v1/admin/groups?q=Skolstart", expect=200)["items"]
    assert {(g["source"], g["name"]) for g in groups} == {("directory", "Skolstart 2027-projektet"), ("oidc", "Skolstart 2027")}
    rektorer = api("GET", "/api/v1/admin/groups?q=Rektor", expect=200)["items"][0]
    assert rektorer["dn"] == f"cn=Rektorer,ou=groups,{world.slapd['baseDN']}"
    erik("GET", "/api/v1/admin/groups", expect=403)
    anna = api("GET", f"/api/v1/admin/users/{me['id']}", expect=200)
    assert {"IT-enheten", "Communis-administratörer", "Alla medarbetare"} <= {g["name"] for g in anna["groups"]}  # nested
    assert [g["key"] for g in api("GET", f"/api/v1/admin/users/{mira['id']}", expect=200)["groups"]] == ["oidc:Skolstart 2027"]
    api("GET", f"/api/v1/admin/users/{NOBODY}", expect=404)
    erik("GET", f"/api/v1/admin/users/{me['id']}", expect=403)
    assert "groups" not in api("GET", "/api/v1/admin/users?q=erik", expect=200)["items"][0]
    api("PATCH", f"/api/v1/admin/users/{erik_id}", {"name": "Erik J"}, expect=422)
    assert api("PATCH", f"/api/v1/admin/users/{erik_id}", {"roleFromRules": True}, expect=200)["roleSource"] == "rules"
    api("PUT", f"/api/v1/admin/users/{erik_id}/password", {"newPassword": "AdminSatt2027"}, expect=409)

    # Group rules: preview, save, preview of deleting, delete
    network = api("POST", "/api/v1/workspaces", {"name": "Rektorsnätverket", "visibility": "closed"}, expect=201)
    draft = {"groupKey": rektorer["key"], "kind": "membership", "workspaceId": network["id"], "membershipRole": "member"}
    preview = api("POST", "/api/v1/admin/group-rules/preview", draft, expect=200)
    assert [(c["person"]["id"], c["what"], c["from"], c["to"]) for c in preview["gains"]] == [(erik_id, "membership", None, "member")]
    api("POST", "/api/v1/admin/group-rules/preview", {**draft, "kind": "grupp"}, expect=422)
    api("POST", "/api/v1/admin/group-rules/preview", {"groupKey": "directory:okand", "kind": "role", "role": "admin"}, expect=422)
    api("POST", "/api/v1/admin/group-rules/preview", expect=400)
    erik("POST", "/api/v1/admin/group-rules/preview", draft, expect=403)
    created = api("POST", "/api/v1/admin/group-rules", draft, expect=201)
    assert created["applied"]["gains"] == preview["gains"] and created["rule"]["workspace"]["name"] == "Rektorsnätverket"
    api("POST", "/api/v1/admin/group-rules", {"groupKey": "oidc:Skolstart 2027", "kind": "role", "role": "guest"}, expect=422)
    api("POST", "/api/v1/admin/group-rules", draft, expect=409)  # the same rule again
    erik("POST", "/api/v1/admin/group-rules", draft, expect=403)
    rule = created["rule"]
    assert [r["id"] for r in api("GET", "/api/v1/admin/group-rules", expect=200)["items"]] == [rule["id"]]
    erik("GET", "/api/v1/admin/group-rules", expect=403)
    going = api("GET", f"/api/v1/admin/group-rules/{rule['id']}/delete-preview", expect=200)
    assert [(c["person"]["id"], c["to"]) for c in going["losses"]] == [(erik_id, None)] and going["gains"] == []
    api("GET", f"/api/v1/admin/group-rules/{NOBODY}/delete-preview", expect=404)
    erik("GET", f"/api/v1/admin/group-rules/{rule['id']}/delete-preview", expect=403)
    erik("DELETE", f"/api/v1/admin/group-rules/{rule['id']}", expect=403)
    assert api("DELETE", f"/api/v1/admin/group-rules/{rule['id']}", expect=200)["applied"]["losses"] == going["losses"]
    api("DELETE", f"/api/v1/admin/group-rules/{rule['id']}", expect=404)

    # E-mail: a test message, guest and meeting invitations that are mailed
    api("POST", "/api/v1/admin/mail/test", {"language": "sv"}, expect=202)
    assert world.mail_to("anna.lindqvist@katrineholm.se")["subject"] == "Testmejl från Communis"
    api("POST", "/api/v1/admin/mail/test", expect=202)
    erik("POST", "/api/v1/admin/mail/test", {}, expect=403)
    room = api("POST", "/api/v1/workspaces", {"name": "Partnerrummet", "visibility": "closed"}, expect=201)
    invited = api("POST", f"/api/v1/workspaces/{room['id']}/guests",
                  {"email": "kim.berg@konsultbolaget.se", "name": "Kim Berg", "language": "en"}, expect=201)
    assert invited["emailed"] is True and invited["inviteUrl"].startswith(server.base + "/#/invitation/")
    assert invited["inviteUrl"] in world.mail_to("kim.berg@konsultbolaget.se")["text"]
    meeting = api("POST", f"/api/v1/workspaces/{room['id']}/meetings", {"title": "Uppstart med partnern"}, expect=201)
    link = api("POST", f"/api/v1/meetings/{meeting['id']}/invitations",
               {"name": "Kim Berg", "email": "kim.berg@konsultbolaget.se", "language": "sv"}, expect=201)
    assert link["emailed"] is True
    assert api("POST", f"/api/v1/meetings/{meeting['id']}/invitations", {"name": "Noa Ek"}, expect=201)["emailed"] is False

    # Password reset of a local account (the demo's guest Lena Berg), by e-mail
    anonymous("POST", "/api/v1/password-reset", {"email": "lena.berg@konsultbolaget.se", "language": "sv"}, expect=202)
    anonymous("POST", "/api/v1/password-reset", {"email": "ingen-adress"}, expect=422)
    anonymous("POST", "/api/v1/password-reset", expect=400)
    token = re.search(r"/#/reset/([A-Za-z0-9_-]+)", world.mail_to("lena.berg@konsultbolaget.se")["text"]).group(1)
    assert anonymous("GET", f"/api/v1/password-reset/{token}", expect=200)["name"] == "Lena Berg"
    anonymous("POST", f"/api/v1/password-reset/{token}", {"newPassword": "kort"}, expect=422)
    anonymous("POST", f"/api/v1/password-reset/{token}", {"newPassword": "Vårdagjämning-2027"}, expect=204)
    anonymous("GET", f"/api/v1/password-reset/{token}", expect=410)
    anonymous("POST", f"/api/v1/password-reset/{token}", {"newPassword": "Vårdagjämning-2028"}, expect=410)
    anonymous("GET", "/api/v1/password-reset/okand", expect=410)
    lena = anonymous("POST", "/api/v1/session", {"login": "lena.berg@konsultbolaget.se", "password": "Vårdagjämning-2027"}, expect=200)
    assert lena["user"]["managedBy"] is None and lena["user"]["role"] == "guest"

    # The audit log and both exports
    assert api("GET", "/api/v1/admin/audit?limit=5", expect=200)["total"] > 5
    failed = api("GET", "/api/v1/admin/audit?action=login.failed&q=10.66.0.1", expect=200)
    assert failed["total"] == 5 and {(e["address"], e["actor"], e["via"]) for e in failed["items"]} == {("10.66.0.1", None, "login")}
    api("GET", f"/api/v1/admin/audit?action=login.succeeded,group-rule.created&actor={me['id']}&from=2020-01-01&to=2100-01-01T00:00:00Z",
        expect=200)
    api("GET", f"/api/v1/admin/audit?action=role.changed&action=membership.added&target={erik_id}&offset=1", expect=200)
    api("GET", "/api/v1/admin/audit?action=login.gissad", expect=422)
    api("GET", "/api/v1/admin/audit?from=i%20g%C3%A5r", expect=422)
    api("GET", "/api/v1/admin/audit?limit=many", expect=422)
    erik("GET", "/api/v1/admin/audit", expect=403)
    anonymous("GET", "/api/v1/admin/audit", expect=401)
    exported = api("GET", "/api/v1/admin/audit/export?action=group-rule.created&action=group-rule.deleted", expect=200)
    assert api.headers["Content-Type"] == "text/csv; charset=utf-8" and exported.startswith("\ufeff")
    assert re.fullmatch(r'attachment; filename="communis-granskningslogg-\d{4}-\d\d-\d\d\.csv"', api.headers["Content-Disposition"])
    rows = csv_rows("the CSV export", exported)
    assert rows[0] == AUDIT_CSV_HEADER and [row[2] for row in rows[1:]] == ["group-rule.created", "group-rule.deleted"]
    entries = api("GET", "/api/v1/admin/audit/export?format=json&action=group-rule.created", expect=200)
    assert [e["target"]["id"] for e in entries] == [rule["id"]] and api.headers["Content-Disposition"].endswith('.json"')
    api("GET", "/api/v1/admin/audit/export?format=xlsx", expect=422)
    erik("GET", "/api/v1/admin/audit/export", expect=403)
    assert api("GET", "/api/v1/admin/audit?action=audit.exported", expect=200)["total"] == 2

    # Sessions: mine, another person's (and their tokens), as an administrator
    mine = api("GET", "/api/v1/me/sessions", expect=200)["items"]
    assert [(s["address"], s["method"]) for s in mine if s["current"]] == [("10.20.30.40", "directory")]
    elsewhere = logged_in(server, "annlin", address="10.20.30.41")
    other = next(s for s in api("GET", "/api/v1/me/sessions", expect=200)["items"] if s["address"] == "10.20.30.41")
    api("DELETE", f"/api/v1/me/sessions/{other['id']}", expect=204)
    api("DELETE", f"/api/v1/me/sessions/{other['id']}", expect=404)
    elsewhere("GET", "/api/v1/me", expect=401)
    anonymous("GET", "/api/v1/me/sessions", expect=401)
    script = erik("POST", "/api/v1/tokens", {"name": "Schemaskript"}, expect=201)
    seen = api("GET", f"/api/v1/admin/users/{erik_id}/sessions", expect=200)
    assert [t["id"] for t in seen["tokens"]] == [script["id"]] and [s["current"] for s in seen["sessions"]] == [False]
    api("GET", f"/api/v1/admin/users/{NOBODY}/sessions", expect=404)
    erik("GET", f"/api/v1/admin/users/{me['id']}/sessions", expect=403)
    erik("DELETE", f"/api/v1/admin/users/{me['id']}/tokens/{script['id']}", expect=403)
    api("DELETE", f"/api/v1/admin/users/{erik_id}/tokens/{script['id']}", expect=204)
    api("DELETE", f"/api/v1/admin/users/{erik_id}/tokens/{script['id']}", expect=404)
    erik("DELETE", f"/api/v1/admin/users/{me['id']}/sessions/{mine[0]['id']}", expect=403)
    erik("DELETE", f"/api/v1/admin/users/{me['id']}/sessions", expect=403)
    api("DELETE", f"/api/v1/admin/users/{erik_id}/sessions/{seen['sessions'][0]['id']}", expect=204)
    api("DELETE", f"/api/v1/admin/users/{erik_id}/sessions/{seen['sessions'][0]['id']}", expect=404)
    erik("GET", "/api/v1/me", expect=401)
    logged_in(server, "erijoh")
    api("DELETE", f"/api/v1/admin/users/{erik_id}/sessions", expect=204)
    api("DELETE", f"/api/v1/admin/users/{NOBODY}/sessions", expect=404)
    assert api("GET", f"/api/v1/admin/users/{erik_id}/sessions", expect=200)["sessions"] == []

    # The directory goes away: directory logins, syncs and previews say so
    world.stop_slapd()
    anonymous("POST", "/api/v1/session", {"login": "erijoh", "password": PASSWORD}, expect=503)
    api("POST", "/api/v1/admin/directory/sync", {}, expect=503)
    api("POST", "/api/v1/admin/group-rules/preview", draft, expect=503)
    assert api("GET", "/api/v1/admin/directory", expect=200)["lastSync"]["ok"] is False

    # Logging out everywhere ends this session too
    api("DELETE", "/api/v1/me/sessions", expect=204)
    assert "communis_session=;" in api.headers["Set-Cookie"].replace(" ", "")
    api("GET", "/api/v1/me", expect=401)

    assert IDENTITY_WALK <= documented_operations()
    unseen = IDENTITY_WALK - api.seen - erik.seen - anonymous.seen - oidc.seen
    assert not unseen, f"operations never exercised here: {sorted(unseen)}"
