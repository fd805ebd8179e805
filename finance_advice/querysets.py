"""Visibility for financial advice and for NAV's consent-gated view.

A financial advisor sees the cases behind referrals (the referral is the need to know). A NAV advisor
never sees a case through the caseworkers' pages: only through the shared view, only while a person in
the household has a valid consent for NAV, and only the sections that consent covers. Health data is
never shared.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from cases.models import Application

from .models import Consent, Referral

SECTIONS_BY_PURPOSE = {
    Consent.Purpose.ECONOMY: "economy",
    Consent.Purpose.HOUSING: "housing",
    Consent.Purpose.FOLLOWUP: "followup",
}


def advisor_case_grant(user) -> Q | None:
    if user.has_perm("finance_advice.change_referral"):
        # Subqueries, not joins: a join over the referrals repeats a case once per referral in every list.
        # Need to know ends with the referral: declined and closed referrals open no case.
        open_referrals = Referral.objects.open()
        return Q(pk__in=open_referrals.filter(application__isnull=False).values("application_id")) | Q(
            household__in=open_referrals.values("household_id")
        )
    return None


def nav_shared_cases(user, on: dt.date | None = None):
    """Cases a NAV advisor may open today: a person of the household has a valid NAV consent."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("finance_advice.view_shared_case"):
        return Application.objects.none()
    on = on or timezone.localdate()
    households = Consent.objects.valid_on(on).values("person__membership__household")
    return Application.objects.filter(household__in=households).exclude(status="closed")


def nav_sections(application: Application, on: dt.date | None = None) -> set[str]:
    """The sections the household's valid consents cover (economy, housing, followup); never health."""
    on = on or timezone.localdate()
    purposes = (
        Consent.objects.valid_on(on)
        .filter(person__membership__household=application.household_id)
        .values_list("purpose", flat=True)
    )
    return {SECTIONS_BY_PURPOSE[p] for p in purposes}
