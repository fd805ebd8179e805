"""Reads for tenancies: the records the reminder rules need, loaded lean (no people or households)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from allocation.models import Offer
from allocation.rules import OFFER_RESPONSE_DAYS
from cases.models import Application
from stord_bolig.interchange import schema

from .models import ArrearsFigure, Lease


def reminder_document(today: dt.date, *, lease_ref: str | None = None) -> schema.Document:
    """Applications that may still need a preliminary reply, recent offers, all leases and arrears, as records.

    The rules decide; this only leaves out records that cannot produce a reminder on `today`, so the
    sweep over a national register stays a few flat queries. With `lease_ref`, only that lease (and its
    arrears): what closing one lease's reminders needs.
    """
    doc = schema.Document()
    if lease_ref is not None:
        _lease_records(doc, Lease.objects.filter(ref=lease_ref), today)
        return doc
    candidates = (
        Application.objects.filter(kind__in=["municipal_housing", "housing_assistance"])
        .exclude(status="closed")  # a closed case is owed no reply: its reminder closes at the next sweep
        .filter(Q(decision__isnull=True) | Q(decision__decided__gt=today))
        .filter(Q(preliminary_reply_sent__isnull=True) | Q(preliminary_reply_sent__gt=today))
        .values_list(
            "ref",
            "kind",
            "received",
            "preliminary_reply_sent",
            "decision__outcome",
            "decision__decided",
            "decision__notified",
            "decision__lapsed",
        )
    )
    for ref, kind, received, reply, outcome, decided, notified, lapsed in candidates.iterator(chunk_size=5000):
        doc.applications.append(
            schema.Application(
                ref=ref,
                household="",
                kind=kind,
                received=received,
                housing_situation="",
                main_reason="",
                urgency="C",
                target_group="ordinary",
                wheelchair_need=False,
                min_bedrooms_override=None,
                preliminary_reply_sent=reply,
                decision=schema.Decision(outcome, decided, notified, lapsed) if outcome else None,
                appeal=None,
                suspended_until=None,
            )
        )
    offers = Offer.objects.filter(offered__gte=today - dt.timedelta(days=OFFER_RESPONSE_DAYS), offered__lte=today)
    for ref, offered, status, answered in offers.values_list("ref", "offered", "status", "answered"):
        response = schema.OfferResponse(status, answered, None) if status in ("accepted", "refused") else None
        doc.offers.append(schema.Offer(ref, "", "", offered, response))
    _lease_records(doc, Lease.objects.all(), today)
    return doc


def _lease_records(doc: schema.Document, leases, today: dt.date) -> None:
    """Leases and their arrears figures dated by `today`, as records."""
    refs_by_pk = {}
    rows = leases.values_list(
        "pk",
        "ref",
        "start",
        "end",
        "monthly_rent",
        "moved_in",
        "moved_out",
        "renewal_decided",
        "move_out_demand_sent",
        "last_circulation_review",
        "financial_advice_referral",
    )
    # Keywords spelled out: a dict and ** per row doubled the cost of this loop over a national register.
    for pk, ref, start, end, rent, moved_in, moved_out, renewed, demanded, reviewed, referred in rows.iterator(
        chunk_size=10000
    ):
        refs_by_pk[pk] = ref
        doc.leases.append(
            schema.Lease(
                ref=ref,
                unit="",
                household="",
                application=None,
                start=start,
                end=end,
                short_term_reason=None,
                repeat_short_term_reason=None,
                monthly_rent=rent,
                deposit=0,
                guarantee=0,
                moved_in=moved_in,
                moved_out=moved_out,
                renewal_decided=renewed,
                move_out_demand_sent=demanded,
                last_circulation_review=reviewed,
                financial_advice_referral=referred,
                outcome=None,
            )
        )
    for lease_id, as_of, amount in (
        ArrearsFigure.objects.filter(lease__in=leases, as_of__lte=today)
        .values_list("lease_id", "as_of", "amount")
        .iterator(chunk_size=10000)
    ):
        doc.arrears.append(schema.Arrears(refs_by_pk[lease_id], as_of, amount))


def housing_first_case_grant(user):
    """The Housing First team also sees the cases of households it follows with an active plan."""
    from django.db.models import Q as _Q

    from stord_bolig.roles import Role

    if not user.has_role(Role.HOUSING_FIRST):
        return None
    return _Q(household__leases__followup_plans__housing_first=True, household__leases__followup_plans__closed=None)


def lease_links(application, user) -> list[dict]:
    """The case's leases for its page, linked for those who may open a lease."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .models import Lease

    links = []
    leases = Lease.objects.filter(Q(application=application) | Q(renewal_case=application))
    for lease in leases.select_related("unit").order_by("-start")[:20]:
        values = {"ref": lease.ref, "address": lease.unit.address, "start": lease.start.strftime("%d.%m.%Y")}
        if lease.renewal_case_id == application.pk and lease.application_id != application.pk:
            # the lease this renewal case is about; once granted, its page registers the renewed lease
            from .services import renewal_pending

            values["end"] = lease.end.strftime("%d.%m.%Y") if lease.end else ""
            label = _("Lease %(ref)s to renew: %(address)s, ends %(end)s") % values
            if renewal_pending(lease):
                label = _("%(lease)s – next: register the renewed lease there") % {"lease": label}
        else:
            label = _("Lease %(ref)s: %(address)s, from %(start)s") % values
        url = reverse("tenancies:lease-detail", args=[lease.ref]) if user.has_perm("tenancies.view_lease") else None
        links.append({"label": label, "url": url})
    return links


def lease_neighbours(lease) -> tuple:
    """The same household's leases of the same home just before and just after this one (a renewal's chain)."""
    same = Lease.objects.filter(unit_id=lease.unit_id, household_id=lease.household_id).only(
        "ref", "start", "end", "outcome"
    )
    before = same.filter(start__lt=lease.start).order_by("-start").first()
    after = same.filter(start__gt=lease.start).order_by("start").first()
    return before, after


def visible_lease_ids(user, ids) -> set[int]:
    """Which of these leases the user may open (a page links only those)."""
    if not user.has_perm("tenancies.view_lease"):
        return set()
    return set(Lease.objects.visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def continued_lease(lease):
    """The renewed lease this one continues (same home and household, ended the day before it starts), or None."""
    return (
        Lease.objects.filter(
            unit_id=lease.unit_id,
            household_id=lease.household_id,
            outcome=Lease.Outcome.RENEWED,
            end=lease.start - dt.timedelta(days=1),
        )
        .only("ref", "moved_in", "moved_out")
        .first()
    )
