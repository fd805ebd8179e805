"""Allocation and renewal journeys in the browser."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from allocation.models import Offer, Unit
from cases.rules import add_months
from tenancies.models import Lease, Reminder
from tenancies.services import reminder_sweep, renewal_cases_open
from tests.e2e.conftest import axe_check, login
from tests.factories import ApplicationFactory, DecisionFactory, HouseholdFactory, LeaseFactory, UnitFactory


def test_allocation__open_free_unit_see_shortlist_offer_and_record_acceptance(page, live_server, staff_user):
    kari = staff_user("caseworker", "kari")
    today = timezone.localdate()
    unit = UnitFactory(ref="U-9001", address="Hamnegata 9, 5411 Stord", bedrooms=0, wheelchair_accessible=True)
    first = DecisionFactory(
        application=ApplicationFactory(
            status="decided", urgency="B", assigned_to=kari, received=today - dt.timedelta(days=60)
        ),
        decided=today - dt.timedelta(days=30),
        notified=today - dt.timedelta(days=30),
    )
    second = DecisionFactory(
        application=ApplicationFactory(
            status="decided", urgency="C", assigned_to=kari, received=today - dt.timedelta(days=90)
        ),
        decided=today - dt.timedelta(days=40),
        notified=today - dt.timedelta(days=40),
    )
    login(page, live_server, "kari")
    page.goto(f"{live_server.url}/allocation/units/")
    axe_check(page)
    page.get_by_role("link", name="U-9001").click()
    rows = page.get_by_test_id("shortlist").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(first.application.ref)  # band B before band C
    expect(rows.nth(1)).to_contain_text(second.application.ref)
    axe_check(page)
    # The offer asks first: a caseworker who cancels has made no offer.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id(f"offer-{first.application.ref}").click()
    expect(rows).to_have_count(2)
    assert first.application.ref in asked[0] and "U-9001" in asked[0]
    assert not Offer.objects.filter(unit=unit).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"offer-{first.application.ref}").click()
    expect(page.get_by_test_id("unit-status")).to_have_text(re.compile("Tilbode|Offered"))
    offer = Offer.objects.get(unit=unit)
    page.get_by_role("link", name=re.compile("svar|answer", re.I)).first.click()
    page.check("input[name=answer][value=accepted]")
    page.fill("#id_answered", today.isoformat())
    page.locator("main form [type=submit]").click()
    expect(page.get_by_test_id("unit-status")).to_have_text(re.compile("Utleigd|Let"))
    offer.refresh_from_db()
    assert offer.status == "accepted"
    lease = Lease.objects.get(unit=unit)
    assert lease.household_id == first.application.household_id
    assert Unit.objects.get(pk=unit.pk).status == "let"


def test_renewal__reminder_opens_the_renewal_case_and_closes_when_decided(page, live_server, staff_user):
    kari = staff_user("caseworker", "kari")
    today = timezone.localdate()
    household = HouseholdFactory()
    original = DecisionFactory(application=ApplicationFactory(household=household, assigned_to=kari, status="decided"))
    lease = LeaseFactory(
        household=household,
        application=original.application,
        start=add_months(today, -33),
        end=add_months(today, 3) - dt.timedelta(days=1),
    )
    reminder_sweep(today)
    renewal_cases_open(today)
    assert Reminder.objects.filter(kind="renewal_assessment", subject_ref=lease.ref, closed_at__isnull=True).exists()
    login(page, live_server, "kari")
    row = page.get_by_test_id("worklist").locator("tr[data-kind=renewal_assessment]", has_text=lease.ref)
    expect(row).to_be_visible()
    row.get_by_role("link").first.click()  # the task (the lease ref after it links the lease)
    lease.refresh_from_db()
    assert page.url.endswith(f"/cases/{lease.renewal_case.ref}/")
    page.get_by_test_id("assessment-link").click()
    page.select_option("#id_recommendation", "municipal_housing")
    page.fill("#id_urgency_reason", "Framleis behov for kommunal bustad.")
    page.locator("button[name=complete]").click()
    page.get_by_test_id("decide-link").click()
    page.check("#id_outcome_0")
    page.fill("#id_facts", "Leigetakaren har framleis behov for bustad og har betalt husleiga.")
    page.fill("#id_assessment", "Kontrakten blir fornya for tre nye år.")
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_test_id("decision-outcome")).to_contain_text("Innvilga")
    lease.refresh_from_db()
    assert lease.renewal_decided == today
    assert not Reminder.objects.filter(
        kind="renewal_assessment", subject_ref=lease.ref, closed_at__isnull=True
    ).exists()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("worklist").locator("tr[data-kind=renewal_assessment]")).to_have_count(0)

    # The granted renewal becomes the next lease: from the day after the old one ends, three years by default.
    page.goto(f"{live_server.url}{lease.get_absolute_url()}")
    renew = page.get_by_test_id("renew-form")
    new_start = lease.end + dt.timedelta(days=1)
    expect(renew.locator("#id_end")).to_have_value((add_months(new_start, 36) - dt.timedelta(days=1)).isoformat())
    renew.get_by_role("button").click()
    new_lease = Lease.objects.get(unit=lease.unit, start=new_start)
    expect(page).to_have_url(re.compile(f"{new_lease.get_absolute_url()}$"))
    expect(page.get_by_test_id("lease-before")).to_contain_text(lease.ref)
    expect(page.get_by_test_id("lease-letters")).to_contain_text("Leigekontrakt for kommunal bustad")
    lease.refresh_from_db()
    assert (lease.outcome, new_lease.application) == ("renewed", lease.renewal_case)

    # Before the renewed lease starts the tenant buys a home after all: moving out withdraws the renewed lease.
    page.get_by_test_id("lease-before").get_by_role("link").click()
    expect(page.get_by_test_id("withdraw-note")).to_contain_text(new_lease.ref)
    move_out = page.get_by_test_id("move-out-form")
    move_out.locator("#id_moved_out").fill(today.isoformat())
    move_out.locator("#id_outcome").select_option("bought_with_startlan")
    move_out.get_by_role("button").click()
    expect(page.locator(".alert-success")).to_contain_text(new_lease.ref)
    expect(page.get_by_test_id("lease-after")).to_have_count(0)
    axe_check(page)
    lease.refresh_from_db()
    assert (lease.moved_out, lease.outcome) == (today, "bought_with_startlan")
    assert not Lease.objects.filter(pk=new_lease.pk).exists()


def test_allocation__without_javascript_the_unit_page_leads_to_the_shortlist_as_a_page(
    browser, live_server, staff_user
):
    kari = staff_user("caseworker", "kari")
    today = timezone.localdate()
    UnitFactory(ref="U-9002", address="Hamnegata 11, 5411 Stord", bedrooms=0)
    waiting = DecisionFactory(
        application=ApplicationFactory(status="decided", urgency="B", assigned_to=kari),
        decided=today - dt.timedelta(days=30),
        notified=today - dt.timedelta(days=30),
    ).application
    context = browser.new_context(java_script_enabled=False, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, "kari")
        page.goto(f"{live_server.url}/allocation/units/U-9002/")
        expect(page.get_by_text(re.compile("Rangerer husstandane"))).to_be_hidden()  # no script will fill it in
        page.get_by_role("link", name=re.compile("Vis kandidatlista")).click()
        rows = page.get_by_test_id("shortlist").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(waiting.ref)
        page.get_by_test_id(f"offer-{waiting.ref}").click()
        expect(page.get_by_test_id("unit-status")).to_have_text(re.compile("Tilbode"))
    finally:
        context.close()


def test_lease_page__an_error_far_down_stands_at_its_form_and_the_move_out_says_what_happened(
    page, live_server, staff_user
):
    kari = staff_user("caseworker", "kari")
    today = timezone.localdate()
    lease = LeaseFactory(
        application=ApplicationFactory(assigned_to=kari, status="decided"),
        start=today - dt.timedelta(days=100),
        end=today + dt.timedelta(days=900),
    )
    login(page, live_server, "kari")
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{live_server.url}{lease.get_absolute_url()}")
    move_out = page.get_by_test_id("move-out-form")
    before_start = lease.start - dt.timedelta(days=3)
    move_out.locator("#id_moved_out").fill(before_start.isoformat())
    move_out.locator("#id_outcome").select_option("moved_private_rental")
    move_out.get_by_role("button").click()

    # The page comes back with the reason at the form, the form in view and the wrong date focused and kept.
    move_out = page.get_by_test_id("move-out-form")
    expect(move_out).to_contain_text(lease.start.strftime("%d.%m.%Y"))
    expect(move_out).to_be_in_viewport()
    expect(move_out.locator("#id_moved_out")).to_be_focused()
    expect(move_out.locator("#id_moved_out")).to_have_value(before_start.isoformat())
    lease.refresh_from_db()
    assert lease.moved_out is None

    move_out.locator("#id_moved_out").fill(today.isoformat())
    move_out.get_by_role("button").click()
    expect(page.locator(".alert-success")).to_contain_text(f"{today:%d.%m.%Y}")
    expect(page.locator(".alert-success")).to_contain_text(lease.unit.ref)
    lease.refresh_from_db()
    assert (lease.moved_out, lease.outcome) == (today, "moved_private_rental")
