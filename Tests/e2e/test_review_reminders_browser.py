"""Review reminders in the browser: the demo's organisation-wide lathund "Boka konferensrum i
Outlook" (Ahmed Hassan's, review by 2026-01-15) is past its day, so the server told Ahmed at
start. He sees it among his notifications in Swedish, and the link opens the article."""
from playwright.sync_api import expect

from conftest import login, screenshot

AHMED = "ahmed.hassan@katrineholm.se"
TEXT = "Dags att granska lathunden ”Boka konferensrum i Outlook” (granskas senast 15 jan. 2026)"


def test_owner_is_told_and_the_reminder_opens_the_article(new_page):
    ahmed = new_page()
    login(ahmed, AHMED)
    ahmed.locator("a.notif-link").click()
    expect(ahmed.get_by_role("heading", level=1, name="Aviseringar")).to_be_visible()
    reminder = ahmed.get_by_role("link", name=TEXT)
    expect(reminder).to_be_visible()
    screenshot(ahmed, "review-reminder-notifications")
    reminder.click()
    expect(ahmed.get_by_role("heading", level=1, name="Boka konferensrum i Outlook")).to_be_visible()


def test_nobody_else_is_told(new_page):
    sara = new_page()
    login(sara, "sara.nilsson@katrineholm.se")
    sara.locator("a.notif-link").click()
    expect(sara.get_by_role("heading", level=1, name="Aviseringar")).to_be_visible()
    # Wait until her list (or "no notifications") has loaded before looking for what is not there.
    expect(sara.locator(".notifications-page .notification-list, .notifications-page .empty").first).to_be_visible()
    expect(sara.get_by_text("Dags att granska lathunden")).to_have_count(0)
