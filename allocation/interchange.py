"""Units and offers in the `stord-bolig/1` document."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.models import Application
from stord_bolig.interchange import schema
from stord_bolig.interchange.registry import ImportResult, preloaded, upsert

from .models import Offer, Unit

UNIT_FIELDS = (
    "address",
    "matrikkel",
    "unit_type",
    "ownership",
    "bedrooms",
    "area_m2",
    "floor",
    "lift",
    "wheelchair_accessible",
    "target_group",
    "fire_sprinkler",
    "fire_alarm_connected",
    "monthly_rent",
    "in_stock_from",
    "in_stock_until",
)


def _offer_status(offer: schema.Offer, today) -> str:
    if offer.response is None:
        # Unanswered after its last day is expired (recorded like a refusal without reason).
        return Offer.Status.OPEN if offer.offered + dt.timedelta(days=7) >= today else Offer.Status.EXPIRED
    return Offer.Status.ACCEPTED if offer.response.answer == "accepted" else Offer.Status.REFUSED


def import_section(doc: schema.Document, result: ImportResult) -> None:
    units = {}
    known_units = preloaded(Unit, ("ref",), [(unit.ref,) for unit in doc.units])
    for unit in doc.units:
        units[unit.ref] = upsert(
            Unit,
            {"ref": unit.ref},
            {name: getattr(unit, name) for name in UNIT_FIELDS},
            result,
            "units",
            known=known_units,
        )
    today = timezone.localdate()
    applications = dict(
        Application.objects.filter(ref__in={o.application for o in doc.offers}).values_list("ref", "pk")
    )
    known_offers = preloaded(Offer, ("ref",), [(offer.ref,) for offer in doc.offers])
    for offer in doc.offers:
        status = _offer_status(offer, today)
        upsert(
            Offer,
            {"ref": offer.ref},
            {
                "application_id": applications[offer.application],
                "unit": units.get(offer.unit) or Unit.objects.get(ref=offer.unit),
                "offered": offer.offered,
                "status": status,
                "answered": offer.response.date if offer.response else None,
                "reason": offer.response.reason if offer.response else None,
            },
            result,
            "offers",
            known=known_offers,
        )


def export_section(doc: schema.Document) -> None:
    for unit in Unit.objects.order_by("ref"):
        doc.units.append(schema.Unit(ref=unit.ref, **{name: getattr(unit, name) for name in UNIT_FIELDS}))
    offers = Offer.objects.filter(application__household__anonymised_on__isnull=True)  # see cases.interchange
    for offer in offers.select_related("application", "unit").order_by("ref"):
        response = None
        if offer.status in (Offer.Status.ACCEPTED, Offer.Status.REFUSED):
            response = schema.OfferResponse(answer=offer.status, date=offer.answered, reason=offer.reason)
        doc.offers.append(
            schema.Offer(
                ref=offer.ref,
                application=offer.application.ref,
                unit=offer.unit.ref,
                offered=offer.offered,
                response=response,
            )
        )
