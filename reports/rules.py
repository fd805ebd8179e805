"""Pure KOSTRA rules (form 13 style): the yearly figures of DOMAIN.md "Statistics" from an interchange Document.

No ORM here. Definitions follow /work/shared/spec/kostra-keys.md; everything is judged *as of* 31 December
of the year (or of a given day, for the year so far): decisions decided later are undecided, lapses dated later
are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from allocation.rules import is_waiting
from cases.rules import add_months
from stord_bolig.interchange.schema import MAIN_REASONS, Application, Document, Lease, TemporaryStay

# KOSTRA's "kommunal bustad" is the municipal_housing kind only (swaps are moves within the stock).
KOSTRA_APPLICATION_KINDS = ("municipal_housing",)
TEMP_LONG_STAY_MONTHS = 3
ONE_DAY = dt.timedelta(days=1)

# The output keys, in the order of kostra-keys.md.
KOSTRA_KEYS = (
    "units_total",
    "units_owned",
    "units_leased",
    "units_private_allocation_right",
    "units_wheelchair",
    "units_wheelchair_share",
    "applications_new",
    "refusals_new",
    "refusal_share",
    "moved_in_new",
    *(f"moved_in_{reason}" for reason in MAIN_REASONS),
    "waiting_list",
    "waiting_list_wheelchair",
    "temp_households",
    "temp_children_over_3_months",
    "temp_natthjem",
)


def share(part: int, whole: int) -> float:
    """part / whole × 100 rounded half-up to one decimal; 0.0 when whole is 0."""
    if whole == 0:
        return 0.0
    return float((Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def had_active_lease(leases: Iterable[Lease], day: dt.date, *, except_ref: str | None = None) -> bool:
    """True when one of the household's leases (other than `except_ref`) is active on `day`."""
    return any(lease.ref != except_ref and lease.active_on(day) for lease in leases)


def is_new_application(application: Application, household_leases: Iterable[Lease]) -> bool:
    """KOSTRA "new": kind municipal_housing and no active lease of the household on its received date."""
    return application.kind in KOSTRA_APPLICATION_KINDS and not had_active_lease(household_leases, application.received)


def is_newly_moved_in(lease: Lease, household_leases: Iterable[Lease], first: dt.date, last: dt.date) -> bool:
    """A move-in in [first, last] by a household with no other lease active the day before moving in."""
    if lease.moved_in is None or not first <= lease.moved_in <= last:
        return False
    return not had_active_lease(household_leases, lease.moved_in - ONE_DAY, except_ref=lease.ref)


def stay_overlaps(stay: TemporaryStay, first: dt.date, last: dt.date) -> bool:
    """True when the stay has at least one day in [first, last] (an ongoing stay runs on)."""
    return stay.start <= last and (stay.end is None or stay.end >= first)


def stay_longer_than_3_months(stay: TemporaryStay, year_end: dt.date) -> bool:
    """The stay alone ends (real end, or 31 Dec if ongoing) later than start + 3 calendar months."""
    end = stay.end if stay.end is not None else year_end
    return end > add_months(stay.start, TEMP_LONG_STAY_MONTHS)


def kostra(doc: Document, year: int, as_of: dt.date | None = None) -> dict[str, Any]:
    """The `report kostra --year` figures: kostra-keys.md's keys in order, ints and half-up one-decimal shares.

    With `as_of` (a day in `year`, which is not over) the figures are the year so far: everything judged as of
    that day instead of 31 December (the dashboard's current year).
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if as_of is not None:
        if not first <= as_of <= last:
            raise ValueError("`as_of` must be a day of the year")
        last = as_of
    leases_by_household: dict[str, list[Lease]] = defaultdict(list)
    for lease in doc.leases:
        leases_by_household[lease.household].append(lease)
    applications = {app.ref: app for app in doc.applications}

    stock = [unit for unit in doc.units if unit.in_stock_on(last)]
    units_wheelchair = sum(unit.wheelchair_accessible for unit in stock)

    applications_new = 0
    refusals_new = 0
    for app in doc.applications:
        if app.received > last or not is_new_application(app, leases_by_household.get(app.household, ())):
            continue
        if app.received >= first:
            applications_new += 1
        # Newness is judged on the application's own received date, which may be in an earlier year.
        decision = app.decision
        if decision is not None and decision.outcome == "refused" and first <= decision.decided <= last:
            refusals_new += 1

    moved_in = dict.fromkeys(MAIN_REASONS, 0)
    for lease in doc.leases:
        if not is_newly_moved_in(lease, leases_by_household[lease.household], first, last):
            continue
        behind = applications.get(lease.application) if lease.application is not None else None
        moved_in[behind.main_reason if behind is not None else "other"] += 1

    housed = {lease.application for lease in doc.leases if lease.application is not None and lease.start <= last}
    waiting: set[str] = set()
    waiting_wheelchair: set[str] = set()
    for app in doc.applications:
        if is_waiting(app, last, housed=app.ref in housed, kinds=KOSTRA_APPLICATION_KINDS):
            waiting.add(app.household)
            if app.wheelchair_need:
                waiting_wheelchair.add(app.household)

    temp: set[str] = set()
    temp_children: set[str] = set()
    temp_natthjem: set[str] = set()
    for stay in doc.temporary_stays:
        if not stay_overlaps(stay, first, last):
            continue
        temp.add(stay.household)
        if stay.children_present and stay_longer_than_3_months(stay, last):
            temp_children.add(stay.household)
        if stay.kind == "natthjem":
            temp_natthjem.add(stay.household)

    figures: dict[str, Any] = {
        "units_total": len(stock),
        "units_owned": sum(unit.ownership == "owned" for unit in stock),
        "units_leased": sum(unit.ownership == "leased" for unit in stock),
        "units_private_allocation_right": sum(unit.ownership == "private_allocation_right" for unit in stock),
        "units_wheelchair": units_wheelchair,
        "units_wheelchair_share": share(units_wheelchair, len(stock)),
        "applications_new": applications_new,
        "refusals_new": refusals_new,
        "refusal_share": share(refusals_new, applications_new),
        "moved_in_new": sum(moved_in.values()),
        **{f"moved_in_{reason}": count for reason, count in moved_in.items()},
        "waiting_list": len(waiting),
        "waiting_list_wheelchair": len(waiting_wheelchair),
        "temp_households": len(temp),
        "temp_children_over_3_months": len(temp_children),
        "temp_natthjem": len(temp_natthjem),
    }
    assert tuple(figures) == KOSTRA_KEYS  # the contract is the key order of kostra-keys.md
    return figures
