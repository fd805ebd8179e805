"""Pure reminder rules: which of DOMAIN.md's six reminders are open on a day, with due and remind-from dates.

No ORM here. One function per reminder kind takes interchange records and answers for one subject;
`open_reminders` walks a whole `Document` once and is what both the read-only `reminders` command and
the scheduled sweep (which writes one row per (kind, subject, due)) use. Every answer is *as of* `today`:
a record dated later (decision, reply, response, renewal, demand, review, referral, arrears figure) does
not count yet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from typing import NamedTuple

from allocation.rules import offer_deadline
from cases.rules import add_months, preliminary_reply_due
from stord_bolig.interchange.schema import Application, Arrears, Document, Lease, Offer

PRELIMINARY_REPLY = "preliminary_reply"
OFFER_RESPONSE = "offer_response"
RENEWAL_ASSESSMENT = "renewal_assessment"
MOVE_OUT_DEMAND = "move_out_demand"
CIRCULATION_REVIEW = "circulation_review"
ARREARS_REFERRAL = "arrears_referral"
KINDS = (PRELIMINARY_REPLY, OFFER_RESPONSE, RENEWAL_ASSESSMENT, MOVE_OUT_DEMAND, CIRCULATION_REVIEW, ARREARS_REFERRAL)

# Forvaltningslova § 11 a applies to decisions on these kinds; renewals and swaps are handled otherwise.
PRELIMINARY_REPLY_KINDS = ("municipal_housing", "housing_assistance")

PRELIMINARY_REPLY_LEAD = dt.timedelta(days=7)
RENEWAL_DUE_MONTHS = -2
RENEWAL_REMIND_MONTHS = -6
# Husleigelova § 9-2: a tenant staying > 3 months after expiry without a demand gets an open-ended lease.
MOVE_OUT_DEMAND_MONTHS = 3
CIRCULATION_CYCLE_MONTHS = 12
CIRCULATION_LEAD_MONTHS = 1


class ReminderDue(NamedTuple):
    """One open reminder; (kind, subject_kind, subject_ref, due) identifies it for the sweep."""

    kind: str
    subject_kind: str  # application | offer | lease
    subject_ref: str
    due: dt.date
    remind_from: dt.date


def _done(recorded: dt.date | None, today: dt.date) -> bool:
    """A dated act counts as done only when it is dated on or before `today`."""
    return recorded is not None and recorded <= today


def preliminary_reply_reminder(application: Application, today: dt.date) -> ReminderDue | None:
    """Open while the application is undecided and without a preliminary reply, from due − 7 days, overdue too."""
    if application.kind not in PRELIMINARY_REPLY_KINDS:
        return None
    if application.decision is not None and application.decision.decided <= today:
        return None
    if _done(application.preliminary_reply_sent, today):
        return None
    due = preliminary_reply_due(application.received)
    remind_from = due - PRELIMINARY_REPLY_LEAD
    if remind_from > today:
        return None
    return ReminderDue(PRELIMINARY_REPLY, "application", application.ref, due, remind_from)


def offer_response_reminder(offer: Offer, today: dt.date) -> ReminderDue | None:
    """Open from the offer date through its 7th day unless a response dated ≤ today exists."""
    due = offer_deadline(offer.offered)
    if not offer.offered <= today <= due:
        return None
    if offer.response is not None and offer.response.date <= today:
        return None
    return ReminderDue(OFFER_RESPONSE, "offer", offer.ref, due, offer.offered)


def renewal_assessment_reminder(lease: Lease, today: dt.date) -> ReminderDue | None:
    """Open for an active time-limited lease without a granted renewal, from end − 6 months through the end day."""
    if lease.end is None or not lease.active_on(today) or _done(lease.renewal_decided, today):
        return None
    remind_from = add_months(lease.end, RENEWAL_REMIND_MONTHS)
    if remind_from > today:
        return None
    return ReminderDue(RENEWAL_ASSESSMENT, "lease", lease.ref, add_months(lease.end, RENEWAL_DUE_MONTHS), remind_from)


def move_out_demand_reminder(lease: Lease, today: dt.date) -> ReminderDue | None:
    """Open from the day after the end while the tenant stays without renewal or demand; overdue too."""
    if lease.end is None or lease.end >= today:
        return None
    # Moved out, renewed or demanded by today: nothing to do. Later-dated records have not happened yet.
    if _done(lease.moved_out, today) or _done(lease.renewal_decided, today) or _done(lease.move_out_demand_sent, today):
        return None
    due = add_months(lease.end, MOVE_OUT_DEMAND_MONTHS)
    return ReminderDue(MOVE_OUT_DEMAND, "lease", lease.ref, due, lease.end + dt.timedelta(days=1))


def circulation_review_due(lease: Lease, today: dt.date) -> dt.date:
    """12 months after the last review dated ≤ today, else after the lease start (not moved_in)."""
    base = lease.last_circulation_review if _done(lease.last_circulation_review, today) else lease.start
    assert base is not None  # narrowed for type checkers: start is never null
    return add_months(base, CIRCULATION_CYCLE_MONTHS)


def circulation_review_reminder(lease: Lease, today: dt.date) -> ReminderDue | None:
    """Open for an active lease from one month before the current cycle's due date; overdue too."""
    if not lease.active_on(today):
        return None
    due = circulation_review_due(lease, today)
    remind_from = add_months(due, -CIRCULATION_LEAD_MONTHS)
    if remind_from > today:
        return None
    return ReminderDue(CIRCULATION_REVIEW, "lease", lease.ref, due, remind_from)


def arrears_run_start(figures: Sequence[Arrears], monthly_rent: int) -> dt.date | None:
    """First date of the last unbroken stretch of figures ≥ rent, if the latest figure is ≥ rent; figures by date."""
    start = None
    for figure in reversed(figures):
        if figure.amount < monthly_rent:
            break
        start = figure.as_of
    return start


def arrears_referral_reminder(lease: Lease, figures: Iterable[Arrears], today: dt.date) -> ReminderDue | None:
    """Open from the start of the current arrears run until a referral dated within [run start, today]."""
    known = sorted((f for f in figures if f.as_of <= today), key=lambda f: f.as_of)
    due = arrears_run_start(known, lease.monthly_rent)
    if due is None:
        return None
    referral = lease.financial_advice_referral
    if referral is not None and due <= referral <= today:
        return None
    return ReminderDue(ARREARS_REFERRAL, "lease", lease.ref, due, due)


def open_reminders(doc: Document, today: dt.date) -> Iterator[ReminderDue]:
    """Every reminder open on `today` (its rule applies and remind-from ≤ today), in document order."""
    for application in doc.applications:
        reminder = preliminary_reply_reminder(application, today)
        if reminder is not None:
            yield reminder
    for offer in doc.offers:
        reminder = offer_response_reminder(offer, today)
        if reminder is not None:
            yield reminder
    arrears_by_lease: dict[str, list[Arrears]] = defaultdict(list)
    for figure in doc.arrears:
        arrears_by_lease[figure.lease].append(figure)
    for lease in doc.leases:
        figures = arrears_by_lease.get(lease.ref)
        for reminder in (
            renewal_assessment_reminder(lease, today),
            move_out_demand_reminder(lease, today),
            circulation_review_reminder(lease, today),
            arrears_referral_reminder(lease, figures, today) if figures else None,  # no figures, no arrears
        ):
            if reminder is not None:
                yield reminder


def reminders(doc: Document, today: dt.date) -> list[dict[str, str]]:
    """The `reminders --today` output: open reminders as JSON-ready dicts sorted by (due, kind, ref)."""
    found = sorted(open_reminders(doc, today), key=lambda r: (r.due, r.kind, r.subject_ref))
    return [{"kind": r.kind, r.subject_kind: r.subject_ref, "due": r.due.isoformat()} for r in found]


# --- Lease terms (husleigelova, for homes for the disadvantaged) -------------------------------------------------

MIN_TERM_MONTHS = 36  # § 9-3
MAX_SECURITY_MONTHS = 6  # §§ 3-5 and 3-6


def is_short_term(start: dt.date, end: dt.date | None) -> bool:
    """A lease is short-term when end + 1 day is before start + 36 months (open-ended leases are not)."""
    return end is not None and end + dt.timedelta(days=1) < add_months(start, MIN_TERM_MONTHS)


def follows_directly(previous_start: dt.date, previous_end: dt.date | None, start: dt.date) -> bool:
    """The new lease starts on or before the day after the previous one ended (a lease "in a row")."""
    return previous_end is not None and previous_start < start <= previous_end + dt.timedelta(days=1)


def lease_term_problems(
    *,
    start: dt.date,
    end: dt.date | None,
    short_term_reason: str | None,
    repeat_short_term_reason: str | None,
    previous: Iterable[tuple[dt.date, dt.date | None]],
    monthly_rent: int,
    deposit: int,
    guarantee: int,
) -> list[str]:
    """Codes for every rule a proposed lease breaks; `previous`: (start, end) of earlier leases, same household+unit."""
    problems = []
    if end is not None and end < start:
        problems.append("end_before_start")
    short = is_short_term(start, end)
    if short and not (short_term_reason or "").strip():
        problems.append("short_term_reason_required")
    if short and not (repeat_short_term_reason or "").strip():
        earlier = sorted(previous, key=lambda pair: pair[0])
        if earlier:
            last_start, last_end = earlier[-1]
            if is_short_term(last_start, last_end) and follows_directly(last_start, last_end, start):
                problems.append("repeat_short_term_reason_required")
    if deposit > MAX_SECURITY_MONTHS * monthly_rent:
        problems.append("deposit_over_6_months")
    elif deposit + guarantee > MAX_SECURITY_MONTHS * monthly_rent:
        problems.append("security_over_6_months")
    return problems


def rent_adjustment_problems(
    *,
    current_rent: int,
    new_rent: int,
    cpi_at_last_change: float,
    cpi_now: float,
    last_change: dt.date,
    notice_given: dt.date,
    effective: dt.date,
) -> list[str]:
    """Husleigelova § 4-2: at most the CPI change, at earliest a year after the last change, a month's notice."""
    problems = []
    if new_rent > max_rent_after_cpi(current_rent, cpi_at_last_change, cpi_now):
        problems.append("above_cpi")
    if effective < add_months(last_change, 12):
        problems.append("within_a_year")
    if effective < add_months(notice_given, 1):
        problems.append("notice_under_a_month")
    return problems


def max_rent_after_cpi(current_rent: int, cpi_at_last_change: float, cpi_now: float) -> int:
    """The highest rent § 4-2 allows, rounded down to whole kroner.

    Computed exactly from the index values as written (101.82, not the nearest binary float), so
    5000 kr × 101.82 / 100 is 5091 kr, not 5090.
    """
    return math.floor(Fraction(current_rent) * Fraction(str(cpi_now)) / Fraction(str(cpi_at_last_change)))
