"""Reads for allocation: the waiting list and a unit's shortlist, computed by the pure rules over DB records.

The rules (allocation/rules.py) work on interchange records; here we load only the records a
question needs (waiting cases, their households, open offers) so one shortlist costs a few queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import median

from django.db.models import Prefetch, Q

from cases.models import Application, HouseholdMember
from cases.rules import add_months
from stord_bolig.interchange import schema

from . import rules
from .models import Offer, Unit


def waiting_applications(on: dt.date, kinds=rules.WAITING_KINDS):
    """Granted, not lapsed, decided by `on`, no lease for the case started by `on` (one query, prefetches)."""
    # Leases belong to the layer above; the reverse relation reads them without importing it.
    return (
        Application.objects.filter(
            kind__in=kinds,
            decision__outcome="granted",
            decision__decided__lte=on,
        )
        .filter(Q(decision__lapsed__isnull=True) | Q(decision__lapsed__gt=on))
        .exclude(leases__start__lte=on)
        .select_related("decision", "household", "assigned_to")
        .prefetch_related(
            Prefetch(
                "household__members", queryset=HouseholdMember.objects.select_related("person").order_by("position")
            )
        )
    )


def _as_record(app: Application) -> tuple[schema.Application, schema.Household, list[schema.Person]]:
    decision = app.decision
    record = schema.Application(
        ref=app.ref,
        household=app.household.ref,
        kind=app.kind,
        received=app.received,
        housing_situation=app.housing_situation,
        main_reason=app.main_reason,
        urgency=app.urgency,
        target_group=app.target_group,
        wheelchair_need=app.wheelchair_need,
        min_bedrooms_override=schema.BedroomOverride(app.min_bedrooms_override, app.min_bedrooms_reason)
        if app.min_bedrooms_override is not None
        else None,
        preliminary_reply_sent=app.preliminary_reply_sent,
        decision=schema.Decision(decision.outcome, decision.decided, decision.notified, decision.lapsed),
        appeal=None,
        suspended_until=app.suspended_until,
    )
    members = list(app.household.members.all())
    household = schema.Household(ref=app.household.ref, members=[schema.Member(m.person.ref, m.role) for m in members])
    people = [
        schema.Person(
            m.person.ref, m.person.national_id, m.person.given_name, m.person.family_name, m.person.birth_date
        )
        for m in members
    ]
    return record, household, people


def _unit_record(unit: Unit) -> schema.Unit:
    from .interchange import UNIT_FIELDS

    return schema.Unit(ref=unit.ref, **{name: getattr(unit, name) for name in UNIT_FIELDS})


def _open_offer_records(on: dt.date) -> list[schema.Offer]:
    offers = Offer.objects.filter(offered__lte=on, offered__gte=on - dt.timedelta(days=rules.OFFER_RESPONSE_DAYS))
    records = []
    for ref, application_ref, unit_ref, offered, status, answered in offers.values_list(
        "ref", "application__ref", "unit__ref", "offered", "status", "answered"
    ):
        response = None
        if status in (Offer.Status.ACCEPTED, Offer.Status.REFUSED) and answered is not None:
            response = schema.OfferResponse(status, answered, None)
        records.append(schema.Offer(ref, application_ref, unit_ref, offered, response))
    return records


def waiting_document(on: dt.date, applications=None) -> schema.Document:
    """The records the shortlist rules need on `on`: waiting cases, their households and open offers."""
    doc = schema.Document()
    if applications is not None:
        for app in applications:
            record, household, people = _as_record(app)
            doc.applications.append(record)
            doc.households.append(household)
            doc.people.extend(people)
    else:
        _lean_waiting_records(on, doc)
    doc.offers = _open_offer_records(on)
    return doc


def _lean_waiting_records(on: dt.date, doc: schema.Document) -> None:
    """Waiting cases and their members as flat rows (two queries, no model objects): the shortlist's hot path."""
    waiting = waiting_applications(on).select_related(None).prefetch_related(None)
    rows = list(
        waiting.values_list(
            "ref",
            "kind",
            "received",
            "urgency",
            "target_group",
            "wheelchair_need",
            "min_bedrooms_override",
            "min_bedrooms_reason",
            "suspended_until",
            "decision__outcome",
            "decision__decided",
            "decision__notified",
            "decision__lapsed",
            "household_id",
        )
    )
    members: dict[int, list[schema.Member]] = {}
    for household_id, role, person_id, birth_date in HouseholdMember.objects.filter(
        household_id__in=waiting.values("household_id")
    ).values_list("household_id", "role", "person_id", "person__birth_date"):
        ref = f"p{person_id}"
        members.setdefault(household_id, []).append(schema.Member(ref, role))
        doc.people.append(schema.Person(ref, "", "", "", birth_date))
    for household_id, household_members in members.items():
        doc.households.append(schema.Household(ref=f"h{household_id}", members=household_members))
    for (
        ref,
        kind,
        received,
        urgency,
        target_group,
        wheelchair,
        override,
        override_reason,
        suspended,
        outcome,
        decided,
        notified,
        lapsed,
        household_id,
    ) in rows:
        doc.applications.append(
            schema.Application(
                ref=ref,
                household=f"h{household_id}",
                kind=kind,
                received=received,
                housing_situation="",
                main_reason="",
                urgency=urgency,
                target_group=target_group,
                wheelchair_need=wheelchair,
                min_bedrooms_override=schema.BedroomOverride(override, override_reason)
                if override is not None
                else None,
                preliminary_reply_sent=None,
                decision=schema.Decision(outcome, decided, notified, lapsed),
                appeal=None,
                suspended_until=suspended,
            )
        )
        if household_id not in members:
            doc.households.append(schema.Household(ref=f"h{household_id}", members=[]))
            members[household_id] = []


def shortlist_for_unit(unit: Unit, on: dt.date, applications=None) -> dict:
    """The ranked, explained shortlist for a unit, exactly as the `shortlist` command computes it."""
    doc = waiting_document(on, applications)
    doc.units = [_unit_record(unit)]
    return rules.shortlist(doc, unit.ref, on)


def bedroom_needs(applications, on: dt.date) -> dict[str, int]:
    from cases.rules import MemberAge, bedroom_need

    needs = {}
    for app in applications:
        if app.min_bedrooms_override is not None:
            needs[app.ref] = app.min_bedrooms_override
            continue
        members = [MemberAge(m.role, m.person.birth_date) for m in app.household.members.all()]
        needs[app.ref] = bedroom_need(members, on)
    return needs


def waiting_time_estimates(today: dt.date) -> dict[tuple[str, int], dict]:
    """Median days from decision to lease start per (band, bedrooms of the home) over the last 24 months."""
    since = add_months(today, -24)
    leases = Application.objects.filter(
        leases__start__gte=since, leases__start__lte=today, decision__isnull=False, kind__in=rules.WAITING_KINDS
    ).values_list("urgency", "leases__unit__bedrooms", "leases__start", "decision__decided")
    waits: dict[tuple[str, int], list[int]] = defaultdict(list)
    for band, bedrooms, start, decided in leases:
        waits[(band, min(bedrooms, 4))].append(max((start - decided).days, 0))
    return {key: {"median_days": int(median(values)), "housed": len(values)} for key, values in waits.items()}


def vacancy_days(unit: Unit, first: dt.date, last: dt.date) -> int:
    """Days in [first, last] the unit stood free while in stock, from its status history (database triggers)."""
    from django.utils import timezone

    events = list(
        Unit.pgh_event_model.objects.filter(pgh_obj_id=unit.pk)
        .order_by("pgh_created_at", "pgh_id")
        .values_list("pgh_created_at", "status")
    )
    if not events:
        return 0
    # Status per day: the last change on or before that day applies.
    changes = [(timezone.localtime(at).date(), status) for at, status in events]
    stock_from = max(first, unit.in_stock_from)
    stock_until = min(last, unit.in_stock_until or last)
    days = 0
    current = None
    index = 0
    day = min(stock_from, changes[0][0])
    while day <= stock_until:
        while index < len(changes) and changes[index][0] <= day:
            current = changes[index][1]
            index += 1
        if day >= stock_from and current == Unit.Status.FREE:
            days += 1
        day += dt.timedelta(days=1)
    return days
