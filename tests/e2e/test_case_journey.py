"""A caseworker registers an application, assesses it with the applicant, decides, and reads the letter."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile

from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Application
from cases.rules import appeal_deadline
from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.models import AccessLog
from tests.e2e.conftest import axe_check, login

MONTHS_NN = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]


def _pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True).stdout


def test_case__register_assess_decide_and_read_the_letter(page, live_server, staff_user):
    staff_user("caseworker", "kari", first_name="Kari", last_name="Sakshandsamar")
    login(page, live_server, "kari")
    today = timezone.localdate()
    applicant_id = synthetic_national_id(dt.date(1990, 4, 12), 3)

    page.goto(f"{live_server.url}/cases/new/")
    axe_check(page)
    page.select_option("#id_kind", "municipal_housing")
    page.fill("#id_received", today.isoformat())
    page.fill("#id_national_id", "12049012345")  # bad check digits first
    page.fill("#id_given_name", "Ingrid")
    page.fill("#id_family_name", "Leirvåg")
    page.fill("#id_address", "Leirvikvegen 3")
    page.fill("#id_postcode", "5411")
    page.fill("#id_city", "Stord")
    page.locator("[data-add-formset=members]").click()
    page.select_option("#id_members-0-role", "child")
    page.fill("#id_members-0-national_id", synthetic_national_id(dt.date(2016, 2, 3), 3))
    page.fill("#id_members-0-given_name", "Mia")
    page.fill("#id_members-0-family_name", "Leirvåg")
    page.locator("main form [type=submit]").first.click()
    expect(page.locator("#id_national_id")).to_have_class(re.compile("is-invalid"))
    assert Application.objects.count() == 0  # nothing saved, and what was typed is still there
    expect(page.locator("#id_given_name")).to_have_value("Ingrid")
    page.fill("#id_national_id", applicant_id)
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_test_id("case-status")).to_be_visible()
    case = Application.objects.get()
    assert page.url.endswith(f"/cases/{case.ref}/")
    expect(page.get_by_test_id("bedroom-need")).to_have_text("2 soverom")  # own room + one for the child
    axe_check(page)

    page.get_by_test_id("assessment-link").click()
    page.select_option("#id_housing_situation", "homeless_2")
    page.select_option("#id_main_reason", "other")
    page.fill("#id_housing_notes", "Bur på hospits med dottera.")
    page.fill("#id_own_goals", "Eg vil ha ein trygg stad å bu nær skulen til Mia.")
    page.select_option("#id_urgency", "C")  # differs from the suggested A ...
    page.locator("button[name=complete]").click()
    expect(page.locator("#id_urgency_reason")).to_have_class(re.compile("is-invalid"))  # ... so it needs a reason
    page.select_option("#id_urgency", "A")
    page.locator("button[name=complete]").click()
    # Saved, but not ready without a recommendation: the form stays with the field marked and the text kept.
    expect(page.locator("#id_recommendation")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_own_goals")).to_have_value("Eg vil ha ein trygg stad å bu nær skulen til Mia.")
    page.select_option("#id_recommendation", "municipal_housing")
    page.fill("#id_health-mobility_needs", "Treng bustad utan trapper.")
    page.locator("button[name=complete]").click()
    expect(page.get_by_test_id("case-status")).to_have_text(re.compile("Klar"))
    # health is opened on purpose (and the read logged then), not shown with every look at the case
    expect(page.get_by_test_id("health-section")).not_to_contain_text("Treng bustad utan trapper.")
    health_reads = AccessLog.objects.filter(section="health", case_ref=case.ref, action="read")
    reads_before = health_reads.count()  # the assessment form showed it to its author
    page.get_by_test_id("health-open").click()
    expect(page.get_by_test_id("health-section")).to_contain_text("Treng bustad utan trapper.")
    assert health_reads.count() == reads_before + 1

    page.get_by_test_id("decide-link").click()
    axe_check(page)
    page.check("#id_outcome_0")  # granted
    page.fill("#id_facts", "Søkjaren bur mellombels på hospits saman med eit barn på 10 år.")
    page.fill("#id_assessment", "Husstanden kan ikkje skaffe seg bustad sjølv og fyller vilkåra.")
    page.fill("#id_home_description", "Leilegheit med 2 soverom")
    page.fill("#id_lease_years", "3")
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_test_id("decision-outcome")).to_contain_text("Innvilga")
    deadline = appeal_deadline(today)
    expect(page.get_by_test_id("appeal-deadline")).to_have_text(deadline.strftime("%d.%m.%Y"))

    link = page.get_by_test_id("letters").locator("a").first
    expect(link).to_be_visible()
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    text = " ".join(_pdf_text(response.body()).split())
    assert "innvilga" in text
    assert "Søkjaren bur mellombels på hospits" in text
    assert f"{deadline.day}. {MONTHS_NN[deadline.month - 1]} {deadline.year}" in text
    assert "klagenemnda" in text
    assert "innsyn" in text
    assert applicant_id not in text


def test_case__closing_asks_why_then_records_it_and_takes_the_handling_away_until_reopened(
    page, live_server, staff_user
):
    from tests.factories import ApplicationFactory

    kari = staff_user("caseworker", "kari", first_name="Kari", last_name="Sakshandsamar")
    case = ApplicationFactory(assigned_to=kari)
    login(page, live_server, "kari")
    page.on("dialog", lambda dialog: dialog.accept())  # "Close this case?"

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    handling = page.get_by_test_id("case-handling")
    handling.get_by_role("button", name=re.compile("Avslutt saka")).click()
    assert page.locator("#close-note").evaluate("el => el.validity.valueMissing")  # the browser asks why first
    expect(page.get_by_test_id("case-status")).not_to_have_text(re.compile("Avslutta"))
    page.fill("#close-note", "Søkjaren har flytta frå kommunen.")
    handling.get_by_role("button", name=re.compile("Avslutt saka")).click()

    expect(page.get_by_test_id("case-status")).to_have_text(re.compile("Avslutta"))
    expect(page.get_by_test_id("history")).to_contain_text("Søkjaren har flytta frå kommunen.")
    expect(page.get_by_test_id("case-handling")).to_have_count(0)
    axe_check(page)

    # closed by mistake: reopened with a reason, back where it was
    reopen = page.get_by_test_id("case-reopen")
    reopen.get_by_role("button", name=re.compile("Opne saka att")).click()
    assert page.locator("#reopen-note").evaluate("el => el.validity.valueMissing")
    page.fill("#reopen-note", "Søkjaren flytta likevel ikkje.")
    reopen.get_by_role("button", name=re.compile("Opne saka att")).click()
    expect(page.get_by_test_id("case-status")).to_have_text(re.compile("Registrert"))
    expect(page.get_by_test_id("history")).to_contain_text("Søkjaren flytta likevel ikkje.")
    expect(page.get_by_test_id("case-handling")).to_have_count(1)


def test_appeal__the_office_reverses_its_refusal_with_new_grounds_and_a_letter(page, live_server, staff_user):
    from cases import services
    from tests.factories import ApplicationFactory, DecisionFactory

    kari = staff_user("caseworker", "kari", first_name="Kari", last_name="Sakshandsamar")
    today = timezone.localdate()
    refusal = DecisionFactory(
        application=ApplicationFactory(assigned_to=kari, status="decided"),
        outcome="refused",
        decided=today - dt.timedelta(days=10),
        notified=today - dt.timedelta(days=10),
    )
    case = refusal.application
    services.appeal_register(application=case, received=today, grounds="Eg har no legeerklæring.", by=kari)
    login(page, live_server, "kari")

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_role("link", name=re.compile("Gjer om vedtaket")).click()
    expect(page.get_by_text("Eg har no legeerklæring.")).to_be_visible()
    axe_check(page)
    page.fill("#id_facts", "Søkjaren har lagt fram legeerklæring om behov for bustad på bakkeplan.")
    page.fill("#id_assessment", "Legeerklæringa viser at husstanden fyller vilkåra.")
    page.fill("#id_home_description", "Bustad på bakkeplan")
    page.get_by_test_id("reverse-submit").click()

    expect(page.get_by_test_id("decision-outcome")).to_contain_text("Innvilga")
    expect(page.get_by_test_id("case-status")).to_have_text(re.compile("Avgjord"))
    # a new deadline (three weeks, moved past a weekend or holiday), no appeal yet
    days_left = (appeal_deadline(today) - today).days
    expect(page.get_by_test_id("appeal-status")).to_contain_text(f"{days_left} dagar att")
    expect(page.get_by_test_id("letters").locator("li")).to_have_count(
        1
    )  # the new decision's letter (the factory wrote none)


def test_decision__a_letter_that_reached_the_party_later_moves_the_appeal_deadline(page, live_server, staff_user):
    from tests.factories import ApplicationFactory, DecisionFactory

    kari = staff_user("caseworker", "kari")
    today = timezone.localdate()
    decided = today - dt.timedelta(days=20)
    decision = DecisionFactory(
        application=ApplicationFactory(assigned_to=kari, status="decided", received=today - dt.timedelta(days=60)),
        outcome="refused",
        decided=decided,
        notified=decided,
    )
    case = decision.application
    login(page, live_server, "kari")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_test_id("appeal-deadline")).to_have_text(appeal_deadline(decided).strftime("%d.%m.%Y"))

    page.get_by_test_id("notified-correct").click()
    form = page.get_by_test_id("notified-form")
    form.locator("#id_notified").fill((decided - dt.timedelta(days=1)).isoformat())  # before the decision
    form.locator("#id_how").fill("Søkjaren ringde og sa at brevet kom då.")
    form.get_by_role("button", name="Lagre").click()
    expect(page.locator("#id_notified")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_how")).to_have_value("Søkjaren ringde og sa at brevet kom då.")  # kept
    axe_check(page)

    later = decided + dt.timedelta(days=4)
    page.locator("#id_notified").fill(later.isoformat())
    page.get_by_test_id("notified-form").get_by_role("button", name="Lagre").click()
    expect(page.get_by_test_id("appeal-deadline")).to_have_text(appeal_deadline(later).strftime("%d.%m.%Y"))
    expect(page.get_by_test_id("decision-notified")).to_have_text(later.strftime("%d.%m.%Y"))
    expect(page.locator(".alert-success")).to_contain_text(appeal_deadline(later).strftime("%d.%m.%Y"))
