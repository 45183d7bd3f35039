"""Workspaces through the UI: invitations between departments and secret workspaces."""
import uuid

from playwright.sync_api import expect

from conftest import ANNA, ERIK, SARA, login, create_workspace, my_workspace_link, screenshot


def test_closed_workspace_invite_employee_from_another_department(new_page):
    name = f"Skolskjuts 2027 {uuid.uuid4().hex[:6]}"
    anna = new_page()
    login(anna, ANNA)
    create_workspace(anna, name, "closed", "Planering av skolskjutsar inför läsåret.")
    expect(anna.get_by_text("Stängd", exact=True).first).to_be_visible()

    invite = anna.get_by_role("region", name="Bjud in en anställd")
    invite.get_by_label("Sök anställd").fill("Erik Johansson")
    invite.get_by_role("button", name="Sök", exact=True).click()
    invite.get_by_role("button", name="Bjud in Erik Johansson").click()
    members = anna.get_by_role("region", name="Medlemmar")
    expect(members.get_by_role("link", name="Erik Johansson")).to_be_visible()
    screenshot(anna, "1-anna-closed-workspace")

    erik = new_page()
    login(erik, ERIK)
    link = my_workspace_link(erik, name)
    expect(link).to_be_visible()
    link.click()
    expect(erik.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(erik.get_by_text("Din roll här: Medlem")).to_be_visible()
    screenshot(erik, "1-erik-sees-workspace")


def test_secret_workspace_is_invisible_to_non_members(new_page):
    name = f"Hemlig upphandling {uuid.uuid4().hex[:6]}"
    anna = new_page()
    login(anna, ANNA)
    ws_id = create_workspace(anna, name, "secret")
    expect(anna.get_by_text("Hemlig", exact=True).first).to_be_visible()

    sara = new_page()
    login(sara, SARA)
    mine = sara.get_by_role("region", name="Mina samarbetsytor")
    discover = sara.get_by_role("region", name="Upptäck samarbetsytor")
    expect(discover).to_be_visible()
    # Wait until both lists have rendered (list or empty text) before asserting absence.
    expect(mine.locator("ul, p.empty").first).to_be_visible()
    expect(discover.locator("ul, p.empty").first).to_be_visible()
    expect(sara.get_by_text(name)).to_have_count(0)

    sara.goto(f"/#/workspaces/{ws_id}")
    expect(sara.get_by_role("heading", level=1, name="Samarbetsytan hittades inte")).to_be_visible()
    expect(sara.get_by_text(name)).to_have_count(0)
    screenshot(sara, "2-sara-secret-not-found")
