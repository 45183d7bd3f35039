"""Blogs in the browser: a workspace blog (drafts private to their author, publishing and
comments arriving live for members), a personal blog on the profile page, the feed key on
"Min profil" and the Atom feed of an open workspace's blog."""
import uuid

from playwright.sync_api import Page, expect

from conftest import ANNA, ERIK, SARA, login, create_workspace, screenshot, wait_until

LIVE_TIMEOUT = 5_000


def _workspace_with_erik(anna: Page, visibility: str = "open") -> str:
    name = f"Bloggtest {uuid.uuid4().hex[:6]}"
    ws_id = create_workspace(anna, name, visibility, "Nyheter från enheten.")
    invite = anna.get_by_role("region", name="Bjud in en anställd")
    invite.get_by_label("Sök anställd").fill("Erik Johansson")
    invite.get_by_role("button", name="Sök", exact=True).click()
    invite.get_by_role("button", name="Bjud in Erik Johansson").click()
    expect(anna.get_by_role("region", name="Medlemmar").get_by_role("link", name="Erik Johansson")).to_be_visible()
    return ws_id


def _open_blog(page: Page, ws_id: str) -> None:
    page.goto(f"/#/workspaces/{ws_id}/blog")
    blog = page.get_by_role("region", name="Blogg")
    expect(blog).to_be_visible()
    expect(blog.locator(".blog-list, .blog-list-body .empty").first).to_be_visible()
    wait_until(page, "window.__communisLive && window.__communisLive.state === 'open'")


def _write(page: Page, scope, form_name: str, title: str, body: str, button: str) -> None:
    scope.locator("details.blog-write > summary").click()  # "Skriv ett blogginlägg" / "Skriv inlägg"
    form = page.get_by_role("form", name=form_name)
    form.get_by_label("Rubrik").fill(title)
    form.get_by_role("combobox", name="Text", exact=True).fill(body)
    form.get_by_role("button", name=button, exact=True).click()
    expect(form.get_by_label("Rubrik")).to_have_value("")


def test_workspace_blog_draft_publish_and_comment_live(new_page):
    anna = new_page()
    login(anna, ANNA)
    ws_id = _workspace_with_erik(anna)
    _open_blog(anna, ws_id)
    # The tab for the blog is marked as the current part of the workspace.
    expect(anna.get_by_role("navigation", name="Samarbetsytans delar").get_by_role("link", name="Blogg")).to_have_attribute("aria-current", "page")

    title = f"Nytt schema för julen {uuid.uuid4().hex[:4]}"
    _write(anna, anna.get_by_role("region", name="Blogg"), "Nytt blogginlägg", title,
           "Från **måndag** gäller det nya schemat.\n\n- morgon\n- kväll", "Spara utkast")
    anna_item = anna.locator(".blog-item", has_text=title)
    expect(anna_item).to_be_visible()
    expect(anna_item.locator(".badge", has_text="Utkast")).to_be_visible()

    erik = new_page()
    login(erik, ERIK)
    _open_blog(erik, ws_id)
    erik.evaluate("window.__noReload = 'still here'")
    expect(erik.get_by_text("Inga blogginlägg ännu.")).to_be_visible()
    expect(erik.get_by_role("link", name=title)).to_have_count(0)  # the draft is Anna's alone

    # Anna opens her draft and publishes it: it appears in Erik's list without a reload.
    anna.get_by_role("link", name=title).click()
    expect(anna.get_by_role("heading", level=3, name=title)).to_be_visible()
    expect(anna.locator(".blog-post .md strong", has_text="måndag")).to_be_visible()
    anna.get_by_role("button", name="Publicera").click()
    expect(anna.get_by_text("Inlägget är publicerat.")).to_be_visible()
    expect(anna.locator(".blog-post .badge", has_text="Utkast")).to_have_count(0)

    erik_link = erik.get_by_role("link", name=title)
    expect(erik_link).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(erik.locator(".blog-item", has_text=title)).to_contain_text("Från måndag gäller det nya schemat.")
    screenshot(erik, "blog-1-erik-list-live-desktop")
    erik_link.click()
    expect(erik.get_by_role("heading", level=3, name=title)).to_be_visible()
    expect(erik.locator(".blog-post .md li", has_text="kväll")).to_be_visible()

    # Erik reacts and comments; Anna, on the same post, sees both without a reload.
    erik.locator(".blog-post").get_by_text("Reagera").click()
    erik.locator(".blog-post").get_by_role("button", name="Reagera med 🎉").click()
    expect(anna.locator(".blog-post").get_by_role("button", name="🎉: 1")).to_be_visible(timeout=LIVE_TIMEOUT)
    anna.evaluate("window.__noReload = 'still here'")
    comment_form = erik.get_by_role("form", name="Din kommentar")
    comment_form.get_by_label("Din kommentar").fill("Tack, **bra** att veta!")
    comment_form.get_by_role("button", name="Kommentera").click()
    expect(comment_form.get_by_label("Din kommentar")).to_have_value("")
    anna_comment = anna.locator(".comment-list article.post", has_text="Tack, bra att veta!")
    expect(anna_comment).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(anna_comment.locator("strong", has_text="bra")).to_be_visible()
    expect(anna.get_by_role("heading", name="1 kommentar")).to_be_visible()
    assert erik.evaluate("window.__noReload") == "still here"
    assert anna.evaluate("window.__noReload") == "still here"
    screenshot(erik, "blog-2-erik-post-desktop")
    anna.set_viewport_size({"width": 360, "height": 800})
    screenshot(anna, "blog-2-anna-post-360px")
    assert anna.evaluate("document.documentElement.scrollWidth") <= 360

    # Erik is not the author: no edit or delete; Anna (author and owner) has both.
    expect(erik.locator(".blog-post").get_by_role("button", name="Redigera")).to_have_count(0)
    expect(erik.locator(".blog-post").get_by_role("button", name="Ta bort")).to_have_count(0)
    expect(anna.locator(".blog-post").get_by_role("button", name="Redigera")).to_be_visible()

    # The start page feed lists the publication with a link to the post.
    erik.goto("/#/")
    feed = erik.get_by_role("region", name="Flöde")
    feed_link = feed.get_by_role("link", name=f"Anna Lindqvist publicerade blogginlägget ”{title}”")
    expect(feed_link).to_be_visible()
    expect(feed.get_by_role("link", name=f"Erik Johansson kommenterade blogginlägget ”{title}”")).to_be_visible()
    screenshot(erik, "blog-3-erik-home-feed")
    feed_link.click()
    expect(erik.get_by_role("heading", level=3, name=title)).to_be_visible()


def test_personal_blog_on_profile_and_feed_key(new_page):
    erik = new_page()
    login(erik, ERIK)
    erik.get_by_role("link", name="Min profil", exact=True).click()
    my_blog = erik.get_by_role("region", name="Min blogg")
    expect(my_blog).to_be_visible()
    title = f"Mina tankar om GIS {uuid.uuid4().hex[:4]}"
    draft_title = f"Halvfärdigt {uuid.uuid4().hex[:4]}"
    _write(erik, my_blog, "Skriv inlägg", title, "Kartor gör *planeringen* lättare.", "Publicera")
    expect(my_blog.get_by_role("link", name=title)).to_be_visible()
    erik.get_by_role("form", name="Skriv inlägg").get_by_label("Rubrik").fill(draft_title)
    erik.get_by_role("form", name="Skriv inlägg").get_by_role("combobox", name="Text", exact=True).fill("Inte klart än.")
    erik.get_by_role("form", name="Skriv inlägg").get_by_role("button", name="Spara utkast").click()
    draft_item = my_blog.locator(".blog-item", has_text=draft_title)
    expect(draft_item.locator(".badge", has_text="Utkast")).to_be_visible()

    # The feed key: created on request, shown as a URL template to copy.
    key = erik.get_by_role("region", name="Prenumerationslänk för nyhetsläsare")
    expect(key).to_contain_text("läsbehörighet till bloggarna i alla samarbetsytor")
    expect(key).to_contain_text("En ny länk ersätter den gamla")
    key.get_by_role("button", name="Skapa prenumerationslänk").click()
    ws_url = key.get_by_label("Adress till en samarbetsytas bloggflöde").input_value()
    assert "/feeds/workspaces/{workspaceId}/blog.atom?token=cft_" in ws_url, ws_url
    person_url = key.get_by_label("Adress till en kollegas bloggflöde").input_value()
    expect(key.get_by_role("button", name="Skapa ny prenumerationslänk")).to_be_visible()
    screenshot(erik, "blog-4-erik-profile-desktop")
    erik.set_viewport_size({"width": 360, "height": 800})
    screenshot(erik, "blog-4-erik-profile-360px")
    assert erik.evaluate("document.documentElement.scrollWidth") <= 360

    # Sara finds the published post (not the draft) on Erik's profile.
    sara = new_page()
    login(sara, SARA)
    sara.goto("/#/people?q=Erik%20Johansson")
    sara.get_by_role("link", name="Erik Johansson").first.click()
    expect(sara.get_by_role("heading", level=1, name="Erik Johansson")).to_be_visible()
    blog = sara.get_by_role("region", name="Erik Johanssons blogg")
    expect(blog.get_by_role("link", name=title)).to_be_visible()
    expect(blog.get_by_text(draft_title)).to_have_count(0)
    expect(blog.get_by_role("button", name="Redigera")).to_have_count(0)
    screenshot(sara, "blog-5-sara-erik-profile")
    blog.get_by_role("link", name=title).click()
    expect(sara.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(sara.locator(".blog-post .md em", has_text="planeringen")).to_be_visible()
    screenshot(sara, "blog-6-sara-personal-post")

    # The personal feed with Erik's key has the published post only.
    erik_id = sara.url.split("/people/")[1].split("/")[0]
    res = sara.request.get(person_url.replace("{personId}", erik_id))
    assert res.status == 200, res.status
    assert title in res.text() and draft_title not in res.text()


def test_personal_blog_comments_and_reactions(new_page):
    """Comments and reactions on a personal post (plain HTTP, not live): Sara comments on
    Erik's post and reacts; Erik sees both after a reload and deletes the comment, which
    stays in the list as removed."""
    erik = new_page()
    login(erik, ERIK)
    erik.get_by_role("link", name="Min profil", exact=True).click()
    my_blog = erik.get_by_role("region", name="Min blogg")
    title = f"Om kartlagren {uuid.uuid4().hex[:4]}"
    _write(erik, my_blog, "Skriv inlägg", title, "Nya lager för *cykelvägar*.", "Publicera")
    post_hash = my_blog.get_by_role("link", name=title).get_attribute("href")
    assert post_hash.startswith("#/people/") and "/blog/" in post_hash, post_hash
    erik.goto(f"/{post_hash}")
    expect(erik.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(erik.get_by_role("heading", level=2, name="0 kommentarer")).to_be_visible()
    expect(erik.get_by_text("Inga kommentarer ännu.")).to_be_visible()

    sara = new_page()
    login(sara, SARA)
    sara.goto(f"/{post_hash}")
    expect(sara.get_by_role("heading", level=1, name=title)).to_be_visible()
    post = sara.locator(".blog-post")

    # Reacting: the answer to the PUT is shown at once, and a second click takes it back.
    post.get_by_text("Reagera", exact=True).click()
    post.get_by_role("button", name="Reagera med 🎉").click()
    expect(post.get_by_role("button", name="🎉: 1")).to_have_attribute("aria-pressed", "true")
    post.get_by_text("Reagera", exact=True).click()
    post.get_by_role("button", name="Reagera med 👍").click()
    expect(post.get_by_role("button", name="👍: 1")).to_be_visible()
    post.get_by_role("button", name="👍: 1").click()
    expect(post.get_by_role("button", name="👍: 1")).to_have_count(0)
    expect(post.get_by_role("button", name="🎉: 1")).to_be_visible()

    # Commenting: a blank comment is refused in the form; a real one appears (Markdown).
    form = sara.get_by_role("form", name="Din kommentar")
    form.get_by_role("button", name="Kommentera").click()
    expect(form.get_by_text("Fyll i fältet.")).to_be_visible()
    form.get_by_label("Din kommentar").fill("Väldigt **användbart**, tack!")
    form.get_by_role("button", name="Kommentera").click()
    expect(form.get_by_label("Din kommentar")).to_have_value("")
    sara_comment = sara.locator(".comment-list article.post", has_text="Väldigt användbart, tack!")
    expect(sara_comment.locator("strong", has_text="användbart")).to_be_visible()
    expect(sara.get_by_role("heading", level=2, name="1 kommentar")).to_be_visible()
    expect(sara_comment.get_by_role("button", name="Ta bort kommentaren från Sara Nilsson")).to_be_visible()
    screenshot(sara, "blog-8-sara-personal-comment")

    # Erik (the blog's author) reloads: the comment and the reaction are there; he deletes it.
    erik.reload()
    erik_comment = erik.locator(".comment-list article.post", has_text="Sara Nilsson")
    expect(erik_comment).to_contain_text("Väldigt användbart, tack!")
    expect(erik.locator(".blog-post").get_by_role("button", name="🎉: 1")).to_have_attribute("aria-pressed", "false")
    erik_comment.get_by_role("button", name="Ta bort kommentaren från Sara Nilsson").click()
    erik.get_by_role("dialog", name="Vill du ta bort kommentaren? Det går inte att ångra.").get_by_role("button", name="Ja").click()
    expect(erik_comment.locator(".post-deleted")).to_have_text("(borttagen)")
    expect(erik_comment).not_to_contain_text("användbart")
    expect(erik_comment.get_by_role("button", name="Ta bort kommentaren från Sara Nilsson")).to_have_count(0)
    expect(erik.get_by_text("Kommentaren är borttagen.")).to_be_visible()
    screenshot(erik, "blog-9-erik-comment-removed")

    # Sara, after a reload, sees it removed too.
    sara.reload()
    removed = sara.locator(".comment-list article.post", has_text="Sara Nilsson")
    expect(removed.locator(".post-deleted")).to_have_text("(borttagen)")
    expect(removed).not_to_contain_text("användbart")
    expect(removed.get_by_role("button")).to_have_count(0)
    sara.set_viewport_size({"width": 360, "height": 800})
    assert sara.evaluate("document.documentElement.scrollWidth") <= 360


def test_open_workspace_atom_link(new_page):
    anna = new_page()
    login(anna, ANNA)
    ws_id = create_workspace(anna, f"Atomtest {uuid.uuid4().hex[:6]}", "open")
    _open_blog(anna, ws_id)
    title = f"Öppet hus & fika {uuid.uuid4().hex[:4]}"
    _write(anna, anna.get_by_role("region", name="Blogg"), "Nytt blogginlägg", title, "Välkommen <alla>!", "Publicera")
    expect(anna.get_by_role("link", name=title)).to_be_visible()
    href = anna.get_by_role("link", name="Prenumerera på bloggen i en nyhetsläsare").get_attribute("href")
    assert href == f"/feeds/workspaces/{ws_id}/blog.atom", href
    res = anna.request.get(href)
    assert res.status == 200
    assert res.headers["content-type"].startswith("application/atom+xml")
    xml = res.text()
    assert xml.startswith("<?xml")
    assert title.replace("&", "&amp;") in xml
    assert f"/#/workspaces/{ws_id}/blog/" in xml


def test_guest_writes_in_workspace_blog_but_has_no_personal_blog(new_page):
    from conftest import LENA
    lena = new_page()
    login(lena, LENA)
    lena.get_by_role("link", name="Ny webbplats för medborgare").click()
    ws_id = lena.url.rsplit("/", 1)[-1]
    _open_blog(lena, ws_id)
    # A closed workspace: no public Atom link, a pointer to the feed key instead.
    expect(lena.get_by_role("link", name="Prenumerera på bloggen i en nyhetsläsare")).to_have_count(0)
    expect(lena.get_by_text("personliga prenumerationslänk")).to_be_visible()
    title = f"Förslag på startsida {uuid.uuid4().hex[:4]}"
    _write(lena, lena.get_by_role("region", name="Blogg"), "Nytt blogginlägg", title, "Skiss bifogas i nästa möte.", "Publicera")
    expect(lena.get_by_role("link", name=title)).to_be_visible()
    screenshot(lena, "blog-7-guest-workspace-blog")
    # No personal blog: not on "Min profil", and personal blog pages are refused.
    lena.get_by_role("link", name="Min profil", exact=True).click()
    expect(lena.get_by_role("region", name="Prenumerationslänk för nyhetsläsare")).to_be_visible()
    expect(lena.get_by_role("region", name="Min blogg")).to_have_count(0)
