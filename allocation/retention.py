"""Retention for allocation: an open or recent offer keeps a household; offers and meeting picks keep their codes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Exists, OuterRef, Q

from cases.models import Application
from stord_bolig.retention import traces_erase

from .models import AllocationMeeting, BedroomNeed, MeetingChoice, Offer, ReassessmentFlag

# A pick that is not rank 1 must carry a reason (a check constraint); the reason itself is gone.
ERASED_REASON = "-"


def households_kept(cutoff: dt.date) -> set[int]:
    """Households with an open offer, or an offer, an answer or a meeting that picked them on or after the cutoff."""
    offers = Offer.objects.filter(
        Q(status=Offer.Status.OPEN) | Q(offered__gte=cutoff) | Q(answered__gte=cutoff)
    ).values_list("application__household_id", flat=True)
    choices = MeetingChoice.objects.filter(meeting__held_on__gte=cutoff).values_list(
        "application__household_id", flat=True
    )
    return set(offers) | set(choices)


def households_erase(household_ids: list[int], cutoff: dt.date) -> Counter:
    """Blank refusal and override reasons; drop reassessment flags and cached bedroom needs."""
    counts: Counter = Counter()
    applications = Application.objects.filter(household_id__in=household_ids).values("id")

    offers = Offer.objects.filter(application_id__in=applications)
    counts["offers"] += offers.update(reason=None)
    counts.update(traces_erase(Offer, offers.values_list("id", flat=True)))

    flags = ReassessmentFlag.objects.filter(application_id__in=applications)
    counts.update(traces_erase(ReassessmentFlag, flags.values_list("id", flat=True)))
    counts["reassessment_flags"] += flags.delete()[0]
    BedroomNeed.objects.filter(application_id__in=applications).delete()

    choices = MeetingChoice.objects.filter(application_id__in=applications)
    choices.filter(rank=1).exclude(override_reason="").update(override_reason="")
    counts["meeting_choices"] += choices.exclude(rank=1).update(override_reason=ERASED_REASON)
    counts.update(traces_erase(MeetingChoice, choices.values_list("id", flat=True)))

    # Meeting notes speak of several households: blank them once every household picked there is anonymised.
    still_kept = MeetingChoice.objects.filter(
        meeting=OuterRef("pk"), application__household__anonymised_on__isnull=True
    ).exclude(application__household_id__in=household_ids)
    meetings = (
        AllocationMeeting.objects.filter(held_on__lt=cutoff)
        .exclude(notes="")
        .filter(choices__application__household_id__in=household_ids)
        .exclude(Exists(still_kept))
        .distinct()
    )
    meeting_ids = list(meetings.values_list("id", flat=True))
    counts["meeting_notes"] += AllocationMeeting.objects.filter(id__in=meeting_ids).update(notes="")
    counts.update(traces_erase(AllocationMeeting, meeting_ids))
    return counts
