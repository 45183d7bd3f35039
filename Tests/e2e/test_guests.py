"""External guests: invitation link, restricted view, the public-record banner."""
import re
import uuid

from playwright.sync_api import expect

from conftest import ANNA, LENA, login, create_workspace, screenshot

BANNER = "Externa deltagare finns i denna samarbetsyta – det som delas här kan bli allmän handling."


def test_invited_guest_sees_only_that_workspace(new_page):
    name = f"Extern granskning {uuid.uuid4().hex[:6]}"
    guest_email = f"gast-{uuid.uuid4().hex[:8]}@exempel.se"
    anna = new_page()
    login(anna, ANNA)
    create_workspace(anna, name, "closed")
    invite = anna.get_by_role("region", name="Bjud in en extern gäst")
    invite.get_by_label("Gästens e-postadress").fill(guest_email)
    invite.get_by_label("Gästens namn").fill("Greta Gäst")
    invite.get_by_role("button", name="Skapa inbjudan").click()
    link_field = invite.get_by_label("Inbjudningslänk")
    expect(link_field).to_have_value(re.compile(r"#/invitation/"))
    invite_url = link_field.input_value()
    # The guest becomes a member only on accepting, so there is no banner yet.
    expect(anna.get_by_text(BANNER)).to_have_count(0)
    screenshot(anna, "3-anna-invites-guest")

    guest = new_page()
    guest.goto(invite_url)
    expect(guest.get_by_role("heading", level=1, name="Välkommen, Greta Gäst!")).to_be_visible()
    expect(guest.get_by_text(name)).to_be_visible()
    guest.get_by_label("Välj lösenord").fill("GretasLosen0rd")
    guest.get_by_label("Upprepa lösenordet").fill("GretasLosen0rd")
    guest.get_by_role("button", name="Spara lösenord och gå in").click()

    mine = guest.get_by_role("region", name="Mina samarbetsytor")
    expect(mine.get_by_role("listitem")).to_have_count(1)
    expect(mine.get_by_role("link", name=name)).to_be_visible()
    nav = guest.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Personer")).to_have_count(0)
    expect(guest.get_by_role("region", name="Upptäck samarbetsytor")).to_have_count(0)
    expect(guest.get_by_role("region", name="Skapa samarbetsyta")).to_have_count(0)
    expect(guest.get_by_role("region", name="Hitta kollegor")).to_have_count(0)

    mine.get_by_role("link", name=name).click()
    expect(guest.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(guest.get_by_text(BANNER)).to_be_visible()
    screenshot(guest, "3-guest-workspace")

    guest.goto("/#/people")
    expect(guest.get_by_text("Du har inte behörighet att se personkatalogen.")).to_be_visible()

    # Now the owner sees the public-record warning and the guest marked as external.
    anna.reload()
    expect(anna.get_by_text(BANNER)).to_be_visible()
    expect(anna.get_by_role("region", name="Medlemmar").get_by_text("Greta Gäst")).to_be_visible()


def test_demo_guest_lena_sees_only_her_workspace(new_page):
    lena = new_page()
    login(lena, LENA)
    mine = lena.get_by_role("region", name="Mina samarbetsytor")
    expect(mine.get_by_role("listitem")).to_have_count(1)
    expect(mine.get_by_role("link", name="Ny webbplats för medborgare")).to_be_visible()
    expect(lena.get_by_role("region", name="Upptäck samarbetsytor")).to_have_count(0)
    mine.get_by_role("link", name="Ny webbplats för medborgare").click()
    expect(lena.get_by_text(BANNER)).to_be_visible()
    screenshot(lena, "3-lena-workspace")
