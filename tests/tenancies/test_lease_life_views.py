"""The life of a lease through the client: register, the lease page's actions, arrears import, the Housing First
caseload, and who may do what (caseworker, Housing First team, NAV advisor)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from allocation.models import Unit
from stord_bolig.models import Letter
from tenancies import services
from tenancies.models import ArrearsFigure, FollowUpContact, FollowUpPlan, Lease, Milestone, Reminder, RentChange
from tests.conftest import verified_client
from tests.factories import (
    ApplicationFactory,
    ArrearsFigureFactory,
    DecisionFactory,
    LeaseFactory,
    UnitFactory,
)
from tests.tenancies.conftest import DAY, TODAY

pytestmark = [pytest.mark.usefixtures("pinned_today"), pytest.mark.django_db]

RENT = 9000


def signed_in(user) -> Client:
    """A fresh client for `user`, past two-factor, reading the pages in English."""
    client = verified_client(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def section(html: str, testid: str) -> str:
    """The markup of the element marked data-testid=`testid` up to its list's end."""
    rest = html[html.index(f'data-testid="{testid}"') :]
    return rest[: rest.index("</ul>")] if "</ul>" in rest else rest


@pytest.fixture
def english(caseworker):
    return signed_in(caseworker)


@pytest.fixture
def case(caseworker):
    """A case granted a home (a lease on a case needs that)."""
    return DecisionFactory(application=ApplicationFactory(assigned_to=caseworker, status="decided")).application


@pytest.fixture
def housing_first_case(caseworker):
    return ApplicationFactory(assigned_to=caseworker, target_group="housing_first")


def lease_of(case, **fields) -> Lease:
    """A lease of `case`, reviewed recently so no circulation reminder is due."""
    values = {"start": dt.date(2024, 11, 1), "end": dt.date(2027, 10, 31), "last_circulation_review": TODAY - DAY}
    return LeaseFactory(application=case, household=case.household, **{**values, **fields})


def act(client, lease, form: str, **data):
    """POST a lease action and, like a browser, follow a redirect so its message is shown (and used up); after an
    error the page comes back at once with the form as it was filled in."""
    response = client.post(reverse("tenancies:lease-action", args=[lease.ref]), {"form": form, **data})
    if response.status_code == 302:
        client.get(response.url)
    return response


# --- registering a lease ---------------------------------------------------------------------------------------


def register_data(unit, case, /, **changes) -> dict:
    data = {
        "unit": unit.ref,
        "case": case.ref,
        "start": "2026-12-01",
        "end": "2029-11-30",
        "monthly_rent": str(RENT),
        "deposit": str(2 * RENT),
        "guarantee": "0",
        "short_term_reason": "",
        "repeat_short_term_reason": "",
    }
    return {**data, **changes}


def test_lease_register__caseworker_registers_a_lease_and_lands_on_its_page(english, case):
    unit = UnitFactory(monthly_rent=RENT)
    url = reverse("tenancies:lease-register")

    form_page = english.get(url)
    response = english.post(url, register_data(unit, case))

    assert form_page.status_code == 200 and "Register lease" in form_page.content.decode()
    lease = Lease.objects.get()
    assert response.status_code == 302 and response.url == lease.get_absolute_url()
    assert flashed(response) == [f"Lease {lease.ref} is registered; the contract is being prepared."]
    assert (lease.unit, lease.application, lease.household) == (unit, case, case.household)
    assert (lease.start, lease.end, lease.deposit) == (dt.date(2026, 12, 1), dt.date(2029, 11, 30), 2 * RENT)
    assert lease.special_rules_notice == TODAY
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.LET
    assert Letter.objects.filter(kind="contract", case_ref=case.ref).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"unit": "U-NOPE"}, "No unit with that reference.", id="unknown-unit"),
        pytest.param({"case": "S-1999-0001"}, "No case with that number.", id="unknown-case"),
        pytest.param(
            {"end": "2027-11-30"},
            "A lease shorter than 3 years needs the special reasons (særlege grunnar) written down.",
            id="short-without-reason",
        ),
        pytest.param({"deposit": str(6 * RENT + 1)}, "The deposit can be at most 6 months' rent.", id="deposit"),
        pytest.param(
            {"deposit": str(5 * RENT), "guarantee": str(RENT + 1)},
            "Deposit and guarantee together can be at most 6 months' rent.",
            id="deposit-and-guarantee",
        ),
        pytest.param({"end": "2026-11-30"}, "The lease cannot end before it starts.", id="end-before-start"),
        pytest.param({"monthly_rent": "9000.50"}, "Enter a whole number.", id="rent-not-whole-kroner"),
    ],
)
def test_lease_register__bad_input_shows_the_error_and_saves_nothing(english, case, changes, message):
    unit = UnitFactory(monthly_rent=RENT)

    response = english.post(reverse("tenancies:lease-register"), register_data(unit, case, **changes))

    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not Lease.objects.exists() and not Letter.objects.exists()
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.FREE


def test_lease_register__an_overlapping_tenancy_is_shown_as_an_error(english, case):
    unit = UnitFactory(monthly_rent=RENT)
    sitting = LeaseFactory(unit=unit, start=dt.date(2024, 1, 1), end=dt.date(2027, 6, 30))

    response = english.post(reverse("tenancies:lease-register"), register_data(unit, case))

    assert response.status_code == 200
    assert "The home already has a tenancy in that period." in response.content.decode()
    assert list(Lease.objects.all()) == [sitting]


def test_lease_register__not_for_the_housing_first_team(make_user, case):
    team = signed_in(make_user("housing_first"))
    unit = UnitFactory()

    response = team.post(reverse("tenancies:lease-register"), register_data(unit, case))

    assert response.status_code == 403
    assert not Lease.objects.exists()


# --- the lease page -----------------------------------------------------------------------------------------------


def test_lease_detail__shows_the_contract_and_the_new_sections(english, case, django_capture_on_commit_callbacks):
    unit = UnitFactory(monthly_rent=RENT)
    with django_capture_on_commit_callbacks(execute=True):
        english.post(reverse("tenancies:lease-register"), register_data(unit, case))
    lease = Lease.objects.get()
    contract = Letter.objects.get()

    html = english.get(lease.get_absolute_url()).content.decode()

    letters = section(html, "lease-letters")
    assert "Leigekontrakt for kommunal bustad" in letters
    assert contract.get_absolute_url() in letters  # rendered: a download link
    for heading in [
        "Follow-up",
        "Move-on plan (circulation)",
        "Rent adjustment (CPI)",
        "Lease terms and contract",
    ]:
        assert heading in html
    assert "Letters and notices" not in html  # no arrears, not ended: nothing to send, so no empty card
    assert "No follow-up plan." in html and "No move-on plan yet." in html
    assert 'data-testid="move-out-demand"' not in html  # the lease has not ended


def test_lease_detail__move_out_demand_button_only_after_the_end(english, case):
    ended = lease_of(case, end=dt.date(2026, 10, 31))
    running = lease_of(case, start=dt.date(2027, 11, 1), end=dt.date(2030, 10, 31))

    assert 'data-testid="move-out-demand"' in english.get(ended.get_absolute_url()).content.decode()
    assert 'data-testid="move-out-demand"' not in english.get(running.get_absolute_url()).content.decode()


# --- lease actions for a caseworker ------------------------------------------------------------------------------


def test_lease_action__move_out_demand_records_it_writes_the_letter_and_closes_the_reminder(english, case):
    lease = lease_of(case, end=dt.date(2026, 10, 31))
    services.reminder_sweep(TODAY)
    assert Reminder.objects.filter(kind="move_out_demand", subject_ref=lease.ref, closed_at__isnull=True).exists()

    response = act(english, lease, "move_out_demand")
    again = act(english, lease, "move_out_demand")

    assert response.status_code == 302 and response.url == lease.get_absolute_url()
    assert flashed(response) == ["The move-out demand is made; the letter is among the lease's letters."]
    assert flashed(again) == ["A move-out demand has already been sent."]
    lease.refresh_from_db()
    assert lease.move_out_demand_sent == TODAY
    assert not Reminder.objects.filter(subject_ref=lease.ref, kind="move_out_demand", closed_at__isnull=True).exists()
    html = english.get(lease.get_absolute_url()).content.decode()
    assert "Oppfordring om å flytte (flytteoppfordring)" in section(html, "lease-letters")
    assert 'data-testid="move-out-demand"' not in html


def test_lease_action__move_out_demand_before_the_end_is_refused(english, case):
    lease = lease_of(case)

    response = act(english, lease, "move_out_demand")

    assert flashed(response) == ["A move-out demand is sent after the lease has ended."]
    lease.refresh_from_db()
    assert lease.move_out_demand_sent is None and not Letter.objects.exists()


def test_lease_action__social_services_notice_records_the_day_and_the_letter(english, case):
    lease = lease_of(case)
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2026, 10, 31), amount=12000)

    response = act(english, lease, "social_services")

    assert flashed(response) == ["The notice to the social services is made; the letter is among the lease's letters."]
    lease.refresh_from_db()
    assert lease.social_services_notified == TODAY
    assert Letter.objects.get().context["arrears"] == 12000
    html = english.get(lease.get_absolute_url()).content.decode()
    assert "Social services notified 25.11.2026" in html
    assert "Varsel til sosialtenesta om husleigerestanse" in section(html, "lease-letters")


def test_lease_action__social_services_without_arrears_is_refused(english, case):
    lease = lease_of(case)

    response = act(english, lease, "social_services")

    assert flashed(response) == ["The lease has no registered arrears."]
    lease.refresh_from_db()
    assert lease.social_services_notified is None


def rent_data(**changes) -> dict:
    data = {"new_rent": "9315", "cpi_at_last_change": "128.00", "cpi_now": "132.48", "effective": "2027-01-01"}
    return {**data, **changes}


def test_lease_action__rent_notice_is_recorded_and_listed(english, case):
    lease = lease_of(case, start=dt.date(2025, 1, 1))

    response = act(english, lease, "rent", **rent_data())

    assert flashed(response) == ["The rent notice is made; the letter is among the lease's letters."]
    change = RentChange.objects.get()
    assert (change.old_rent, change.new_rent, change.effective) == (RENT, 9315, dt.date(2027, 1, 1))
    html = english.get(lease.get_absolute_url()).content.decode()
    assert "kr\u00a09\u00a0000 → kr\u00a09\u00a0315 from 01.01.2027" in html
    assert "Varsel om endra husleige" in section(html, "lease-letters")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"new_rent": "9400"},
            "The new rent is above what the CPI change allows (at most kr\u00a09\u00a0315).",
            id="above-cpi",
        ),
        pytest.param(
            {"effective": "2026-12-01"},
            "The tenant must have at least one month's written notice: with notice given today, from 25.12.2026.",
            id="short-notice",
        ),
        pytest.param({"cpi_now": ""}, "Give the new rent, both index values and the date.", id="missing-index"),
    ],
)
def test_lease_action__invalid_rent_notice_is_refused_with_its_reason(english, case, changes, message):
    lease = lease_of(case, start=dt.date(2025, 1, 1))

    response = act(english, lease, "rent", **rent_data(**changes))

    assert flashed(response) == [message]
    assert not RentChange.objects.exists() and not Letter.objects.exists()
    # what the caseworker typed is still in the form
    typed = {**rent_data(**changes)}
    form = response.context["rent_form"]
    assert {name: form[name].value() for name in ("new_rent", "cpi_now", "effective")} == {
        name: typed[name] for name in ("new_rent", "cpi_now", "effective")
    }


def test_lease_action__terms_before_moving_in_are_saved_with_a_contract(english, case):
    lease = lease_of(case, start=dt.date(2026, 12, 1), end=dt.date(2029, 11, 30))
    data = {
        "start": "2026-12-01",
        "end": "2027-11-30",
        "monthly_rent": "9200",
        "deposit": "9200",
        "guarantee": "0",
        "short_term_reason": "Skal over i omsorgsbustad.",
        "repeat_short_term_reason": "",
    }

    response = act(english, lease, "terms", **data)

    assert flashed(response) == ["The lease terms are saved."]
    lease.refresh_from_db()
    assert (lease.end, lease.monthly_rent, lease.short_term_reason) == (
        dt.date(2027, 11, 30),
        9200,
        "Skal over i omsorgsbustad.",
    )
    assert lease.special_rules_notice == TODAY
    assert Letter.objects.get().kind == "contract"


def test_lease_action__terms_after_moving_in_are_refused(english, case):
    lease = lease_of(case, moved_in=dt.date(2024, 11, 1))
    data = {"start": "2024-11-01", "end": "2027-10-31", "monthly_rent": "7000", "deposit": "0", "guarantee": "0"}

    response = act(english, lease, "terms", **data)

    assert flashed(response) == ["The terms of a lease cannot change after moving in; register a new lease."]
    lease.refresh_from_db()
    assert lease.monthly_rent == RENT and not Letter.objects.exists()
    assert "Lease terms and contract" not in english.get(lease.get_absolute_url()).content.decode()


def test_lease_action__plan_and_contact_are_shown_on_the_lease(english, case):
    lease = lease_of(case)

    created = act(english, lease, "plan", goals="Kome i arbeid.", support="Jobbspesialist", next_contact="2026-12-02")
    plan = FollowUpPlan.objects.get()
    logged = act(
        english,
        lease,
        "contact",
        plan=plan.pk,
        day="2026-11-24",
        kind="phone",
        note="Ringde.",
        next_contact="2026-12-09",
    )

    assert flashed(created) == ["The follow-up plan is saved."] and flashed(logged) == ["The contact is recorded."]
    assert (plan.goals, plan.support, plan.housing_first) == ("Kome i arbeid.", "Jobbspesialist", False)
    plan.refresh_from_db()
    assert plan.next_contact == dt.date(2026, 12, 9)
    html = english.get(lease.get_absolute_url()).content.decode()
    shown = html[html.index('data-testid="followup-plan"') :]
    assert "Kome i arbeid." in shown and "24.11.2026 Phone: Ringde." in shown and "09.12.2026" in shown


def test_lease_action__plan_without_goals_or_contact_in_the_future_is_refused(english, case):
    lease = lease_of(case)
    plan = FollowUpPlan.objects.create(lease=lease, goals="Mål", started=TODAY)

    no_goals = act(english, lease, "plan", goals="  ")
    future = act(english, lease, "contact", plan=plan.pk, day="2026-11-26", kind="phone", note="Skal ringje.")

    assert flashed(no_goals) == ["Write the tenant's own goals."]
    assert flashed(future) == ["The date cannot be in the future."]
    assert FollowUpPlan.objects.count() == 1 and not FollowUpContact.objects.exists()


def test_lease_action__contact_on_another_leases_plan_is_refused(english, case):
    lease, other = lease_of(case), lease_of(case, unit=UnitFactory())
    foreign = FollowUpPlan.objects.create(lease=other, goals="Mål", started=TODAY)

    response = act(english, lease, "contact", plan=foreign.pk, day="2026-11-24", kind="phone", note="Ringde.")

    assert flashed(response) == ["Give the date, kind and a note for the contact."]
    assert not FollowUpContact.objects.exists()


def test_lease_action__move_on_review_adds_a_milestone_and_closes_the_circulation_reminder(english, case):
    lease = lease_of(case, start=dt.date(2025, 6, 15), end=dt.date(2028, 6, 14), last_circulation_review=None)
    services.reminder_sweep(TODAY)
    assert Reminder.objects.filter(kind="circulation_review", subject_ref=lease.ref, closed_at__isnull=True).exists()

    response = act(
        english, lease, "move_on", goal="startlan", notes="Sparar.", milestone="Søkje startlån", due="2027-03-01"
    )

    assert flashed(response) == ["The move-on plan is saved."]
    lease.refresh_from_db()
    assert lease.last_circulation_review == TODAY and lease.move_on_plan.goal == "startlan"
    assert not Reminder.objects.filter(subject_ref=lease.ref, closed_at__isnull=True).exists()
    html = english.get(lease.get_absolute_url()).content.decode()
    assert "Buy with startlån" in html
    assert "Søkje startlån (due 01.03.2027)" in section(html, "milestones")


def test_lease_action__milestone_done_ticks_it_off(english, case):
    lease = lease_of(case)
    plan = services.move_on_plan_set(lease=lease, goal="startlan", notes="", milestone="Søkje startlån", by=None)
    milestone = plan.milestones.get()
    other = services.move_on_plan_set(
        lease=lease_of(case, unit=UnitFactory()), goal="other", notes="", milestone="Anna", by=None
    ).milestones.get()

    response = act(english, lease, "milestone_done", milestone=milestone.pk)
    foreign = act(english, lease, "milestone_done", milestone=other.pk)

    assert flashed(response) == ["The milestone is marked as reached."]
    assert Milestone.objects.get(pk=milestone.pk).done == TODAY
    assert foreign.status_code == 404 and Milestone.objects.get(pk=other.pk).done is None
    assert "✓ Søkje startlån" in section(english.get(lease.get_absolute_url()).content.decode(), "milestones")


# --- the Housing First team --------------------------------------------------------------------------------------


def test_lease_action__housing_first_team_may_plan_and_log_contacts_on_its_leases(make_user, housing_first_case):
    member = make_user("housing_first")
    team = signed_in(member)
    lease = lease_of(housing_first_case)

    created = act(team, lease, "plan", goals="Bu trygt.", housing_first="on", next_contact="2026-11-30")
    plan = FollowUpPlan.objects.get()
    logged = act(team, lease, "contact", plan=plan.pk, day="2026-11-25", kind="home_visit", note="Heimebesøk.")

    assert flashed(created) == ["The follow-up plan is saved."] and flashed(logged) == ["The contact is recorded."]
    assert plan.housing_first is True and plan.responsible == member
    assert FollowUpContact.objects.get().by == member
    page = team.get(lease.get_absolute_url())
    assert page.status_code == 200 and "Bu trygt." in page.content.decode()


@pytest.mark.parametrize(
    ("form", "data"),
    [
        pytest.param(
            "terms",
            {"start": "2024-11-01", "end": "2027-10-31", "monthly_rent": "1", "deposit": "0", "guarantee": "0"},
            id="terms",
        ),
        pytest.param("rent", rent_data(new_rent="8000", effective="2027-01-01"), id="rent"),
        pytest.param("move_out_demand", {}, id="move-out-demand"),
        pytest.param("move_on", {"goal": "startlan"}, id="move-on"),
    ],
)
def test_lease_action__housing_first_team_may_not_change_the_lease(make_user, housing_first_case, form, data):
    team = signed_in(make_user("housing_first"))
    lease = lease_of(housing_first_case, start=dt.date(2025, 1, 1), end=dt.date(2026, 10, 31))

    response = act(team, lease, form, **data)

    assert response.status_code == 403
    lease.refresh_from_db()
    assert (lease.monthly_rent, lease.move_out_demand_sent, lease.last_circulation_review) == (RENT, None, TODAY - DAY)
    assert not RentChange.objects.exists() and not Letter.objects.exists()


def test_lease_action__housing_first_team_cannot_reach_an_ordinary_lease(make_user, case):
    team = signed_in(make_user("housing_first"))
    lease = lease_of(case)

    response = act(team, lease, "plan", goals="Bu trygt.")

    assert response.status_code == 404
    assert not FollowUpPlan.objects.exists()


# --- arrears import -----------------------------------------------------------------------------------------------


def upload(text: str | bytes, name: str = "restanse.csv") -> SimpleUploadedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_arrears_import__a_good_file_is_imported_and_opens_the_referral_reminder(english, case):
    lease = lease_of(case, ref="L-90001")
    url = reverse("tenancies:arrears-import")
    csv = "\ufefflease;as_of;amount\r\nL-90001;2026-09-30;4000\r\nL-90001;2026-10-31;9600\r\n"

    page = english.get(url)
    response = english.post(url, {"file": upload(csv)})

    assert page.status_code == 200 and "Import rent arrears" in page.content.decode()
    assert response.status_code == 302 and response.url == url
    assert flashed(response) == ["2 arrears figures imported."]
    assert list(ArrearsFigure.objects.order_by("as_of").values_list("as_of", "amount")) == [
        (dt.date(2026, 9, 30), 4000),
        (dt.date(2026, 10, 31), 9600),
    ]
    reminder = Reminder.objects.get(kind="arrears_referral", subject_ref=lease.ref)  # ≥ a month's rent since 31 Oct
    assert reminder.due == dt.date(2026, 10, 31) and reminder.closed_at is None


def test_arrears_import__a_bad_file_shows_numbered_errors_and_imports_nothing(english, case):
    lease_of(case, ref="L-90001")
    csv = "lease;as_of;amount\nL-90001;2026-10-31;9600\nL-99999;2026-10-31;100\nL-90001;31.10.2026;100\n"

    response = english.post(reverse("tenancies:arrears-import"), {"file": upload(csv)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported:" in html
    assert "line 3: unknown lease L-99999" in html
    assert "line 4: not a date (YYYY-MM-DD): 31.10.2026" in html
    assert not ArrearsFigure.objects.exists()


def test_arrears_import__a_file_that_is_not_utf8_is_refused(english, case):
    lease_of(case, ref="L-90001")

    response = english.post(
        reverse("tenancies:arrears-import"),
        {"file": upload("lease;as_of;amount\nL-90001;2026-10-31;9600 kr æ\n".encode("latin-1"))},
    )

    assert response.status_code == 200
    assert "The file is not UTF-8 text." in response.content.decode()
    assert not ArrearsFigure.objects.exists()


@pytest.mark.parametrize("role", ["housing_first", "nav_advisor"])
def test_arrears_import__only_for_those_who_may_change_leases(make_user, case, role):
    lease_of(case, ref="L-90001")
    other = signed_in(make_user(role))

    response = other.post(
        reverse("tenancies:arrears-import"), {"file": upload("lease;as_of;amount\nL-90001;2026-10-31;9600\n")}
    )

    assert response.status_code == 403
    assert not ArrearsFigure.objects.exists()


# --- the Housing First caseload -----------------------------------------------------------------------------------


@pytest.fixture
def caseload(caseworker, housing_first_case):
    """An active Housing First plan, a closed one, an ordinary follow-up plan, and a waiting Housing First case."""
    followed = lease_of(housing_first_case)
    active = FollowUpPlan.objects.create(
        lease=followed,
        goals="Bu trygt og ha ein fast lege.",
        housing_first=True,
        started=dt.date(2026, 6, 1),
        next_contact=TODAY - DAY,
        responsible=caseworker,
    )
    other_case = ApplicationFactory(assigned_to=caseworker, target_group="housing_first")
    closed = FollowUpPlan.objects.create(
        lease=lease_of(other_case),
        goals="Avslutta plan.",
        housing_first=True,
        started=dt.date(2025, 1, 1),
        closed=dt.date(2026, 5, 1),
    )
    ordinary = FollowUpPlan.objects.create(
        lease=lease_of(ApplicationFactory(assigned_to=caseworker)), goals="Vanleg oppfølging.", started=TODAY
    )
    waiting = DecisionFactory(application__target_group="housing_first", decided=dt.date(2026, 10, 1)).application
    waiting_ordinary = DecisionFactory(decided=dt.date(2026, 10, 1)).application
    return {
        "active": active,
        "closed": closed,
        "ordinary": ordinary,
        "waiting": waiting,
        "waiting_ordinary": waiting_ordinary,
    }


@pytest.mark.parametrize("role", ["housing_first", "caseworker"])
def test_caseload__lists_active_housing_first_plans_and_who_is_waiting(make_user, caseload, role):
    viewer = signed_in(make_user(role))

    response = viewer.get(reverse("tenancies:caseload"))

    assert response.status_code == 200
    assert list(response.context["plans"]) == [caseload["active"]]
    html = response.content.decode()
    table = html[html.index('data-testid="caseload"') : html.index("</table>")]
    assert caseload["active"].lease.ref in table and "Bu trygt og ha ein fast lege." in table
    assert "deadline-overdue" in table  # the next contact was yesterday
    assert caseload["closed"].lease.ref not in table and caseload["ordinary"].lease.ref not in table
    waiting_part = html[html.index("Waiting for a Housing First home") :]
    assert caseload["waiting"].ref in waiting_part and "decided 01.10.2026" in waiting_part
    assert caseload["waiting_ordinary"].ref not in waiting_part


def test_caseload__management_sees_the_caseload_without_links_it_could_not_open(make_user, caseload):
    manager = signed_in(make_user("management"))

    response = manager.get(reverse("tenancies:caseload"))

    assert response.status_code == 200
    html = response.content.decode()
    lease, case = caseload["active"].lease, caseload["waiting"]
    # the size of the caseload, as the dashboard gives it, but not who is in it
    assert list(response.context["plans"]) == [] and response.context["total"] == 1
    assert "Caseload: 1 person" in html and "Bu trygt og ha ein fast lege." not in html
    assert lease.get_absolute_url() not in html
    assert case.ref in html and case.get_absolute_url() not in html
    assert manager.get(case.get_absolute_url()).status_code == 404


def test_caseload__nobody_waiting_is_said_plainly(english):
    response = english.get(reverse("tenancies:caseload"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nobody is followed by the team now." in html and "Nobody is waiting." in html


def test_caseload__a_housing_first_case_with_a_lease_is_no_longer_waiting(english, housing_first_case):
    decided = DecisionFactory(application=housing_first_case).application
    assert decided.ref in english.get(reverse("tenancies:caseload")).content.decode()

    lease_of(decided, start=dt.date(2026, 11, 20))

    html = english.get(reverse("tenancies:caseload")).content.decode()
    assert decided.ref not in html[html.index("Waiting for a Housing First home") :]


def test_caseload__refused_for_a_nav_advisor(make_user, caseload):
    nav = signed_in(make_user("nav_advisor"))

    response = nav.get(reverse("tenancies:caseload"))

    assert response.status_code == 403
    assert caseload["active"].lease.ref not in response.content.decode()
