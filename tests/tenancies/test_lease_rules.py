"""Table tests of the pure lease-term rules in tenancies.rules (husleigelova §§ 3-5, 3-6, 4-2, 9-3).

No database: every case is a call with plain dates and kroner.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tenancies.rules import (
    follows_directly,
    is_short_term,
    lease_term_problems,
    max_rent_after_cpi,
    rent_adjustment_problems,
)

DAY = dt.timedelta(days=1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- is_short_term: under 3 years (§ 9-3) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "short"),
    [
        pytest.param("2026-03-15", "2029-03-14", False, id="exactly-3-years"),
        pytest.param("2026-03-15", "2029-03-13", True, id="one-day-short-of-3-years"),
        pytest.param("2026-03-15", "2029-03-15", False, id="3-years-and-a-day"),
        pytest.param("2026-03-15", "2027-03-14", True, id="1-year"),
        pytest.param("2026-03-15", None, False, id="open-ended"),
        pytest.param("2028-02-29", "2031-02-27", False, id="29-feb-start-3-years-ends-27-feb"),
        pytest.param("2028-02-29", "2031-02-26", True, id="29-feb-start-a-day-short"),
        pytest.param("2026-01-31", "2029-01-30", False, id="31-jan-start-3-years"),
        pytest.param("2026-01-31", "2029-01-29", True, id="31-jan-start-a-day-short"),
    ],
)
def test_is_short_term__under_three_years_counts_from_start_to_the_last_day(start, end, short):
    assert is_short_term(d(start), d(end) if end else None) is short


@pytest.mark.parametrize("start", ["2026-11-26", "2028-02-29", "2026-01-31", "2026-03-01", "2027-12-31"])
def test_is_short_term__a_standard_three_year_draft_is_never_short(start):
    # lease_draft_from_offer ends a standard lease on add_months(start, 36) - 1 day.
    from cases.rules import add_months

    begin = d(start)
    assert is_short_term(begin, add_months(begin, 36) - DAY) is False
    assert is_short_term(begin, add_months(begin, 36) - 2 * DAY) is True


# --- follows_directly: "in a row" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous_end", "start", "in_a_row"),
    [
        pytest.param("2026-12-31", "2027-01-01", True, id="next-day"),
        pytest.param("2026-12-31", "2026-12-31", True, id="same-day-handover"),
        pytest.param("2026-12-31", "2027-01-02", False, id="one-day-gap"),
        pytest.param("2026-12-31", "2027-06-01", False, id="months-later"),
        pytest.param(None, "2027-01-01", False, id="previous-open-ended"),
    ],
)
def test_follows_directly__starts_no_later_than_the_day_after_the_previous_end(previous_end, start, in_a_row):
    assert follows_directly(d("2026-01-01"), d(previous_end) if previous_end else None, d(start)) is in_a_row


# --- lease_term_problems ----------------------------------------------------------------------------------------

RENT = 9000


def problems(
    *,
    start="2026-03-15",
    end="2029-03-14",
    reason="",
    repeat="",
    previous=(),
    rent=RENT,
    deposit=0,
    guarantee=0,
):
    return lease_term_problems(
        start=d(start),
        end=d(end) if end else None,
        short_term_reason=reason,
        repeat_short_term_reason=repeat,
        previous=[(d(s), d(e) if e else None) for s, e in previous],
        monthly_rent=rent,
        deposit=deposit,
        guarantee=guarantee,
    )


SHORT_PREVIOUS = ("2025-03-15", "2026-03-14")  # one year, ends the day before the new lease starts
REASON = "Søkjaren skal flytte til institusjon innan eitt år."
WEIGHTY = "Barna gjer ferdig skuleåret; ingen annan bustad er ledig."


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, [], id="standard-3-years"),
        pytest.param({"end": None}, [], id="open-ended"),
        pytest.param({"end": "2026-03-14"}, ["end_before_start", "short_term_reason_required"], id="end-before-start"),
        pytest.param(
            {"end": "2026-03-14", "reason": REASON}, ["end_before_start"], id="end-before-start-even-with-reason"
        ),
        pytest.param({"end": "2027-03-14"}, ["short_term_reason_required"], id="short-without-reason"),
        pytest.param({"end": "2027-03-14", "reason": "   "}, ["short_term_reason_required"], id="blank-reason"),
        pytest.param({"end": "2027-03-14", "reason": REASON}, [], id="short-with-reason"),
        pytest.param({"end": "2029-03-13"}, ["short_term_reason_required"], id="one-day-short"),
    ],
)
def test_lease_term_problems__term(kwargs, expected):
    assert problems(**kwargs) == expected


@pytest.mark.parametrize(
    ("previous", "kwargs", "expected"),
    [
        pytest.param([SHORT_PREVIOUS], {}, ["repeat_short_term_reason_required"], id="short-after-short-next-day"),
        pytest.param(
            [("2025-03-15", "2026-03-15")],
            {},
            ["repeat_short_term_reason_required"],
            id="short-after-short-same-day-handover",
        ),
        pytest.param([("2025-03-15", "2026-03-13")], {}, [], id="after-a-one-day-gap"),
        pytest.param([("2024-01-01", "2025-06-30")], {}, [], id="after-a-long-gap"),
        pytest.param([("2023-03-15", "2026-03-14")], {}, [], id="previous-was-a-full-3-year-lease"),
        pytest.param([("2023-03-15", None)], {}, [], id="previous-was-open-ended"),
        pytest.param([SHORT_PREVIOUS], {"repeat": WEIGHTY}, [], id="weighty-reasons-given"),
        pytest.param([SHORT_PREVIOUS], {"end": "2029-03-14"}, [], id="new-lease-is-3-years"),
        pytest.param(
            [("2023-03-15", "2024-03-14"), ("2024-03-15", "2026-03-14")],
            {},
            ["repeat_short_term_reason_required"],
            id="the-latest-previous-lease-counts",
        ),
        pytest.param(
            [SHORT_PREVIOUS, ("2022-01-01", "2025-03-14")],
            {},
            ["repeat_short_term_reason_required"],
            id="previous-given-out-of-order",
        ),
    ],
)
def test_lease_term_problems__second_short_lease_in_a_row(previous, kwargs, expected):
    values = {"start": "2026-03-15", "end": "2027-03-14", "reason": REASON, **kwargs}

    assert problems(previous=previous, **values) == expected


def test_lease_term_problems__second_short_lease_without_any_reason_names_both_problems():
    assert problems(end="2027-03-14", previous=[SHORT_PREVIOUS]) == [
        "short_term_reason_required",
        "repeat_short_term_reason_required",
    ]


@pytest.mark.parametrize(
    ("deposit", "guarantee", "expected"),
    [
        pytest.param(0, 0, [], id="none"),
        pytest.param(6 * RENT, 0, [], id="deposit-exactly-6-months"),
        pytest.param(6 * RENT + 1, 0, ["deposit_over_6_months"], id="deposit-6-months-and-a-krone"),
        pytest.param(0, 6 * RENT, [], id="guarantee-exactly-6-months"),
        pytest.param(3 * RENT, 3 * RENT, [], id="together-exactly-6-months"),
        pytest.param(3 * RENT, 3 * RENT + 1, ["security_over_6_months"], id="together-a-krone-over"),
        pytest.param(6 * RENT, 1, ["security_over_6_months"], id="full-deposit-plus-a-krone-guarantee"),
        pytest.param(0, 6 * RENT + 1, ["security_over_6_months"], id="guarantee-alone-over"),
    ],
)
def test_lease_term_problems__security_at_most_six_months_rent(deposit, guarantee, expected):
    assert problems(deposit=deposit, guarantee=guarantee) == expected


# --- rent adjustment by CPI (§ 4-2) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rent", "cpi_then", "cpi_now", "maximum"),
    [
        pytest.param(10000, 100.0, 103.5, 10350, id="3.5-percent"),
        pytest.param(9000, 120.0, 126.6, 9495, id="5.5-percent"),
        pytest.param(10000, 100.0, 103.456, 10345, id="rounded-down-not-up"),
        pytest.param(8750, 131.7, 131.7, 8750, id="cpi-unchanged"),
        pytest.param(10000, 100.0, 98.5, 9850, id="cpi-fell"),
        pytest.param(5000, 100.0, 101.82, 5091, id="exact-result-is-not-lost-to-float-error"),
        pytest.param(5500, 110.0, 128.2, 6410, id="exact-result-is-not-lost-to-float-error-2"),
    ],
)
def test_max_rent_after_cpi__current_rent_times_the_cpi_change_rounded_down(rent, cpi_then, cpi_now, maximum):
    assert max_rent_after_cpi(rent, cpi_then, cpi_now) == maximum


def adjustment(
    *,
    current=10000,
    new=10300,
    cpi_then=100.0,
    cpi_now=103.5,
    last_change="2025-12-01",
    notice="2026-11-25",
    effective="2027-01-01",
):
    return rent_adjustment_problems(
        current_rent=current,
        new_rent=new,
        cpi_at_last_change=cpi_then,
        cpi_now=cpi_now,
        last_change=d(last_change),
        notice_given=d(notice),
        effective=d(effective),
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, [], id="valid"),
        pytest.param({"new": 10350}, [], id="exactly-the-cpi-change"),
        pytest.param({"new": 10351}, ["above_cpi"], id="a-krone-above-the-cpi-change"),
        pytest.param({"new": 9500}, [], id="a-decrease"),
        pytest.param({"cpi_now": 103.456, "new": 10345}, [], id="the-rounded-down-maximum"),
        pytest.param({"cpi_now": 103.456, "new": 10346}, ["above_cpi"], id="above-the-rounded-down-maximum"),
        pytest.param({"cpi_now": 101.82, "current": 5000, "new": 5091}, [], id="exact-maximum-despite-float-error"),
        pytest.param({"last_change": "2026-01-02"}, ["within_a_year"], id="a-day-short-of-a-year"),
        pytest.param({"last_change": "2026-01-01"}, [], id="exactly-a-year"),
        pytest.param(
            {"last_change": "2024-02-29", "notice": "2025-01-10", "effective": "2025-02-28"},
            [],
            id="a-year-after-29-feb-is-28-feb",
        ),
        pytest.param(
            {"last_change": "2024-02-29", "notice": "2025-01-10", "effective": "2025-02-27"},
            ["within_a_year"],
            id="a-day-before-28-feb-after-29-feb",
        ),
        pytest.param({"effective": "2026-12-24"}, ["notice_under_a_month"], id="a-day-short-of-a-months-notice"),
        pytest.param({"effective": "2026-12-25"}, [], id="exactly-a-months-notice"),
        pytest.param(
            {"last_change": "2025-01-31", "notice": "2026-01-31", "effective": "2026-02-28"},
            [],
            id="a-month-after-31-jan-is-28-feb",
        ),
        pytest.param(
            {"last_change": "2025-01-31", "notice": "2026-01-31", "effective": "2026-02-27"},
            ["notice_under_a_month"],
            id="27-feb-is-under-a-month-after-31-jan",
        ),
        pytest.param(
            {"new": 11000, "last_change": "2026-06-01", "effective": "2026-12-01"},
            ["above_cpi", "within_a_year", "notice_under_a_month"],
            id="everything-wrong",
        ),
    ],
)
def test_rent_adjustment_problems__cpi_a_year_and_a_months_notice(kwargs, expected):
    assert adjustment(**kwargs) == expected
