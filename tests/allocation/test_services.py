"""Every write in allocation (allocation/services.py): offers made, answered and expired; meeting choices.

The database is the last word on "never twice": the concurrency tests run real threads against real
PostgreSQL and check that exactly one of two simultaneous writers wins and the loser leaves no trace.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from allocation import services
from allocation.models import AllocationMeeting, MeetingChoice, Offer, ReassessmentFlag, Unit
from allocation.services import OfferError
from cases.models import CaseEvent, JournalNote
from cases.rules import add_months
from stord_bolig.models import Letter
from tenancies.models import Lease
from tests.allocation.conftest import DAY, TODAY, free_unit, run_together, waiting_case
from tests.factories import ApplicationFactory, DecisionFactory, LeaseFactory, OfferFactory, UnitFactory

pytestmark = pytest.mark.usefixtures("pinned_today")


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Offer, Letter, CaseEvent, Lease, ReassessmentFlag, MeetingChoice, JournalNote)
    }


def _make(application, unit, *, offered: dt.date = TODAY, by=None) -> Offer:
    return services.offer_make(application=application, unit=unit, offered=offered, by=by)


def _answer(offer, answer: str, *, answered: dt.date = TODAY, by=None, **kwargs) -> Offer:
    return services.offer_answer(offer=offer, answer=answer, answered=answered, by=by, **kwargs)


def _refused_offers(application, reasons_accepted: list[bool], *, start: dt.date = TODAY - 6 * 7 * DAY):
    """Offer `application` one fresh unit after another (a week apart) and record a refusal for each."""
    for week, accepted in enumerate(reasons_accepted):
        offered = start + dt.timedelta(weeks=week)
        offer = _make(application, free_unit(), offered=offered)
        _answer(offer, "refused", answered=offered + DAY, reason="For langt frå skulen", reason_accepted=accepted)


# --- offer_make -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offer_make__eligible_case_gets_open_offer_unit_offered_and_an_offer_letter(caseworker):
    application = waiting_case()
    unit = free_unit()

    offer = _make(application, unit, by=caseworker)

    offer.refresh_from_db()
    unit.refresh_from_db()
    assert (offer.status, offer.application, offer.unit, offer.offered) == ("open", application, unit, TODAY)
    assert offer.deadline == dt.date(2026, 12, 2)
    assert offer.made_by == caseworker
    assert unit.status == Unit.Status.OFFERED
    letter = Letter.objects.get(kind="offer")
    assert letter.case_ref == application.ref
    assert letter.subject == application
    assert letter.dedupe_key == f"offer:{offer.pk}"
    assert letter.context["address"] == unit.address
    assert letter.context["offer_ref"] == offer.ref
    assert "02.12.2026" in application.status_events.get().note_text  # the case history shows the deadline


@pytest.mark.django_db
def test_offer_make__household_with_two_young_children_fits_a_two_bedroom_unit():
    application = waiting_case(children=(dt.date(2018, 5, 1), dt.date(2020, 7, 1)))  # need 1 + 1 shared = 2
    unit = free_unit(bedrooms=2)

    offer = _make(application, unit)

    assert offer.status == Offer.Status.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit_status", "message"),
    [
        (Unit.Status.OFFERED, "The unit is not free (status: Offered)."),
        (Unit.Status.LET, "The unit is not free (status: Let)."),
        (Unit.Status.MAINTENANCE, "The unit is not free (status: Under maintenance)."),
    ],
)
def test_offer_make__unit_not_free_is_refused_and_nothing_is_written(unit_status, message):
    application = waiting_case()
    unit = free_unit(status=unit_status)
    before = _counts()

    with pytest.raises(OfferError) as caught:
        _make(application, unit)

    assert caught.value.messages == [message]
    assert _counts() == before
    unit.refresh_from_db()
    assert unit.status == unit_status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stock",
    [
        {"in_stock_until": TODAY - DAY},  # sold last week
        {"in_stock_from": TODAY + DAY},  # not taken over yet
    ],
)
def test_offer_make__unit_not_in_stock_on_the_offer_date_is_refused(stock):
    application = waiting_case()
    unit = free_unit(**stock)
    before = _counts()

    with pytest.raises(OfferError) as caught:
        _make(application, unit)

    assert caught.value.messages == ["The unit is not in the housing stock on the offer date."]
    assert _counts() == before
    unit.refresh_from_db()
    assert unit.status == Unit.Status.FREE


@pytest.mark.django_db
def test_offer_make__unit_in_stock_until_the_offer_date_inclusive_is_accepted():
    offer = _make(waiting_case(), free_unit(in_stock_until=TODAY))

    assert offer.status == Offer.Status.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "unit", "reason"),
    [
        ({"children": (dt.date(2018, 5, 1), dt.date(2020, 7, 1))}, {"bedrooms": 1}, "too few bedrooms"),
        ({}, {"bedrooms": 3}, "too many bedrooms"),
        ({"wheelchair_need": True}, {"wheelchair_accessible": False}, "needs a wheelchair-accessible home"),
        ({"target_group": "housing_first"}, {}, "other target group"),
        ({"suspended_until": TODAY + 30 * DAY}, {}, "suspended"),
    ],
)
def test_offer_make__ineligible_case_is_refused_with_the_reason(case, unit, reason):
    application = waiting_case(**case)
    free = free_unit(**unit)
    before = _counts()

    with pytest.raises(OfferError) as caught:
        _make(application, free)

    assert caught.value.messages == [f"{application.ref} is not eligible for this unit: {reason}."]
    assert _counts() == before
    free.refresh_from_db()
    assert free.status == Unit.Status.FREE


@pytest.mark.django_db
def test_offer_make__case_with_an_open_offer_on_another_unit_is_refused():
    application = waiting_case()
    _make(application, free_unit())
    other = free_unit()

    with pytest.raises(OfferError) as caught:
        _make(application, other)

    assert caught.value.messages == [f"{application.ref} is not eligible for this unit: has an open offer."]
    assert Offer.objects.filter(application=application).count() == 1
    other.refresh_from_db()
    assert other.status == Unit.Status.FREE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_case",
    [
        pytest.param(lambda: ApplicationFactory(), id="undecided"),
        pytest.param(lambda: DecisionFactory(outcome="refused").application, id="refused"),
        pytest.param(lambda: DecisionFactory(lapsed=TODAY).application, id="lapsed"),
        pytest.param(
            lambda: DecisionFactory(decided=TODAY + DAY, notified=TODAY + DAY).application, id="decided-later"
        ),
        pytest.param(lambda: DecisionFactory(application__kind="housing_assistance").application, id="not-a-home"),
    ],
)
def test_offer_make__case_not_waiting_for_a_home_is_refused(make_case):
    application = make_case()
    unit = free_unit()

    with pytest.raises(OfferError) as caught:
        _make(application, unit)

    assert caught.value.messages == [f"{application.ref} is not eligible for this unit: not waiting for a home."]
    assert not Offer.objects.exists()
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_offer_make__housed_case_is_refused():
    application = waiting_case()
    LeaseFactory(household=application.household, application=application, start=TODAY - 30 * DAY)

    with pytest.raises(OfferError, match="not waiting for a home"):
        _make(application, free_unit())


@pytest.mark.django_db
def test_offer_make__stale_open_offer_not_yet_expired_by_the_sweep_still_blocks_a_second_offer():
    application = waiting_case()
    _make(application, free_unit(), offered=TODAY - 10 * DAY)  # past its deadline, but the sweep has not run
    other = free_unit()

    with pytest.raises(OfferError) as caught:
        _make(application, other)

    assert caught.value.messages == ["There is already an open offer on this unit or to this case."]
    assert Offer.objects.filter(application=application).count() == 1
    assert Letter.objects.filter(kind="offer").count() == 1
    other.refresh_from_db()
    assert other.status == Unit.Status.FREE


# --- offer_answer ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offer_answer__accept_lets_the_unit_and_drafts_a_three_year_lease_for_the_household(caseworker):
    application = waiting_case()
    unit = free_unit(monthly_rent=9400)
    offer = _make(application, unit, offered=TODAY - 2 * DAY)

    answered = _answer(offer, "accepted", by=caseworker)

    unit.refresh_from_db()
    assert (answered.status, answered.answered) == ("accepted", TODAY)
    assert unit.status == Unit.Status.LET
    lease = Lease.objects.get()
    assert (lease.unit, lease.household, lease.application) == (unit, application.household, application)
    assert lease.start == TODAY + DAY
    assert lease.end == add_months(lease.start, 36) - DAY == dt.date(2029, 11, 25)
    assert lease.monthly_rent == 9400
    assert not ReassessmentFlag.objects.exists()


@pytest.mark.django_db
def test_offer_answer__an_acceptance_for_a_case_closed_meanwhile_is_refused(caseworker):
    from cases.models import Application

    application = waiting_case()
    unit = free_unit()
    offer = _make(application, unit, offered=TODAY - 2 * DAY)
    Application.objects.filter(pk=application.pk).update(status="closed")  # as an old or imported case could be

    with pytest.raises(OfferError):
        _answer(offer, "accepted", by=caseworker)

    unit.refresh_from_db()
    assert unit.status == Unit.Status.OFFERED and not Lease.objects.exists()


@pytest.mark.django_db
def test_offer_answer__accept_after_a_same_unit_tenancy_starts_on_the_day_the_last_tenant_moves_out():
    application = waiting_case()
    unit = free_unit()
    LeaseFactory(unit=unit, start=dt.date(2023, 1, 1), end=dt.date(2025, 12, 31), moved_out=TODAY + 10 * DAY)
    offer = _make(application, unit)

    _answer(offer, "accepted")

    lease = Lease.objects.get(application=application)
    assert lease.start == TODAY + 10 * DAY  # same-day handover


@pytest.mark.django_db
def test_offer_answer__refuse_frees_the_unit_and_keeps_the_reason():
    application = waiting_case()
    unit = free_unit()
    offer = _make(application, unit)

    answered = _answer(offer, "refused", reason="  Manglar heis  ")

    unit.refresh_from_db()
    assert (answered.status, answered.reason, answered.reason_accepted) == ("refused", "Manglar heis", False)
    assert unit.status == Unit.Status.FREE
    assert not Lease.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("days_after_offer", [0, 7])
def test_offer_answer__accepted_on_the_offer_day_and_on_the_last_day(days_after_offer):
    offer = _make(waiting_case(), free_unit(), offered=TODAY - days_after_offer * DAY)

    answered = _answer(offer, "accepted")

    assert answered.status == Offer.Status.ACCEPTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offered", "answered", "message"),
    [
        (TODAY - 8 * DAY, TODAY, "The answer date must be between the offer date and the deadline 24.11.2026."),
        (
            TODAY - 2 * DAY,
            TODAY - 3 * DAY,
            "The answer date must be between the offer date and the deadline 30.11.2026.",
        ),
        (TODAY - 2 * DAY, TODAY + DAY, "The answer date cannot be in the future."),
    ],
    ids=["after-the-deadline", "before-the-offer", "in-the-future"],
)
def test_offer_answer__outside_the_window_is_refused_and_the_offer_stays_open(offered, answered, message):
    unit = free_unit()
    offer = _make(waiting_case(), unit, offered=offered)
    before = _counts()

    with pytest.raises(OfferError) as caught:
        _answer(offer, "accepted", answered=answered)

    assert caught.value.messages == [message]
    assert _counts() == before
    offer.refresh_from_db()
    unit.refresh_from_db()
    assert (offer.status, offer.answered) == ("open", None)
    assert unit.status == Unit.Status.OFFERED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"), [("accepted", "refused"), ("refused", "accepted"), ("accepted", "accepted")]
)
def test_offer_answer__answering_twice_is_refused(first, second):
    unit = free_unit()
    offer = _make(waiting_case(), unit)
    _answer(offer, first)
    unit.refresh_from_db()
    status_after_first = unit.status
    before = _counts()

    with pytest.raises(OfferError) as caught:
        _answer(offer, second)

    assert caught.value.messages == [f"This offer is already {first}."]
    assert _counts() == before
    unit.refresh_from_db()
    assert unit.status == status_after_first


@pytest.mark.django_db
def test_offer_answer__expired_offer_cannot_be_answered():
    offer = _make(waiting_case(), free_unit(), offered=TODAY - 8 * DAY)
    services.offer_expire_sweep(TODAY)

    with pytest.raises(OfferError, match="already expired"):
        _answer(offer, "accepted", answered=TODAY - 8 * DAY)


@pytest.mark.django_db
def test_offer_answer__unknown_answer_is_refused_and_changes_nothing():
    unit = free_unit()
    offer = _make(waiting_case(), unit)

    with pytest.raises(OfferError):
        _answer(offer, "maybe")

    offer.refresh_from_db()
    unit.refresh_from_db()
    assert (offer.status, unit.status) == ("open", "offered")


@pytest.mark.django_db
def test_offer_answer__two_refusals_without_accepted_reason_flag_the_case_for_reassessment():
    application = waiting_case()

    _refused_offers(application, [False])
    assert not ReassessmentFlag.objects.exists()
    _refused_offers(application, [False], start=TODAY - 2 * DAY)

    flag = ReassessmentFlag.objects.get(application=application)
    assert flag.cleared_at is None
    assert "2" in flag.reason
    assert application.notes.filter(text__contains="reassessment").count() == 1


@pytest.mark.django_db
def test_offer_answer__refusals_with_an_accepted_reason_do_not_flag():
    application = waiting_case()

    _refused_offers(application, [True, True, False])

    assert not ReassessmentFlag.objects.exists()


@pytest.mark.django_db
def test_offer_answer__an_expiry_and_a_refusal_flag_the_case():
    application = waiting_case()
    _make(application, free_unit(), offered=TODAY - 20 * DAY)
    services.offer_expire_sweep(TODAY - 10 * DAY)
    assert not ReassessmentFlag.objects.exists()

    _refused_offers(application, [False], start=TODAY - 3 * DAY)

    assert ReassessmentFlag.objects.filter(application=application, cleared_at__isnull=True).exists()


# --- offer_expire_sweep ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_offer_expire_sweep__offer_past_its_last_day_expires_and_frees_the_unit_once():
    stale_unit, fresh_unit = free_unit(), free_unit()
    stale = _make(waiting_case(), stale_unit, offered=TODAY - 8 * DAY)  # last day was yesterday
    fresh = _make(waiting_case(), fresh_unit, offered=TODAY - 7 * DAY)  # today is its last day

    assert services.offer_expire_sweep(TODAY) == 1
    events = CaseEvent.objects.count()
    assert services.offer_expire_sweep(TODAY) == 0

    assert CaseEvent.objects.count() == events
    for item in (stale, fresh, stale_unit, fresh_unit):
        item.refresh_from_db()
    assert (stale.status, stale_unit.status) == ("expired", "free")
    assert (fresh.status, fresh_unit.status) == ("open", "offered")
    assert "expired" in stale.application.status_events.first().note


@pytest.mark.django_db
def test_offer_expire_sweep__answered_offers_are_left_alone():
    unit = free_unit()
    offer = _make(waiting_case(), unit, offered=TODAY - 20 * DAY)
    _answer(offer, "accepted", answered=TODAY - 19 * DAY)

    assert services.offer_expire_sweep(TODAY) == 0

    offer.refresh_from_db()
    unit.refresh_from_db()
    assert (offer.status, unit.status) == ("accepted", "let")


@pytest.mark.django_db
def test_offer_expire_sweep__expired_unit_can_be_offered_again():
    unit = free_unit()
    _make(waiting_case(), unit, offered=TODAY - 9 * DAY)
    services.offer_expire_sweep(TODAY)

    second = _make(waiting_case(), unit)

    assert second.status == Offer.Status.OPEN


# --- meeting_choose -------------------------------------------------------------------------------


@pytest.fixture
def meeting_with_two_ranked(caseworker):
    """A meeting today, a free unit, and two eligible cases: rank 1 in band A, rank 2 in band C."""
    meeting = AllocationMeeting.objects.create(held_on=TODAY, created_by=caseworker)
    first = waiting_case(urgency="A", decided=dt.date(2026, 10, 5))
    second = waiting_case(urgency="C", decided=dt.date(2026, 9, 1))
    return meeting, free_unit(), first, second


@pytest.mark.django_db
def test_meeting_choose__rank_one_needs_no_reason_and_gets_the_offer(meeting_with_two_ranked, caseworker):
    meeting, unit, first, _second = meeting_with_two_ranked

    choice = services.meeting_choose(meeting=meeting, unit=unit, application=first, override_reason="", by=caseworker)

    assert (choice.rank, choice.is_override, choice.first_ranked) == (1, False, first)
    assert choice.offer.application == first
    assert choice.offer.offered == meeting.held_on
    unit.refresh_from_db()
    assert unit.status == Unit.Status.OFFERED


@pytest.mark.django_db
def test_meeting_choose__rank_two_without_a_reason_is_refused(meeting_with_two_ranked, caseworker):
    meeting, unit, _first, second = meeting_with_two_ranked

    with pytest.raises(ValidationError) as caught:
        services.meeting_choose(meeting=meeting, unit=unit, application=second, override_reason="  ", by=caseworker)

    assert caught.value.message_dict == {"override_reason": ["Say why the meeting chose rank 2 and not rank 1."]}
    assert not MeetingChoice.objects.exists()
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_meeting_choose__rank_two_with_a_reason_is_recorded_as_override_and_offered(
    meeting_with_two_ranked, caseworker
):
    meeting, unit, first, second = meeting_with_two_ranked

    choice = services.meeting_choose(
        meeting=meeting, unit=unit, application=second, override_reason=" Rank 1 treng bu nær skulen ", by=caseworker
    )

    choice.refresh_from_db()
    assert (choice.rank, choice.is_override) == (2, True)
    assert choice.override_reason == "Rank 1 treng bu nær skulen"
    assert choice.first_ranked == first
    assert choice.offer.application == second
    assert Offer.objects.get().application == second


@pytest.mark.django_db
def test_meeting_choose__case_not_on_the_shortlist_is_refused(meeting_with_two_ranked, caseworker):
    meeting, unit, _first, _second = meeting_with_two_ranked
    too_big = waiting_case(children=(dt.date(2010, 1, 1), dt.date(2011, 1, 1), dt.date(2012, 1, 1)))

    with pytest.raises(ValidationError, match="not on the shortlist"):
        services.meeting_choose(meeting=meeting, unit=unit, application=too_big, override_reason="x", by=caseworker)

    assert not MeetingChoice.objects.exists()


@pytest.mark.django_db
def test_meeting_choose__a_failing_offer_leaves_no_choice_behind(meeting_with_two_ranked, caseworker):
    meeting, unit, first, _second = meeting_with_two_ranked
    unit.status = Unit.Status.MAINTENANCE  # the shortlist is computed, but the unit is no longer free
    unit.save()

    with pytest.raises(OfferError):
        services.meeting_choose(meeting=meeting, unit=unit, application=first, override_reason="", by=caseworker)

    assert not MeetingChoice.objects.exists()


# --- concurrency: two caseworkers at the same moment -----------------------------------------------


@pytest.fixture
def no_letter_rendering(monkeypatch):
    """Rendering a PDF is not what these tests are about; the letter row itself is still written."""
    from stord_bolig import tasks

    monkeypatch.setattr(tasks.letter_render_task, "delay", lambda *args, **kwargs: None)


@pytest.mark.django_db(transaction=True)
def test_offer_make__two_caseworkers_offering_the_same_unit_at_once_exactly_one_wins(no_letter_rendering):
    unit = free_unit()
    first, second = waiting_case(), waiting_case()

    results = run_together(lambda: _make(first, unit), lambda: _make(second, unit))

    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"]
    winner = next(value for kind, value in results if kind == "ok")
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, OfferError)
    assert error.messages == ["The unit is not free (status: Offered)."]
    assert Offer.objects.filter(unit=unit, status="open").count() == 1
    assert Offer.objects.get(unit=unit).pk == winner.pk
    loser = second if winner.application_id == first.pk else first
    assert not Offer.objects.filter(application=loser).exists()
    assert list(Letter.objects.values_list("case_ref", flat=True)) == [winner.application.ref]
    assert not loser.status_events.exists()
    unit.refresh_from_db()
    assert unit.status == Unit.Status.OFFERED


@pytest.mark.django_db(transaction=True)
def test_offer_make__two_units_offered_to_the_same_case_at_once_exactly_one_wins(no_letter_rendering):
    application = waiting_case()
    one, other = free_unit(), free_unit()

    results = run_together(lambda: _make(application, one), lambda: _make(application, other))

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, OfferError)
    assert Offer.objects.filter(application=application, status="open").count() == 1
    assert Letter.objects.count() == 1
    assert sorted(Unit.objects.filter(pk__in=[one.pk, other.pk]).values_list("status", flat=True)) == [
        "free",
        "offered",
    ]


@pytest.mark.django_db(transaction=True)
def test_offer_answer__two_caseworkers_accepting_the_same_offer_at_once_make_one_lease(no_letter_rendering):
    unit = free_unit()
    offer = _make(waiting_case(), unit)

    results = run_together(lambda: _answer(offer, "accepted"), lambda: _answer(offer, "accepted"))

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, OfferError)
    assert error.messages == ["This offer is already accepted."]
    assert Lease.objects.filter(unit=unit).count() == 1
    offer.refresh_from_db()
    unit.refresh_from_db()
    assert (offer.status, unit.status) == ("accepted", "let")


@pytest.mark.django_db(transaction=True)
def test_offer_answer__accept_and_refuse_at_once_leave_one_consistent_answer(no_letter_rendering):
    unit = free_unit()
    offer = _make(waiting_case(), unit)

    results = run_together(lambda: _answer(offer, "accepted"), lambda: _answer(offer, "refused"))

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    offer.refresh_from_db()
    unit.refresh_from_db()
    expected_unit = {"accepted": "let", "refused": "free"}[offer.status]
    assert unit.status == expected_unit
    assert Lease.objects.count() == (1 if offer.status == "accepted" else 0)


# --- the database itself refuses what the services guard against ------------------------------------


@pytest.mark.django_db
def test_offer_constraint__second_open_offer_on_one_unit_is_refused_by_the_database():
    unit = UnitFactory()
    OfferFactory(unit=unit, status="open")
    OfferFactory(unit=unit, status="refused")  # closed offers do not count

    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(unit=unit, status="open")

    assert Offer.objects.filter(unit=unit, status="open").count() == 1


@pytest.mark.django_db
def test_offer_constraint__second_open_offer_to_one_case_is_refused_by_the_database():
    application = ApplicationFactory()
    OfferFactory(application=application, status="open")

    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(application=application, status="open")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second",
    [
        {"start": dt.date(2026, 2, 28)},  # the day before the first tenant moves out
        {"start": dt.date(2025, 1, 1)},  # the same start
        {"start": dt.date(2024, 1, 1), "end": dt.date(2025, 6, 30)},  # begins before, ends inside
    ],
)
def test_lease_constraint__overlapping_leases_on_one_unit_are_refused_by_the_database(second):
    unit = UnitFactory()
    LeaseFactory(unit=unit, start=dt.date(2025, 1, 1), end=dt.date(2027, 12, 31), moved_out=dt.date(2026, 3, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseFactory(unit=unit, **second)

    assert Lease.objects.filter(unit=unit).count() == 1


@pytest.mark.django_db
def test_lease_constraint__overlap_with_a_lease_not_moved_out_is_judged_by_its_end_day():
    unit = UnitFactory()
    LeaseFactory(unit=unit, start=dt.date(2025, 1, 1), end=dt.date(2027, 12, 31))

    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseFactory(unit=unit, start=dt.date(2027, 12, 31))  # the last day still belongs to the first lease
    LeaseFactory(unit=unit, start=dt.date(2028, 1, 1))

    assert Lease.objects.filter(unit=unit).count() == 2


@pytest.mark.django_db
def test_lease_constraint__same_day_handover_and_other_units_are_allowed():
    unit = UnitFactory()
    LeaseFactory(unit=unit, start=dt.date(2025, 1, 1), end=dt.date(2027, 12, 31), moved_out=dt.date(2026, 3, 1))

    LeaseFactory(unit=unit, start=dt.date(2026, 3, 1))  # moves in the day the last tenant moves out
    LeaseFactory(start=dt.date(2025, 1, 1))  # another unit, same dates

    assert Lease.objects.filter(unit=unit).count() == 2


@pytest.mark.django_db
def test_offer_make__refused_while_a_tenant_without_a_recorded_move_out_still_lives_there():
    application = waiting_case()
    unit = free_unit()
    stayed_on = LeaseFactory(unit=unit, start=dt.date(2022, 1, 1), end=dt.date(2025, 12, 31), moved_out=None)

    with pytest.raises(OfferError) as refused:
        _make(application, unit)

    assert stayed_on.ref in str(refused.value)
    assert not Offer.objects.exists()
    unit.refresh_from_db()
    assert unit.status == Unit.Status.FREE
