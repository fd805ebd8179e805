"""Worked examples of repayment capacity (betjeningsevne) that a reader can check by hand.

Seed tables used below (monthly kroner): SIFO adult 7 100, child 0-5 3 300, child 6-13 4 600, household
of 1: 2 700, household of 4: 4 400; guideline rates adult 7 250, child 3 800; policy rate 4.0 %, so the
stressed rate is 6.5 % and the monthly rate r = 0.065 / 12 = 0.0054167.
Annuity factor for 30 years (n = 360): (1 + r)^-360 = 0.143026, so a payment is P × r / 0.856974.
"""

import datetime as dt

import pytest

from finance_advice import rules

SIFO = {"adult": 7100, "senior": 6300, "child_0_5": 3300, "child_6_13": 4600, "child_14_17": 5800}
HOUSEHOLD = {1: 2700, 2: 3300, 3: 3900, 4: 4400, 5: 4900, 6: 5300}


def test_worked_example__single_adult_with_a_student_loan():
    living = rules.living_costs([35], SIFO, HOUSEHOLD, guideline_adult=7250, guideline_child=3800)
    assert living.sifo == 7100 + 2700 == 9800
    assert living.guideline == 7250
    assert living.applied == 9800  # SIFO is above the guideline
    # 2 000 000 kr over 30 years at 6.5 %: 2 000 000 × 0.0054167 / 0.856974 = 12 641 kr a month
    capacity = rules.repayment_capacity(
        net_income=30_000, living=living.applied, fixed_costs=1_500, loan=2_000_000, policy_rate_pct=4.0, years=30
    )
    assert capacity.housing_stressed == pytest.approx(12_641.36, abs=0.01)
    assert capacity.monthly == pytest.approx(30_000 - 9_800 - 1_500 - 12_641.36, abs=0.01)  # 6 058.64 left


def test_worked_example__couple_with_two_children():
    living = rules.living_costs([40, 38, 4, 9], SIFO, HOUSEHOLD, guideline_adult=7250, guideline_child=3800)
    assert living.sifo == 2 * 7100 + 3300 + 4600 + 4400 == 26_500
    assert living.guideline == 2 * 7250 + 2 * 3800 == 22_100
    # Room for housing: 62 000 − 26 500 − (3 000 kindergarten + 1 200 consumer debt) = 31 300 a month,
    # which carries 31 300 × 0.856974 / 0.0054167 = 4 952 000 kr over 30 years at the stressed 6.5 %.
    loan = rules.carryable_loan(
        net_income=62_000, living=living.applied, fixed_costs=4_200, policy_rate_pct=4.0, years=30
    )
    assert loan == pytest.approx(4_951_999, abs=1)


def test_living_costs__never_below_the_guideline():
    cheap = {key: 1000 for key in SIFO}
    living = rules.living_costs([30, 5], cheap, {2: 500}, guideline_adult=7250, guideline_child=3800)
    assert living.sifo == 2500
    assert living.applied == 7250 + 3800


@pytest.mark.parametrize(
    ("principal", "rate", "years", "free", "expected"),
    [
        (2_000_000, 6.5, 30, 0, 12_641.36),
        (2_000_000, 6.5, 30, 5, 13_504.14),  # instalments over the 25 remaining years
        (1_200_000, 0.0, 10, 0, 10_000.00),
        (0, 6.5, 30, 0, 0.0),
    ],
)
def test_annuity_monthly__table(principal, rate, years, free, expected):
    assert rules.annuity_monthly(principal, rate, years, free) == pytest.approx(expected, abs=0.01)


def test_annuity_monthly__instalment_free_period_must_be_shorter_than_the_term():
    with pytest.raises(ValueError):
        rules.annuity_monthly(100_000, 5.0, 5, 5)


def test_max_principal__inverse_of_the_annuity():
    loan = rules.max_principal(12_641.36, 6.5, 30)
    assert loan == pytest.approx(2_000_000, abs=1)
    assert rules.max_principal(-100, 6.5, 30) == 0


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "child_0_5"),
        (5, "child_0_5"),
        (6, "child_6_13"),
        (13, "child_6_13"),
        (14, "child_14_17"),
        (17, "child_14_17"),
        (18, "adult"),
        (66, "adult"),
        (67, "senior"),
    ],
)
def test_age_band__table(age, band):
    assert rules.age_band(age) == band


@pytest.mark.parametrize(
    ("given", "expires", "revoked", "on", "valid"),
    [
        (dt.date(2026, 1, 1), None, None, dt.date(2026, 1, 1), True),
        (dt.date(2026, 1, 2), None, None, dt.date(2026, 1, 1), False),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 1), None, dt.date(2026, 5, 31), True),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 1), None, dt.date(2026, 6, 1), False),
        (dt.date(2026, 1, 1), None, dt.date(2026, 3, 1), dt.date(2026, 3, 1), False),
    ],
)
def test_consent_valid__table(given, expires, revoked, on, valid):
    assert rules.consent_valid(given=given, expires=expires, revoked=revoked, on=on) is valid
