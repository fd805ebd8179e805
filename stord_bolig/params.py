"""Dated policy parameters: the value in force on a date, with the shipped default when none is set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .models import PolicyParameter

# Defaults used until an admin records a value (Django admin → Policy parameters). Each is a seed:
# check it against its source when the product is taken into use, and record new values as they change.
DEFAULTS: dict[str, tuple[Decimal, str]] = {
    "policy_rate_pct": (Decimal("4.00"), "Norges Bank policy rate (seed value, update at each rate decision)"),
    "guideline_adult_monthly": (Decimal("7250"), "State guideline rate for social assistance, adult (seed)"),
    "guideline_child_monthly": (Decimal("3800"), "State guideline rate for social assistance, child (seed)"),
    "appeal_reconsider_days": (
        Decimal("21"),
        "Days the office gives itself to reconsider an appeal before forwarding it (fvl. § 33; office routine, seed)",
    ),
}


# What each parameter may be: (lowest, highest, whole number). A value outside is a typing error, not a policy.
LIMITS: dict[str, tuple[Decimal, Decimal, bool]] = {
    "policy_rate_pct": (Decimal("0"), Decimal("20"), False),
    "guideline_adult_monthly": (Decimal("1000"), Decimal("50000"), True),
    "guideline_child_monthly": (Decimal("500"), Decimal("50000"), True),
    "appeal_reconsider_days": (Decimal("1"), Decimal("90"), True),
}


def param(key: str, on: dt.date) -> Decimal:
    """The value of `key` with the latest valid_from on or before `on`."""
    row = PolicyParameter.objects.filter(key=key, valid_from__lte=on).order_by("-valid_from").first()
    if row is not None:
        return row.value
    return DEFAULTS[key][0]
