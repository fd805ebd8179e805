"""The shortlist computed inside PostgreSQL: the same rules as allocation/rules.py, for pages and services.

`rules.shortlist` over interchange records is the contract (the `shortlist` command uses it); this module
expresses the same eligibility and ranking as one annotated query so a unit page costs the same with 100
or 100 000 waiting households. tests/allocation/test_shortlist_sql.py checks that both give identical
results on the example register for every unit and many dates.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from . import rules
from .models import Offer, Unit
from .needs import bedroom_needs_refresh
from .querysets import waiting_applications

BAND_ORDER = Case(When(urgency="A", then=0), When(urgency="B", then=1), default=2, output_field=IntegerField())


ACCEPTED_OFFER = "accepted_offer"  # not a rule of the contract: a UI guard against housing a household twice


def annotated_waiting(unit: Unit, on: dt.date, *, strict: bool = True):
    """Waiting cases on `on` with their bedroom need and one flag per exclusion reason for this unit."""
    waiting = waiting_applications(on).select_related(None).prefetch_related(None)
    bedroom_needs_refresh(waiting, on)
    open_offer = Offer.objects.filter(
        application=OuterRef("pk"), offered__lte=on, offered__gte=on - dt.timedelta(days=rules.OFFER_RESPONSE_DAYS)
    ).exclude(status__in=[Offer.Status.ACCEPTED, Offer.Status.REFUSED], answered__lte=on)
    return waiting.annotate(
        need=Coalesce(F("min_bedrooms_override"), F("bedroom_need_cache__need"), output_field=IntegerField())
    ).annotate(
        x_suspended=Q(suspended_until__isnull=False) & Q(suspended_until__gte=on),  # never NULL
        x_open_offer=Exists(open_offer),
        x_too_few=Q(need__gt=unit.bedrooms),
        x_too_many=Q(need__lt=unit.bedrooms - 1),
        x_wheelchair=Value(False, output_field=BooleanField())
        if unit.wheelchair_accessible
        else Q(wheelchair_need=True),
        x_target_group=~Q(target_group=unit.target_group),
        x_accepted=Exists(
            Offer.objects.filter(application=OuterRef("pk"), status=Offer.Status.ACCEPTED, answered__lte=on)
        )
        if strict
        else Value(False, output_field=BooleanField()),
    )


ELIGIBLE = Q(
    x_suspended=False,
    x_open_offer=False,
    x_too_few=False,
    x_too_many=False,
    x_wheelchair=False,
    x_target_group=False,
    x_accepted=False,
)

FLAGS = [
    ("x_suspended", rules.SUSPENDED),
    ("x_open_offer", rules.OPEN_OFFER),
    ("x_too_few", rules.TOO_FEW_BEDROOMS),
    ("x_too_many", rules.TOO_MANY_BEDROOMS),
    ("x_wheelchair", rules.WHEELCHAIR),
    ("x_target_group", rules.TARGET_GROUP),
    ("x_accepted", ACCEPTED_OFFER),
]


def shortlist_sql(
    unit: Unit, on: dt.date, *, limit: int | None = None, excluded_limit: int | None = None, strict: bool = True
) -> dict:
    """The shortlist as rules.shortlist returns it (optionally only the first `limit` ranks), plus totals.

    `strict` also leaves out households that have accepted another home but not moved in yet.
    """
    waiting = annotated_waiting(unit, on, strict=strict)
    eligible_q = ELIGIBLE
    eligible = waiting.filter(eligible_q).order_by(BAND_ORDER, "decision__decided", "received", "ref")
    excluded = waiting.exclude(eligible_q).order_by("ref")
    ranked_rows = list(
        (eligible[:limit] if limit else eligible).values_list(
            "ref",
            "urgency",
            "need",
            "min_bedrooms_override",
            "wheelchair_need",
            "target_group",
            "decision__decided",
            "received",
        )
    )
    excluded_rows = list(
        (excluded[:excluded_limit] if excluded_limit else excluded).values_list("ref", *[f for f, _c in FLAGS])
    )
    shortlist = [
        {
            "application": ref,
            "rank": rank,
            "band": urgency,
            "reasons": rules.shortlist_reasons(
                urgency=urgency,
                need=need,
                need_overridden=override is not None,
                unit_bedrooms=unit.bedrooms,
                wheelchair_need=wheelchair,
                target_group=target_group,
                decided=decided,
                received=received,
            ),
            "need": need,
        }
        for rank, (ref, urgency, need, override, wheelchair, target_group, decided, received) in enumerate(
            ranked_rows, start=1
        )
    ]
    excluded_out = [
        {"application": row[0], "reasons": [code for (_f, code), flag in zip(FLAGS, row[1:], strict=True) if flag]}
        for row in excluded_rows
    ]
    return {
        "unit": unit.ref,
        "on": on.isoformat(),
        "shortlist": shortlist,
        "excluded": excluded_out,
        "shortlist_total": eligible.count() if limit else len(shortlist),
        "excluded_total": excluded.count() if excluded_limit else len(excluded_out),
    }


def rank_of(unit: Unit, on: dt.date, application_ref: str, *, strict: bool = True) -> tuple[int | None, list[str]]:
    """The rank of one case on a unit's shortlist (None with the exclusion codes when it is not eligible)."""
    waiting = annotated_waiting(unit, on, strict=strict)
    row = waiting.filter(ref=application_ref).values_list("ref", *[f for f, _c in FLAGS]).first()
    if row is None:
        return None, ["not_waiting"]
    codes = [code for (_f, code), flag in zip(FLAGS, row[1:], strict=True) if flag]
    if codes:
        return None, codes
    mine = waiting.filter(ref=application_ref).values_list("urgency", "decision__decided", "received").first()
    band = {"A": 0, "B": 1, "C": 2}[mine[0]]
    ahead = (
        waiting.filter(ELIGIBLE)
        .annotate(band_order=BAND_ORDER)
        .filter(
            Q(band_order__lt=band)
            | Q(band_order=band, decision__decided__lt=mine[1])
            | Q(band_order=band, decision__decided=mine[1], received__lt=mine[2])
            | Q(band_order=band, decision__decided=mine[1], received=mine[2], ref__lt=application_ref)
        )
    )
    return ahead.count() + 1, []
