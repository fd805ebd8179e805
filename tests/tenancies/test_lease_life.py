"""The life of a lease (tenancies/services.py): register with the husleigelova rules, contract, move-out demand,
§ 9-11 notice, CPI rent notice, arrears import, follow-up and move-on plans.

Every refusal is checked for what it did *not* write: no lease, no letter, no change to the unit or the lease.
Letters are rendered through the real pipeline (on_commit -> eager Celery -> WeasyPrint) and read with pdftotext.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from allocation.models import Unit
from cases.rules import add_months
from stord_bolig.models import Letter
from tenancies import services
from tenancies.models import (
    ArrearsFigure,
    FollowUpContact,
    FollowUpPlan,
    Lease,
    Milestone,
    MoveOnPlan,
    Reminder,
    RentChange,
)
from tests.cases.conftest import pdf_text
from tests.factories import ApplicationFactory, ArrearsFigureFactory, DecisionFactory, LeaseFactory, UnitFactory
from tests.tenancies.conftest import DAY, TODAY

pytestmark = [pytest.mark.usefixtures("pinned_today"), pytest.mark.django_db]

RENT = 9000
START = dt.date(2026, 12, 1)
THREE_YEARS_END = dt.date(2029, 11, 30)
ONE_YEAR_END = dt.date(2027, 11, 30)
REASON = "Leigetakaren skal over i omsorgsbustad innan eitt år."
WEIGHTY = "Barna fullfører skuleåret på Stord; ingen annan bustad er ledig."


def letter_text(letter: Letter) -> str:
    """The rendered PDF's text on one line (runs of white space as one space)."""
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RENDERED, letter.error
    with letter.pdf.open("rb") as handle:
        return " ".join(pdf_text(handle.read()).split())


@pytest.fixture
def case(caseworker):
    """A case granted a home (a lease on a case needs that)."""
    return DecisionFactory(application=ApplicationFactory(assigned_to=caseworker, status="decided")).application


@pytest.fixture
def unit():
    return UnitFactory(monthly_rent=RENT, address="Sæbøvegen 12, 5411 Stord")


def register(case, unit, by, **terms):
    values = {
        "start": START,
        "end": THREE_YEARS_END,
        "monthly_rent": RENT,
        "deposit": 3 * RENT,
        "guarantee": 0,
    }
    return services.lease_register(unit=unit, household=case.household, application=case, by=by, **{**values, **terms})


def lease_of(case, **fields) -> Lease:
    """A lease of `case` (its household), reviewed recently so no circulation reminder is due."""
    values = {"start": dt.date(2024, 11, 1), "end": dt.date(2027, 10, 31), "last_circulation_review": TODAY - DAY}
    return LeaseFactory(application=case, household=case.household, **{**values, **fields})


# --- lease_register -----------------------------------------------------------------------------------------------


def test_lease_register__creates_the_lease_lets_the_unit_and_records_the_written_notice(case, unit, caseworker):
    lease = register(case, unit, caseworker, deposit=2 * RENT, guarantee=RENT)

    stored = Lease.objects.get(pk=lease.pk)
    assert (stored.unit, stored.household, stored.application) == (unit, case.household, case)
    assert (stored.start, stored.end, stored.monthly_rent, stored.deposit, stored.guarantee) == (
        START,
        THREE_YEARS_END,
        RENT,
        2 * RENT,
        RENT,
    )
    assert stored.ref.startswith("L-")
    assert stored.special_rules_notice == TODAY  # § 11-1: told in writing, the day the contract is written
    assert stored.short_term_reason is None and stored.repeat_short_term_reason is None
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.LET
    contract = Letter.objects.get()
    assert (contract.kind, contract.case_ref, contract.subject) == ("contract", case.ref, case)


@pytest.mark.parametrize(
    ("language", "title", "expected"),
    [
        pytest.param(
            "nn",
            "Leigekontrakt for kommunal bustad",
            [
                "Viktig: bustad for vanskelegstilte",
                "Bustaden blir leigd ut som bustad for vanskelegstilte på bustadmarknaden",
                "Særreglane i husleigelova § 11-1 gjeld for dette leigeforholdet",
                "1. desember 2026 – 30. november 2027 (tidsavgrensa)",
                "Særlege grunnar for kortare leigetid",
                "kr 9 000 per månad",
                "husleigelova § 9-2",
            ],
            id="nynorsk",
        ),
        pytest.param(
            "nb",
            "Leiekontrakt for kommunal bolig",
            [
                "Viktig: bolig for vanskeligstilte",
                "Boligen leies ut som bolig for vanskeligstilte på boligmarkedet",
                "Særreglene i husleieloven § 11-1 gjelder for dette leieforholdet",
                "1. desember 2026 – 30. november 2027 (tidsbestemt)",
                "Særlige grunner for kortere leietid",
                "kr 9 000 per måned",
                "husleieloven § 9-2",
            ],
            id="bokmal",
        ),
    ],
)
def test_lease_register__contract_tells_the_tenant_the_home_is_for_the_disadvantaged(
    case, unit, caseworker, django_capture_on_commit_callbacks, language, title, expected
):
    with django_capture_on_commit_callbacks(execute=True):
        lease = register(case, unit, caseworker, end=ONE_YEAR_END, short_term_reason=REASON, language=language)

    contract = Letter.objects.get(kind="contract")
    text = letter_text(contract)
    assert contract.language == language and contract.title == title
    assert title in text
    assert f"Sæbøvegen 12, 5411 Stord (kontrakt {lease.ref})" in text
    assert REASON in text
    for phrase in expected:
        assert phrase in text


BAD_TERMS = [
    pytest.param({"end": START - DAY}, "The lease cannot end before it starts.", id="end-before-start"),
    pytest.param({"end": ONE_YEAR_END}, "A lease shorter than 3 years needs the special reasons", id="short-no-reason"),
    pytest.param(
        {"end": ONE_YEAR_END, "short_term_reason": "   "},
        "A lease shorter than 3 years needs the special reasons",
        id="short-blank-reason",
    ),
    pytest.param({"deposit": 6 * RENT + 1}, "The deposit can be at most 6 months' rent.", id="deposit-over"),
    pytest.param(
        {"deposit": 4 * RENT, "guarantee": 2 * RENT + 1},
        "Deposit and guarantee together can be at most 6 months' rent.",
        id="security-over",
    ),
]


@pytest.mark.parametrize(("terms", "message"), BAD_TERMS)
def test_lease_register__a_rule_violation_is_refused_and_writes_nothing(
    case, unit, caseworker, django_capture_on_commit_callbacks, terms, message
):
    with pytest.raises(ValidationError) as caught, django_capture_on_commit_callbacks(execute=True) as callbacks:
        register(case, unit, caseworker, **terms)

    assert any(text.startswith(message) for text in caught.value.messages), caught.value.messages
    assert not Lease.objects.exists()
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.FREE
    assert not Letter.objects.exists() and callbacks == []


def test_lease_register__full_deposit_of_six_months_is_accepted(case, unit, caseworker):
    lease = register(case, unit, caseworker, deposit=6 * RENT)

    assert Lease.objects.get(pk=lease.pk).deposit == 54000


def test_lease_register__second_short_lease_in_a_row_needs_weighty_reasons(case, unit, caseworker):
    previous = lease_of(case, unit=unit, start=dt.date(2025, 12, 1), end=dt.date(2026, 11, 30))

    with pytest.raises(ValidationError) as caught:
        register(case, unit, caseworker, end=ONE_YEAR_END, short_term_reason=REASON)
    assert caught.value.messages == [
        "Only one short lease in a row is allowed for the same household and home unless weighty reasons "
        "(tungtvegande grunnar) are written down."
    ]
    assert list(Lease.objects.all()) == [previous] and not Letter.objects.exists()

    lease = register(
        case, unit, caseworker, end=ONE_YEAR_END, short_term_reason=REASON, repeat_short_term_reason=WEIGHTY
    )

    stored = Lease.objects.get(pk=lease.pk)
    assert (stored.short_term_reason, stored.repeat_short_term_reason) == (REASON, WEIGHTY)


@pytest.mark.parametrize(
    ("previous_start", "previous_end", "same_household", "same_home"),
    [
        pytest.param(dt.date(2025, 11, 1), dt.date(2026, 10, 31), True, True, id="after-a-month-gap"),
        pytest.param(dt.date(2023, 12, 1), dt.date(2026, 11, 30), True, True, id="after-a-full-3-year-lease"),
        pytest.param(dt.date(2025, 12, 1), dt.date(2026, 11, 30), False, True, id="another-household-in-the-home"),
        pytest.param(dt.date(2025, 12, 1), dt.date(2026, 11, 30), True, False, id="same-household-in-another-home"),
    ],
)
def test_lease_register__a_short_lease_not_in_a_row_with_another_needs_no_weighty_reasons(
    case, unit, caseworker, previous_start, previous_end, same_household, same_home
):
    LeaseFactory(
        start=previous_start,
        end=previous_end,
        unit=unit if same_home else UnitFactory(),
        **({"household": case.household} if same_household else {}),
    )

    lease = register(case, unit, caseworker, end=ONE_YEAR_END, short_term_reason=REASON)

    assert Lease.objects.filter(pk=lease.pk, repeat_short_term_reason__isnull=True).exists()
    assert Letter.objects.filter(kind="contract").count() == 1


def test_lease_register__an_overlapping_lease_on_the_same_home_is_refused(case, unit, caseworker):
    sitting = LeaseFactory(unit=unit, start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))

    with pytest.raises(ValidationError) as caught:
        register(case, unit, caseworker)

    assert caught.value.messages == ["The home already has a tenancy in that period."]
    assert list(Lease.objects.all()) == [sitting]
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.FREE
    assert not Letter.objects.exists()


def test_lease_register__may_start_the_day_after_the_previous_tenancy_ends(case, unit, caseworker):
    LeaseFactory(unit=unit, start=dt.date(2023, 12, 1), end=START - DAY)

    lease = register(case, unit, caseworker)

    assert Lease.objects.filter(unit=unit).count() == 2 and lease.start == START


# --- lease_renew --------------------------------------------------------------------------------------------------

OLD_END = dt.date(2027, 2, 28)


def renewal_granted(case, unit, caseworker, *, lease_years=None, **lease_fields) -> Lease:
    """A lease ending 28 Feb 2027 whose renewal case is decided: granted (today), for `lease_years` if given."""
    values = {"start": dt.date(2024, 3, 1), "end": OLD_END, "deposit": 3 * RENT, "guarantee": 1000, "unit": unit}
    lease = lease_of(case, **{**values, **lease_fields})
    renewal = services.renewal_case_open(lease_ref=lease.ref, today=TODAY, by=caseworker)
    DecisionFactory(application=renewal, decided=TODAY, notified=TODAY, lease_years=lease_years)
    Lease.objects.filter(pk=lease.pk).update(renewal_decided=TODAY)
    lease.refresh_from_db()
    return lease


@pytest.mark.parametrize(("children_in_unsuitable_housing", "band"), [(False, "C"), (True, "B")])
def test_renewal_case_open__once_with_the_assessment_to_review_and_a_band_from_living_in_the_home(
    case, unit, caseworker, children_in_unsuitable_housing, band
):
    from cases.models import Application, Assessment

    Application.objects.filter(pk=case.pk).update(urgency="A", housing_situation="homeless_1")
    Assessment.objects.create(
        application=case,
        own_goals="Eigen bustad.",
        recommendation="municipal_housing",
        children_in_unsuitable_housing=children_in_unsuitable_housing,
    )
    lease = lease_of(case, start=dt.date(2024, 3, 1), end=OLD_END, unit=unit)

    renewal = services.renewal_case_open(lease_ref=lease.ref, today=TODAY, by=caseworker)
    again = services.renewal_case_open(lease_ref=lease.ref, today=TODAY, by=caseworker)

    assert again == renewal and Application.objects.filter(kind="renewal").count() == 1
    assert (renewal.kind, renewal.status, renewal.household) == ("renewal", "assessment", case.household)
    assert (renewal.urgency, renewal.urgency_suggested, renewal.housing_situation) == (band, band, "own_rented")
    copied = Assessment.objects.get(application=renewal)
    assert (copied.own_goals, copied.recommendation, copied.completed_at) == ("Eigen bustad.", "", None)
    lease.refresh_from_db()
    assert lease.renewal_case == renewal


def test_lease_renew__the_new_lease_continues_the_old_on_the_renewal_case(
    case, unit, caseworker, django_capture_on_commit_callbacks
):
    old = renewal_granted(case, unit, caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=9300, by=caseworker)

    old.refresh_from_db()
    assert (new.start, new.end, new.monthly_rent) == (dt.date(2027, 3, 1), dt.date(2030, 2, 28), 9300)
    assert (new.unit, new.household, new.application) == (unit, old.household, old.renewal_case)
    assert (new.deposit, new.guarantee) == (old.deposit, old.guarantee)  # the security carries over
    assert (old.outcome, old.moved_out) == (Lease.Outcome.RENEWED, None)  # the tenant does not move
    with translation.override("en"):
        notes = [event.note_text for event in old.renewal_case.status_events.all()]
    assert f"Lease {new.ref} registered from 01.03.2027, continuing lease {old.ref}." in notes
    contract = Letter.objects.get(case_ref=old.renewal_case.ref, kind="contract")
    text = letter_text(contract)
    assert f"(kontrakt {new.ref})" in text and "Leigetid 1. mars 2027 – 28. februar 2030" in text
    assert f"held fram leigeforholdet etter kontrakt {old.ref}, som er fornya" in text
    assert "Husleige kr 9 300 per månad Depositum / garanti kr 27 000 / kr 1 000" in text
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.LET


def test_lease_renew__the_new_term_follows_the_decision_and_the_lease_rules(case, unit, caseworker):
    from tenancies.views import _renew_form

    one_year = renewal_granted(case, unit, caseworker, lease_years=1)

    assert services.renewal_next_term(one_year) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))
    assert _renew_form(one_year).initial == {"end": dt.date(2028, 2, 29), "monthly_rent": one_year.monthly_rent}
    with pytest.raises(ValidationError) as caught:
        services.lease_renew(lease=one_year, end=dt.date(2028, 2, 29), monthly_rent=RENT, by=caseworker)
    assert caught.value.messages == [
        "A lease shorter than 3 years needs the special reasons (særlege grunnar) written down."
    ]
    one_year.refresh_from_db()
    assert Lease.objects.filter(unit=unit).count() == 1 and one_year.outcome is None
    assert not Letter.objects.exists()

    renewed = services.lease_renew(
        lease=one_year, end=dt.date(2028, 2, 29), monthly_rent=RENT, short_term_reason=REASON, by=caseworker
    )
    assert renewed.short_term_reason == REASON


def test_lease_renew__a_second_short_lease_in_a_row_needs_weighty_reasons(case, unit, caseworker):
    short = renewal_granted(case, unit, caseworker, start=dt.date(2026, 3, 1), short_term_reason=REASON)

    with pytest.raises(ValidationError) as caught:
        services.lease_renew(
            lease=short, end=dt.date(2028, 2, 29), monthly_rent=RENT, short_term_reason=REASON, by=caseworker
        )

    assert "weighty reasons" in caught.value.messages[0]
    assert Lease.objects.filter(unit=unit).count() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_decision", "The renewal case has no decision granting the renewal yet."),
        ("refused", "The renewal case has no decision granting the renewal yet."),
        ("moved_out", "The tenant has moved out."),
        ("renewed", "The lease has already been renewed."),
    ],
)
def test_lease_renew__refused_and_nothing_written(case, unit, caseworker, setup, message):
    lease = renewal_granted(case, unit, caseworker)
    if setup == "no_decision":
        lease.renewal_case.decision.delete()
    elif setup == "refused":
        lease.renewal_case.decision.__class__.objects.filter(application=lease.renewal_case).update(outcome="refused")
    elif setup == "moved_out":
        Lease.objects.filter(pk=lease.pk).update(moved_out=dt.date(2026, 11, 1), outcome="moved_private_rental")
    else:
        services.lease_renew(lease=lease, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)
        Letter.objects.all().delete()
    lease = Lease.objects.select_related("renewal_case").get(pk=lease.pk)
    leases_before = Lease.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.lease_renew(lease=lease, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)

    assert caught.value.messages == [message]
    assert Lease.objects.count() == leases_before
    assert not Letter.objects.exists()


def test_lease_renew__the_home_frees_when_the_tenant_moves_out_of_the_continued_lease(case, unit, caseworker):
    from allocation.querysets import occupying_lease_ref

    old = renewal_granted(case, unit, caseworker)
    new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)
    later = dt.date(2028, 6, 1)
    assert occupying_lease_ref(unit, later) == new.ref  # the tenant lives there under the new lease

    services.lease_move_out(lease=new, moved_out=dt.date(2028, 5, 31), outcome="moved_private_rental", by=caseworker)

    assert occupying_lease_ref(unit, later) is None  # the renewed lease (no move-out of its own) does not hold it
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.FREE


def test_lease_renew__the_contract_goes_to_the_home_the_tenant_lives_in(
    case, unit, caseworker, django_capture_on_commit_callbacks
):
    old = renewal_granted(case, unit, caseworker, moved_in=dt.date(2024, 3, 1))

    with django_capture_on_commit_callbacks(execute=True):
        new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)

    text = letter_text(Letter.objects.get(kind="contract"))
    applicant = new.household.applicant
    assert f"{applicant.full_name} Sæbøvegen 12 5411 Stord" in text  # not the address they had before moving in


def test_lease_renew__open_follow_up_and_the_move_on_plan_go_on_under_the_new_lease(case, unit, caseworker):
    old = renewal_granted(case, unit, caseworker)
    current = services.followup_plan_create(
        lease=old, goals="Halde på bustaden.", support="", housing_first=True, next_contact=None, by=caseworker
    )
    ended = services.followup_plan_create(
        lease=old, goals="Kome i arbeid.", support="", housing_first=False, next_contact=None, by=caseworker
    )
    FollowUpPlan.objects.filter(pk=ended.pk).update(closed=dt.date(2026, 6, 1))
    services.move_on_plan_set(
        lease=old, goal="startlan", notes="", milestone="Budsjett", due=dt.date(2027, 6, 1), by=caseworker
    )

    new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)

    assert list(FollowUpPlan.objects.filter(lease=new)) == [current]  # the Housing First caseload follows it
    assert list(FollowUpPlan.objects.filter(lease=old)) == [ended]  # a closed plan stays where it was closed
    assert MoveOnPlan.objects.get().lease == new
    assert Milestone.objects.get().plan.lease == new


def test_lease_renew__the_contract_is_in_the_tenants_language(case, unit, caseworker):
    old = renewal_granted(case, unit, caseworker)
    applicant = old.household.applicant
    applicant.preferred_language = "nb"
    applicant.save(update_fields=["preferred_language"])

    services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)

    contract = Letter.objects.get(kind="contract")
    assert (contract.language, contract.title) == ("nb", "Leiekontrakt for kommunal bolig")


def test_lease_renew__no_move_out_demand_for_a_tenant_who_stays(case, unit, caseworker):
    old = renewal_granted(case, unit, caseworker)
    services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)
    Lease.objects.filter(pk=old.pk).update(end=TODAY - DAY)  # as it will be once the old term has run out

    for attempt in (
        lambda: services.move_out_demand_send(lease=old, by=caseworker),
        lambda: services.lease_record_date(lease=old, field="move_out_demand_sent", day=TODAY, by=caseworker),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.messages == ["The renewal is granted: the tenant stays, and no move-out demand is sent."]
    old.refresh_from_db()
    assert old.move_out_demand_sent is None and not Letter.objects.filter(kind="move_out_demand").exists()


def test_lease_renew__the_new_lease_keeps_its_start_and_its_terms_are_fixed_once_it_runs(case, unit, caseworker):
    old = renewal_granted(case, unit, caseworker)
    new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)
    moved = {**terms(start=dt.date(2027, 6, 1), end=dt.date(2030, 5, 31)), "deposit": new.deposit}

    with pytest.raises(ValidationError) as caught:
        services.lease_terms_update(lease=new, data=moved, by=caseworker)
    assert caught.value.messages == [
        f"A renewed lease starts the day after the lease it continues ({old.ref}): 01.03.2027."
    ]
    services.lease_terms_update(lease=new, data={**moved, "start": new.start}, by=caseworker)  # other terms may
    Lease.objects.filter(pk=old.pk).update(end=TODAY - DAY)  # once the new lease has started
    Lease.objects.filter(pk=new.pk).update(start=TODAY)
    new.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.lease_terms_update(lease=new, data={**moved, "start": TODAY}, by=caseworker)
    assert caught.value.messages == ["The terms of a lease cannot change after it has started; register a new lease."]


def test_renewal_withdraw_move_out__the_tenant_leaves_before_the_renewed_lease_starts(
    case, unit, caseworker, django_capture_on_commit_callbacks
):
    old = renewal_granted(case, unit, caseworker)
    plan = services.followup_plan_create(
        lease=old, goals="Kjøpe eigen bustad.", support="", housing_first=False, next_contact=None, by=caseworker
    )
    services.move_on_plan_set(lease=old, goal="startlan", notes="", by=caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)
    Reminder.objects.create(
        kind="circulation_review", subject_kind="lease", subject_ref=new.ref, due=TODAY, remind_from=TODAY
    )

    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.renewal_withdraw_move_out(
            lease=old, moved_out=dt.date(2027, 1, 31), outcome="bought_with_startlan", by=caseworker
        )

    old.refresh_from_db()
    assert withdrawn == new.ref and not Lease.objects.filter(ref=new.ref).exists()
    assert (old.moved_out, old.outcome) == (dt.date(2027, 1, 31), "bought_with_startlan")
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.FREE  # free for the next household
    assert FollowUpPlan.objects.get(pk=plan.pk).lease == old and MoveOnPlan.objects.get().lease == old
    with translation.override("en"):
        notes = [event.note_text for event in old.renewal_case.status_events.all()]
    withdrawn_note = (
        f"Lease {new.ref} withdrawn before it started: the tenant moves out of lease {old.ref} on 31.01.2027."
    )
    assert withdrawn_note in notes
    assert Letter.objects.filter(case_ref=old.renewal_case.ref, kind="contract").exists()  # what was sent is kept
    assert not Reminder.objects.filter(subject_ref=new.ref, closed_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            "after_end",
            "This lease ends 28.02.2027. A later move-out is recorded on the renewed lease {new} once it has started.",
        ),
        ("started", "The tenant lives under the renewed lease {new} now: record the move-out there."),
        (
            "arrears",
            "The renewed lease {new} has arrears or a referral to financial advice registered, so it is not "
            "withdrawn. Correct those first.",
        ),
        ("plain", "The lease has been renewed: the tenant moves out of the renewed lease."),
    ],
)
def test_renewal_withdraw_move_out__refused_and_nothing_changed(case, unit, caseworker, setup, message):
    old = renewal_granted(case, unit, caseworker)
    new = services.lease_renew(lease=old, end=dt.date(2030, 2, 28), monthly_rent=RENT, by=caseworker)
    day = dt.date(2027, 3, 15) if setup == "after_end" else dt.date(2027, 1, 31)
    if setup == "started":  # as it will be once the old term has run out
        Lease.objects.filter(pk=old.pk).update(end=TODAY - DAY, start=dt.date(2023, 11, 25))
        Lease.objects.filter(pk=new.pk).update(start=TODAY)
        day = TODAY - DAY
    elif setup == "arrears":
        ArrearsFigureFactory(lease=new)
    old.refresh_from_db()
    move = services.lease_move_out if setup == "plain" else services.renewal_withdraw_move_out

    with pytest.raises(ValidationError) as caught:
        move(lease=old, moved_out=day, outcome="moved_private_rental", by=caseworker)

    assert caught.value.messages == [message.format(new=new.ref)]
    old.refresh_from_db()
    assert (old.moved_out, old.outcome) == (None, Lease.Outcome.RENEWED)
    assert Lease.objects.filter(pk=new.pk).exists()


def test_lease_move_out__before_a_lease_without_a_move_in_starts_names_its_start(case, unit, caseworker):
    lease = lease_of(case, start=dt.date(2026, 12, 1), end=dt.date(2029, 11, 30))

    with pytest.raises(ValidationError) as caught:
        services.lease_move_out(lease=lease, moved_out=dt.date(2026, 11, 30), outcome="other", by=caseworker)

    assert caught.value.messages == ["Moving out cannot be before the lease starts (01.12.2026)."]


def test_lease_register__a_household_has_one_home_at_a_time(case, unit, caseworker):
    current = LeaseFactory(
        household=case.household, unit=UnitFactory(), start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31)
    )

    with pytest.raises(ValidationError) as caught:
        register(case, unit, caseworker)  # from 1 Dec 2026, while the household still has its home to 31 Dec

    assert caught.value.messages == [
        f"The household already has lease {current.ref} in that period (from 01.01.2024). Record the move-out "
        "from it first; the new lease may start on the day of the move."
    ]
    assert Lease.objects.count() == 1 and not Letter.objects.exists()
    Lease.objects.filter(pk=current.pk).update(moved_out=START, outcome="moved_other_municipal")
    assert register(case, unit, caseworker).start == START  # moving out on the first day is a handover


# --- lease_terms_update -------------------------------------------------------------------------------------------


def terms(**changes) -> dict:
    values = {
        "start": START,
        "end": THREE_YEARS_END,
        "monthly_rent": RENT,
        "deposit": 0,
        "guarantee": 0,
        "short_term_reason": "",
        "repeat_short_term_reason": "",
    }
    return {**values, **changes}


def test_lease_terms_update__sets_the_terms_records_the_notice_and_writes_the_contract(case, unit, caseworker):
    draft = lease_of(case, unit=unit, start=START, end=THREE_YEARS_END, monthly_rent=8800, last_circulation_review=None)

    services.lease_terms_update(
        lease=draft, data=terms(end=ONE_YEAR_END, short_term_reason=f"  {REASON} ", deposit=RENT), by=caseworker
    )

    draft.refresh_from_db()
    assert (draft.end, draft.monthly_rent, draft.deposit, draft.short_term_reason) == (
        ONE_YEAR_END,
        RENT,
        RENT,
        REASON,
    )
    assert draft.repeat_short_term_reason is None
    assert draft.special_rules_notice == TODAY
    assert Letter.objects.get().context["monthly_rent"] == RENT


def test_lease_terms_update__changed_terms_write_a_new_contract_with_the_new_rent(case, unit, caseworker):
    lease = register(case, unit, caseworker)

    services.lease_terms_update(lease=lease, data=terms(monthly_rent=9400), by=caseworker)
    services.lease_terms_update(lease=lease, data=terms(monthly_rent=9400), by=caseworker)  # saved again, unchanged

    contracts = Letter.objects.filter(kind="contract").order_by("created_at")
    assert [c.context["monthly_rent"] for c in contracts] == [RENT, 9400]


def test_lease_terms_update__refused_after_moving_in(case, unit, caseworker):
    lease = lease_of(
        case, unit=unit, start=dt.date(2026, 11, 1), end=dt.date(2029, 10, 31), moved_in=dt.date(2026, 11, 2)
    )

    with pytest.raises(ValidationError) as caught:
        services.lease_terms_update(lease=lease, data=terms(start=lease.start, monthly_rent=7000), by=caseworker)

    assert caught.value.messages == ["The terms of a lease cannot change after moving in; register a new lease."]
    lease.refresh_from_db()
    assert lease.monthly_rent == RENT and lease.special_rules_notice is None
    assert not Letter.objects.exists()


def test_lease_terms_update__rule_violation_changes_nothing(case, unit, caseworker):
    draft = lease_of(case, unit=unit, start=START, end=THREE_YEARS_END)

    with pytest.raises(ValidationError, match="at most 6 months' rent"):
        services.lease_terms_update(lease=draft, data=terms(deposit=6 * RENT, guarantee=1), by=caseworker)

    draft.refresh_from_db()
    assert (draft.deposit, draft.guarantee, draft.special_rules_notice) == (0, 0, None)
    assert not Letter.objects.exists()


# --- move_out_demand_send ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("end", [TODAY + DAY, TODAY], ids=["before-the-end", "on-the-last-day"])
def test_move_out_demand_send__refused_until_the_lease_has_ended(case, caseworker, end):
    lease = lease_of(case, end=end)

    with pytest.raises(ValidationError) as caught:
        services.move_out_demand_send(lease=lease, by=caseworker)

    assert caught.value.messages == ["A move-out demand is sent after the lease has ended."]
    lease.refresh_from_db()
    assert lease.move_out_demand_sent is None and not Letter.objects.exists()


def test_move_out_demand_send__refused_for_an_open_ended_lease(case, caseworker):
    lease = lease_of(case, end=None)

    with pytest.raises(ValidationError):
        services.move_out_demand_send(lease=lease, by=caseworker)

    assert not Letter.objects.exists()


def test_move_out_demand_send__after_the_end_records_the_day_and_writes_the_letter_once(
    case, caseworker, django_capture_on_commit_callbacks
):
    lease = lease_of(case, end=dt.date(2026, 10, 31))

    with django_capture_on_commit_callbacks(execute=True):
        services.move_out_demand_send(lease=lease, by=caseworker)
    with pytest.raises(ValidationError) as caught:
        services.move_out_demand_send(lease=lease, by=caseworker)

    assert caught.value.messages == ["A move-out demand has already been sent."]
    lease.refresh_from_db()
    assert lease.move_out_demand_sent == TODAY
    letter = Letter.objects.get()
    assert (letter.kind, letter.title) == ("move_out_demand", "Oppfordring om å flytte (flytteoppfordring)")
    text = letter_text(letter)
    assert f"Leigekontrakten din for {lease.unit.address} gjekk ut 31. oktober 2026." in text
    assert "Du må flytte ut av bustaden." in text
    assert "husleigelova § 9-2" in text


def test_move_out_demand_send__refused_when_the_tenant_has_moved_out(case, caseworker):
    lease = lease_of(case, end=dt.date(2026, 10, 31), moved_out=dt.date(2026, 10, 31))

    with pytest.raises(ValidationError, match="moved out"):
        services.move_out_demand_send(lease=lease, by=caseworker)

    lease.refresh_from_db()
    assert lease.move_out_demand_sent is None and not Letter.objects.exists()


def test_move_out_demand_send__closes_the_move_out_demand_reminder_at_the_next_sweep(case, caseworker):
    lease = lease_of(case, end=dt.date(2026, 10, 31))
    services.reminder_sweep(TODAY)
    reminder = Reminder.objects.get(kind="move_out_demand", subject_ref=lease.ref)
    assert (reminder.due, reminder.closed_at) == (dt.date(2027, 1, 31), None)  # the § 9-2 hard deadline

    services.move_out_demand_send(lease=lease, by=caseworker)
    services.reminder_sweep(TODAY)

    reminder.refresh_from_db()
    assert reminder.closed_at is not None


# --- social_services_notify (§ 9-11) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "figures", [[], [(dt.date(2026, 9, 30), 4000), (dt.date(2026, 10, 31), 0)]], ids=["none", "paid"]
)
def test_social_services_notify__needs_arrears_on_the_latest_figure(case, caseworker, figures):
    lease = lease_of(case)
    for as_of, amount in figures:
        ArrearsFigureFactory(lease=lease, as_of=as_of, amount=amount)

    with pytest.raises(ValidationError) as caught:
        services.social_services_notify(lease=lease, by=caseworker)

    assert caught.value.messages == ["The lease has no registered arrears."]
    lease.refresh_from_db()
    assert lease.social_services_notified is None and not Letter.objects.exists()


def test_social_services_notify__records_the_day_and_writes_to_nav_with_the_latest_amount(
    case, caseworker, django_capture_on_commit_callbacks
):
    lease = lease_of(case)
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2026, 9, 30), amount=4000)
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2026, 10, 31), amount=13500)

    with django_capture_on_commit_callbacks(execute=True):
        services.social_services_notify(lease=lease, by=caseworker)

    lease.refresh_from_db()
    assert lease.social_services_notified == TODAY
    letter = Letter.objects.get()
    assert (letter.kind, letter.title) == ("social_services_notice", "Varsel til sosialtenesta om husleigerestanse")
    text = letter_text(letter)
    assert "NAV Stord" in text and "Sosialtenesta" in text
    assert f"{lease.ref} ({lease.unit.address}) har ein husleigerestanse på kr 13 500 per 31. oktober 2026" in text
    assert "husleigelova § 9-11" in text
    assert "kr 4 000" not in text


# --- rent_adjust (§ 4-2) -----------------------------------------------------------------------------------------


def adjust(lease, by, **changes):
    values = {"new_rent": 9315, "cpi_at_last_change": "128.00", "cpi_now": "132.48", "effective": dt.date(2027, 1, 1)}
    return services.rent_adjust(lease=lease, by=by, **{**values, **changes})


def test_rent_adjust__records_the_change_and_writes_the_notice_with_old_and_new_rent(
    case, caseworker, django_capture_on_commit_callbacks
):
    lease = lease_of(case, start=dt.date(2025, 1, 1))  # 9000 × 132.48 / 128 = 9315 exactly

    with django_capture_on_commit_callbacks(execute=True):
        change = adjust(lease, caseworker)

    stored = RentChange.objects.get()
    assert stored == change
    assert (stored.old_rent, stored.new_rent, stored.notice_given, stored.effective) == (
        RENT,
        9315,
        TODAY,
        dt.date(2027, 1, 1),
    )
    lease.refresh_from_db()
    assert lease.monthly_rent == RENT  # not before its day
    letter = Letter.objects.get()
    assert (letter.kind, letter.title) == ("rent_adjustment", "Varsel om endra husleige")
    text = letter_text(letter)
    assert "blir endra frå kr 9 000 til kr 9 315 per månad frå 1. januar 2027" in text
    assert "husleigelova § 4-2" in text


def test_rent_adjust__the_notice_goes_to_the_home_let_signed_by_who_sent_it_under_the_lease_reference(
    case, caseworker, make_user, django_capture_on_commit_callbacks
):
    applicant = case.household.applicant
    applicant.address, applicant.postcode, applicant.city = "Rommetveitvegen 14", "5414", "Stord"
    applicant.save()
    lease = lease_of(
        case,
        start=dt.date(2025, 1, 1),
        moved_in=dt.date(2025, 1, 1),
        unit=UnitFactory(address="Borggata 55, 5411 Stord"),
    )
    colleague = make_user("caseworker", first_name="Ola", last_name="Hagen")

    with django_capture_on_commit_callbacks(execute=True):
        adjust(lease, colleague)

    letter = Letter.objects.get(kind="rent_adjustment")
    context = letter.context
    assert context["recipient_lines"] == [applicant.full_name, "Borggata 55", "5411 Stord"]
    assert context["caseworker"] == "Ola Hagen"
    text = letter_text(letter)
    assert f"{lease.ref} ({case.ref})" in text
    assert "Rommetveitvegen" not in text and "Ola Hagen" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"new_rent": 9316},
            "The new rent is above what the CPI change allows (at most kr\u00a09\u00a0315).",
            id="a-krone-above-cpi",
        ),
        pytest.param(
            {"effective": dt.date(2026, 12, 24)},
            "The tenant must have at least one month's written notice: with notice given today, from 25.12.2026.",
            id="notice-under-a-month",
        ),
        pytest.param(
            {"effective": dt.date(2027, 1, 1), "lease_start": dt.date(2026, 1, 2)},
            "The rent can change at the earliest a year after the last change (02.01.2026): from 02.01.2027.",
            id="within-a-year-of-the-lease-start",
        ),
    ],
)
def test_rent_adjust__refused_and_nothing_written(case, caseworker, changes, message):
    start = changes.pop("lease_start", dt.date(2025, 1, 1))
    lease = lease_of(case, start=start)

    with pytest.raises(ValidationError) as caught:
        adjust(lease, caseworker, **changes)

    assert caught.value.messages == [message]
    assert not RentChange.objects.exists() and not Letter.objects.exists()
    lease.refresh_from_db()
    assert lease.monthly_rent == RENT


def test_rent_adjust__every_problem_is_named_at_once(case, caseworker):
    lease = lease_of(case, start=dt.date(2026, 6, 1))

    with pytest.raises(ValidationError) as caught:
        adjust(lease, caseworker, new_rent=10000, effective=dt.date(2026, 12, 1))

    assert len(caught.value.messages) == 3
    assert not RentChange.objects.exists()


def test_after_moving_out__no_renewal_or_review_dated_after_it_but_an_earlier_act_can_be_recorded(case, caseworker):
    lease = lease_of(
        case,
        start=dt.date(2020, 1, 1),
        moved_in=dt.date(2020, 1, 1),
        moved_out=dt.date(2025, 4, 8),
        last_circulation_review=None,
    )

    with pytest.raises(ValidationError) as refused:
        services.lease_record_date(lease=lease, field="last_circulation_review", day=TODAY, by=caseworker)
    services.lease_record_date(lease=lease, field="last_circulation_review", day=dt.date(2025, 3, 1), by=caseworker)

    assert refused.value.messages == ["The tenant moved out on 08.04.2025."]
    lease.refresh_from_db()
    assert lease.last_circulation_review == dt.date(2025, 3, 1)


def test_after_moving_out__no_rent_notice_and_no_social_services_notice(case, caseworker):
    lease = lease_of(case, start=dt.date(2020, 1, 1), moved_in=dt.date(2020, 1, 1), moved_out=dt.date(2023, 5, 2))
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2023, 4, 30), amount=12000)

    with pytest.raises(ValidationError) as rent:
        adjust(lease, caseworker)
    with pytest.raises(ValidationError) as notice:
        services.social_services_notify(lease=lease, by=caseworker)

    assert rent.value.messages == notice.value.messages == ["The tenant has moved out."]
    lease.refresh_from_db()
    assert lease.social_services_notified is None
    assert not RentChange.objects.exists() and not Letter.objects.exists()


def test_rent_adjust__a_second_change_within_a_year_of_the_first_is_refused(case, caseworker):
    lease = lease_of(case, start=dt.date(2025, 1, 1))
    adjust(lease, caseworker)

    with pytest.raises(ValidationError) as caught:
        adjust(lease, caseworker, new_rent=9100, effective=dt.date(2027, 12, 31))

    assert caught.value.messages == [
        "The rent can change at the earliest a year after the last change (01.01.2027): from 01.01.2028."
    ]
    assert RentChange.objects.count() == 1
    assert Letter.objects.filter(kind="rent_adjustment").count() == 1


# --- rent_changes_apply ----------------------------------------------------------------------------------------------


def test_rent_changes_apply__makes_the_change_effective_on_its_day_only_once(case, caseworker):
    lease = lease_of(case, start=dt.date(2025, 1, 1))
    adjust(lease, caseworker)
    effective = dt.date(2027, 1, 1)

    before = services.rent_changes_apply(effective - DAY)
    lease.refresh_from_db()
    rent_before = lease.monthly_rent
    on_the_day = services.rent_changes_apply(effective)
    again = services.rent_changes_apply(effective + DAY)

    lease.refresh_from_db()
    assert (before, rent_before) == (0, RENT)
    assert (on_the_day, again) == (1, 0)
    assert lease.monthly_rent == 9315


# --- arrears_import_csv ---------------------------------------------------------------------------------------------


@pytest.fixture
def leases(case):
    """Two leases from 1 Jan 2025 (the factory default start)."""
    return LeaseFactory(ref="L-90001"), LeaseFactory(ref="L-90002")


KRONER = "the amount must be in kroner, with at most two decimals"


def figures() -> list[tuple[str, dt.date, int]]:
    return list(ArrearsFigure.objects.order_by("lease__ref", "as_of").values_list("lease__ref", "as_of", "amount"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("lease;as_of;amount\nL-90001;2026-10-31;9600\nL-90002;2026-10-31;0\n", id="semicolon"),
        pytest.param("lease,as_of,amount\nL-90001,2026-10-31,9600\nL-90002,2026-10-31,0\n", id="comma"),
        pytest.param("\ufefflease;as_of;amount\r\nL-90001;2026-10-31;9600\r\nL-90002;2026-10-31;0\r\n", id="bom-crlf"),
        pytest.param(
            " Lease ; AS_OF ; Amount \nL-90001 ; 2026-10-31 ; 9600\n\nL-90002;2026-10-31;0", id="spaces-blank"
        ),
    ],
)
def test_arrears_import_csv__imports_every_line(leases, text):
    assert services.arrears_import_csv(text) == 2

    assert figures() == [("L-90001", dt.date(2026, 10, 31), 9600), ("L-90002", dt.date(2026, 10, 31), 0)]


@pytest.mark.parametrize(
    ("amount", "kroner"),
    [("9600,50", 9600), ("9 600,99", 9600), ("9\u00a0600.5", 9600), ("12345.00", 12345), ("-250,75", 0)],
)
def test_arrears_import_csv__oere_are_cut_off_so_a_month_owed_is_a_month_owed(leases, amount, kroner):
    services.arrears_import_csv(f"lease;as_of;amount\nL-90001;2026-10-31;{amount}\n")

    assert figures() == [("L-90001", dt.date(2026, 10, 31), kroner)]


def test_arrears_import_csv__a_figure_for_a_day_already_registered_replaces_it(leases):
    ArrearsFigureFactory(lease=leases[0], as_of=dt.date(2026, 9, 30), amount=4000)
    ArrearsFigureFactory(lease=leases[0], as_of=dt.date(2026, 10, 31), amount=9000)

    services.arrears_import_csv("lease;as_of;amount\nL-90001;2026-10-31;12000\n")

    assert figures() == [("L-90001", dt.date(2026, 9, 30), 4000), ("L-90001", dt.date(2026, 10, 31), 12000)]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        pytest.param("L-99999;2026-10-31;500", "line 3: unknown lease L-99999", id="unknown-lease"),
        pytest.param("L-90002;31.10.2026;500", "line 3: not a date (YYYY-MM-DD): 31.10.2026", id="bad-date"),
        pytest.param("L-90002;2026-02-30;500", "line 3: not a date (YYYY-MM-DD): 2026-02-30", id="impossible-date"),
        pytest.param("L-90002;2026-10-31;500,505", f"line 3: {KRONER}", id="three-decimals"),
        pytest.param("L-90002;2026-10-31;1.200,50", f"line 3: {KRONER}", id="dot-thousands"),
        pytest.param("L-90002;2026-10-31;", f"line 3: {KRONER}", id="empty-amount"),
        pytest.param("L-90002;2026-10-31;--5", f"line 3: {KRONER}", id="double-minus"),
        pytest.param("L-90002;2026-10-31;²", f"line 3: {KRONER}", id="superscript-digit"),
        pytest.param("L-90002;2026-10-31;kr 500", f"line 3: {KRONER}", id="currency"),
        pytest.param("L-90002;2024-12-31;500", "line 3: the date is before the lease started", id="before-start"),
        pytest.param("L-90002;2026-10-31", "line 3: expected 3 fields", id="two-fields"),
        pytest.param("L-90002;2026-10-31;500;x", "line 3: expected 3 fields", id="four-fields"),
    ],
)
def test_arrears_import_csv__one_bad_line_names_its_number_and_imports_nothing(leases, line, error):
    ArrearsFigureFactory(lease=leases[0], as_of=dt.date(2026, 10, 31), amount=9000)
    text = f"lease;as_of;amount\nL-90001;2026-10-31;100\n{line}\nL-90001;2026-11-20;200\n"

    with pytest.raises(ValidationError) as caught:
        services.arrears_import_csv(text)

    assert caught.value.messages == [error]
    assert figures() == [("L-90001", dt.date(2026, 10, 31), 9000)]  # neither replaced nor added


@pytest.mark.parametrize(
    "text",
    [
        "lease;date;amount\nL-90001;2026-10-31;100\n",
        "L-90001;2026-10-31;100\n",
        "lease;as_of\nL-90001;2026-10-31\n",
        "",
    ],
    ids=["wrong-column", "no-header", "missing-column", "empty"],
)
def test_arrears_import_csv__the_first_line_must_be_the_header(leases, text):
    with pytest.raises(ValidationError) as caught:
        services.arrears_import_csv(text)

    assert caught.value.messages == ["The first line must be the header: lease;as_of;amount"]
    assert figures() == []


def test_arrears_import_csv__every_bad_line_is_listed(leases):
    text = "lease;as_of;amount\nL-00404;2026-10-31;1\nL-90001;2026-10-31;100\nL-90002;yesterday;1\n"

    with pytest.raises(ValidationError) as caught:
        services.arrears_import_csv(text)

    assert caught.value.messages == ["line 2: unknown lease L-00404", "line 4: not a date (YYYY-MM-DD): yesterday"]
    assert figures() == []


# --- follow-up plans and contacts -----------------------------------------------------------------------------


@pytest.mark.parametrize("goals", ["", "   \n "])
def test_followup_plan_create__needs_the_tenants_own_goals(case, caseworker, goals):
    lease = lease_of(case)

    with pytest.raises(ValidationError) as caught:
        services.followup_plan_create(
            lease=lease,
            goals=goals,
            support="Heimebesøk kvar veke",
            housing_first=True,
            next_contact=None,
            by=caseworker,
        )

    assert caught.value.message_dict == {"goals": ["Write the tenant's own goals."]}
    assert not FollowUpPlan.objects.exists()


def test_followup_plan_create__starts_today_with_the_caseworker_responsible(case, caseworker):
    lease = lease_of(case)

    plan = services.followup_plan_create(
        lease=lease,
        goals="  Halde på bustaden og kome i arbeid. ",
        support="Heimebesøk kvar veke",
        housing_first=True,
        next_contact=TODAY + 7 * DAY,
        by=caseworker,
    )

    stored = FollowUpPlan.objects.get()
    assert stored == plan and stored.lease == lease
    assert (stored.goals, stored.started, stored.responsible, stored.housing_first) == (
        "Halde på bustaden og kome i arbeid.",
        TODAY,
        caseworker,
        True,
    )
    assert stored.next_contact == TODAY + 7 * DAY and stored.closed is None


@pytest.fixture
def plan(case, caseworker):
    return services.followup_plan_create(
        lease=lease_of(case),
        goals="Betale husleiga kvar månad.",
        support="",
        housing_first=False,
        next_contact=TODAY,
        by=caseworker,
    )


def test_followup_contact_add__a_future_date_is_refused(plan, caseworker):
    with pytest.raises(ValidationError) as caught:
        services.followup_contact_add(
            plan=plan, day=TODAY + DAY, kind="phone", note="Ringde.", next_contact=TODAY + 14 * DAY, by=caseworker
        )

    assert caught.value.message_dict == {"day": ["The date cannot be in the future."]}
    assert not FollowUpContact.objects.exists()
    assert FollowUpPlan.objects.get(pk=plan.pk).next_contact == TODAY


def test_followup_contact_add__a_future_date_and_a_past_next_contact_are_said_together(plan, caseworker):
    with pytest.raises(ValidationError) as caught:
        services.followup_contact_add(
            plan=plan, day=TODAY + DAY, kind="phone", note="Ringde.", next_contact=TODAY - DAY, by=caseworker
        )

    assert set(caught.value.message_dict) == {"day", "next_contact"}  # both at once, not one per try
    assert not FollowUpContact.objects.exists()


def test_followup__a_next_contact_in_the_past_is_refused(case, plan, caseworker):
    lease = plan.lease
    attempts = [
        lambda: services.followup_plan_create(
            lease=lease, goals="Eigen bustad.", support="", housing_first=False, next_contact=TODAY - DAY, by=caseworker
        ),
        lambda: services.followup_contact_add(
            plan=plan, day=TODAY, kind="phone", note="Ringde.", next_contact=TODAY - DAY, by=caseworker
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.message_dict == {
            "next_contact": ["The next contact is planned ahead: it cannot be in the past."]
        }

    assert FollowUpPlan.objects.get() == plan and plan.next_contact == TODAY
    assert not FollowUpContact.objects.exists()


def test_followup_contact_add__logs_the_contact_and_moves_the_next_contact(plan, caseworker):
    contact = services.followup_contact_add(
        plan=plan,
        day=TODAY,
        kind="home_visit",
        note=" Heimebesøk, alt vel. ",
        next_contact=TODAY + 14 * DAY,
        by=caseworker,
    )

    stored = FollowUpContact.objects.get()
    assert stored == contact
    assert (stored.plan, stored.day, stored.kind, stored.note, stored.by) == (
        plan,
        TODAY,
        "home_visit",
        "Heimebesøk, alt vel.",
        caseworker,
    )
    assert FollowUpPlan.objects.get(pk=plan.pk).next_contact == TODAY + 14 * DAY


# --- move-on plans and milestones -----------------------------------------------------------------------------


def test_move_on_plan_set__records_the_goal_a_milestone_and_the_review_closing_its_reminder(case, caseworker):
    lease = lease_of(case, start=dt.date(2025, 6, 15), end=dt.date(2028, 6, 14), last_circulation_review=None)
    services.reminder_sweep(TODAY)
    reminder = Reminder.objects.get(kind="circulation_review", subject_ref=lease.ref)
    assert reminder.due == dt.date(2026, 6, 15)  # 12 months after the start: overdue

    plan = services.move_on_plan_set(
        lease=lease,
        goal="startlan",
        notes=" Sparar til eigenkapital. ",
        milestone=" Søkje startlån ",
        due=dt.date(2027, 3, 1),
        by=caseworker,
    )
    services.reminder_sweep(TODAY)

    stored = MoveOnPlan.objects.get()
    assert stored == plan and (stored.lease, stored.goal, stored.notes) == (
        lease,
        "startlan",
        "Sparar til eigenkapital.",
    )
    assert list(Milestone.objects.values_list("title", "due", "done")) == [
        ("Søkje startlån", dt.date(2027, 3, 1), None)
    ]
    lease.refresh_from_db()
    assert lease.last_circulation_review == TODAY
    reminder.refresh_from_db()
    assert reminder.closed_at is not None
    assert not Reminder.objects.filter(kind="circulation_review", closed_at__isnull=True).exists()


def test_move_on_plan_set__staying_for_now_needs_a_reason_and_still_counts_as_the_years_review(case, caseworker):
    lease = lease_of(case, start=dt.date(2025, 6, 15), end=dt.date(2028, 6, 14), last_circulation_review=None)
    with pytest.raises(ValidationError) as refused:
        services.move_on_plan_set(lease=lease, goal="stay", notes="  ", by=caseworker)
    assert "notes" in refused.value.message_dict
    assert not MoveOnPlan.objects.exists()
    lease.refresh_from_db()
    assert lease.last_circulation_review is None  # refused: the review is not recorded either

    services.move_on_plan_set(lease=lease, goal="stay", notes="Yngste barn går siste år på skulen.", by=caseworker)
    services.reminder_sweep(TODAY)
    assert MoveOnPlan.objects.get().goal == "stay"
    lease.refresh_from_db()
    assert lease.last_circulation_review == TODAY  # the year's review is done; the next is due in a year
    assert not Reminder.objects.filter(kind="circulation_review", subject_ref=lease.ref, closed_at__isnull=True)
    services.reminder_sweep(add_months(TODAY, 11))  # a month before the next review is due, it is asked for
    reminder = Reminder.objects.get(kind="circulation_review", subject_ref=lease.ref, closed_at__isnull=True)
    assert reminder.due == add_months(TODAY, 12)


def test_move_on_plan_set__a_later_review_updates_the_one_plan_and_keeps_its_milestones(case, caseworker):
    lease = lease_of(case)
    services.move_on_plan_set(lease=lease, goal="startlan", notes="", milestone="Søkje startlån", by=caseworker)

    services.move_on_plan_set(
        lease=lease, goal="private_rental", notes="Startlån avslått.", milestone="", by=caseworker
    )

    stored = MoveOnPlan.objects.get()
    assert (stored.goal, stored.notes) == ("private_rental", "Startlån avslått.")
    assert list(stored.milestones.values_list("title", flat=True)) == ["Søkje startlån"]


def test_milestone_done__marks_it_done_today_and_keeps_that_day(case, caseworker, pinned_today):
    plan = services.move_on_plan_set(lease=lease_of(case), goal="startlan", notes="", milestone="Søkje", by=caseworker)
    milestone = plan.milestones.get()

    services.milestone_done(milestone=milestone, by=caseworker)
    pinned_today.shift(dt.timedelta(days=3))
    services.milestone_done(milestone=Milestone.objects.get(pk=milestone.pk), by=caseworker)

    assert Milestone.objects.get(pk=milestone.pk).done == TODAY


@pytest.mark.parametrize("state", ["undecided", "refused", "lapsed", "closed"])
def test_lease_register__a_case_without_a_grant_in_force_gives_no_lease(caseworker, unit, state):
    from cases.models import Application, Decision

    if state == "undecided":
        case = ApplicationFactory(assigned_to=caseworker)
    else:
        decision = DecisionFactory(application=ApplicationFactory(assigned_to=caseworker, status="decided"))
        case = decision.application
        if state == "refused":
            Decision.objects.filter(pk=decision.pk).update(outcome="refused")
        elif state == "lapsed":
            Decision.objects.filter(pk=decision.pk).update(lapsed=START - DAY)
        else:
            Application.objects.filter(pk=case.pk).update(status="closed")
        case = Application.objects.get(pk=case.pk)

    with pytest.raises(ValidationError) as refused:
        register(case, unit, caseworker)

    assert f"Case {case.ref} has no decision granting a home in force on the start day." in refused.value.messages
    assert not Lease.objects.exists() and not Letter.objects.exists()
