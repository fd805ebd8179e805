"""Pure allocation rules: who waits for a free unit, who is eligible for it, in what order, and why.

No ORM here. The building blocks take plain values (or interchange records) so that the Django
services and the `shortlist` command on a `stord_bolig.interchange.schema.Document` share one rule set.
Every date question is answered *as of* the given day: records dated later do not count yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from operator import itemgetter
from typing import Any

from cases.rules import MemberAge, add_months, bedroom_need
from stord_bolig.interchange.schema import Application, BedroomOverride, Decision, Document, Household, Offer, Person

# Kinds of application that wait for a unit (renewals keep their unit, housing assistance is not a home).
WAITING_KINDS: tuple[str, ...] = ("municipal_housing", "swap")

# DOMAIN.md "Offers": the answer is due by the end of the 7th day after the offer date.
OFFER_RESPONSE_DAYS = 7

BAND_ORDER = {"A": 0, "B": 1, "C": 2}

# Exclusion codes in the order they are listed for one application.
SUSPENDED = "suspended"
OPEN_OFFER = "open_offer"
TOO_FEW_BEDROOMS = "too_few_bedrooms"
TOO_MANY_BEDROOMS = "too_many_bedrooms"
WHEELCHAIR = "wheelchair"
TARGET_GROUP = "target_group"
EXCLUSION_CODES = (SUSPENDED, OPEN_OFFER, TOO_FEW_BEDROOMS, TOO_MANY_BEDROOMS, WHEELCHAIR, TARGET_GROUP)


def offer_deadline(offered: dt.date) -> dt.date:
    """Last day (inclusive) on which an offer made on `offered` can be answered."""
    return offered + dt.timedelta(days=OFFER_RESPONSE_DAYS)


def offer_open_on(offer: Offer, on: dt.date) -> bool:
    """True when the offer is made by `on`, not answered by `on` and `on` is within its 7 days."""
    if not offer.offered <= on <= offer_deadline(offer.offered):
        return False
    return offer.response is None or offer.response.date > on


def decision_in_force(decision: Decision | None, on: dt.date) -> bool:
    """True when a granted decision exists as of `on` (decided ≤ on) and has not lapsed on `on`."""
    return (
        decision is not None
        and decision.outcome == "granted"
        and decision.decided <= on
        and (decision.lapsed is None or decision.lapsed > on)
    )


def is_waiting(application: Application, on: dt.date, *, housed: bool, kinds: Collection[str] = WAITING_KINDS) -> bool:
    """True when the application waits for a home on `on`; `housed` = a lease for it started by `on`."""
    return application.kind in kinds and not housed and decision_in_force(application.decision, on)


def bedroom_need_for(
    household: Household, people_by_ref: Mapping[str, Person], on: dt.date, override: BedroomOverride | None
) -> int:
    """Bedrooms the household needs on `on`: the caseworker's override if set, else DOMAIN.md's default rule."""
    if override is not None:
        return override.bedrooms
    members = [MemberAge(member.role, people_by_ref[member.person].birth_date) for member in household.members]
    return bedroom_need(members, on)


def eligibility_codes(
    *,
    on: dt.date,
    suspended_until: dt.date | None,
    has_open_offer: bool,
    need: int,
    wheelchair_need: bool,
    target_group: str,
    unit_bedrooms: int,
    unit_wheelchair_accessible: bool,
    unit_target_group: str,
) -> list[str]:
    """Every reason a waiting application is not eligible for the unit on `on`, in EXCLUSION_CODES order."""
    codes = []
    if suspended_until is not None and suspended_until >= on:
        codes.append(SUSPENDED)
    if has_open_offer:
        codes.append(OPEN_OFFER)
    if unit_bedrooms < need:
        codes.append(TOO_FEW_BEDROOMS)
    if unit_bedrooms > need + 1:
        codes.append(TOO_MANY_BEDROOMS)
    if wheelchair_need and not unit_wheelchair_accessible:
        codes.append(WHEELCHAIR)
    if target_group != unit_target_group:
        codes.append(TARGET_GROUP)
    return codes


def rank_key(*, urgency: str, decided: dt.date, received: dt.date, ref: str) -> tuple[int, dt.date, dt.date, str]:
    """Sort key for eligible applications: band A < B < C, then earlier decision, earlier receipt, case number."""
    return (BAND_ORDER[urgency], decided, received, ref)


def _bedrooms(count: int) -> str:
    return f"{count} bedroom" if count == 1 else f"{count} bedrooms"


def shortlist_reasons(
    *,
    urgency: str,
    need: int,
    need_overridden: bool,
    unit_bedrooms: int,
    wheelchair_need: bool,
    target_group: str,
    decided: dt.date,
    received: dt.date,
) -> list[str]:
    """Short English lines explaining why an eligible application is on the shortlist and where it ranks."""
    reasons = [f"band {urgency}"]
    set_by = " (set by caseworker)" if need_overridden else ""
    reasons.append(f"needs {_bedrooms(need)}{set_by}, unit has {unit_bedrooms}")
    if wheelchair_need:
        reasons.append("needs wheelchair access, unit is accessible")
    reasons.append(f"target group {target_group}")
    reasons.append(f"decided {decided}")  # str(date) is ISO 8601
    reasons.append(f"received {received}")
    return reasons


def shortlist(doc: Document, unit_ref: str, on: dt.date) -> dict[str, Any]:
    """The ranked, explained shortlist for `unit_ref` on `on`, plus every waiting application left out and why."""
    unit = next((u for u in doc.units if u.ref == unit_ref), None)
    if unit is None:
        raise LookupError(f"no unit {unit_ref!r}")

    # One pass over each collection, so the cost is linear in the document.
    housed = {lease.application for lease in doc.leases if lease.application is not None and lease.start <= on}
    waiting = [app for app in doc.applications if is_waiting(app, on, housed=app.ref in housed)]
    # An open offer on *any* unit blocks: DOMAIN.md says "no open offer", not "no open offer for this unit".
    offered = {offer.application for offer in doc.offers if offer_open_on(offer, on)}
    households = {h.ref: h for h in doc.households}
    people = {p.ref: p for p in doc.people}
    bedrooms, accessible, group = unit.bedrooms, unit.wheelchair_accessible, unit.target_group

    eligible: list[tuple[tuple[int, dt.date, dt.date, str], Application, int]] = []
    excluded: list[dict[str, Any]] = []
    for app in waiting:
        need = bedroom_need_for(households[app.household], people, on, app.min_bedrooms_override)
        codes = eligibility_codes(
            on=on,
            suspended_until=app.suspended_until,
            has_open_offer=app.ref in offered,
            need=need,
            wheelchair_need=app.wheelchair_need,
            target_group=app.target_group,
            unit_bedrooms=bedrooms,
            unit_wheelchair_accessible=accessible,
            unit_target_group=group,
        )
        if codes:
            excluded.append({"application": app.ref, "reasons": codes})
        else:
            assert app.decision is not None  # is_waiting guarantees a decision
            key = rank_key(urgency=app.urgency, decided=app.decision.decided, received=app.received, ref=app.ref)
            eligible.append((key, app, need))

    eligible.sort(key=itemgetter(0))
    ranked = [
        {
            "application": app.ref,
            "rank": rank,
            "band": app.urgency,
            "reasons": shortlist_reasons(
                urgency=app.urgency,
                need=need,
                need_overridden=app.min_bedrooms_override is not None,
                unit_bedrooms=bedrooms,
                wheelchair_need=app.wheelchair_need,
                target_group=app.target_group,
                decided=decided,
                received=received,
            ),
        }
        for rank, ((_, decided, received, _), app, need) in enumerate(eligible, start=1)
    ]
    excluded.sort(key=itemgetter("application"))
    return {"unit": unit.ref, "on": on.isoformat(), "shortlist": ranked, "excluded": excluded}


def last_twelve_months(on: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months up to and including `on`, as first and last day: 365 days (366 over a 29 February)."""
    return add_months(on, -12) + dt.timedelta(days=1), on
