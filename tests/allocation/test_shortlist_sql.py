"""The SQL shortlist gives exactly what the rules give, for every unit of the example and many dates."""

import datetime as dt
import json
from pathlib import Path

import pytest

from allocation import rules
from allocation.models import Unit
from allocation.shortlist_sql import rank_of, shortlist_sql
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.service import records_import

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"
DATES = [dt.date(2024, 6, 30), dt.date(2025, 1, 1), dt.date(2025, 7, 1), dt.date(2025, 12, 31),
         dt.date(2026, 3, 1), dt.date(2026, 6, 29), dt.date(2026, 11, 19), dt.date(2026, 11, 25)]


def test_shortlist_sql__equals_the_rules_for_every_unit_and_date():
    data = json.loads(EXAMPLE.read_text())
    records_import(data)
    doc = parse_document(data)
    compared = 0
    for unit in Unit.objects.all():
        for on in DATES:
            expected = rules.shortlist(doc, unit.ref, on)
            got = shortlist_sql(unit, on)
            assert [(e["application"], e["rank"], e["band"], e["reasons"]) for e in got["shortlist"]] == [
                (e["application"], e["rank"], e["band"], e["reasons"]) for e in expected["shortlist"]
            ], (unit.ref, on)
            assert got["excluded"] == expected["excluded"], (unit.ref, on)
            for entry in expected["shortlist"]:
                assert rank_of(unit, on, entry["application"]) == (entry["rank"], [])
            for entry in expected["excluded"]:
                assert rank_of(unit, on, entry["application"]) == (None, entry["reasons"])
            compared += 1
    assert compared == 15 * len(DATES)


def test_shortlist_sql__limit_keeps_the_totals():
    records_import(json.loads(EXAMPLE.read_text()))
    unit = Unit.objects.get(ref="U-0003")
    full = shortlist_sql(unit, dt.date(2026, 11, 25))
    limited = shortlist_sql(unit, dt.date(2026, 11, 25), limit=1, excluded_limit=1)
    assert limited["shortlist_total"] == len(full["shortlist"])
    assert limited["excluded_total"] == len(full["excluded"])
    assert len(limited["excluded"]) <= 1
