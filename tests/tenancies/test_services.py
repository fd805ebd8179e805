"""Writes in tenancies (tenancies/services.py): the reminder sweep, lease drafts, move-out, dated acts.

The sweep is checked against the read-only contract (`tenancies.rules.reminders`, what the `reminders`
command prints) on the example register, including when two sweeps run at the same moment.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from allocation.models import Offer, Unit
from allocation.services import offer_answer
from cases.models import Application
from cases.services import preliminary_reply_send
from tenancies import services
from tenancies.models import Lease, Reminder
from tests.factories import (
    ApplicationFactory,
    ArrearsFigureFactory,
    LeaseFactory,
    OfferFactory,
    UnitFactory,
    UserFactory,
)
from tests.tenancies.conftest import (
    DAY,
    TODAY,
    duplicated_reminders,
    example_document,
    expected_reminders,
    import_example,
    open_reminder_keys,
    run_together,
)

pytestmark = pytest.mark.usefixtures("pinned_today")

DATES = [dt.date(2025, 6, 1), dt.date(2026, 3, 1), dt.date(2026, 11, 25)]


@pytest.fixture
def colleague(db):
    return UserFactory(role="caseworker", username="per", first_name="Per")


@pytest.fixture
def example(caseworker, colleague):
    """The example register, every case with Kari except the two that Per has."""
    import_example(caseworker=caseworker, others={"S-2025-0010": colleague, "S-2025-0002": colleague})
    return example_document()


# --- reminder_sweep on the example register ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("day", DATES, ids=str)
def test_reminder_sweep__creates_exactly_the_reminders_the_contract_lists(example, day):
    expected = expected_reminders(example, day)
    assert expected  # the example has something due on each of these days

    result = services.reminder_sweep(day)

    assert open_reminder_keys() == expected
    assert Reminder.objects.count() == len(expected) == result["inserted"]
    assert all(reminder.remind_from <= day for reminder in Reminder.objects.all())


@pytest.mark.django_db
def test_reminder_sweep__each_reminder_goes_to_the_caseworker_of_its_case(example, caseworker, colleague):
    services.reminder_sweep(TODAY)

    owners = {r.subject_ref: r.assigned_to for r in Reminder.objects.select_related("assigned_to")}
    assert owners == {
        "S-2024-0004": caseworker,  # preliminary reply: the case itself
        "O-00021": colleague,  # offer to S-2025-0010
        "O-00022": caseworker,
        "L-00005": colleague,  # lease from S-2025-0002
        "L-00008": caseworker,
    }


@pytest.mark.django_db
def test_reminder_sweep__running_twice_creates_nothing_new(example):
    services.reminder_sweep(TODAY)
    first = list(Reminder.objects.order_by("pk").values_list("pk", "kind", "subject_ref", "due", "closed_at"))

    again = services.reminder_sweep(TODAY)

    assert again["inserted"] == 0 and again["closed"] == 0
    assert list(Reminder.objects.order_by("pk").values_list("pk", "kind", "subject_ref", "due", "closed_at")) == first


@pytest.mark.django_db
def test_reminder_sweep__done_work_closes_its_reminder_and_the_rest_stay_open(example, caseworker):
    services.reminder_sweep(TODAY)
    # The caseworker does three of the five things on the list.
    preliminary_reply_send(
        application=Application.objects.get(ref="S-2024-0004"),
        reason="Vi ventar på dokumentasjon frå NAV.",
        expected=TODAY + 20 * DAY,
        by=caseworker,
    )
    services.lease_record_date(
        lease=Lease.objects.get(ref="L-00005"), field="last_circulation_review", day=TODAY, by=caseworker
    )
    offer_answer(offer=Offer.objects.get(ref="O-00021"), answer="refused", answered=TODAY, reason="", by=caseworker)

    result = services.reminder_sweep(TODAY)

    assert result["closed"] == 3 and result["inserted"] == 0
    closed = set(Reminder.objects.filter(closed_at__isnull=False).values_list("subject_ref", flat=True))
    assert closed == {"S-2024-0004", "L-00005", "O-00021"}
    assert {key[2] for key in open_reminder_keys()} == {"O-00022", "L-00008"}
    assert Reminder.objects.count() == 5  # closed, not deleted: the history of the work list stays


@pytest.mark.django_db
def test_reminder_sweep__offer_reminder_closes_when_its_last_day_has_passed(example):
    services.reminder_sweep(TODAY)

    services.reminder_sweep(TODAY + DAY)

    offer_reminders = dict(Reminder.objects.filter(kind="offer_response").values_list("subject_ref", "closed_at"))
    assert offer_reminders["O-00021"] is not None  # its last day was 25 Nov
    assert offer_reminders["O-00022"] is None  # open through 26 Nov


def _lease_a_month_in_arrears(caseworker) -> Lease:
    """A lease of `caseworker`'s case whose arrears reached a month's rent on 31 October."""
    application = ApplicationFactory(assigned_to=caseworker)
    lease = LeaseFactory(
        application=application,
        household=application.household,
        start=dt.date(2026, 1, 1),
        last_circulation_review=dt.date(2026, 11, 1),
    )
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2026, 9, 30), amount=4000)
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2026, 10, 31), amount=9000)  # a full month's rent
    return lease


@pytest.mark.django_db
def test_reminder_sweep__referral_closes_the_arrears_reminder(caseworker):
    lease = _lease_a_month_in_arrears(caseworker)
    services.reminder_sweep(TODAY)
    reminder = Reminder.objects.get(kind="arrears_referral")
    assert (reminder.subject_ref, reminder.due, reminder.assigned_to) == (lease.ref, dt.date(2026, 10, 31), caseworker)

    Lease.objects.filter(pk=lease.pk).update(financial_advice_referral=TODAY)  # as a referral from the arrears does
    services.reminder_sweep(TODAY)

    reminder.refresh_from_db()
    assert reminder.closed_at is not None
    assert not Reminder.objects.filter(closed_at__isnull=True, kind="arrears_referral").exists()


@pytest.mark.django_db
def test_reminder_sweep__a_closed_reminder_whose_rule_applies_again_is_reopened_not_duplicated(caseworker):
    lease = _lease_a_month_in_arrears(caseworker)
    services.reminder_sweep(TODAY)
    reminder = Reminder.objects.get(kind="arrears_referral")
    Lease.objects.filter(pk=lease.pk).update(financial_advice_referral=TODAY)
    closing = services.reminder_sweep(TODAY)
    assert (closing["inserted"], closing["closed"], closing["reopened"]) == (0, 1, 0)

    Lease.objects.filter(pk=lease.pk).update(financial_advice_referral=None)  # the referral was a mistake
    result = services.reminder_sweep(TODAY)

    assert (result["inserted"], result["closed"], result["reopened"]) == (0, 0, 1)
    arrears = Reminder.objects.filter(kind="arrears_referral")
    assert list(arrears.values_list("pk", "closed_at", "assigned_to", "remind_from")) == [
        (reminder.pk, None, caseworker.pk, reminder.remind_from)
    ]
    again = services.reminder_sweep(TODAY)
    assert (again["inserted"], again["closed"], again["reopened"]) == (0, 0, 0)


@pytest.mark.django_db
def test_reminder_sweep_for_lease__closes_only_that_leases_finished_reminders(example, caseworker):
    services.reminder_sweep(TODAY)
    services.lease_record_date(
        lease=Lease.objects.get(ref="L-00008"), field="last_circulation_review", day=TODAY, by=caseworker
    )

    services.reminder_sweep_for_lease("L-00008")

    closed = set(Reminder.objects.filter(closed_at__isnull=False).values_list("subject_ref", flat=True))
    assert closed == {"L-00008"}


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep__two_sweeps_at_the_same_moment_create_each_reminder_once(caseworker):
    import_example(caseworker=caseworker)
    doc = example_document()

    results = run_together(lambda: services.reminder_sweep(TODAY), lambda: services.reminder_sweep(TODAY))

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert duplicated_reminders() == []
    assert open_reminder_keys() == expected_reminders(doc, TODAY)


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep__two_sweeps_at_once_in_a_renewal_window_create_each_reminder_once(caseworker):
    # On 1 Dec 2027 lease L-00005 (ends 28 May 2028) is in its renewal window, and circulation reviews are due.
    import_example(caseworker=caseworker)
    day = dt.date(2027, 12, 1)

    results = run_together(lambda: services.reminder_sweep(day), lambda: services.reminder_sweep(day))

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert duplicated_reminders() == []
    assert open_reminder_keys() == expected_reminders(example_document(), day)
    renewal_leases = set(Reminder.objects.filter(kind="renewal_assessment").values_list("subject_ref", flat=True))
    assert renewal_leases == {"L-00005"}


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep__a_row_another_sweep_has_not_committed_yet_is_waited_for_and_skipped(caseworker, caplog):
    import_example(caseworker=caseworker)
    expected = expected_reminders(example_document(), TODAY)
    kind, subject_kind, ref, due = expected[0]
    holding = threading.Event()

    def other_sweep_holding_one_row() -> None:
        # Commits only once this test's sweep is waiting for it (a lock wait on its transaction id).
        try:
            with transaction.atomic():
                Reminder.objects.create(kind=kind, subject_kind=subject_kind, subject_ref=ref, due=due, remind_from=due)
                holding.set()
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity"
                            " WHERE datname = current_database() AND wait_event = 'transactionid'"
                        )
                        if cursor.fetchone()[0]:
                            break
                    time.sleep(0.01)
        finally:
            holding.set()
            connection.close()

    other = threading.Thread(target=other_sweep_holding_one_row)
    other.start()
    assert holding.wait(timeout=20)
    with caplog.at_level(logging.INFO, logger="tenancies.services"):
        result = services.reminder_sweep(TODAY)
    other.join(timeout=30)

    assert "met the rows of a concurrent sweep" in caplog.text
    assert result["inserted"] == len(expected) - 1
    assert duplicated_reminders() == []
    assert open_reminder_keys() == expected


# --- lease drafts from accepted offers --------------------------------------------------------------------


def _accepted_offer(unit, *, answered=TODAY):
    return OfferFactory(unit=unit, status="accepted", offered=answered - DAY, answered=answered)


@pytest.mark.django_db
def test_lease_draft_from_offer__three_years_from_tomorrow_at_the_units_rent():
    unit = UnitFactory(monthly_rent=10250)
    offer = _accepted_offer(unit)

    lease = services.lease_draft_from_offer(offer=offer, by=None)

    assert (lease.unit, lease.household, lease.application) == (unit, offer.application.household, offer.application)
    assert (lease.start, lease.end) == (dt.date(2026, 11, 26), dt.date(2029, 11, 25))
    assert lease.monthly_rent == 10250
    assert lease.ref.startswith("L-")
    assert lease.moved_in is None and lease.renewal_decided is None


@pytest.mark.django_db
def test_lease_draft_from_offer__waits_for_the_current_tenancy_to_end():
    unit = UnitFactory()
    LeaseFactory(unit=unit, start=dt.date(2024, 3, 1), end=dt.date(2027, 2, 28))

    lease = services.lease_draft_from_offer(offer=_accepted_offer(unit), by=None)

    assert lease.start == dt.date(2027, 3, 1)
    assert lease.end == dt.date(2030, 2, 28)


@pytest.mark.django_db
def test_lease_draft_from_offer__starts_on_the_day_the_last_tenant_moves_out():
    unit = UnitFactory()
    LeaseFactory(unit=unit, start=dt.date(2024, 3, 1), end=dt.date(2027, 2, 28), moved_out=dt.date(2026, 12, 15))

    lease = services.lease_draft_from_offer(offer=_accepted_offer(unit), by=None)

    assert lease.start == dt.date(2026, 12, 15)


@pytest.mark.django_db
def test_lease_draft_from_offer__answer_recorded_late_still_starts_in_the_future():
    unit = UnitFactory()
    LeaseFactory(unit=unit, start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31), moved_out=dt.date(2022, 12, 31))

    lease = services.lease_draft_from_offer(offer=_accepted_offer(unit, answered=TODAY - 5 * DAY), by=None)

    assert lease.start == TODAY + DAY


# --- move-out and dated acts ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lease_move_out__records_the_day_and_frees_the_unit(caseworker):
    lease = LeaseFactory(unit=UnitFactory(status=Unit.Status.LET), moved_in=dt.date(2025, 1, 1))

    services.lease_move_out(lease=lease, moved_out=TODAY, outcome="bought_with_startlan", by=caseworker)

    lease.refresh_from_db()
    assert (lease.moved_out, lease.outcome) == (TODAY, "bought_with_startlan")
    assert Unit.objects.get(pk=lease.unit_id).status == Unit.Status.FREE
    assert not Lease.objects.filter(pk=lease.pk).active_on(TODAY + DAY).exists()


@pytest.mark.django_db
def test_lease_move_out__twice_or_before_moving_in_is_refused(caseworker):
    lease = LeaseFactory(unit=UnitFactory(status=Unit.Status.LET), moved_in=dt.date(2025, 2, 1))

    with pytest.raises(ValidationError, match="cannot be before moving in"):
        services.lease_move_out(lease=lease, moved_out=dt.date(2025, 1, 15), outcome="other", by=caseworker)
    assert Unit.objects.get(pk=lease.unit_id).status == Unit.Status.LET

    services.lease_move_out(lease=lease, moved_out=TODAY, outcome="other", by=caseworker)
    with pytest.raises(ValidationError, match="already moved out"):
        services.lease_move_out(lease=lease, moved_out=TODAY, outcome="evicted", by=caseworker)

    lease.refresh_from_db()
    assert lease.outcome == "other"


@pytest.mark.django_db
def test_lease_move_out__does_not_free_a_unit_already_let_to_the_next_tenant(caseworker):
    unit = UnitFactory(status=Unit.Status.LET)
    old = LeaseFactory(unit=unit, start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))
    LeaseFactory(unit=unit, start=dt.date(2027, 1, 1), end=dt.date(2029, 12, 31))  # the next tenant's draft

    services.lease_move_out(lease=old, moved_out=TODAY, outcome="moved_private_rental", by=caseworker)

    unit.refresh_from_db()
    assert unit.status == Unit.Status.LET


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["move_out_demand_sent", "last_circulation_review"])
def test_lease_record_date__records_today_or_earlier_but_never_over_a_later_one(field, caseworker):
    lease = LeaseFactory(start=TODAY - 400 * DAY)

    services.lease_record_date(lease=lease, field=field, day=TODAY - 30 * DAY, by=caseworker)
    lease.refresh_from_db()
    assert getattr(lease, field) == TODAY - 30 * DAY
    services.lease_record_date(lease=lease, field=field, day=TODAY, by=caseworker)
    lease.refresh_from_db()
    assert getattr(lease, field) == TODAY

    for day, message in (
        (
            TODAY - 60 * DAY,
            f"A later date is already recorded ({TODAY:%d.%m.%Y}); an administrator can correct a mistyped one.",
        ),
        (lease.start - DAY, f"The date cannot be before the lease starts ({lease.start:%d.%m.%Y})."),
    ):
        with pytest.raises(ValidationError) as refused:
            services.lease_record_date(lease=lease, field=field, day=day, by=caseworker)
        assert refused.value.messages == [message]
    lease.refresh_from_db()
    assert getattr(lease, field) == TODAY


@pytest.mark.django_db
def test_lease_record_date__future_date_is_refused(caseworker):
    lease = LeaseFactory()

    with pytest.raises(ValidationError) as caught:
        services.lease_record_date(lease=lease, field="last_circulation_review", day=TODAY + DAY, by=caseworker)

    assert caught.value.messages == ["The date cannot be in the future."]
    lease.refresh_from_db()
    assert lease.last_circulation_review is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "renewal_decided",
            "A renewal is granted by a decision on the lease's renewal case; the date is recorded from it.",
        ),
        (
            "financial_advice_referral",
            "Refer the household to financial advice from the case or the arrears, so the advisor gets it.",
        ),
    ],
)
def test_lease_record_date__a_renewal_or_a_referral_is_not_a_date_typed_in(field, message, caseworker):
    lease = LeaseFactory()

    with pytest.raises(ValidationError) as caught:
        services.lease_record_date(lease=lease, field=field, day=TODAY, by=caseworker)

    assert caught.value.messages == [message]
    lease.refresh_from_db()
    assert getattr(lease, field) is None


@pytest.mark.django_db
def test_lease_record_date__unknown_field_is_refused(caseworker):
    lease = LeaseFactory()

    with pytest.raises(ValidationError, match="Unknown action"):
        services.lease_record_date(lease=lease, field="monthly_rent", day=TODAY, by=caseworker)

    lease.refresh_from_db()
    assert lease.monthly_rent == 9000
