"""Issue 10 in the browser against real servers started by the tests: directory login and group
rules against slapd, password reset and invitations by e-mail through an SMTP server, and login
through an OpenID Connect provider."""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from a11y import check_accessibility
from conftest import ANNA, DEMO_PASSWORD, SARA, create_workspace, login, screenshot
from identity_services import FIXTURES, communis, mailbox, page_on, slapd, start_provider  # noqa: F401 (fixtures)
from serverproc import communis as communis_cli

LOGIN_FIELD = "Användarnamn eller e-postadress"
LOCAL_ADMIN = "it@kommun.se"
LOCAL_ADMIN_PASSWORD = "ett långt lösenord"


@pytest.fixture
def contexts():
    made = []
    yield made
    for context in made:
        context.close()


def shut_down(server, contexts) -> None:
    """Closes the browsers first: their live connections would hold up the graceful stop."""
    for context in contexts:
        context.close()
    contexts.clear()
    server.stop()


def log_in(page, who: str, password: str) -> None:
    page.goto("/#/login")
    page.get_by_label(LOGIN_FIELD).fill(who)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible()


def test_directory_sync_group_rule_preview_and_login_by_login_name(monkeypatch, slapd, browser, contexts):  # noqa: F811
    data_dir = Path(tempfile.mkdtemp(prefix="communis-e2e-dir-"))
    added = communis_cli("user", "add", "--data-dir", str(data_dir), "--email", LOCAL_ADMIN, "--name", "IT-administratör",
                         "--admin", "--password", LOCAL_ADMIN_PASSWORD)
    assert added.returncode == 0, added.stderr
    server = communis(monkeypatch, slapd.env(), data_dir=data_dir)
    try:
        admin = page_on(browser, server, contexts)
        log_in(admin, LOCAL_ADMIN, LOCAL_ADMIN_PASSWORD)
        admin.goto("/#/admin/directory")
        directory = admin.get_by_role("region", name="Kommunens katalog")
        expect(directory).to_contain_text("OpenLDAP")
        expect(directory).to_contain_text(slapd.url)

        # A dry run says what would happen and changes nothing; then the real run.
        directory.get_by_role("button", name="Provkör (ändrar inget)").click()
        expect(directory.get_by_role("heading", name="Resultat av provkörningen")).to_be_focused()
        expect(directory).to_contain_text(re.compile(r"\d+ konton skapade"))
        admin.get_by_role("button", name="Synkronisera nu").click()
        expect(admin.get_by_role("heading", name="Resultat av synkroniseringen")).to_be_visible()
        expect(admin.get_by_role("region", name="Kommunens katalog")).to_contain_text("lyckades")

        # The rule: members of IT-enheten become administrators; the preview names them first.
        rules = admin.get_by_role("region", name="Gruppregler")
        save = rules.get_by_role("button", name="Spara regel")
        rules.get_by_label("Sök grupp").fill("IT")
        rules.get_by_role("button", name="Sök grupper").click()
        rules.get_by_role("radio", name="IT-enheten").check()
        rules.get_by_role("radio", name="En roll i Communis").check()
        rules.get_by_label("Roll", exact=True).select_option("admin")
        expect(save).to_be_disabled()
        rules.get_by_role("button", name="Förhandsgranska").click()
        expect(rules).to_contain_text("Anna Lindqvist: Anställd → Administratör")
        expect(save).to_be_enabled()
        check_accessibility(admin, "a group rule's preview")
        screenshot(admin, "identity-8-rule-preview")
        # Changing the rule after the preview asks for a new one.
        rules.get_by_label("Roll", exact=True).select_option("member")
        expect(save).to_be_disabled()
        rules.get_by_label("Roll", exact=True).select_option("admin")
        rules.get_by_role("button", name="Förhandsgranska").click()
        save.click()
        expect(rules.get_by_role("status").filter(has_text="Regeln är sparad")).to_be_visible()
        expect(rules).to_contain_text("Det här ändrades:")

        # Anna logs in with her directory login name and is an administrator now.
        anna = page_on(browser, server, contexts)
        log_in(anna, "annlin", DEMO_PASSWORD)
        expect(anna.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Administration")).to_be_visible()
        anna.goto("/#/profile")
        expect(anna.get_by_text("Användarnamn: annlin")).to_be_visible()
        expect(anna.get_by_label("Titel")).to_have_attribute("readonly", "")
        expect(anna.get_by_text("Hämtas från kommunens katalog").first).to_be_visible()
        expect(anna.get_by_label("Nuvarande lösenord")).to_have_count(0)
        expect(anna.get_by_role("region", name="Byt lösenord")).to_contain_text("kommunens nätverk")
        check_accessibility(anna, "the profile of a directory person")

        # In the account list: from the directory, role from a rule.
        admin.goto("/#/admin")
        search = admin.get_by_role("search", name="Sök användare")
        search.get_by_role("searchbox", name="Sök användare").fill("Anna")
        search.get_by_role("button", name="Sök").click()
        card = admin.get_by_role("listitem").filter(has=admin.get_by_role("heading", name="Anna Lindqvist"))
        expect(card).to_contain_text("Katalog")
        expect(card).to_contain_text("Rollen kommer från en gruppregel.")
        # A role set by hand wins until the groups are allowed to decide again.
        card.get_by_text("Hantera konto").click()
        card.get_by_label("Roll", exact=True).select_option("member")
        card.get_by_role("button", name="Spara roll för Anna Lindqvist").click()
        expect(card).to_contain_text("Rollen är satt för hand.")
        card.get_by_role("button", name="Låt grupperna bestämma rollen för Anna Lindqvist").click()
        expect(admin.get_by_role("status").filter(has_text="Gruppreglerna bestämmer nu rollen för Anna Lindqvist.")).to_be_visible()
        expect(card).to_contain_text("Rollen kommer från en gruppregel.")
        expect(card).to_contain_text("Administratör")

        # Deleting the rule shows who loses what and asks first.
        admin.goto("/#/admin/directory")
        rules = admin.get_by_role("region", name="Gruppregler")
        rules.get_by_role("button", name=re.compile("^Ta bort regeln IT-enheten")).click()
        expect(rules.get_by_role("heading", name="Ta bort regeln för IT-enheten?")).to_be_focused()
        expect(rules).to_contain_text("Anna Lindqvist: Administratör → Anställd")
        rules.get_by_role("button", name="Ja, ta bort regeln").click()
        expect(rules.get_by_role("status").filter(has_text="Regeln för IT-enheten är borttagen.")).to_be_visible()
        expect(rules).to_contain_text("Inga gruppregler ännu.")

        admin.goto("/#/admin/audit")
        admin.get_by_label("Händelse", exact=True).select_option("group-rule.created")
        admin.get_by_role("button", name="Visa").click()
        expect(admin.get_by_role("table", name="Granskningslogg, nyaste först")).to_contain_text("Gruppregel skapad")

        # Without the directory, its people are told so; local accounts still log in.
        subprocess.run([sys.executable, str(FIXTURES / "ldap" / "slapd.py"), "stop", "--dir", slapd.info["dir"]],
                       capture_output=True, text=True, timeout=60, check=True)
        erik = page_on(browser, server, contexts)
        erik.goto("/#/login")
        erik.get_by_label(LOGIN_FIELD).fill("erijoh")
        erik.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        erik.get_by_role("button", name="Logga in").click()
        expect(erik.get_by_role("alert")).to_have_text("Kommunens katalog går inte att nå just nu. Försök igen om en stund.")
        log_in(erik, LOCAL_ADMIN, LOCAL_ADMIN_PASSWORD)
    finally:
        shut_down(server, contexts)


def test_a_membership_rule_puts_a_group_into_a_workspace(monkeypatch, slapd, browser, contexts):  # noqa: F811
    data_dir = Path(tempfile.mkdtemp(prefix="communis-e2e-dir-"))
    added = communis_cli("user", "add", "--data-dir", str(data_dir), "--email", LOCAL_ADMIN, "--name", "IT-administratör",
                         "--admin", "--password", LOCAL_ADMIN_PASSWORD)
    assert added.returncode == 0, added.stderr
    server = communis(monkeypatch, slapd.env(), data_dir=data_dir)
    try:
        admin = page_on(browser, server, contexts)
        log_in(admin, LOCAL_ADMIN, LOCAL_ADMIN_PASSWORD)
        create_workspace(admin, "Skolstart 2027", "secret")
        admin.goto("/#/admin/directory")
        admin.get_by_role("button", name="Synkronisera nu").click()
        expect(admin.get_by_role("heading", name="Resultat av synkroniseringen")).to_be_visible()

        rules = admin.get_by_role("region", name="Gruppregler")
        rules.get_by_label("Sök grupp").fill("Bildning")
        rules.get_by_role("button", name="Sök grupper").click()
        rules.get_by_role("radio", name="Bildningsförvaltningen").check()
        rules.get_by_role("radio", name="Medlemskap i en samarbetsyta").check()
        rules.get_by_label("Sök samarbetsyta").fill("Skolstart")
        rules.get_by_role("button", name="Sök samarbetsytor").click()
        rules.get_by_role("radio", name="Skolstart 2027").check()
        rules.get_by_label("Roll i samarbetsytan").select_option("member")
        rules.get_by_role("button", name="Förhandsgranska").click()
        expect(rules).to_contain_text("Erik Johansson blir medlem i Skolstart 2027")
        rules.get_by_role("button", name="Spara regel").click()
        expect(rules.get_by_role("status").filter(has_text="Regeln är sparad: gruppen Bildningsförvaltningen ger medlem i Skolstart 2027.")).to_be_visible()
        expect(rules.get_by_role("list").first).to_contain_text("medlem i Skolstart 2027")

        # Erik logs in with his login name and finds the secret workspace among his own.
        erik = page_on(browser, server, contexts)
        log_in(erik, "erijoh", DEMO_PASSWORD)
        expect(erik.get_by_role("region", name="Mina samarbetsytor").get_by_role("link", name="Skolstart 2027")).to_be_visible()
    finally:
        shut_down(server, contexts)


def test_password_reset_by_e_mail(monkeypatch, mailbox, browser, contexts):  # noqa: F811
    server = communis(monkeypatch, mailbox.env(), "--demo")
    try:
        page = page_on(browser, server, contexts)
        page.goto("/#/login")
        page.get_by_role("link", name="Glömt lösenordet?").click()
        expect(page.get_by_role("heading", level=1, name="Glömt lösenordet?")).to_be_visible()
        check_accessibility(page, "the reset request")
        page.get_by_label("E-postadress").fill(SARA)
        page.get_by_role("button", name="Skicka länk").click()
        answer = page.get_by_role("status").filter(has_text="hör till ett konto")
        expect(answer).to_contain_text(f"Om {SARA} hör till ett konto hos oss")

        mail = mailbox.wait_for(SARA)
        link = re.search(r"https?://\S+/#/reset/[A-Za-z0-9_\-]+", mail["text"])
        assert link, mail["text"]
        page.goto(link.group(0).replace(re.match(r"https?://[^/]+", link.group(0)).group(0), server.base))
        expect(page.get_by_role("heading", level=1, name="Välj nytt lösenord")).to_be_visible()
        expect(page.get_by_text(f"Sara Nilsson ({SARA})")).to_be_visible()
        check_accessibility(page, "choosing a new password")
        page.get_by_label(re.compile(r"^Nytt lösenord")).fill("Sommar-2026-ny")
        page.get_by_label("Upprepa nytt lösenord").fill("Sommar-2026-nY")
        page.get_by_role("button", name="Spara nytt lösenord").click()
        expect(page.get_by_text("Lösenorden är inte lika.")).to_be_visible()
        page.get_by_label("Upprepa nytt lösenord").fill("Sommar-2026-ny")
        page.get_by_role("button", name="Spara nytt lösenord").click()
        expect(page.get_by_role("status").filter(has_text="Lösenordet är bytt.")).to_be_visible()
        login(page, SARA, "Sommar-2026-ny")

        # The link works once.
        other = page_on(browser, server, contexts)
        other.goto(link.group(0).replace(re.match(r"https?://[^/]+", link.group(0)).group(0), server.base))
        expect(other.get_by_role("alert")).to_have_text("Länken har gått ut eller redan använts.")
    finally:
        shut_down(server, contexts)


def test_invitations_and_the_test_mail_go_out_by_e_mail(monkeypatch, mailbox, browser, contexts):  # noqa: F811
    server = communis(monkeypatch, mailbox.env(), "--demo")
    try:
        anna = page_on(browser, server, contexts)
        login(anna, ANNA)
        create_workspace(anna, "Samverkan med konsulter", "closed")
        invite = anna.get_by_role("region", name="Bjud in en extern gäst")
        invite.get_by_label("Gästens e-postadress").fill("greta.gast@exempel.se")
        invite.get_by_label("Gästens namn").fill("Greta Gäst")
        invite.get_by_label("Språk i inbjudan").select_option("en")
        invite.get_by_role("button", name="Skapa inbjudan").click()
        expect(invite.get_by_role("status").filter(has_text="Inbjudan skickades till greta.gast@exempel.se")).to_be_visible()
        # The link is still there to copy.
        expect(invite.get_by_label("Inbjudningslänk")).to_have_value(re.compile(r"#/invitation/"))
        mail = mailbox.wait_for("greta.gast@exempel.se")
        assert mail["subject"] == "Invitation to the workspace “Samverkan med konsulter” in Communis", mail["subject"]

        anna.goto("/#/admin/directory")
        services = anna.get_by_role("region", name="Inloggningstjänst och e-post")
        expect(services).to_contain_text("E-post är inställd")
        services.get_by_role("button", name="Skicka testmejl").click()
        expect(services.get_by_role("status")).to_have_text(f"Ett testmejl är på väg till {ANNA}.")
        mailbox.wait_for(ANNA)
        check_accessibility(anna, "the directory page with mail")
    finally:
        shut_down(server, contexts)


def test_oidc_login_returns_to_the_page_asked_for(monkeypatch, browser, contexts):
    proc, provider = start_provider({"sub": "kalle-k", "name": "Kalle Karlsson", "email": "kalle.karlsson@katrineholm.se",
                                     "groups": ["Communis-användare"]})
    try:
        server = communis(monkeypatch, provider.env("Katrineholms inloggning"), "--demo")
        try:
            page = page_on(browser, server, contexts)
            page.goto("/#/knowledge")
            button = page.get_by_role("link", name="Logga in med Katrineholms inloggning")
            expect(button).to_be_visible()
            check_accessibility(page, "the login page with OIDC")
            button.click()
            # The provider's own page: pick the predefined user.
            page.get_by_role("button", name=re.compile("kalle-k")).first.click()
            expect(page).to_have_url(re.compile(r"#/knowledge$"))
            expect(page.get_by_text("Kalle Karlsson").first).to_be_visible()
            page.goto("/#/profile")
            expect(page.get_by_role("region", name="Byt lösenord")).to_contain_text("Du loggar in via Katrineholms inloggning")
        finally:
            shut_down(server, contexts)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
