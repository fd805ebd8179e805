"""Pure rules for financial advice: annuities, stressed housing costs, living costs and repayment capacity.

Betjeningsevne (repayment capacity) = net income − living costs − other fixed costs − housing costs at
the stressed rate. Living costs follow the SIFO reference budget and are never below the state guideline
rates for social assistance. All rates and tables are dated parameters passed in by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

STRESS_ADDITION_PP = 2.5  # percentage points over the policy rate (Husbanken's stress test)
MAX_TERM_YEARS = 30
MAX_TERM_YEARS_SPECIAL = 50


def annuity_monthly(principal: float, annual_rate_pct: float, years: int, instalment_free_years: int = 0) -> float:
    """The monthly payment of an annuity loan after the instalment-free years (interest-only before that)."""
    if principal <= 0:
        return 0.0
    months = (years - instalment_free_years) * 12
    if months <= 0:
        raise ValueError("the instalment-free period must be shorter than the term")
    rate = annual_rate_pct / 100 / 12
    if rate == 0:
        return principal / months
    return principal * rate / (1 - (1 + rate) ** -months)


def interest_only_monthly(principal: float, annual_rate_pct: float) -> float:
    return principal * annual_rate_pct / 100 / 12


def max_principal(monthly_capacity: float, annual_rate_pct: float, years: int) -> float:
    """The largest loan whose annuity payment fits the monthly capacity (0 when there is none)."""
    if monthly_capacity <= 0:
        return 0.0
    months = years * 12
    rate = annual_rate_pct / 100 / 12
    if rate == 0:
        return monthly_capacity * months
    return monthly_capacity * (1 - (1 + rate) ** -months) / rate


def stressed_rate(policy_rate_pct: float) -> float:
    return policy_rate_pct + STRESS_ADDITION_PP


def age_band(age: int) -> str:
    """The SIFO budget bands this product keeps (a simplification of SIFO's finer table)."""
    if age < 6:
        return "child_0_5"
    if age < 14:
        return "child_6_13"
    if age < 18:
        return "child_14_17"
    if age < 67:
        return "adult"
    return "senior"


@dataclass(frozen=True)
class LivingCosts:
    sifo: float
    guideline: float

    @property
    def applied(self) -> float:
        """SIFO is the reference, but never below the social-assistance guideline."""
        return max(self.sifo, self.guideline)


def living_costs(
    ages: Iterable[int],
    sifo_per_person: Mapping[str, float],
    sifo_household: Mapping[int, float],
    guideline_adult: float,
    guideline_child: float,
) -> LivingCosts:
    """Monthly living costs of a household from its members' ages and the dated tables."""
    ages = list(ages)
    personal = sum(sifo_per_person[age_band(age)] for age in ages)
    size = min(len(ages), max(sifo_household)) if sifo_household else 0
    common = sifo_household.get(size, 0.0)
    adults = sum(1 for age in ages if age >= 18)
    children = len(ages) - adults
    guideline = adults * guideline_adult + children * guideline_child
    return LivingCosts(sifo=personal + common, guideline=guideline)


@dataclass(frozen=True)
class Capacity:
    net_income: float
    living: float
    fixed_costs: float
    housing_stressed: float

    @property
    def monthly(self) -> float:
        return self.net_income - self.living - self.fixed_costs - self.housing_stressed


def repayment_capacity(
    *,
    net_income: float,
    living: float,
    fixed_costs: float,
    loan: float,
    policy_rate_pct: float,
    years: int,
    instalment_free_years: int = 0,
    other_housing_costs: float = 0.0,
) -> Capacity:
    """Betjeningsevne with the loan's payment computed at the stressed rate."""
    payment = annuity_monthly(loan, stressed_rate(policy_rate_pct), years, instalment_free_years)
    return Capacity(net_income, living, fixed_costs, payment + other_housing_costs)


def carryable_loan(
    *,
    net_income: float,
    living: float,
    fixed_costs: float,
    policy_rate_pct: float,
    years: int,
    other_housing_costs: float = 0.0,
) -> float:
    """The largest startlån the household can carry at the stressed rate over `years`."""
    room = net_income - living - fixed_costs - other_housing_costs
    return max_principal(room, stressed_rate(policy_rate_pct), years)


def consent_valid(*, given: dt.date, expires: dt.date | None, revoked: dt.date | None, on: dt.date) -> bool:
    """A consent counts from the day it is given until (not including) its expiry or revocation."""
    return given <= on and (expires is None or on < expires) and (revoked is None or on < revoked)
