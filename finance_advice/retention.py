"""Retention for financial advice: open or recent referrals, startlån and consents keep a household."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Exists, OuterRef, Q

from cases.models import HouseholdMember
from cases.retention import moment
from stord_bolig.retention import traces_erase

from .models import Budget, Consent, Referral, ReferralStatus, ReferralStatusEvent, StartlanApplication


def households_kept(cutoff: dt.date) -> set[int]:
    """Households with an open referral or undecided startlån, or any referral, budget, startlån or consent since."""
    since = moment(cutoff)
    referrals = Referral.objects.filter(
        ~Q(status__in=[ReferralStatus.DECLINED, ReferralStatus.CLOSED])
        | Q(created_at__gte=since)
        | Q(updated_at__gte=since)
        | Exists(ReferralStatusEvent.objects.filter(referral=OuterRef("pk"), at__gte=since))
        | Exists(Budget.objects.filter(referral=OuterRef("pk"), made_on__gte=cutoff))
    ).values_list("household_id", flat=True)
    startlan = StartlanApplication.objects.filter(
        Q(outcome="") | Q(received__gte=cutoff) | Q(decided__gte=cutoff) | Q(notified__gte=cutoff)
    ).values_list("household_id", flat=True)
    consents = HouseholdMember.objects.filter(
        Exists(Consent.objects.filter(person=OuterRef("person")).filter(Q(given__gte=cutoff) | Q(revoked__gte=cutoff)))
    ).values_list("household_id", flat=True)
    return set(referrals) | set(startlan) | set(consents)


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("id", flat=True))


def households_erase(household_ids: list[int], cutoff: dt.date) -> Counter:
    """Delete budgets and consents; blank the reasons, outcomes and notes of referrals and startlån."""
    counts: Counter = Counter()
    referrals = Referral.objects.filter(household_id__in=household_ids)
    referral_ids = _ids(referrals)

    budgets = Budget.objects.filter(referral_id__in=referral_ids)
    counts.update(traces_erase(Budget, _ids(budgets)))
    counts["budgets"] += budgets.delete()[0]
    events = ReferralStatusEvent.objects.filter(referral_id__in=referral_ids)
    events.exclude(note="").update(note="")
    counts.update(traces_erase(ReferralStatusEvent, _ids(events)))
    counts["referrals"] += referrals.update(reason="", decline_reason="", outcome="")
    counts.update(traces_erase(Referral, referral_ids))

    startlan = StartlanApplication.objects.filter(household_id__in=household_ids)
    counts["startlan_applications"] += startlan.update(reasons="")
    counts.update(traces_erase(StartlanApplication, _ids(startlan)))

    consents = Consent.objects.filter(person__membership__household_id__in=household_ids)
    counts.update(traces_erase(Consent, _ids(consents)))
    counts["consents"] += consents.delete()[0]
    return counts
