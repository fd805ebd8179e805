"""Table tests of tenancies.rules: each reminder's window, due date, closing condition and the output contract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.schema import (
    Application,
    Arrears,
    Decision,
    Document,
    Lease,
    Offer,
    OfferResponse,
)
from tenancies.rules import (
    ReminderDue,
    arrears_referral_reminder,
    arrears_run_start,
    circulation_review_reminder,
    move_out_demand_reminder,
    offer_response_reminder,
    open_reminders,
    preliminary_reply_reminder,
    reminders,
    renewal_assessment_reminder,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"
DAY = dt.timedelta(days=1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- builders: one per record type, every field defaulted ---------------------------------------


def application(ref: str = "S-1", received: str = "2026-01-31", **fields) -> Application:
    values = dict(
        household="H-1",
        kind="municipal_housing",
        housing_situation="own_rented",
        main_reason="other",
        urgency="C",
        target_group="ordinary",
        wheelchair_need=False,
        min_bedrooms_override=None,
        preliminary_reply_sent=None,
        decision=None,
        appeal=None,
        suspended_until=None,
    )
    return Application(ref=ref, received=d(received), **{**values, **fields})


def decision(decided: str, outcome: str = "granted") -> Decision:
    return Decision(outcome=outcome, decided=d(decided), notified=d(decided), lapsed=None)


def offer(ref: str = "O-1", offered: str = "2026-02-22", answered: str | None = None) -> Offer:
    response = None if answered is None else OfferResponse(answer="accepted", date=d(answered), reason=None)
    return Offer(ref=ref, application="S-1", unit="U-1", offered=d(offered), response=response)


LEASE_DATES = (
    "moved_in",
    "moved_out",
    "renewal_decided",
    "move_out_demand_sent",
    "last_circulation_review",
    "financial_advice_referral",
)


def lease(ref: str = "L-1", start: str = "2023-09-01", end: str | None = "2026-08-31", **fields) -> Lease:
    values = dict(
        unit="U-1",
        household="H-1",
        application="S-1",
        short_term_reason=None,
        repeat_short_term_reason=None,
        monthly_rent=9000,
        deposit=0,
        guarantee=0,
        moved_in=d(start),
        moved_out=None,
        renewal_decided=None,
        move_out_demand_sent=None,
        last_circulation_review=None,
        financial_advice_referral=None,
        outcome=None,
    )
    # Date fields may be given as ISO strings, for short tables.
    dates = {key: d(value) for key, value in fields.items() if key in LEASE_DATES and isinstance(value, str)}
    return Lease(ref=ref, start=d(start), end=None if end is None else d(end), **{**values, **fields, **dates})


def arrears(*figures: tuple[str, int], lease_ref: str = "L-1") -> list[Arrears]:
    return [Arrears(lease=lease_ref, as_of=d(day), amount=amount) for day, amount in figures]


def due_of(reminder: ReminderDue | None) -> str | None:
    return None if reminder is None else reminder.due.isoformat()


# --- preliminary_reply ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "today", "due"),
    [
        ("2026-01-31", "2026-02-20", None),  # due 28 Feb (clamped), reminds from 21 Feb
        ("2026-01-31", "2026-02-21", "2026-02-28"),
        ("2026-01-31", "2026-02-28", "2026-02-28"),
        ("2026-01-31", "2026-06-30", "2026-02-28"),  # stays open, overdue
        ("2024-01-31", "2024-02-22", "2024-02-29"),  # leap year
        ("2024-01-31", "2024-02-21", None),
        ("2026-03-15", "2026-04-08", "2026-04-15"),
        ("2026-03-15", "2026-04-07", None),
    ],
)
def test_preliminary_reply__window_and_due(received, today, due):
    assert due_of(preliminary_reply_reminder(application(received=received), d(today))) == due


@pytest.mark.parametrize(
    ("fields", "is_open"),
    [
        ({}, True),
        ({"kind": "housing_assistance"}, True),
        ({"kind": "renewal"}, False),
        ({"kind": "swap"}, False),
        ({"decision": decision("2026-03-01")}, False),  # decided (today or earlier) closes it
        ({"decision": decision("2026-03-01", "refused")}, False),
        ({"decision": decision("2026-03-02")}, True),  # decided later: still undecided today
        ({"preliminary_reply_sent": d("2026-03-01")}, False),
        ({"preliminary_reply_sent": d("2026-02-10")}, False),
        ({"preliminary_reply_sent": d("2026-03-02")}, True),  # sent later: not done yet
    ],
)
def test_preliminary_reply__closing(fields, is_open):
    reminder = preliminary_reply_reminder(application(**fields), d("2026-03-01"))
    assert (reminder is not None) is is_open
    if reminder:
        assert reminder == ReminderDue("preliminary_reply", "application", "S-1", d("2026-02-28"), d("2026-02-21"))


# --- offer_response -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "answered", "due"),
    [
        ("2026-02-21", None, None),  # not offered yet
        ("2026-02-22", None, "2026-03-01"),  # opens on the offer day
        ("2026-03-01", None, "2026-03-01"),  # the 7th day is included
        ("2026-03-02", None, None),  # expired
        ("2026-02-25", "2026-02-25", None),  # a response dated today closes it today
        ("2026-02-25", "2026-02-24", None),
        ("2026-02-25", "2026-02-26", "2026-03-01"),  # a later response has not happened yet
    ],
)
def test_offer_response__window_and_closing(today, answered, due):
    reminder = offer_response_reminder(offer(answered=answered), d(today))
    assert due_of(reminder) == due
    if reminder:
        assert (reminder.subject_kind, reminder.remind_from) == ("offer", d("2026-02-22"))


# --- renewal_assessment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "today", "due", "remind_from"),
    [
        ("2026-08-31", "2026-02-27", None, None),
        ("2026-08-31", "2026-02-28", "2026-06-30", "2026-02-28"),  # 31 Aug - 6 months = 28 Feb
        ("2026-08-31", "2026-08-31", "2026-06-30", "2026-02-28"),  # open on the end day
        ("2026-08-31", "2026-09-01", None, None),  # move_out_demand takes over
        ("2028-08-31", "2028-02-29", "2028-06-30", "2028-02-29"),  # leap year clamp
        ("2028-08-31", "2028-02-28", None, None),
        ("2027-04-30", "2026-10-30", "2027-02-28", "2026-10-30"),  # 30 Apr - 2 months = 28 Feb
    ],
)
def test_renewal_assessment__window_and_due(end, today, due, remind_from):
    reminder = renewal_assessment_reminder(lease(start="2024-01-01", end=end), d(today))
    assert due_of(reminder) == due
    if reminder:
        assert reminder.remind_from == d(remind_from)


@pytest.mark.parametrize(
    ("fields", "is_open"),
    [
        ({}, True),
        ({"renewal_decided": "2026-05-01"}, False),  # only a granted renewal closes it
        ({"renewal_decided": "2026-05-02"}, True),  # granted later: not yet
        ({"moved_out": "2026-05-01"}, True),  # on the moved-out day the lease is still active
        ({"moved_out": "2026-04-30"}, False),
        ({"move_out_demand_sent": "2026-04-01"}, True),  # a demand does not close the assessment
    ],
)
def test_renewal_assessment__closing(fields, is_open):
    assert (renewal_assessment_reminder(lease(**fields), d("2026-05-01")) is not None) is is_open


def test_renewal_assessment__open_ended_lease_never():
    assert renewal_assessment_reminder(lease(end=None), d("2026-05-01")) is None


# --- move_out_demand ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "today", "due"),
    [
        ("2026-11-30", "2026-11-30", None),  # still the lease's last day
        ("2026-11-30", "2026-12-01", "2027-02-28"),  # opens the day after; 30 Nov + 3 months clamps
        ("2026-11-30", "2027-06-01", "2027-02-28"),  # stays open, overdue
        ("2027-11-30", "2027-12-01", "2028-02-29"),  # leap year
        ("2026-05-31", "2026-06-01", "2026-08-31"),
    ],
)
def test_move_out_demand__window_and_due(end, today, due):
    reminder = move_out_demand_reminder(lease(end=end), d(today))
    assert due_of(reminder) == due
    if reminder:
        assert reminder.remind_from == d(end) + DAY


@pytest.mark.parametrize(
    ("fields", "is_open"),
    [
        ({}, True),
        ({"moved_out": "2026-09-10"}, False),  # moved out today
        ({"moved_out": "2026-08-31"}, False),
        ({"moved_out": "2026-09-11"}, True),  # a later move-out has not happened yet
        ({"renewal_decided": "2026-06-01"}, False),
        ({"renewal_decided": "2026-09-11"}, True),
        ({"move_out_demand_sent": "2026-09-10"}, False),
        ({"move_out_demand_sent": "2026-07-01"}, False),  # any demand dated by today, even before the end
        ({"move_out_demand_sent": "2026-09-11"}, True),
    ],
)
def test_move_out_demand__closing(fields, is_open):
    assert (move_out_demand_reminder(lease(**fields), d("2026-09-10")) is not None) is is_open


def test_move_out_demand__open_ended_lease_never():
    assert move_out_demand_reminder(lease(end=None), d("2030-01-01")) is None


# --- circulation_review ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "today", "due"),
    [
        ({}, "2026-02-27", None),  # from start 2025-03-31: due 2026-03-31, reminds from 2026-02-28
        ({}, "2026-02-28", "2026-03-31"),
        ({}, "2026-09-01", "2026-03-31"),  # overdue: still the same cycle
        ({"moved_in": "2025-05-01"}, "2026-02-28", "2026-03-31"),  # counted from start, not moved_in
        ({"last_circulation_review": "2026-04-15"}, "2026-09-01", None),  # done: next due 2027-04-15
        ({"last_circulation_review": "2026-04-15"}, "2027-03-15", "2027-04-15"),
        ({"last_circulation_review": "2026-04-15"}, "2026-04-14", "2026-03-31"),  # review dated later: not yet
        ({"last_circulation_review": "2028-02-29"}, "2029-01-28", "2029-02-28"),  # 29 Feb + 12 months
        ({"last_circulation_review": "2028-02-29"}, "2029-01-27", None),
        ({"moved_out": "2026-03-01"}, "2026-03-01", "2026-03-31"),  # active on the moved-out day
        ({"moved_out": "2026-03-01"}, "2026-03-02", None),  # no longer active
    ],
)
def test_circulation_review__cycle_and_closing(fields, today, due):
    the_lease = lease(start="2025-03-31", end=None, **fields)
    assert due_of(circulation_review_reminder(the_lease, d(today))) == due


def test_circulation_review__ends_with_the_lease():
    the_lease = lease(start="2025-03-31", end="2026-03-31")
    assert due_of(circulation_review_reminder(the_lease, d("2026-03-31"))) == "2026-03-31"
    assert circulation_review_reminder(the_lease, d("2026-04-01")) is None


# --- arrears_referral -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "start"),
    [
        ([], None),
        ([("2026-01-31", 8999)], None),
        ([("2026-01-31", 9000)], "2026-01-31"),  # equal to the rent counts
        ([("2026-01-31", 9000), ("2026-02-28", 5000), ("2026-03-31", 9500), ("2026-04-30", 12000)], "2026-03-31"),
        ([("2026-01-31", 9000), ("2026-02-28", 18000)], "2026-01-31"),
        ([("2026-01-31", 9000), ("2026-02-28", 18000), ("2026-03-31", 100)], None),  # latest below rent
    ],
)
def test_arrears_run_start__last_unbroken_stretch(figures, start):
    assert arrears_run_start(arrears(*figures), 9000) == (None if start is None else d(start))


RUN = (("2026-01-31", 9000), ("2026-02-28", 5000), ("2026-03-31", 9500), ("2026-04-30", 12000))


@pytest.mark.parametrize(
    ("fields", "today", "due"),
    [
        ({}, "2026-05-10", "2026-03-31"),
        ({}, "2026-03-31", "2026-03-31"),  # reminds from its due date
        ({}, "2026-03-30", None),  # as of 30 Mar the latest figure is 28 Feb's: below rent
        ({}, "2026-02-27", "2026-01-31"),  # as of 27 Feb the run started 31 Jan
        ({"financial_advice_referral": "2026-03-31"}, "2026-05-10", None),  # referral on the run's first day
        ({"financial_advice_referral": "2026-05-01"}, "2026-05-10", None),
        ({"financial_advice_referral": "2026-03-30"}, "2026-05-10", "2026-03-31"),  # before this run
        ({"financial_advice_referral": "2026-05-11"}, "2026-05-10", "2026-03-31"),  # dated later: not yet
        ({"moved_out": "2026-04-15", "end": "2026-04-30"}, "2026-06-01", "2026-03-31"),  # any lease, active or not
        ({"monthly_rent": 12001}, "2026-05-10", None),
    ],
)
def test_arrears_referral__run_and_closing(fields, today, due):
    reminder = arrears_referral_reminder(lease(**fields), reversed(arrears(*RUN)), d(today))
    assert due_of(reminder) == due
    if reminder:
        assert reminder.remind_from == reminder.due


def test_arrears_referral__first_figure_of_the_run_when_the_month_before_was_at_the_rent():
    figures = arrears(("2026-01-31", 4000), ("2026-02-28", 9000), ("2026-03-31", 9000))
    assert due_of(arrears_referral_reminder(lease(), figures, d("2026-04-01"))) == "2026-02-28"


# --- the whole document: output contract ---------------------------------------------------------


def test_reminders__keys_sorting_and_subjects():
    today = d("2026-03-01")
    doc = Document(
        applications=[application("S-2", received="2026-01-31"), application("S-10", received="2026-01-31")],
        offers=[offer("O-1", offered="2026-02-22")],
        leases=[
            lease("L-2", start="2023-09-01", end="2026-08-31", last_circulation_review="2025-12-01"),  # renewal
            lease("L-1", start="2023-09-01", end="2026-02-28"),  # move-out demand due 2026-05-28
            lease("L-3", start="2025-03-01", end=None),  # circulation review due 2026-03-01
        ],
        arrears=arrears(("2026-02-28", 9000), lease_ref="L-3"),
    )
    assert reminders(doc, today) == [
        {"kind": "arrears_referral", "lease": "L-3", "due": "2026-02-28"},  # same due: by kind
        {"kind": "preliminary_reply", "application": "S-10", "due": "2026-02-28"},  # "S-10" < "S-2" as strings
        {"kind": "preliminary_reply", "application": "S-2", "due": "2026-02-28"},
        {"kind": "circulation_review", "lease": "L-3", "due": "2026-03-01"},
        {"kind": "offer_response", "offer": "O-1", "due": "2026-03-01"},
        {"kind": "move_out_demand", "lease": "L-1", "due": "2026-05-28"},
        {"kind": "renewal_assessment", "lease": "L-2", "due": "2026-06-30"},
    ]
    assert {r.kind: r.remind_from for r in open_reminders(doc, today)}["move_out_demand"] == d("2026-03-01")


def test_reminders__hundred_thousand_leases_each_get_their_reminders():
    # Speed is measured by `make bench` (the sweep over 10k/50k/100k leases), not here.
    start = d("2016-01-01")
    leases = [
        lease(f"L-{i:06}", start=(start + i % 3650 * DAY).isoformat(), end=None if i % 3 else "2027-01-31")
        for i in range(100_000)
    ]
    figures = [Arrears(f"L-{i:06}", d("2026-10-31"), 9000 + i % 2) for i in range(0, 100_000, 4)]
    doc = Document(leases=leases, arrears=figures)
    found = reminders(doc, d("2026-11-25"))
    assert len(found) > 25_000
    # no lease gets the same reminder twice, however many leases there are
    keys = [(r["kind"], r.get("lease"), r["due"]) for r in found]
    assert len(keys) == len(set(keys))


# --- example.json ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Document:
    return parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def test_example__reminders_on_2026_11_25(example):
    assert reminders(example, d("2026-11-25")) == [
        # municipal housing, received 2024-09-20, never decided nor answered: overdue ever since
        {"kind": "preliminary_reply", "application": "S-2024-0004", "due": "2024-10-20"},
        # started 2025-05-29, never reviewed
        {"kind": "circulation_review", "lease": "L-00005", "due": "2026-05-29"},
        # offered 2026-11-18: today is its 7th day
        {"kind": "offer_response", "offer": "O-00021", "due": "2026-11-25"},
        {"kind": "offer_response", "offer": "O-00022", "due": "2026-11-26"},
        # started 2025-12-25: reminds from one month before the first anniversary
        {"kind": "circulation_review", "lease": "L-00008", "due": "2026-12-25"},
    ]


def test_example__move_out_demand_before_and_after_it_was_sent(example):
    # L-00002 ended 2024-12-11, tenant still there; the demand was sent 2025-01-04.
    assert {"kind": "move_out_demand", "lease": "L-00002", "due": "2025-03-11"} in reminders(example, d("2025-01-03"))
    assert all(r.get("lease") != "L-00002" for r in reminders(example, d("2025-01-04")))


def test_example__preliminary_reply_closed_by_the_reply(example):
    # S-2025-0007 received 2025-08-17, due 2025-09-17, reply sent 2025-09-18: overdue on the 17th, closed on the 18th.
    assert {"kind": "preliminary_reply", "application": "S-2025-0007", "due": "2025-09-17"} in reminders(
        example, d("2025-09-17")
    )
    assert all(r.get("application") != "S-2025-0007" for r in reminders(example, d("2025-09-18")))
