"""The shortlist computed inside PostgreSQL: the same rules as allocation/rules.py, for pages and services.

`rules.shortlist` over interchange records is the contract (the `shortlist` command uses it); this module
expresses the same eligibility and ranking as one annotated query so a unit page costs the same with 100
or 100 000 waiting households. tests/allocation/test_shortlist_sql.py checks that both give identical
results on the example register for every unit and many dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import namedtuple
from functools import cache, lru_cache
from operator import attrgetter

from django.contrib.postgres.aggregates import BoolOr
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
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
from .needs import bedroom_needs_refresh, stale_q
from .querysets import waiting_applications

BAND_ORDER = Case(When(urgency="A", then=0), When(urgency="B", then=1), default=2, output_field=IntegerField())


ACCEPTED_OFFER = "accepted_offer"  # not a rule of the contract: a UI guard against housing a household twice


def open_offer_q(on: dt.date) -> Q:
    """An offer open on `on` (rules.offer_open_on): made in the last 7 days and not answered by then."""
    return Q(offered__lte=on, offered__gte=on - dt.timedelta(days=rules.OFFER_RESPONSE_DAYS)) & ~Q(
        status__in=[Offer.Status.ACCEPTED, Offer.Status.REFUSED], answered__lte=on
    )


def accepted_offer_q(on: dt.date) -> Q:
    """An offer accepted by `on`."""
    return Q(status=Offer.Status.ACCEPTED, answered__lte=on)


def coming_leases(on: dt.date):
    """Leases registered for a case that start after `on`: the household has a home coming, whether through an
    accepted offer or a lease registered directly (the other half of the ACCEPTED_OFFER guard)."""
    from tenancies.models import Lease

    return Lease.objects.filter(application__isnull=False, start__gt=on)


def annotated_waiting(unit: Unit, on: dt.date, *, strict: bool = True, refresh: bool = True, offers: bool = True):
    """Waiting cases on `on` with their bedroom need and one flag per exclusion reason for this unit.

    Without `offers` the two flags read from allocation_offer (x_open_offer, x_accepted) are left out:
    the shortlist joins them from `offer_flags` once instead of asking per case.
    """
    waiting = waiting_applications(on).select_related(None).prefetch_related(None)
    if refresh:
        bedroom_needs_refresh(waiting, on)
    waiting = waiting.annotate(
        need=Coalesce(F("min_bedrooms_override"), F("bedroom_need_cache__need"), output_field=IntegerField())
    ).annotate(
        x_suspended=Q(suspended_until__isnull=False) & Q(suspended_until__gte=on),  # never NULL
        x_too_few=Q(need__gt=unit.bedrooms),
        x_too_many=Q(need__lt=unit.bedrooms - 1),
        x_wheelchair=Value(False, output_field=BooleanField())
        if unit.wheelchair_accessible
        else Q(wheelchair_need=True),
        x_target_group=~Q(target_group=unit.target_group),
    )
    if not offers:
        return waiting
    return waiting.annotate(
        x_open_offer=Exists(Offer.objects.filter(open_offer_q(on), application=OuterRef("pk"))),
        x_accepted=Exists(Offer.objects.filter(accepted_offer_q(on), application=OuterRef("pk")))
        | Exists(coming_leases(on).filter(application=OuterRef("pk")))
        if strict
        else Value(False, output_field=BooleanField()),
    )


def offer_flags(on: dt.date, *, strict: bool = True):
    """One row per case with an offer that keeps it off a shortlist on `on`: application_id and the two flags."""
    offers = Offer.objects.filter(open_offer_q(on) | accepted_offer_q(on) if strict else open_offer_q(on))
    flags = (
        offers.order_by()
        .values("application_id")
        .annotate(
            x_open_offer=BoolOr(open_offer_q(on)),
            x_accepted=BoolOr(accepted_offer_q(on)) if strict else Value(False, output_field=BooleanField()),
        )
    )
    if not strict:
        return flags
    leases = (
        coming_leases(on)
        .order_by()
        .values("application_id")
        .annotate(
            x_open_offer=Value(False, output_field=BooleanField()),
            x_accepted=Value(True, output_field=BooleanField()),
        )
    )
    return flags.union(leases, all=True)  # a case may be in both: _WINDOWED groups them again


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


# One pass over the waiting cases (each flag computed once, in the materialised base): each row's eligibility;
# the first rows of each group (ranked by the rules' order, or by case number for those left out; case numbers
# compared byte by byte as the rules compare them) and the groups' sizes. The offer flags come from one join
# against the offers that matter on the day, grouped per case, not from two lookups per waiting case.
_ELIGIBLE_SQL = "NOT (" + " OR ".join(f"coalesce(flagged.{field}, true)" for field, _code in FLAGS) + ")"
_WINDOWED = """
WITH base AS MATERIALIZED (
    SELECT flagged.*, {eligible} AS eligible
    FROM (
        SELECT waiting.*, coalesce(offers.x_open_offer, false) AS x_open_offer,
               coalesce(offers.x_accepted, false) AS x_accepted
        FROM ({waiting}) waiting LEFT JOIN (
            SELECT application_id, bool_or(x_open_offer) AS x_open_offer, bool_or(x_accepted) AS x_accepted
            FROM ({offers}) offer_rows GROUP BY application_id
        ) offers ON offers.application_id = waiting.id
    ) flagged
),
ranked AS (
    SELECT * FROM base WHERE eligible
    ORDER BY band_order, waiting_from, received, ref COLLATE "C" LIMIT %s
),
left_out AS (SELECT * FROM base WHERE NOT eligible ORDER BY ref COLLATE "C" LIMIT %s),
totals AS (
    SELECT count(*) FILTER (WHERE eligible) AS eligible_total, count(*) FILTER (WHERE NOT eligible) AS left_out_total,
           count(*) FILTER (WHERE stale) AS stale_total
    FROM base
)
SELECT ranked.*, row_number() OVER (ORDER BY band_order, waiting_from, received, ref COLLATE "C") AS position,
       totals.eligible_total AS group_total, totals.stale_total
FROM ranked, totals
UNION ALL
SELECT left_out.*, row_number() OVER (ORDER BY ref COLLATE "C") AS position,
       totals.left_out_total AS group_total, totals.stale_total
FROM left_out, totals
ORDER BY eligible DESC, position
"""
_OFFER_FLAGS = ("x_open_offer", "x_accepted")  # joined in _WINDOWED from offer_flags
_COLUMNS = [
    "id",  # to join the offer flags
    "ref",
    "urgency",
    "need",
    "min_bedrooms_override",
    "wheelchair_need",
    "target_group",
    "waiting_from",
    "received",
    *[f for f, _c in FLAGS if f not in _OFFER_FLAGS],
]


def _positioned_rows(unit: Unit, on: dt.date, limit: int | None, excluded_limit: int | None, strict: bool):
    sql, params = _shortlist_query(on, strict, unit.bedrooms, unit.wheelchair_accessible, unit.target_group)
    everything = 2**31 - 1
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit or everything, excluded_limit or everything])
        row = _row_type(tuple(column.name for column in cursor.description))
        return list(map(row._make, cursor.fetchall()))


@lru_cache(maxsize=64)
def _shortlist_query(
    on: dt.date, strict: bool, bedrooms: int, wheelchair_accessible: bool, target_group: str
) -> tuple[str, tuple]:
    """_WINDOWED with its parts compiled, and their parameters (without the two limits).

    A pure function of the day and the three things about a unit the rules read, so it is compiled once per
    process for each: compiling costs a tenth of a page's time, and every page for the same kind of unit on
    the same day asks for the same query.
    """
    profile = Unit(bedrooms=bedrooms, wheelchair_accessible=wheelchair_accessible, target_group=target_group)
    waiting = (
        annotated_waiting(profile, on, strict=strict, refresh=False, offers=False)
        .annotate(band_order=BAND_ORDER, stale=ExpressionWrapper(stale_q(on), output_field=BooleanField()))
        .order_by()
        .values_list(*_COLUMNS, "band_order", "stale")
    )
    # The waiting cases in two disjoint halves, each read through its own partial index: those not housed yet
    # (the index covers every column read here, so the bulk of the list never visits the table) and, for a
    # past day, those housed since.
    halves = waiting.filter(waiting_until__isnull=True).union(waiting.filter(waiting_until__gt=on), all=True)
    waiting_sql, waiting_params = halves.query.sql_with_params()
    offers_sql, offers_params = offer_flags(on, strict=strict).query.sql_with_params()
    # The placed parts are Django's compiled queries and constant column names; values are parameters. One
    # pass of re.sub, not str.format or chained replaces: braces in a placed part are never read as a slot.
    parts = {"eligible": _ELIGIBLE_SQL, "waiting": waiting_sql, "offers": offers_sql}
    sql = re.sub(r"\{(eligible|waiting|offers)\}", lambda slot: parts[slot[1]], _WINDOWED)
    return sql, (*waiting_params, *offers_params)


@cache
def _row_type(names: tuple[str, ...]):
    return namedtuple("ShortlistRow", names)


_flags_of = attrgetter(*[field for field, _code in FLAGS])


@cache
def _exclusion_codes(flags: tuple[bool | None, ...]) -> tuple[str, ...]:
    """The codes of a left-out row's flags, in FLAGS order (a few combinations, each worked out once)."""
    return tuple(code for flag, (_field, code) in zip(flags, FLAGS, strict=True) if flag)


def shortlist_sql(
    unit: Unit, on: dt.date, *, limit: int | None = None, excluded_limit: int | None = None, strict: bool = True
) -> dict:
    """The shortlist as rules.shortlist returns it (optionally only the first `limit` ranks), plus totals.

    `strict` also leaves out households that have accepted another home but not moved in yet. One query
    when every waiting case's cached bedroom need holds on `on`; otherwise the stale needs are recomputed
    first and the query runs again.
    """
    rows = _positioned_rows(unit, on, limit, excluded_limit, strict)
    if rows and rows[0].stale_total:
        bedroom_needs_refresh(waiting_applications(on).select_related(None).prefetch_related(None), on)
        rows = _positioned_rows(unit, on, limit, excluded_limit, strict)
    ranked_rows = [row for row in rows if row.eligible]
    excluded_rows = [row for row in rows if not row.eligible]
    shortlist = [
        {
            "application": row.ref,
            "rank": row.position,
            "band": row.urgency,
            "reasons": rules.shortlist_reasons(
                urgency=row.urgency,
                need=row.need,
                need_overridden=row.min_bedrooms_override is not None,
                unit_bedrooms=unit.bedrooms,
                wheelchair_need=row.wheelchair_need,
                target_group=row.target_group,
                decided=row.waiting_from,
                received=row.received,
            ),
            "need": row.need,
        }
        for row in ranked_rows
    ]
    excluded_out = [
        {"application": row.ref, "reasons": list(_exclusion_codes(_flags_of(row)))} for row in excluded_rows
    ]
    return {
        "unit": unit.ref,
        "on": on.isoformat(),
        "shortlist": shortlist,
        "excluded": excluded_out,
        "shortlist_total": ranked_rows[0].group_total if ranked_rows else 0,
        "excluded_total": excluded_rows[0].group_total if excluded_rows else 0,
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
    mine = waiting.filter(ref=application_ref).values_list("urgency", "waiting_from", "received").first()
    band = {"A": 0, "B": 1, "C": 2}[mine[0]]
    ahead = (
        waiting.filter(ELIGIBLE)
        .annotate(band_order=BAND_ORDER)
        .filter(
            Q(band_order__lt=band)
            | Q(band_order=band, waiting_from__lt=mine[1])
            | Q(band_order=band, waiting_from=mine[1], received__lt=mine[2])
            | Q(band_order=band, waiting_from=mine[1], received=mine[2], ref__lt=application_ref)
        )
    )
    return ahead.count() + 1, []
