"""A caseworker logs in with two factors, switches language and sees the work list."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, axe_check, login


def test_login__two_factor_then_work_list_in_nynorsk(page, live_server, staff_user):
    staff_user("caseworker", "kari", first_name="Kari", last_name="Sakshandsamar")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    axe_check(page)
    page.fill("#id_username", "kari")
    page.fill("#id_password", PASSWORD)
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/verify/"))
    axe_check(page)
    page.fill("#id_token", "99999999")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    page.wait_for_timeout(1100)  # django-otp throttles after a wrong code
    page.fill("#id_token", "11112222")
    page.locator("main form [type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbeidslista mi")
    expect(page.get_by_test_id("current-user")).to_have_text("Kari Sakshandsamar")
    axe_check(page)


def test_language__switch_to_bokmal_and_english(page, live_server, staff_user):
    staff_user("caseworker", "kari")
    login(page, live_server, "kari")
    page.select_option("#language-select", "nb")
    page.get_by_test_id("language-form").locator("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min arbeidsliste")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.select_option("#language-select", "en")
    page.get_by_test_id("language-form").locator("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work list")
    axe_check(page)


def test_login__wrong_password_gives_a_message_and_no_session(page, live_server, staff_user):
    staff_user("caseworker", "kari")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "kari")
    page.fill("#id_password", "not-the-password")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
