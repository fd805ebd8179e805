"""The SQL KOSTRA figures equal the rules' figures on the example register, year by year."""

import json
from pathlib import Path

import pytest

from reports.kostra_sql import kostra_sql
from reports.rules import kostra
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.service import records_import

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"


@pytest.mark.parametrize("year", [2018, 2020, 2022, 2023, 2024, 2025, 2026, 2027])
def test_kostra_sql__equals_the_rules(year):
    data = json.loads(EXAMPLE.read_text())
    records_import(data)
    assert kostra_sql(year) == kostra(parse_document(data), year)


def test_kostra_sql__empty_register_gives_zeros():
    figures = kostra_sql(2025)
    assert figures["units_total"] == 0
    assert figures["units_wheelchair_share"] == 0.0
    assert figures["moved_in_other"] == 0


def test_kostra_sql_years__one_query_gives_each_year_as_asked_alone():
    from reports.kostra_sql import kostra_sql_years

    records_import(json.loads(EXAMPLE.read_text()))
    together = kostra_sql_years(2018, 2027)
    assert list(together) == list(range(2018, 2028))
    assert together == {year: kostra_sql(year) for year in range(2018, 2028)}
