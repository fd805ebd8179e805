"""Lean loading for the steering figures: only the fields the KOSTRA and dashboard rules read."""

from __future__ import annotations

from allocation.models import Unit
from cases.models import Application
from stord_bolig.interchange import schema
from tenancies.models import Lease, TemporaryStay


def kostra_document() -> schema.Document:
    """Units, applications with decisions, leases and temporary stays as records: flat queries, no people."""
    doc = schema.Document()
    for row in Unit.objects.values_list(
        "ref", "ownership", "wheelchair_accessible", "in_stock_from", "in_stock_until"
    ).iterator(chunk_size=10000):
        ref, ownership, wheelchair, stock_from, stock_until = row
        doc.units.append(
            schema.Unit(
                ref=ref,
                address="",
                unit_type="flat",
                ownership=ownership,
                bedrooms=0,
                area_m2=0,
                floor=0,
                lift=False,
                wheelchair_accessible=wheelchair,
                target_group="ordinary",
                fire_sprinkler=False,
                fire_alarm_connected=False,
                monthly_rent=0,
                in_stock_from=stock_from,
                in_stock_until=stock_until,
            )
        )
    fields = (
        "ref",
        "household_id",
        "kind",
        "received",
        "main_reason",
        "urgency",
        "wheelchair_need",
        "decision__outcome",
        "decision__decided",
        "decision__notified",
        "decision__lapsed",
    )
    for (
        ref,
        household,
        kind,
        received,
        reason,
        urgency,
        wheelchair,
        outcome,
        decided,
        notified,
        lapsed,
    ) in Application.objects.values_list(*fields).iterator(chunk_size=10000):
        doc.applications.append(
            schema.Application(
                ref=ref,
                household=str(household),
                kind=kind,
                received=received,
                housing_situation="",
                main_reason=reason,
                urgency=urgency,
                target_group="ordinary",
                wheelchair_need=wheelchair,
                min_bedrooms_override=None,
                preliminary_reply_sent=None,
                decision=schema.Decision(outcome, decided, notified, lapsed) if outcome else None,
                appeal=None,
                suspended_until=None,
            )
        )
    for ref, household, application, start, end, moved_in, moved_out in Lease.objects.values_list(
        "ref", "household_id", "application__ref", "start", "end", "moved_in", "moved_out"
    ).iterator(chunk_size=10000):
        doc.leases.append(
            schema.Lease(
                ref=ref,
                unit="",
                household=str(household),
                application=application,
                start=start,
                end=end,
                short_term_reason=None,
                repeat_short_term_reason=None,
                monthly_rent=0,
                deposit=0,
                guarantee=0,
                moved_in=moved_in,
                moved_out=moved_out,
                renewal_decided=None,
                move_out_demand_sent=None,
                last_circulation_review=None,
                financial_advice_referral=None,
                outcome=None,
            )
        )
    for household, kind, start, end, children in TemporaryStay.objects.values_list(
        "household_id", "kind", "start", "end", "children_present"
    ):
        doc.temporary_stays.append(schema.TemporaryStay(str(household), kind, start, end, children))
    return doc
