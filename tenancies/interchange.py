"""Leases, arrears figures and temporary stays in the `stord-bolig/1` document."""

from __future__ import annotations

from django.utils import timezone

from allocation.models import Unit
from cases.models import Application, Household
from stord_bolig.interchange import schema
from stord_bolig.interchange.registry import ImportResult, preloaded, upsert

from .models import ArrearsFigure, Lease, TemporaryStay

LEASE_FIELDS = (
    "start",
    "end",
    "short_term_reason",
    "repeat_short_term_reason",
    "monthly_rent",
    "deposit",
    "guarantee",
    "moved_in",
    "moved_out",
    "renewal_decided",
    "move_out_demand_sent",
    "last_circulation_review",
    "financial_advice_referral",
    "outcome",
)


def import_section(doc: schema.Document, result: ImportResult) -> None:
    units = dict(Unit.objects.filter(ref__in={lease.unit for lease in doc.leases}).values_list("ref", "pk"))
    household_refs = {lease.household for lease in doc.leases} | {stay.household for stay in doc.temporary_stays}
    households = dict(Household.objects.filter(ref__in=household_refs).values_list("ref", "pk"))
    application_refs = {lease.application for lease in doc.leases if lease.application}
    applications = dict(Application.objects.filter(ref__in=application_refs).values_list("ref", "pk"))
    leases = {}
    known_leases = preloaded(Lease, ("ref",), [(lease.ref,) for lease in doc.leases])
    for lease in doc.leases:
        values = {name: getattr(lease, name) for name in LEASE_FIELDS}
        values["unit_id"] = units[lease.unit]
        values["household_id"] = households[lease.household]
        values["application_id"] = applications[lease.application] if lease.application else None
        leases[lease.ref] = upsert(Lease, {"ref": lease.ref}, values, result, "leases", known=known_leases)
    arrears = [(leases.get(figure.lease) or Lease.objects.get(ref=figure.lease), figure) for figure in doc.arrears]
    known_arrears = preloaded(ArrearsFigure, ("lease", "as_of"), [(lease.pk, f.as_of) for lease, f in arrears])
    for lease, figure in arrears:
        upsert(
            ArrearsFigure,
            {"lease": lease, "as_of": figure.as_of},
            {"amount": figure.amount},
            result,
            "arrears",
            known=known_arrears,
        )
    stays = [(households[stay.household], stay) for stay in doc.temporary_stays]
    known_stays = preloaded(
        TemporaryStay, ("household", "kind", "start"), [(pk, stay.kind, stay.start) for pk, stay in stays]
    )
    for household_id, stay in stays:
        upsert(
            TemporaryStay,
            {"household_id": household_id, "kind": stay.kind, "start": stay.start},
            {"end": stay.end, "children_present": stay.children_present},
            result,
            "temporary_stays",
            known=known_stays,
        )
    unit_statuses_refresh([unit.ref for unit in doc.units], timezone.localdate())


def unit_statuses_refresh(unit_refs, today) -> None:
    """Set imported units to let / offered / free from their leases and open offers today (maintenance kept)."""
    from allocation.models import Offer, Unit

    units = Unit.objects.filter(ref__in=unit_refs).exclude(status=Unit.Status.MAINTENANCE)
    # let: a lease runs today, or the latest lease started has no move-out by today (a tenant staying on after
    # the end is still there, as allocation.querysets.occupying_lease_ref says)
    let = set(Lease.objects.filter(unit__in=units).active_on(today).values_list("unit_id", flat=True))
    latest = (
        Lease.objects.filter(unit__in=units, start__lte=today)
        .order_by("unit_id", "-start")
        .distinct("unit_id")
        .values_list("unit_id", "moved_out")
    )
    let |= {unit_id for unit_id, moved_out in latest if moved_out is None or moved_out > today}
    offered = set(Offer.objects.open().filter(unit__in=units).values_list("unit_id", flat=True))
    for unit in units.only("pk", "status"):
        status = Unit.Status.LET if unit.pk in let else Unit.Status.OFFERED if unit.pk in offered else Unit.Status.FREE
        if unit.status != status:
            Unit.objects.filter(pk=unit.pk).update(status=status)


def export_section(doc: schema.Document) -> None:
    kept = {"household__anonymised_on__isnull": True}  # anonymised households stay out (see cases.interchange)
    for lease in Lease.objects.filter(**kept).select_related("unit", "household", "application").order_by("ref"):
        doc.leases.append(
            schema.Lease(
                ref=lease.ref,
                unit=lease.unit.ref,
                household=lease.household.ref,
                application=lease.application.ref if lease.application else None,
                **{name: getattr(lease, name) for name in LEASE_FIELDS},
            )
        )
    figures = ArrearsFigure.objects.filter(lease__household__anonymised_on__isnull=True)
    for figure in figures.select_related("lease").order_by("lease__ref", "as_of"):
        doc.arrears.append(schema.Arrears(lease=figure.lease.ref, as_of=figure.as_of, amount=figure.amount))
    for stay in (
        TemporaryStay.objects.filter(**kept).select_related("household").order_by("household__ref", "start", "id")
    ):
        doc.temporary_stays.append(
            schema.TemporaryStay(
                household=stay.household.ref,
                kind=stay.kind,
                start=stay.start,
                end=stay.end,
                children_present=stay.children_present,
            )
        )
