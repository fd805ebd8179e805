"""KOSTRA form 13 figures as SQL aggregates: the same definitions as reports/rules.py, without loading records.

`rules.kostra` over interchange records is the contract (the `report kostra` command uses it); this module
answers the same question at national scale in a few queries. tests/reports/test_kostra_sql.py checks that
both agree on the example register for every year it covers.
"""

from __future__ import annotations

from django.db import connection

from . import rules

# "Active on D": started, not moved out before D, end not passed (the moved-out day still counts).
_ACTIVE = 'l.start <= {d} AND (l.moved_out IS NULL OR l.moved_out >= {d}) AND (l."end" IS NULL OR l."end" >= {d})'

_TEMPLATE = """
WITH
years AS (
    SELECT y AS year, make_date(y, 1, 1) AS first, make_date(y, 12, 31) AS last
    FROM generate_series(%(year_from)s::int, %(year_to)s::int) AS y
),
bounds AS (SELECT min(first) AS first, max(last) AS last FROM years),
units AS (
    SELECT years.year, count(u.id) AS total,
           count(u.id) FILTER (WHERE u.ownership = 'owned') AS owned,
           count(u.id) FILTER (WHERE u.ownership = 'leased') AS leased,
           count(u.id) FILTER (WHERE u.ownership = 'private_allocation_right') AS private,
           count(u.id) FILTER (WHERE u.wheelchair_accessible) AS wheelchair
    FROM years LEFT JOIN allocation_unit u
      ON u.in_stock_from <= years.last AND (u.in_stock_until IS NULL OR u.in_stock_until >= years.last)
    GROUP BY years.year
),
-- new applications: received in the year from a household not living in a municipal home then
apps_new AS (
    SELECT extract(year FROM a.received)::int AS year, count(*) AS n
    FROM cases_application a, bounds
    WHERE a.kind = 'municipal_housing' AND a.received BETWEEN bounds.first AND bounds.last
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l WHERE l.household_id = a.household_id AND {active_received})
    GROUP BY 1
),
-- refusals: such applications (received by the year's end) refused in the year
refusals AS (
    SELECT extract(year FROM d.decided)::int AS year, count(*) AS n
    FROM cases_decision d JOIN cases_application a ON a.id = d.application_id, bounds
    WHERE d.outcome = 'refused' AND d.decided BETWEEN bounds.first AND bounds.last
      AND a.kind = 'municipal_housing' AND a.received <= make_date(extract(year FROM d.decided)::int, 12, 31)
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l WHERE l.household_id = a.household_id AND {active_received})
    GROUP BY 1
),
moved_in AS (
    SELECT extract(year FROM m.moved_in)::int AS year,
           coalesce((SELECT a.main_reason FROM cases_application a WHERE a.id = m.application_id), 'other') AS reason,
           count(*) AS n
    FROM tenancies_lease m, bounds
    WHERE m.moved_in BETWEEN bounds.first AND bounds.last
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l
                      WHERE l.household_id = m.household_id AND l.id <> m.id AND {active_before_move})
    GROUP BY 1, 2
),
moved AS (SELECT year, json_object_agg(reason, n) AS reasons FROM moved_in GROUP BY year),
-- the waiting list at the year's end: granted by then, not lapsed and no lease for the case started by then
-- (the waiting columns the database keeps on each case, tenancies/waiting_sql.py)
waiting AS (
    SELECT year, count(*) AS n, count(*) FILTER (WHERE wheelchair) AS wheelchair
    FROM (
        SELECT years.year, a.household_id, bool_or(a.wheelchair_need) AS wheelchair
        FROM years JOIN cases_application a
          ON a.kind = 'municipal_housing' AND a.waiting_from <= years.last
         AND (a.waiting_until IS NULL OR a.waiting_until > years.last)
        GROUP BY years.year, a.household_id
    ) AS households
    GROUP BY year
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
    active_received=_ACTIVE.format(d="a.received"), active_before_move=_ACTIVE.format(d="(m.moved_in - 1)")
)  # noqa: E501, S608


def kostra_sql(year: int) -> dict:
    """The `report kostra` figures for `year`, computed by PostgreSQL; identical to rules.kostra."""
    return kostra_sql_years(year, year)[year]


def kostra_sql_years(year_from: int, year_to: int) -> dict[int, dict]:
    """The figures for every year from `year_from` to `year_to`, in one query (the dashboard's trends)."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"year_from": year_from, "year_to": year_to})
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


STOCK_SQL = """
WITH years AS (
    SELECT y AS year, make_date(y, 1, 1) AS first, make_date(y, 12, 31) AS last
    FROM generate_series(%(year_from)s::int, %(year_to)s::int) AS y
),
-- each unit's days in stock within each year it was in stock: [s, e]
stock_days AS (
    SELECT years.year, sum(b.e - b.s + 1) AS days, count(*) FILTER (WHERE b.e = years.last) AS at_end
    FROM allocation_unit u JOIN years
      ON u.in_stock_from <= years.last AND (u.in_stock_until IS NULL OR u.in_stock_until >= years.first)
    CROSS JOIN LATERAL (SELECT greatest(u.in_stock_from, years.first) AS s,
                               least(coalesce(u.in_stock_until, years.last), years.last) AS e) AS b
    GROUP BY years.year
),
-- the days of those covered by a lease (moved out, or else the lease's end, or else still running)
let_days AS (
    SELECT years.year, sum(greatest(least(coalesce(l.moved_out, l."end", b.e), b.e) - greatest(l.start, b.s) + 1, 0))
           AS days
    FROM tenancies_lease l JOIN allocation_unit u ON u.id = l.unit_id
    -- the lease touches the year (implied by the conditions below; lets the join skip the other years early)
    JOIN years ON l.start <= years.last AND coalesce(l.moved_out, l."end", years.last) >= years.first
     AND u.in_stock_from <= years.last AND (u.in_stock_until IS NULL OR u.in_stock_until >= years.first)
    CROSS JOIN LATERAL (SELECT greatest(u.in_stock_from, years.first) AS s,
                               least(coalesce(u.in_stock_until, years.last), years.last) AS e) AS b
    WHERE l.start <= b.e AND coalesce(l.moved_out, l."end", b.e) >= b.s
    GROUP BY years.year
),
-- homes let on the year's last day, among those in stock that day
let_at_end AS (
    SELECT years.year, count(DISTINCT l.unit_id) AS at_end
    FROM years JOIN tenancies_lease l
      ON l.start <= years.last AND coalesce(l.moved_out, l."end", years.last) >= years.last
    JOIN allocation_unit u
      ON u.id = l.unit_id AND u.in_stock_from <= years.last
     AND (u.in_stock_until IS NULL OR u.in_stock_until >= years.last)
    GROUP BY years.year
)
SELECT years.year, coalesce(sd.days, 0), coalesce(ld.days, 0), coalesce(sd.at_end, 0), coalesce(le.at_end, 0)
FROM years
LEFT JOIN stock_days sd USING (year)
LEFT JOIN let_days ld USING (year)
LEFT JOIN let_at_end le USING (year)
ORDER BY years.year
"""


def stock_use_years(year_from: int, year_to: int) -> dict[int, dict]:
    """Per year: stock days, vacant days (stock days not covered by a lease) and the share let at year end."""
    with connection.cursor() as cursor:
        cursor.execute(STOCK_SQL, {"year_from": year_from, "year_to": year_to})
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
