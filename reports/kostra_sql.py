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

_TEMPLATE = """
WITH
units AS (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE ownership = 'owned') AS owned,
           count(*) FILTER (WHERE ownership = 'leased') AS leased,
           count(*) FILTER (WHERE ownership = 'private_allocation_right') AS private,
           count(*) FILTER (WHERE wheelchair_accessible) AS wheelchair
    FROM allocation_unit
    WHERE in_stock_from <= %(last)s AND (in_stock_until IS NULL OR in_stock_until >= %(last)s)
),
new_apps AS (
    SELECT a.id, a.received, d.outcome, d.decided
    FROM cases_application a LEFT JOIN cases_decision d ON d.application_id = a.id
    WHERE a.kind = 'municipal_housing' AND a.received <= %(last)s
      -- only what can count this year: received in it, or refused in it
      AND (a.received >= %(first)s OR (d.outcome = 'refused' AND d.decided BETWEEN %(first)s AND %(last)s))
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l WHERE l.household_id = a.household_id AND {active_received})
),
moved_in AS (
    SELECT coalesce(a.main_reason, 'other') AS reason, count(*) AS n
    FROM tenancies_lease m LEFT JOIN cases_application a ON a.id = m.application_id
    WHERE m.moved_in BETWEEN %(first)s AND %(last)s
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l
                      WHERE l.household_id = m.household_id AND l.id <> m.id AND {active_before_move})
    GROUP BY 1
),
waiting AS (
    SELECT a.household_id, bool_or(a.wheelchair_need) AS wheelchair
    FROM cases_application a JOIN cases_decision d ON d.application_id = a.id
    WHERE a.kind = 'municipal_housing' AND d.outcome = 'granted' AND d.decided <= %(last)s
      AND (d.lapsed IS NULL OR d.lapsed > %(last)s)
      AND NOT EXISTS (SELECT 1 FROM tenancies_lease l WHERE l.application_id = a.id AND l.start <= %(last)s)
    GROUP BY a.household_id
),
stays AS (
    SELECT household_id,
           bool_or(children_present AND coalesce("end", %(last)s) > (start + interval '3 months')::date) AS long_kids,
           bool_or(kind = 'natthjem') AS natthjem
    FROM tenancies_temporarystay
    WHERE start <= %(last)s AND ("end" IS NULL OR "end" >= %(first)s)
    GROUP BY household_id
)
SELECT
    (SELECT total FROM units), (SELECT owned FROM units), (SELECT leased FROM units), (SELECT private FROM units),
    (SELECT wheelchair FROM units),
    (SELECT count(*) FROM new_apps WHERE received >= %(first)s),
    (SELECT count(*) FROM new_apps WHERE outcome = 'refused' AND decided BETWEEN %(first)s AND %(last)s),
    (SELECT coalesce(json_object_agg(reason, n), '{{}}') FROM moved_in),
    (SELECT count(*) FROM waiting), (SELECT count(*) FROM waiting WHERE wheelchair),
    (SELECT count(*) FROM stays), (SELECT count(*) FROM stays WHERE long_kids),
    (SELECT count(*) FROM stays WHERE natthjem)
"""
# The formatted parts are constant SQL fragments; every value goes to the database as a parameter.
SQL = _TEMPLATE.format(
    active_received=_ACTIVE.format(d="a.received"), active_before_move=_ACTIVE.format(d="(m.moved_in - 1)")
)  # noqa: E501, S608


def kostra_sql(year: int) -> dict:
    """The `report kostra` figures for `year`, computed by PostgreSQL; identical to rules.kostra."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"first": first, "last": last})
        (
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
        ) = cursor.fetchone()
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
stock AS (
    SELECT years.year, u.id, greatest(u.in_stock_from, years.first) AS s,
           least(coalesce(u.in_stock_until, years.last), years.last) AS e, years.last
    FROM allocation_unit u JOIN years
      ON u.in_stock_from <= years.last AND (u.in_stock_until IS NULL OR u.in_stock_until >= years.first)
),
occupied AS (
    SELECT st.year, l.unit_id, greatest(l.start, st.s) AS s, least(coalesce(l.moved_out, l."end", st.e), st.e) AS e,
           st.last
    FROM tenancies_lease l JOIN stock st ON st.id = l.unit_id
    WHERE l.start <= st.e AND coalesce(l.moved_out, l."end", st.e) >= st.s
)
SELECT years.year, coalesce(st.days, 0), coalesce(oc.days, 0), coalesce(st.at_end, 0), coalesce(oc.at_end, 0)
FROM years
LEFT JOIN (SELECT year, sum(e - s + 1) AS days, count(*) FILTER (WHERE e = last) AS at_end
           FROM stock GROUP BY year) st USING (year)
LEFT JOIN (SELECT year, sum(greatest(e - s + 1, 0)) AS days, count(DISTINCT unit_id) FILTER (WHERE e = last) AS at_end
           FROM occupied GROUP BY year) oc USING (year)
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
