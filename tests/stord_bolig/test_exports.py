"""Downloads a Norwegian spreadsheet reads right: semicolons, decimal commas, no formulas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from stord_bolig.exports import csv_response


def test_csv_response__decimals_with_a_comma_whole_numbers_and_formulas_safe():
    from django.utils import translation

    with translation.override("nn"):
        response = csv_response(
            "x.csv",
            ["År", "Del"],
            [[2025, 53.8], [2026, Decimal("12.50")], ["=SUM(A1)", dt.date(2026, 11, 26)], [True, None]],
        )
    with translation.override("en"):
        english = csv_response("x.csv", ["Year"], [[True], [False]])

    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines == ["År;Del", "2025;53,8", "2026;12,50", "'=SUM(A1);2026-11-26", "Ja;"]
    assert english.content.decode("utf-8-sig").split() == ["Year", "Yes", "No"]  # yes and no in the file's language
