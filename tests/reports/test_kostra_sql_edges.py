"""The steering figures computed in SQL over year spans agree with counting day by day, at the edges: homes
entering and leaving the stock mid-year or on 31 December, a home let to two households on one 31 December,
households with two overlapping waiting cases, and a synthetic register compared with the rules."""

import datetime as dt

import pytest

from allocation.models import Unit
from cases.models import Application
from reports.kostra_sql import kostra_sql_years, stock_use_years
from reports.rules import kostra
from reports.world import generate_world
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.service import records_export
from tenancies.models import Lease
from tests.factories import ApplicationFactory, DecisionFactory, LeaseFactory, UnitFactory

pytestmark = pytest.mark.django_db
FAR = dt.date(9999, 12, 31)


def _stock_use_by_day(year: int, until: dt.date | None = None) -> dict:
    """The definition, counted one day at a time: days in stock, days let, and the shares at 31 December (or,
    for the year so far, up to and on `until`)."""
    first, last = dt.date(year, 1, 1), until or dt.date(year, 12, 31)
    stock_days = let_days = 0
    stock_end = let_end = 0
    leases = list(Lease.objects.all())
    for unit in Unit.objects.all():
        until = unit.in_stock_until or FAR
        mine = [lease for lease in leases if lease.unit_id == unit.pk]
        day = max(first, unit.in_stock_from)
        while day <= min(last, until):
            stock_days += 1
            covering = [lease for lease in mine if lease.start <= day <= (lease.moved_out or lease.end or FAR)]
            let_days += len(covering)
            if day == last:
                stock_end += 1
                let_end += bool(covering)
            day += dt.timedelta(days=1)
    return {"stock_days": stock_days, "vacant_days": max(stock_days - let_days, 0), "ends": (stock_end, let_end)}


def test_stock_use__equals_counting_day_by_day_at_the_edges():
    # in stock from mid-2023, out on 31 December 2024 (still in stock that day)
    a = UnitFactory(in_stock_from=dt.date(2023, 6, 15), in_stock_until=dt.date(2024, 12, 31))
    # out on 30 December 2025 (not in stock at the year's end)
    b = UnitFactory(in_stock_from=dt.date(2020, 1, 1), in_stock_until=dt.date(2025, 12, 30))
    # open-ended, entered on 31 December 2024
    c = UnitFactory(in_stock_from=dt.date(2024, 12, 31))
    d = UnitFactory(in_stock_from=dt.date(2019, 3, 1))
    # a lease running past the unit's time in stock, and one ended by moving out early
    LeaseFactory(unit=a, start=dt.date(2023, 1, 1), end=dt.date(2026, 12, 31))
    LeaseFactory(unit=b, start=dt.date(2021, 5, 1), end=dt.date(2024, 4, 30), moved_out=dt.date(2023, 8, 31))
    # one household moves out on 31 December, the next moves in the same day: let once that day
    LeaseFactory(unit=d, start=dt.date(2022, 2, 1), end=dt.date(2027, 1, 31), moved_out=dt.date(2024, 12, 31))
    LeaseFactory(unit=d, start=dt.date(2024, 12, 31), end=dt.date(2029, 12, 30))
    LeaseFactory(unit=c, start=dt.date(2025, 2, 1), end=None)

    together = stock_use_years(2022, 2026)
    for year in range(2022, 2027):
        expected = _stock_use_by_day(year)
        stock_end, let_end = expected.pop("ends")
        got = together[year]
        assert {"stock_days": got["stock_days"], "vacant_days": got["vacant_days"]} == expected, year
        assert got["utilisation_share"] == (round(100 * let_end / stock_end, 1) if stock_end else 0.0), year
    assert stock_use_years(2024, 2024)[2024] == together[2024]
    # of a, b, c and d in stock on 31 December 2024, a and d are let (d once, not twice: 75 %)
    assert together[2024]["utilisation_share"] == 50.0


def test_kostra_waiting_list__a_household_with_two_overlapping_cases_counts_once_a_year():
    first = ApplicationFactory(kind="municipal_housing", received=dt.date(2022, 3, 1))
    DecisionFactory(application=first, outcome="granted", decided=dt.date(2022, 4, 1))
    second = ApplicationFactory(kind="municipal_housing", household=first.household, received=dt.date(2023, 5, 1))
    DecisionFactory(application=second, outcome="granted", decided=dt.date(2023, 6, 1))
    Application.objects.filter(pk=first.pk).update(status="closed")

    figures = kostra_sql_years(2021, 2025)
    assert [figures[year]["waiting_list"] for year in range(2021, 2026)] == [0, 1, 1, 1, 1]


def _synthetic_register():
    """The tiny synthetic world, loaded, and the same register as an interchange document for the rules."""
    generate_world("tiny", log=lambda _line: None)
    # The synthetic world may give a household overlapping leases, which a document may not hold: keep the first.
    first_lease = {}
    for pk, household_id in Lease.objects.order_by("pk").values_list("pk", "household_id"):
        first_lease.setdefault(household_id, pk)
    Lease.objects.exclude(pk__in=first_lease.values()).delete()
    return parse_document(records_export())


def test_kostra_sql__equals_the_rules_on_a_synthetic_register():
    doc = _synthetic_register()
    together = kostra_sql_years(2015, 2026)
    for year in range(2015, 2027):
        assert together[year] == kostra(doc, year), year


def _edges_of_a_year_so_far():
    """Homes and cases whose state changes between 26 November 2026 (today) and the year's end."""
    sold = UnitFactory(in_stock_from=dt.date(2019, 1, 1), in_stock_until=dt.date(2026, 12, 15))  # leaves next month
    UnitFactory(in_stock_from=dt.date(2026, 12, 1))  # a new home, not here yet
    UnitFactory(in_stock_from=dt.date(2019, 1, 1), in_stock_until=dt.date(2026, 11, 26))  # its last day is today
    let = UnitFactory(in_stock_from=dt.date(2019, 1, 1))
    LeaseFactory(unit=sold, start=dt.date(2023, 1, 1), end=dt.date(2026, 12, 10))
    housed = DecisionFactory(outcome="granted", decided=dt.date(2026, 9, 1), application__kind="municipal_housing")
    # a lease signed that starts next month: the home is free today, the household still waits
    LeaseFactory(
        unit=let,
        application=housed.application,
        household=housed.application.household,
        start=dt.date(2026, 12, 5),
        end=None,
    )
    DecisionFactory(outcome="granted", decided=dt.date(2026, 10, 1), application__kind="municipal_housing")


def test_stock_use__the_year_so_far_counts_the_days_up_to_today():
    _edges_of_a_year_so_far()
    today = dt.date(2026, 11, 26)

    so_far = stock_use_years(2025, 2026, until=today)

    expected = _stock_use_by_day(2026, today)
    stock_end, let_end = expected.pop("ends")
    assert {"stock_days": so_far[2026]["stock_days"], "vacant_days": so_far[2026]["vacant_days"]} == expected
    assert so_far[2026]["utilisation_share"] == round(100 * let_end / stock_end, 1)
    assert (stock_end, let_end) == (3, 1)  # the home sold next month is let today; the newly let one not yet
    assert so_far[2025] == stock_use_years(2025, 2026)[2025]  # a finished year is the same


def test_kostra_sql__the_year_so_far_is_the_rules_as_of_today():
    _edges_of_a_year_so_far()
    doc = parse_document(records_export())
    today = dt.date(2026, 11, 26)

    so_far = kostra_sql_years(2025, 2026, until=today)

    assert so_far[2026] == kostra(doc, 2026, as_of=today)
    assert so_far[2025] == kostra(doc, 2025)
    assert so_far[2026]["units_total"] == 3  # in stock today, not on 31 December
    assert so_far[2026]["waiting_list"] == 2  # the household whose lease starts next month still waits today
    assert kostra_sql_years(2026, 2026)[2026]["waiting_list"] == 1  # at the year's end, as the register stands


@pytest.mark.parametrize("until", [dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 8, 14)])
def test_kostra_sql__the_year_so_far_equals_the_rules_on_a_synthetic_register(until):
    doc = _synthetic_register()

    so_far = kostra_sql_years(2024, 2026, until=until)

    assert so_far[2026] == kostra(doc, 2026, as_of=until)
    assert {year: so_far[year] for year in (2024, 2025)} == {year: kostra(doc, year) for year in (2024, 2025)}
