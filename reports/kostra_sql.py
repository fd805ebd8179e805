"""KOSTRA form 13 figures as SQL aggregates: the same definitions as reports/rules.py, without loading records.

`rules.kostra` over interchange records is the contract (the `report kostra` command uses it); this module
answers the same question at national scale in a few queries. tests/reports/test_kostra_sql.py checks that
both agree on the example register for every year it covers.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from . import rules

# "Active on D": started, not moved out before D, end not passed (the moved-out day still counts).
_ACTIVE = 'l.start <= {d} AND (l.moved_out IS NULL OR l.moved_out >= {d}) AND (l."end" IS NULL OR l."end" >= {d})'


def _period_of(day: str) -> str:
    """SQL for the year whose last counted day a day falls on or before: its calendar year, except that the
    period's last year may stop early (on %(last)s, the year so far) and a later day then counts as the next
    year. `day` is a constant SQL expression, never a value."""
    return (
        f"(CASE WHEN {day} > %(last)s::date THEN greatest(date_part('year', {day})::int, %(year_to)s::int + 1) "
        f"ELSE date_part('year', {day})::int END)"
    )


_TEMPLATE = """
WITH
years AS (
    SELECT y AS year, make_date(y, 1, 1) AS first, least(make_date(y, 12, 31), %(last)s::date) AS last
    FROM generate_series(%(year_from)s::int, %(year_to)s::int) AS y
),
-- homes in stock on a year's last day: each unit counts for the years from the one it entered the stock to
-- the last one whose 31 December it is still in stock; one pass over the units, grouped by those years. A last
-- year cut short (the year so far) ends on the period's last day: _period_of counts a later day as the year after.
unit_years AS (
    SELECT greatest({period_in_stock_from}, %(year_from)s::int) AS lo,
           least(coalesce({period_after_in_stock_until} - 1, %(year_to)s::int), %(year_to)s::int) AS hi,
           count(*) AS total,
           count(*) FILTER (WHERE u.ownership = 'owned') AS owned,
           count(*) FILTER (WHERE u.ownership = 'leased') AS leased,
           count(*) FILTER (WHERE u.ownership = 'private_allocation_right') AS private,
           count(*) FILTER (WHERE u.wheelchair_accessible) AS wheelchair
    FROM allocation_unit u
    WHERE u.in_stock_from <= %(last)s::date
      AND (u.in_stock_until IS NULL OR u.in_stock_until >= least(make_date(%(year_from)s::int, 12, 31), %(last)s::date))
    GROUP BY 1, 2
),
units AS (
    SELECT years.year, coalesce(sum(total), 0)::bigint AS total, coalesce(sum(owned), 0)::bigint AS owned,
           coalesce(sum(leased), 0)::bigint AS leased, coalesce(sum(private), 0)::bigint AS private,
           coalesce(sum(wheelchair), 0)::bigint AS wheelchair
    FROM years LEFT JOIN unit_years r ON years.year BETWEEN r.lo AND r.hi
    GROUP BY years.year
),
-- applications received in the period, and those received earlier but refused in it: each judged "new"
-- once (the household did not live in a municipal home on the day it was received)
candidates AS (
    SELECT a.id, a.household_id, a.received
    FROM cases_application a
    WHERE a.kind = 'municipal_housing' AND a.received BETWEEN %(first)s::date AND %(last)s::date
    UNION ALL
    SELECT a.id, a.household_id, a.received
    FROM cases_decision d JOIN cases_application a ON a.id = d.application_id
    WHERE d.outcome = 'refused' AND d.decided BETWEEN %(first)s::date AND %(last)s::date
      AND a.kind = 'municipal_housing' AND a.received < %(first)s::date
),
new_applications AS MATERIALIZED (
    SELECT c.id, c.received FROM candidates c
    WHERE NOT EXISTS (SELECT 1 FROM tenancies_lease l WHERE l.household_id = c.household_id AND {active_received})
),
apps_new AS (
    SELECT date_part('year', n.received)::int AS year, count(*) AS n
    FROM new_applications n WHERE n.received >= %(first)s::date
    GROUP BY 1
),
-- refusals: such applications (received by the year's end) refused in the year
refusals AS (
    SELECT date_part('year', d.decided)::int AS year, count(*) AS n
    FROM new_applications n JOIN cases_decision d ON d.application_id = n.id
    WHERE d.outcome = 'refused' AND d.decided BETWEEN %(first)s::date AND %(last)s::date
      AND n.received <= make_date(date_part('year', d.decided)::int, 12, 31)
    GROUP BY 1
),
moved_in AS (
    SELECT date_part('year', m.moved_in)::int AS year, coalesce(a.main_reason, 'other') AS reason, count(*) AS n
    FROM tenancies_lease m LEFT JOIN cases_application a ON a.id = m.application_id
    WHERE m.moved_in BETWEEN %(first)s::date AND %(last)s::date
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l
                      WHERE l.household_id = m.household_id AND l.id <> m.id AND {active_before_move})
    GROUP BY 1, 2
),
moved AS (SELECT year, json_object_agg(reason, n) AS reasons FROM moved_in GROUP BY year),
-- the waiting list at the year's end: granted by then, not lapsed and no lease for the case started by then
-- (the waiting columns the database keeps on each case, tenancies/waiting_sql.py). A case waits at the end
-- of the years from the one it was granted in to the one before its wait ended. A household counts once a
-- year: the few households with more than one such case are counted year by year, the others by span.
waiting_spans AS MATERIALIZED (
    SELECT household_id, wheelchair_need, lo, hi FROM (
        SELECT a.household_id, a.wheelchair_need,
               greatest({period_waiting_from}, %(year_from)s::int) AS lo,
               least(coalesce({period_waiting_until} - 1, %(year_to)s::int), %(year_to)s::int) AS hi
        FROM cases_application a
        WHERE a.kind = 'municipal_housing' AND a.waiting_from <= %(last)s::date
          AND (a.waiting_until IS NULL
               OR a.waiting_until > least(make_date(%(year_from)s::int, 12, 31), %(last)s::date))
    ) AS spans
    WHERE lo <= hi
),
waiting_several AS (SELECT household_id FROM waiting_spans GROUP BY household_id HAVING count(*) > 1),
waiting_ranges AS (
    SELECT lo, hi, count(*) AS n, count(*) FILTER (WHERE wheelchair_need) AS wheelchair
    FROM waiting_spans WHERE household_id NOT IN (SELECT household_id FROM waiting_several)
    GROUP BY lo, hi
    UNION ALL
    SELECT y, y, 1, bool_or(w.wheelchair_need)::int
    FROM waiting_spans w JOIN waiting_several USING (household_id) CROSS JOIN generate_series(w.lo, w.hi) AS y
    GROUP BY w.household_id, y
),
waiting AS (
    SELECT years.year, sum(r.n)::bigint AS n, sum(r.wheelchair)::bigint AS wheelchair
    FROM years JOIN waiting_ranges r ON years.year BETWEEN r.lo AND r.hi
    GROUP BY years.year
),
stays AS (
    SELECT year, count(*) AS n, count(*) FILTER (WHERE long_kids) AS long_kids,
           count(*) FILTER (WHERE natthjem) AS natthjem
    FROM (
        SELECT years.year, s.household_id,
               bool_or(s.children_present AND coalesce(s."end", years.last) > (s.start + interval '3 months')::date)
                   AS long_kids,
               bool_or(s.kind = 'natthjem') AS natthjem
        FROM years JOIN tenancies_temporarystay s
          ON s.start <= years.last AND (s."end" IS NULL OR s."end" >= years.first)
        GROUP BY years.year, s.household_id
    ) AS households
    GROUP BY year
)
SELECT years.year, units.total, units.owned, units.leased, units.private, units.wheelchair,
       coalesce(apps_new.n, 0), coalesce(refusals.n, 0), coalesce(moved.reasons, '{{}}'),
       coalesce(waiting.n, 0), coalesce(waiting.wheelchair, 0),
       coalesce(stays.n, 0), coalesce(stays.long_kids, 0), coalesce(stays.natthjem, 0)
FROM years
JOIN units USING (year)
LEFT JOIN apps_new USING (year)
LEFT JOIN refusals USING (year)
LEFT JOIN moved USING (year)
LEFT JOIN waiting USING (year)
LEFT JOIN stays USING (year)
ORDER BY years.year
"""
# The formatted parts are constant SQL fragments; every value goes to the database as a parameter.
SQL = _TEMPLATE.format(
    active_received=_ACTIVE.format(d="c.received"),
    active_before_move=_ACTIVE.format(d="(m.moved_in - 1)"),
    period_in_stock_from=_period_of("u.in_stock_from"),
    period_after_in_stock_until=_period_of("(u.in_stock_until + 1)"),
    period_waiting_from=_period_of("a.waiting_from"),
    period_waiting_until=_period_of("a.waiting_until"),
)  # noqa: S608


def _period(year_from: int, year_to: int, until: dt.date | None = None) -> dict:
    # The period's bounds go in as values (not computed in the query) so the planner can estimate the rows.
    last = dt.date(year_to, 12, 31)
    if until is not None:
        if not dt.date(year_to, 1, 1) <= until <= last:
            raise ValueError("`until` cuts the last year of the period short: it must fall in that year")
        last = until
    return {
        "year_from": year_from,
        "year_to": year_to,
        "first": dt.date(year_from, 1, 1),
        "last": last,
    }


def kostra_sql(year: int) -> dict:
    """The `report kostra` figures for `year`, computed by PostgreSQL; identical to rules.kostra."""
    return kostra_sql_years(year, year)[year]


def kostra_sql_years(year_from: int, year_to: int, until: dt.date | None = None) -> dict[int, dict]:
    """The figures for every year from `year_from` to `year_to`, in one query (the dashboard's trends).

    With `until` (a day in `year_to`, a year not yet over) the last year is the year so far: its figures are
    those of rules.kostra(..., as_of=until).
    """
    with connection.cursor() as cursor:
        cursor.execute(SQL, _period(year_from, year_to, until))
        rows = cursor.fetchall()
    return {row[0]: _figures(*row[1:]) for row in rows}


def _figures(
    total,
    owned,
    leased,
    private,
    wheelchair,
    apps_new,
    refusals_new,
    moved,
    waiting,
    waiting_wheelchair,
    temp,
    temp_kids,
    natthjem,
) -> dict:
    moved = moved if isinstance(moved, dict) else {}
    moved_in = {reason: int(moved.get(reason, 0)) for reason in rules.MAIN_REASONS}
    figures = {
        "units_total": total,
        "units_owned": owned,
        "units_leased": leased,
        "units_private_allocation_right": private,
        "units_wheelchair": wheelchair,
        "units_wheelchair_share": rules.share(wheelchair, total),
        "applications_new": apps_new,
        "refusals_new": refusals_new,
        "refusal_share": rules.share(refusals_new, apps_new),
        "moved_in_new": sum(moved_in.values()),
        **{f"moved_in_{reason}": count for reason, count in moved_in.items()},
        "waiting_list": waiting,
        "waiting_list_wheelchair": waiting_wheelchair,
        "temp_households": temp,
        "temp_children_over_3_months": temp_kids,
        "temp_natthjem": natthjem,
    }
    assert tuple(figures) == rules.KOSTRA_KEYS
    return figures


# Building blocks for STOCK_SQL; {spans} is one of its CTE names, never a value.
# Per year, the days of the spans [s, e] of {spans} that fall in it.
_DAYS = """
    SELECT years.year,
           sum(CASE WHEN g.dy = years.year THEN g.sign * g.doy
                    WHEN g.dy > years.year THEN g.sign * g.n * (years.last - years.first + 1)
                    ELSE 0 END)::bigint AS days
    FROM years CROSS JOIN (
        SELECT date_part('year', d)::int AS dy, sign, count(*) AS n,
               sum(date_part('doy', d)::int) AS doy
        FROM (SELECT e AS d, 1 AS sign FROM {spans} UNION ALL SELECT s - 1, -1 FROM {spans}) AS edges
        GROUP BY 1, 2
    ) AS g
    GROUP BY years.year"""
# Per year, how many spans of {spans} cover the year's last day (each counts for the years from the one it
# starts in to the last one whose 31 December it reaches).
_AT_END = """
    SELECT years.year, sum(r.n)::bigint AS n
    FROM years JOIN (
        SELECT greatest({period_s}, %(year_from)s::int) AS lo,
               least({period_after_e} - 1, %(year_to)s::int) AS hi, count(*) AS n
        FROM {spans} GROUP BY 1, 2
    ) AS r ON years.year BETWEEN r.lo AND r.hi
    GROUP BY years.year"""


# date_part (double precision) rather than extract (numeric, much slower over 100 000 rows).
# Days are counted without expanding units × years: the days of a span [s, e] that fall in year Y are
# G(e, Y) − G(s − 1, Y), where G(d, Y) counts Y's days up to d; summed over many spans, G only needs each
# year's count of end dates and the sum of their days-of-year (_DAYS above).
STOCK_SQL = """
WITH years AS (
    SELECT y AS year, make_date(y, 1, 1) AS first, least(make_date(y, 12, 31), %(last)s::date) AS last
    FROM generate_series(%(year_from)s::int, %(year_to)s::int) AS y
),
-- each unit's days in stock [s, e], up to the period's last day (no days counted that have not come yet)
unit_spans AS (
    SELECT u.id, u.in_stock_from AS s, least(coalesce(u.in_stock_until, DATE '9999-12-31'), %(last)s::date) AS e
    FROM allocation_unit u
    WHERE u.in_stock_from <= %(last)s::date AND coalesce(u.in_stock_until, %(last)s::date) >= %(first)s::date
      AND coalesce(u.in_stock_until, u.in_stock_from) >= u.in_stock_from
),
-- the days of those covered by a lease: moved out, or else the lease's end, or else still running
let_spans AS (
    SELECT l.unit_id, greatest(l.start, u.s) AS s, least(coalesce(l.moved_out, l."end", DATE '9999-12-31'), u.e) AS e
    FROM tenancies_lease l JOIN unit_spans u ON u.id = l.unit_id
    WHERE l.start <= least(u.e, %(last)s::date)
      AND coalesce(l.moved_out, l."end", %(last)s::date) >= greatest(u.s, %(first)s::date)
      AND coalesce(l.moved_out, l."end", l.start) >= l.start
),
stock_days AS ({days_unit}),
let_days AS ({days_let}),
-- homes in stock, and homes let, on the year's last day
stock_at_end AS ({at_end_unit}),
let_at_end_leases AS ({at_end_let}),
-- A home let twice on a 31 December counts once. The database allows two leases of a home to share a day
-- only when one of them moves out that day (lease_no_overlap_per_unit), so every such home and year has a
-- lease whose span ends on that 31 December: from those, count the leases covering the day, per home.
shared_year_ends AS (
    SELECT date_part('year', shared.e)::int AS year, sum(shared.n - 1)::bigint AS extra
    FROM (
        SELECT ending.unit_id, ending.e, count(*) AS n
        FROM (SELECT DISTINCT unit_id, e FROM let_spans
              WHERE (e = make_date(date_part('year', e)::int, 12, 31) OR e = %(last)s::date)
                AND e BETWEEN %(first)s::date AND %(last)s::date)
             AS ending
        JOIN let_spans l ON l.unit_id = ending.unit_id AND l.s <= ending.e AND l.e >= ending.e
        GROUP BY 1, 2
        HAVING count(*) > 1
    ) AS shared
    GROUP BY 1
),
let_at_end AS (
    SELECT l.year, l.n - coalesce(x.extra, 0) AS n FROM let_at_end_leases l LEFT JOIN shared_year_ends x USING (year)
)
SELECT years.year, coalesce(sd.days, 0), coalesce(ld.days, 0), coalesce(se.n, 0), coalesce(le.n, 0)
FROM years
LEFT JOIN stock_days sd USING (year)
LEFT JOIN let_days ld USING (year)
LEFT JOIN stock_at_end se USING (year)
LEFT JOIN let_at_end le USING (year)
ORDER BY years.year
"""
STOCK_SQL = STOCK_SQL.format(
    days_unit=_DAYS.format(spans="unit_spans"),
    days_let=_DAYS.format(spans="let_spans"),
    at_end_unit=_AT_END.format(spans="unit_spans", period_s=_period_of("s"), period_after_e=_period_of("(e + 1)")),
    at_end_let=_AT_END.format(spans="let_spans", period_s=_period_of("s"), period_after_e=_period_of("(e + 1)")),
)  # noqa: S608


def stock_use_years(year_from: int, year_to: int, until: dt.date | None = None) -> dict[int, dict]:
    """Per year: stock days, vacant days (stock days not covered by a lease) and the share let at year end.

    With `until` (a day in `year_to`) the last year counts its days up to `until` and its share let on `until`.
    """
    with connection.cursor() as cursor:
        cursor.execute(STOCK_SQL, _period(year_from, year_to, until))
        rows = cursor.fetchall()
    return {
        year: {
            "stock_days": int(stock_days),
            "vacant_days": max(int(stock_days) - int(let_days), 0),
            "utilisation_share": rules.share(int(let_end), int(stock_end)),
        }
        for year, stock_days, let_days, stock_end, let_end in rows
    }


def stock_use(year: int) -> dict:
    return stock_use_years(year, year)[year]
