"""Steering pages: the same KOSTRA figures as the command, homelessness that reconciles, access by role."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports import figures
from stord_bolig.interchange.service import records_import
from tests.conftest import verified_client
from tests.factories import ApplicationFactory, HouseholdFactory, LeaseFactory, TemporaryStayFactory

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"


@pytest.fixture
def management_client(client, make_user):
    return verified_client(client, make_user("management"))


def test_kostra_page__shows_exactly_the_commands_figures(management_client):
    records_import(json.loads(EXAMPLE.read_text()))
    out = io.StringIO()
    call_command("report", "kostra", "--year", "2025", "--format", "json", stdout=out)
    expected = json.loads(out.getvalue())
    response = management_client.get(reverse("reports:kostra") + "?year=2025")
    assert response.status_code == 200
    assert response.context["figures"] == expected
    csv_text = management_client.get(reverse("reports:kostra") + "?year=2025&format=csv").content.decode("utf-8-sig")
    assert "units_total;15" in csv_text


def test_kostra_page__refused_to_caseworkers_and_nav(client, make_user):
    for role in ("caseworker", "nav_advisor"):
        assert verified_client(client, make_user(role)).get(reverse("reports:kostra")).status_code == 403


def test_dashboard__nav_advisor_is_refused(client, make_user):
    assert verified_client(client, make_user("nav_advisor")).get(reverse("reports:dashboard")).status_code == 403


def test_homelessness__counts_a_homeless_applicant_until_a_lease_starts():
    household = HouseholdFactory()
    ApplicationFactory(household=household, housing_situation="homeless_2", received=dt.date(2026, 1, 10))
    LeaseFactory(household=household, start=dt.date(2026, 3, 15), end=dt.date(2029, 3, 14))
    assert household.pk in figures.homeless_households(dt.date(2026, 2, 1))
    assert household.pk not in figures.homeless_households(dt.date(2026, 3, 15))


def test_homelessness__temporary_stay_counts_as_category_2():
    stay = TemporaryStayFactory(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert figures.homeless_households(dt.date(2026, 5, 10)) == {stay.household_id: "homeless_2"}
    assert figures.homeless_households(dt.date(2026, 6, 1)) == {}


def test_homelessness__monthly_inflow_and_outflow_reconcile():
    for month in (1, 2, 4):
        TemporaryStayFactory(start=dt.date(2026, month, 10), end=dt.date(2026, month + 1, 20))
    rows = figures.homeless_monthly(dt.date(2026, 1, 1), 6)
    for row in rows:
        assert row["count"] + row["inflow"] - row["outflow"] == row["next"]
    assert [r["count"] for r in rows] == [0, 1, 1, 0, 1, 0]  # three households, each for about six weeks


def test_homelessness_page__by_name_only_for_roles_that_see_cases(client, make_user):
    ApplicationFactory(housing_situation="homeless_1", received=dt.date(2026, 1, 10))
    management = verified_client(client, make_user("management")).get(reverse("reports:homelessness"))
    assert management.status_code == 200
    assert management.context["by_name"] == []  # management sees numbers, not names
    assert management.context["total"] >= 1


def test_dashboard_csv__is_formula_safe_and_has_one_row_per_year(management_client):
    response = management_client.get(reverse("reports:dashboard") + "?from=2024&to=2026&format=csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4
    assert all(not line.startswith(("=", "+", "@")) for line in lines)


def test_summary_pdf__renders_for_management(management_client):
    response = management_client.get(reverse("reports:summary-pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_summary_pdf__reads_as_a_report_with_its_period_and_tables_not_as_a_letter(on_26_november, management_client):
    from tests.allocation.conftest import waiting_case
    from tests.cases.conftest import pdf_text

    waiting_case()
    waiting_case(kind="swap")
    management_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = management_client.get(reverse("reports:summary-pdf"))

    text = pdf_text(response.content)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert lines[:3] == [
        "Stord kommune · Bustadkontoret",
        "Steering figures for the housing office",
        "Period: 2022–2026 so far (to 26.11.2026)",
    ]
    assert "Households on the waiting list 2" in lines
    shorter = pdf_text(management_client.get(reverse("reports:summary-pdf"), {"from": 2025, "to": 2026}).content)
    assert "Period: 2025–2026 so far (to 26.11.2026)" in " ".join(shorter.split())  # the dashboard's period
    assert any(line.startswith("2022 2023 2024 2025 2026 so far") for line in lines)  # a year a column
    assert any(line.startswith("Waiting at year end 0 0 0 0 1") for line in lines)  # KOSTRA: the swap is not in it
    assert any(line.startswith("Vacant days in the stock") for line in lines)
    # the note fits the PDF's layout, where the year is a column, not a row
    assert "2026 is not over: its figures are for the year so far" in " ".join(text.split())
    for letter_part in ("Management group", "Our reference", "Kind regards", "signature", "Postboks"):
        assert letter_part not in text  # no addressee, reference block or signature


def test_summary_pdf__counts_now_what_is_true_now_not_the_hours_kept_figures(on_26_november, management_client):
    from tests.allocation.conftest import waiting_case
    from tests.cases.conftest import pdf_text

    waiting_case()
    management_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert management_client.get(reverse("reports:dashboard")).status_code == 200  # keeps the hour's figures
    waiting_case()  # granted since: the dashboard shows it within the hour, the report at once

    text = " ".join(pdf_text(management_client.get(reverse("reports:summary-pdf")).content).split())

    assert "Households on the waiting list 2" in text


def test_dashboard__free_homes_now_are_the_housing_stocks_free_homes(client, make_user, management_client):
    from allocation.models import Unit
    from tests.factories import UnitFactory

    today = timezone.localdate()
    UnitFactory(status=Unit.Status.FREE)
    UnitFactory(status=Unit.Status.FREE, in_stock_until=today - dt.timedelta(days=3))  # left the stock, still "free"
    UnitFactory(status=Unit.Status.LET)
    caseworker = verified_client(client.__class__(), make_user("caseworker"))

    dashboard = management_client.get(reverse("reports:dashboard"))
    unit_list = caseworker.get(reverse("allocation:unit-list"), {"status": "free"})

    assert dashboard.context["data"]["free_units"] == 1
    assert unit_list.context["page"].paginator.count == 1


@pytest.fixture
def on_26_november():
    """Today is Thursday 26 November 2026 (pinned before anyone logs in, so no session outlives the jump)."""
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=OSLO), tick=False) as traveller:
        yield traveller


def test_action_plan__households_on_the_waiting_list_are_the_waiting_lists_households(
    on_26_november, management_client
):
    from reports.models import ActionGoal
    from tests.allocation.conftest import waiting_case

    ActionGoal.objects.create(title="Kort ventetid", indicator="waiting_list", target="Under 10 husstandar")
    waiting_case()
    waiting_case(kind="swap")  # already in a municipal home, waiting for another: on the list all the same
    both = waiting_case()
    waiting_case(kind="swap", household=both.household)  # one household with two waiting cases counts once
    management_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    plan = management_client.get(reverse("reports:action-plan")).content.decode()
    waiting_list = management_client.get(reverse("allocation:waiting-list")).content.decode()

    assert "Households on the waiting list: <strong>3</strong>" in plan
    assert "3 households waiting on 26.11.2026." in waiting_list


def test_dashboard__the_year_not_yet_over_is_the_year_so_far(on_26_november, management_client):
    from tests.factories import UnitFactory

    UnitFactory(in_stock_from=dt.date(2020, 1, 1))  # free all along
    UnitFactory(in_stock_from=dt.date(2026, 12, 1))  # bought, in the stock from next month
    management_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = management_client.get(reverse("reports:dashboard"), {"from": 2025, "to": 2027})

    rows = {row[0]: dict(zip(response.context["header"], row, strict=True)) for row in response.context["rows"]}
    assert list(rows) == ["2025", "2026 so far (to 26.11.2026)"]  # no row for a year to come
    so_far = rows["2026 so far (to 26.11.2026)"]
    assert so_far["Vacant days in the stock"] == 330  # 1 January to today, not to 31 December
    assert so_far["Homes"] == 1  # the home coming next month is not counted yet
    assert rows["2025"]["Vacant days in the stock"] == 365
    html = response.content.decode()
    assert "2026 is not over: its figures are for the year so far, and those “at year end” are as of today" in html
    assert "Households waiting to swap the municipal home they live in are on the waiting list" in html


def test_stock_use__vacant_days_are_stock_days_not_covered_by_leases():
    from reports.kostra_sql import stock_use
    from tests.factories import UnitFactory

    unit = UnitFactory(in_stock_from=dt.date(2025, 1, 1))
    LeaseFactory(unit=unit, start=dt.date(2025, 3, 1), end=dt.date(2028, 2, 29))
    use = stock_use(2025)
    assert use["stock_days"] == 365
    assert use["vacant_days"] == 31 + 28  # January and February
    assert use["utilisation_share"] == 100.0


def test_equity_csv__downloads(management_client):
    response = management_client.get(reverse("reports:equity") + "?year=2026&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("reports:dashboard", "?from=2025&to=2026&table=outcomes&format=csv"),
        ("reports:dashboard", "?from=2025&to=2026&format=xlsx"),
        ("reports:homelessness", "?table=counts&format=csv"),
        ("reports:homelessness", "?format=csv"),
        ("reports:action-plan", "?format=csv"),
        ("reports:action-plan", "?format=xlsx"),
        ("reports:equity", "?format=xlsx"),
        ("reports:kostra", "?year=2025&format=xlsx"),
    ],
)
def test_exports__every_table_downloads(management_client, name, query):
    response = management_client.get(reverse(name) + query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_homelessness_by_name_csv__for_caseworkers_and_logged(client, make_user):
    from stord_bolig.models import AccessLog

    application = ApplicationFactory(housing_situation="homeless_1", received=dt.date(2026, 1, 10))
    caseworker = make_user("caseworker", username="kari")
    response = verified_client(client, caseworker).get(reverse("reports:homelessness") + "?table=by_name&format=csv")
    assert response.status_code == 200
    assert application.ref in response.content.decode("utf-8-sig")
    assert AccessLog.objects.filter(username="kari", action="export", section="homeless_by_name").exists()


def test_access_audit__flags_a_caseworker_reading_their_own_case_and_unusual_volumes(client, make_user):
    from stord_bolig.models import AccessLog

    application = ApplicationFactory()
    me = application.household.applicant
    caseworker = make_user("caseworker", username="kari")
    caseworker.set_national_id(me.national_id)
    caseworker.save()
    browser = verified_client(client, caseworker)
    assert browser.get(reverse("cases:case-detail", args=[application.ref])).status_code == 200
    for _ in range(60):
        AccessLog.objects.create(user_id=caseworker.pk, username="kari", action="read", case_ref="S-2026-9999")
    for colleague in (101, 102, 103):  # an ordinary day for three colleagues
        for _ in range(5):
            AccessLog.objects.create(user_id=colleague, username=f"u{colleague}", action="read", case_ref="S-1")
    audit = figures.access_audit(dt.date.today() - dt.timedelta(days=1))
    assert [r.case_ref for r in audit["self_lookups"]] == [application.ref]
    assert any(r["username"] == "kari" and r["n"] >= 60 for r in audit["unusual"])
    admin = make_user(None, username="root", is_superuser=True, is_staff=True)
    assert verified_client(client, admin).get(reverse("reports:access-audit")).status_code == 200
    assert verified_client(client, caseworker).get(reverse("reports:access-audit")).status_code == 403


def test_dashboard__title_is_plain_text_and_the_estimates_shown_once(management_client):
    html = management_client.get(reverse("reports:dashboard")).content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title
    head = html.split("</head>", 1)[0]
    assert "<table" not in head and "<h2" not in head
    assert html.count("Estimert ventetid") == 1  # "Estimated waiting time", in the body only


def test_kostra_page__names_each_figure_in_the_users_language(management_client):
    html = management_client.get(reverse("reports:kostra") + "?year=2025").content.decode()
    table = html[html.index('data-testid="kostra-table"') :]
    assert "Kommunale utleigebustader ved årsslutt" in table and '<code class="small">units_total</code>' in table
    assert "Flytta inn: Flyktning" in table  # moved_in_refugee, named by the main reason's label


def test_equity__caseworkers_by_name_not_username(management_client, make_user):
    kari = make_user("caseworker", first_name="Kari", last_name="Nordmann")
    ApplicationFactory(assigned_to=kari, received=dt.date(2026, 3, 1), urgency="A", urgency_suggested="B")

    response = management_client.get(reverse("reports:equity"), {"year": 2026})
    csv_text = management_client.get(reverse("reports:equity"), {"year": 2026, "format": "csv"}).content.decode()

    [row] = response.context["data"]["band_overrides"]
    assert (row["name"], row["assessed"], row["overridden"]) == ("Kari Nordmann", 1, 1)
    assert "Kari Nordmann" in response.content.decode() and f">{kari.username}<" not in response.content.decode()
    assert "Kari Nordmann;1;1" in csv_text
