"""A caseworker refers a lease in arrears; the financial advisor accepts and makes a budget; the caseworker
sees the status change."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from finance_advice.models import Referral
from tests.e2e.conftest import axe_check, login
from tests.factories import ApplicationFactory, ArrearsFigureFactory, HouseholdFactory, LeaseFactory


def test_finance__arrears_referral_accepted_budget_made_and_seen_by_the_caseworker(
    browser, browser_context_args, live_server, staff_user
):
    kari = staff_user("caseworker", "kari", code="11112222")
    staff_user("financial_advisor", "frida", code="33334444")
    today = timezone.localdate()
    household = HouseholdFactory()
    case = ApplicationFactory(household=household, assigned_to=kari, status="decided")
    lease = LeaseFactory(
        household=household,
        application=case,
        monthly_rent=9000,
        start=today - dt.timedelta(days=400),
        end=today + dt.timedelta(days=700),
    )
    ArrearsFigureFactory(lease=lease, as_of=today - dt.timedelta(days=20), amount=18000)

    caseworker = browser.new_context(**browser_context_args).new_page()
    login(caseworker, live_server, "kari", "11112222")
    caseworker.goto(f"{live_server.url}{lease.get_absolute_url()}")
    caseworker.get_by_test_id("refer-arrears").click()
    expect(caseworker.locator(".alert-success")).to_contain_text("F-")
    referral = Referral.objects.get(lease=lease)
    assert "kr 18 000" in referral.reason.replace("\xa0", " ")

    advisor = browser.new_context(**browser_context_args).new_page()
    login(advisor, live_server, "frida", "33334444")
    expect(advisor.get_by_test_id("worklist")).to_contain_text(referral.ref)
    advisor.get_by_test_id("worklist").get_by_role("link").first.click()
    axe_check(advisor)
    advisor.select_option("#id_to_status", "accepted")
    advisor.get_by_test_id("transition-submit").click()
    expect(advisor.get_by_test_id("referral-status")).to_have_text(
        re.compile("Akseptert|Teken imot|Accepted|Godteke", re.I)
    )
    advisor.locator("details", has=advisor.locator("input[name=form][value=budget]")).locator("summary").click()
    advisor.fill("#id_net_income", "32000")
    advisor.fill("#id_consumer_debt", "2500")
    advisor.locator("form", has=advisor.locator("input[name=form][value=budget]")).locator("[type=submit]").click()
    expect(advisor.get_by_test_id("budget")).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == "budget_made"

    caseworker.goto(f"{live_server.url}{referral.get_absolute_url()}")
    expect(caseworker.get_by_test_id("referral-status")).to_have_text(referral.get_status_display())
    expect(caseworker.get_by_test_id("referral-history")).to_contain_text(referral.get_status_display())
    axe_check(caseworker)


def test_finance__the_advisor_registers_someone_who_came_directly(page, live_server, staff_user):
    from stord_bolig.demo.identity import synthetic_national_id

    staff_user("financial_advisor", "frida")
    login(page, live_server, "frida")
    page.goto(f"{live_server.url}/finance/referrals/")
    page.get_by_test_id("intake-link").click()
    form = page.get_by_test_id("intake-form")
    form.locator("#id_national_id").fill("12345678901")  # a typing error: refused, nothing lost
    form.locator("#id_given_name").fill("Sigrid")
    form.locator("#id_family_name").fill("Rådsøkjar")
    form.locator("#id_reason").fill("Inkasso på to forbrukslån.")
    form.get_by_role("button").click()
    expect(page.locator("#id_national_id")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_reason")).to_have_value("Inkasso på to forbrukslån.")
    axe_check(page)
    page.locator("#id_national_id").fill(synthetic_national_id(dt.date(1988, 6, 2), 41))
    page.get_by_test_id("intake-form").get_by_role("button").click()

    referral = Referral.objects.get()
    expect(page).to_have_url(re.compile(f"{referral.get_absolute_url()}$"))
    expect(page.locator(".alert-success")).to_contain_text(referral.ref)
    assert (referral.source, str(referral.household.applicant)) == ("intake", "Sigrid Rådsøkjar")


def test_finance__revoking_a_consent_asks_first_and_nav_loses_the_case_at_once(page, live_server, staff_user):
    from finance_advice.models import Consent

    kari = staff_user("caseworker", "kari")
    case = ApplicationFactory(assigned_to=kari, status="decided")
    login(page, live_server, "kari")
    page.goto(f"{live_server.url}/finance/cases/{case.ref}/consents/")
    page.select_option("#id_purpose", "housing")
    page.locator("main form [type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    consent = Consent.objects.get(person__membership__household=case.household)
    revoke = page.get_by_test_id("consents").get_by_role("button", name=re.compile("Trekk tilbake|Revoke"))

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    revoke.click()
    expect(revoke).to_be_visible()
    assert str(consent.person) in asked[0]
    consent.refresh_from_db()
    assert consent.revoked is None  # cancelled: nothing changed

    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(revoke).to_have_count(0)
    consent.refresh_from_db()
    assert consent.revoked == timezone.localdate()
    axe_check(page)
