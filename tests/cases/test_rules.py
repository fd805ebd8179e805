"""Table tests for the pure domain rules in cases/rules.py (no database)."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from cases.rules import (
    InvalidNationalId,
    MemberAge,
    add_months,
    age_on,
    appeal_deadline,
    bedroom_need,
    is_public_holiday,
    national_id_parse,
    preliminary_reply_due,
)

D = dt.date


def national_id(ddmmyy: str, individual: int) -> str:
    """A synthetic id with valid check digits: the first individual number from `individual` that has them."""
    for number in range(individual, individual + 100):
        digits = [int(c) for c in f"{ddmmyy}{number:03d}"]
        k1 = (11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11) % 11
        k2 = (11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), [*digits, k1], strict=True)) % 11) % 11
        if k1 < 10 and k2 < 10:
            return f"{ddmmyy}{number:03d}{k1}{k2}"
    raise AssertionError("no valid check digits found")


def with_bad_checksum(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# --- national_id_parse ---------------------------------------------------------------------------

VALID_IDS = [
    # (case, number, birth date, is D-nummer)
    ("fodselsnummer_1900s", national_id("170673", 259), D(1973, 6, 17), False),
    ("fodselsnummer_2000s", national_id("010120", 500), D(2020, 1, 1), False),
    ("fodselsnummer_1800s", national_id("010160", 500), D(1860, 1, 1), False),
    ("fodselsnummer_1900s_high_individual", national_id("010160", 900), D(1960, 1, 1), False),
    ("fodselsnummer_29_february", national_id("290208", 500), D(2008, 2, 29), False),
    ("d_nummer", national_id("630464", 15), D(1964, 4, 23), True),
    ("d_nummer_day_31", national_id("710185", 100), D(1985, 1, 31), True),
    ("example_document_id", "17067325966", D(1973, 6, 17), False),
    ("example_document_d_nummer", "63046401516", D(1964, 4, 23), True),
]

INVALID_IDS = [
    ("bad_second_check_digit", with_bad_checksum(national_id("170673", 259))),
    ("bad_first_check_digit", "17067325956"),
    ("bad_date_31_february", national_id("310273", 259)),
    ("bad_date_month_13", national_id("011373", 259)),
    ("bad_date_29_february_common_year", national_id("290209", 500)),
    ("d_nummer_bad_date", national_id("720273", 259)),
    ("too_short", "1706732596"),
    ("too_long", "170673259660"),
    ("empty", ""),
    ("letters", "17067325a66"),
]


@pytest.mark.parametrize(("case", "number", "birth_date", "is_d_number"), VALID_IDS, ids=[row[0] for row in VALID_IDS])
def test_national_id_parse__valid(case: str, number: str, birth_date: dt.date, is_d_number: bool) -> None:
    parsed = national_id_parse(number)
    assert (parsed.number, parsed.birth_date, parsed.is_d_number) == (number, birth_date, is_d_number)
    assert parsed.masked == number[:6] + " •••••"


@pytest.mark.parametrize(("case", "number"), INVALID_IDS, ids=[row[0] for row in INVALID_IDS])
def test_national_id_parse__invalid(case: str, number: str) -> None:
    with pytest.raises(InvalidNationalId):
        national_id_parse(number)


def test_national_id_parse__strips_separators() -> None:
    assert national_id_parse("170673 25966").number == "17067325966"


# --- ages and bedroom need ----------------------------------------------------------------------

AGES = [
    ("day_before_birthday", D(1990, 6, 17), D(2026, 6, 16), 35),
    ("on_birthday", D(1990, 6, 17), D(2026, 6, 17), 36),
    ("29_february_common_year_28_february", D(2008, 2, 29), D(2026, 2, 28), 17),
    ("29_february_common_year_1_march", D(2008, 2, 29), D(2026, 3, 1), 18),
    ("29_february_leap_year", D(2008, 2, 29), D(2028, 2, 29), 20),
]


@pytest.mark.parametrize(("case", "born", "on", "age"), AGES, ids=[row[0] for row in AGES])
def test_age_on__table(case: str, born: dt.date, on: dt.date, age: int) -> None:
    assert age_on(born, on) == age


ON = D(2026, 6, 1)
APPLICANT = MemberAge("applicant", D(1985, 3, 1))
PARTNER = MemberAge("partner", D(1987, 9, 9))


def child(born: dt.date) -> MemberAge:
    return MemberAge("child", born)


SMALL_1, SMALL_2, SMALL_3 = child(D(2018, 4, 4)), child(D(2020, 1, 1)), child(D(2023, 8, 8))
AGED_13 = child(D(2013, 1, 1))

BEDROOMS = [
    # (case, members, on, need)
    ("single_adult", [APPLICANT], ON, 0),
    ("couple", [APPLICANT, PARTNER], ON, 1),
    ("couple_two_children_under_12", [APPLICANT, PARTNER, SMALL_1, SMALL_2], ON, 2),
    ("couple_two_under_12_and_one_13", [APPLICANT, PARTNER, SMALL_1, SMALL_2, AGED_13], ON, 3),
    ("couple_three_children_under_12", [APPLICANT, PARTNER, SMALL_1, SMALL_2, SMALL_3], ON, 3),
    ("single_parent_one_child", [APPLICANT, SMALL_1], ON, 2),
    ("applicant_and_other_adult", [APPLICANT, MemberAge("other_adult", D(1960, 1, 1))], ON, 2),
    ("couple_and_other_adult", [APPLICANT, PARTNER, MemberAge("other_adult", D(1960, 1, 1))], ON, 2),
    ("child_turned_18_counts_as_adult", [APPLICANT, PARTNER, child(D(2008, 5, 31))], ON, 2),
    ("other_adult_under_18_counts_as_child", [APPLICANT, MemberAge("other_adult", D(2016, 1, 1))], ON, 2),
    ("child_aged_12_own_room", [APPLICANT, PARTNER, child(D(2014, 6, 1)), SMALL_1], ON, 3),
    ("child_day_before_12_shares", [APPLICANT, PARTNER, child(D(2014, 6, 2)), SMALL_1], ON, 2),
    ("child_born_after_date_left_out", [APPLICANT, PARTNER, child(D(2026, 6, 2))], ON, 1),
    ("child_born_on_date_counts", [APPLICANT, PARTNER, child(ON)], ON, 2),
    ("alone_after_leaving_out_unborn", [APPLICANT, child(D(2026, 7, 1))], ON, 0),
    ("born_29_february_day_before_12", [APPLICANT, PARTNER, child(D(2012, 2, 29)), SMALL_1], D(2024, 2, 28), 2),
    ("born_29_february_turns_12", [APPLICANT, PARTNER, child(D(2012, 2, 29)), SMALL_1], D(2024, 2, 29), 3),
]


@pytest.mark.parametrize(("case", "members", "on", "need"), BEDROOMS, ids=[row[0] for row in BEDROOMS])
def test_bedroom_need__table(case: str, members: list[MemberAge], on: dt.date, need: int) -> None:
    assert bedroom_need(members, on) == need


# --- calendar months and deadlines --------------------------------------------------------------

MONTHS = [
    ("plus_one", D(2026, 2, 2), 1, D(2026, 3, 2)),
    ("31_january_plus_one_common_year", D(2026, 1, 31), 1, D(2026, 2, 28)),
    ("31_january_plus_one_leap_year", D(2024, 1, 31), 1, D(2024, 2, 29)),
    ("30_april_minus_two", D(2026, 4, 30), -2, D(2026, 2, 28)),
    ("31_march_minus_one", D(2026, 3, 31), -1, D(2026, 2, 28)),
    ("over_year_end", D(2026, 12, 15), 1, D(2027, 1, 15)),
    ("back_over_year_end", D(2026, 1, 31), -1, D(2025, 12, 31)),
    ("three_years", D(2026, 3, 15), 36, D(2029, 3, 15)),
    ("three_years_from_29_february", D(2024, 2, 29), 36, D(2027, 2, 28)),
]


@pytest.mark.parametrize(("case", "day", "months", "result"), MONTHS, ids=[row[0] for row in MONTHS])
def test_add_months__table(case: str, day: dt.date, months: int, result: dt.date) -> None:
    assert add_months(day, months) == result


def test_add_months__agrees_with_the_calendar_on_every_day_of_four_years() -> None:
    for offset in range(4 * 366):
        day = D(2023, 1, 1) + dt.timedelta(days=offset)
        for months in (-25, -13, -12, -6, -2, -1, 0, 1, 2, 3, 11, 12, 36, 49):
            index = day.year * 12 + day.month - 1 + months
            year, month = index // 12, index % 12 + 1
            expected = dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
            assert add_months(day, months) == expected, (day, months)


PRELIMINARY = [
    ("same_day_next_month", D(2026, 2, 2), D(2026, 3, 2)),
    ("31_january_common_year", D(2026, 1, 31), D(2026, 2, 28)),
    ("31_january_leap_year", D(2024, 1, 31), D(2024, 2, 29)),
    ("29_january_leap_year", D(2024, 1, 29), D(2024, 2, 29)),
    ("29_january_common_year", D(2026, 1, 29), D(2026, 2, 28)),
    ("from_29_february", D(2024, 2, 29), D(2024, 3, 29)),
    ("31_march_to_30_april", D(2026, 3, 31), D(2026, 4, 30)),
    ("december_to_january", D(2026, 12, 31), D(2027, 1, 31)),
]


@pytest.mark.parametrize(("case", "received", "due"), PRELIMINARY, ids=[row[0] for row in PRELIMINARY])
def test_preliminary_reply_due__table(case: str, received: dt.date, due: dt.date) -> None:
    assert preliminary_reply_due(received) == due


APPEALS = [
    # (case, notified, deadline)
    ("plain_working_day", D(2026, 2, 2), D(2026, 2, 23)),
    ("saturday_to_monday", D(2026, 1, 3), D(2026, 1, 26)),
    ("sunday_to_monday", D(2026, 1, 4), D(2026, 1, 26)),
    ("maundy_thursday_to_tuesday_after_easter", D(2026, 3, 12), D(2026, 4, 7)),
    ("good_friday_to_tuesday_after_easter", D(2026, 3, 13), D(2026, 4, 7)),
    ("easter_monday_to_tuesday", D(2026, 3, 16), D(2026, 4, 7)),
    ("wednesday_before_easter_stays", D(2026, 3, 11), D(2026, 4, 1)),
    ("1_may_friday_to_monday", D(2026, 4, 10), D(2026, 5, 4)),
    ("ascension_to_friday", D(2026, 4, 23), D(2026, 5, 15)),
    ("17_may_sunday_to_monday", D(2026, 4, 26), D(2026, 5, 18)),
    ("17_may_wednesday_to_thursday", D(2028, 4, 26), D(2028, 5, 18)),
    ("whit_monday_to_tuesday", D(2026, 5, 4), D(2026, 5, 26)),
    ("17_may_on_whit_monday", D(2027, 4, 26), D(2027, 5, 18)),
    ("24_december_is_a_working_day", D(2026, 12, 3), D(2026, 12, 24)),
    ("christmas_day_to_monday", D(2026, 12, 4), D(2026, 12, 28)),
    ("31_december_is_a_working_day", D(2026, 12, 10), D(2026, 12, 31)),
    ("new_year_to_monday", D(2026, 12, 11), D(2027, 1, 4)),
]


@pytest.mark.parametrize(("case", "notified", "deadline"), APPEALS, ids=[row[0] for row in APPEALS])
def test_appeal_deadline__table(case: str, notified: dt.date, deadline: dt.date) -> None:
    assert appeal_deadline(notified) == deadline


HOLIDAYS = [
    ("new_year", D(2026, 1, 1), True),
    ("maundy_thursday", D(2026, 4, 2), True),
    ("good_friday", D(2026, 4, 3), True),
    ("easter_saturday", D(2026, 4, 4), False),
    ("easter_sunday", D(2026, 4, 5), True),
    ("easter_monday", D(2026, 4, 6), True),
    ("1_may", D(2026, 5, 1), True),
    ("ascension", D(2026, 5, 14), True),
    ("17_may", D(2026, 5, 17), True),
    ("whit_sunday", D(2026, 5, 24), True),
    ("whit_monday", D(2026, 5, 25), True),
    ("17_may_on_whit_monday", D(2027, 5, 17), True),
    ("17_may_on_ascension", D(2012, 5, 17), True),
    ("1_may_on_ascension", D(2008, 5, 1), True),
    ("midsummer_eve", D(2026, 6, 23), False),
    ("24_december", D(2026, 12, 24), False),
    ("christmas_day", D(2026, 12, 25), True),
    ("boxing_day", D(2026, 12, 26), True),
    ("31_december", D(2026, 12, 31), False),
    ("ordinary_sunday", D(2026, 3, 1), False),
]


@pytest.mark.parametrize(("case", "day", "holiday"), HOLIDAYS, ids=[row[0] for row in HOLIDAYS])
def test_is_public_holiday__table(case: str, day: dt.date, holiday: bool) -> None:
    assert is_public_holiday(day) is holiday
