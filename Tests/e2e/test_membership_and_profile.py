"""Beyond the core scenarios: join requests, owner actions, profile and directory."""
import uuid

from playwright.sync_api import expect

from conftest import ANNA, SARA, ERIK, login, create_workspace, my_workspace_link, screenshot


def test_request_to_join_closed_workspace_and_owner_approves(new_page):
    name = f"Budget 2028 {uuid.uuid4().hex[:6]}"
    anna = new_page()
    login(anna, ANNA)
    create_workspace(anna, name, "closed")

    sara = new_page()
    login(sara, SARA)
    my_workspace_link(sara, name, region="Upptäck samarbetsytor").click()
    expect(sara.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(sara.get_by_text("Medlemslistan visas bara för medlemmar.")).to_be_visible()
    sara.get_by_role("button", name="Be om att få gå med").click()
    expect(sara.get_by_text("Din förfrågan har skickats till ägarna.")).to_be_visible()
    expect(sara.get_by_role("button", name="Återkalla förfrågan")).to_be_visible()

    anna.reload()
    requests = anna.get_by_role("region", name="Förfrågningar om medlemskap")
    requests.get_by_role("button", name="Godkänn Sara Nilsson").click()
    members = anna.get_by_role("region", name="Medlemmar")
    expect(members.get_by_role("link", name="Sara Nilsson")).to_be_visible()
    members.get_by_role("button", name="Gör Sara Nilsson till ägare").click()
    expect(members.get_by_role("button", name="Gör Sara Nilsson till medlem")).to_be_visible()
    # The list was drawn anew: focus is on Sara's new button, not on <body> (WCAG 2.4.3).
    expect(members.get_by_role("button", name="Gör Sara Nilsson till medlem")).to_be_focused()
    screenshot(anna, "6-anna-approved-and-promoted")

    sara.reload()
    expect(sara.get_by_text("Din roll här: Ägare")).to_be_visible()
    # Leaving is confirmed in a dialog; cancelling keeps her in, with focus back on the button.
    sara.get_by_role("button", name="Lämna samarbetsytan").click()
    dialog = sara.get_by_role("dialog", name=f"Lämna {name}?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Avbryt")).to_be_focused()
    sara.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(sara.get_by_role("button", name="Lämna samarbetsytan")).to_be_focused()
    sara.get_by_role("button", name="Lämna samarbetsytan").click()
    sara.get_by_role("dialog").get_by_role("button", name="Lämna", exact=True).click()
    expect(sara.get_by_role("heading", name="Mina samarbetsytor")).to_be_visible()
    expect(sara.get_by_role("region", name="Mina samarbetsytor").get_by_role("link", name=name)).to_have_count(0)


def test_a_sole_owner_is_told_instead_of_offered_leave_or_demotion(new_page):
    name = f"Ensam ägare {uuid.uuid4().hex[:6]}"
    anna = new_page()
    login(anna, ANNA)
    create_workspace(anna, name, "open")
    expect(anna.get_by_text("Du är den enda ägaren. Gör någon annan till ägare")).to_be_visible()
    expect(anna.get_by_role("button", name="Lämna samarbetsytan")).to_have_count(0)
    members = anna.get_by_role("region", name="Medlemmar")
    expect(members.get_by_role("button", name="Gör Anna Lindqvist till medlem")).to_have_count(0)
    expect(members.get_by_text("Enda ägaren")).to_be_visible()


def test_the_servers_reason_is_shown_for_a_refused_action(new_page):
    """A problem+json detail reaches the person, not only the generic text of its code."""
    name = f"Skäl {uuid.uuid4().hex[:6]}"
    anna = new_page()
    login(anna, ANNA)
    create_workspace(anna, name, "open")
    workspace_id = anna.url.rsplit("/", 1)[-1]
    # Another tab demotes the last owner behind the page's back: the server refuses and says why.
    status = anna.evaluate("""async ([ws]) => {
        const s = await (await fetch('/api/v1/session')).json();
        const me = s.user.id;
        const r = await fetch(`/api/v1/workspaces/${ws}/members/${me}`, { method: 'PATCH',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken }, body: JSON.stringify({ role: 'member' }) });
        return r.status; }""", [workspace_id])
    assert status == 409
    erik_id = anna.evaluate("""async () => (await (await fetch('/api/v1/people?q=Erik%20Johansson')).json()).items[0].id""")
    anna.evaluate("""async ([ws, p]) => { const s = await (await fetch('/api/v1/session')).json();
        await fetch(`/api/v1/workspaces/${ws}/members`, { method: 'POST', headers: { 'Content-Type': 'application/json',
          'X-CSRF-Token': s.csrfToken }, body: JSON.stringify({ personId: p, role: 'owner' }) }); }""", [workspace_id, erik_id])
    anna.reload()
    members = anna.get_by_role("region", name="Medlemmar")
    demote_erik = members.get_by_role("button", name="Gör Erik Johansson till medlem")
    expect(demote_erik).to_be_visible()
    # Erik is demoted elsewhere; Anna, now the only owner, tries to step down on a stale page.
    anna.evaluate("""async ([ws, p]) => { const s = await (await fetch('/api/v1/session')).json();
        await fetch(`/api/v1/workspaces/${ws}/members/${p}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json',
          'X-CSRF-Token': s.csrfToken }, body: JSON.stringify({ role: 'member' }) }); }""", [workspace_id, erik_id])
    members.get_by_role("button", name="Gör Anna Lindqvist till medlem").click()
    expect(anna.get_by_role("alert")).to_contain_text("make someone else owner first")


def test_profile_edit_shows_in_directory(new_page):
    competence = f"Robotik{uuid.uuid4().hex[:4]}"
    erik = new_page()
    login(erik, ERIK)
    erik.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Min profil").click()
    expect(erik.get_by_role("heading", level=1, name="Min profil")).to_be_visible()
    erik.get_by_label("Presentation").fill("Rektor som gillar teknik.")
    erik.get_by_label("Kompetenser").fill(f"Skolutveckling, {competence}")
    erik.get_by_role("button", name="Spara").click()
    expect(erik.get_by_text("Dina uppgifter är sparade.")).to_be_visible()

    anna = new_page()
    login(anna, ANNA)
    anna.get_by_label("Sök i personkatalogen").fill(competence)
    anna.get_by_role("button", name="Sök personer").click()
    expect(anna.get_by_role("heading", level=1, name="Personer")).to_be_visible()
    expect(anna.get_by_text("1 person", exact=True)).to_be_visible()
    anna.get_by_role("link", name="Erik Johansson").click()
    expect(anna.get_by_role("heading", level=1, name="Erik Johansson")).to_be_visible()
    expect(anna.get_by_text("Rektor som gillar teknik.")).to_be_visible()
    expect(anna.get_by_role("link", name=competence)).to_be_visible()
    screenshot(anna, "7-person-profile")
