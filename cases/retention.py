"""Retention for cases: which households are concluded, and how their people and case files are anonymised.

A case is concluded when it is closed or decided (no pending appeal); its last date is the latest of its
received and decision dates, appeal dates and the times of its events, journal notes and attachments.
Whether a decided household still waits for a home, or has a lease, is for the higher apps to say (`keep`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import connection
from django.utils import timezone

from stord_bolig.retention import files_delete, traces_erase

from .models import (
    Appeal,
    Application,
    Assessment,
    Attachment,
    CaseEvent,
    Decision,
    HealthAssessment,
    Household,
    HouseholdMember,
    JournalNote,
    Person,
    Status,
)

_DUE_SQL = """
SELECT h.id FROM cases_household h
WHERE h.anonymised_on IS NULL
  -- a household without any case must itself be old: it may be being registered right now
  AND (h.created_at < %(moment)s OR EXISTS (SELECT 1 FROM cases_application x WHERE x.household_id = h.id))
  AND NOT EXISTS (
    SELECT 1 FROM cases_application a LEFT JOIN cases_decision d ON d.application_id = a.id
    WHERE a.household_id = h.id AND (
      a.status NOT IN (%(closed)s, %(decided)s)
      OR a.received >= %(cutoff)s
      OR greatest(d.decided, d.notified, d.lapsed) >= %(cutoff)s
      OR EXISTS (SELECT 1 FROM cases_appeal p WHERE p.application_id = a.id AND (
           p.outcome = 'pending' OR greatest(p.received, p.reconsidered, p.forwarded, p.outcome_date) >= %(cutoff)s))
      OR EXISTS (SELECT 1 FROM cases_caseevent e WHERE e.application_id = a.id AND e.at >= %(moment)s)
      OR EXISTS (SELECT 1 FROM cases_journalnote n WHERE n.application_id = a.id AND n.at >= %(moment)s)
      OR EXISTS (SELECT 1 FROM cases_attachment t WHERE t.application_id = a.id AND t.uploaded_at >= %(moment)s)
    )
  )
"""


def moment(day: dt.date) -> dt.datetime:
    """The start of `day` in the office's time zone, to compare with timestamps."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def households_due(cutoff: dt.date) -> list[int]:
    """Households not yet anonymised whose every case was concluded, with no activity, before `cutoff`."""
    with connection.cursor() as cursor:
        cursor.execute(
            _DUE_SQL,
            {"moment": moment(cutoff), "cutoff": cutoff, "closed": Status.CLOSED, "decided": Status.DECIDED},
        )
        return [row[0] for row in cursor.fetchall()]


def _people_of(household_ids: list[int]) -> set[int]:
    """Members now, and former members (from the change history) who belong to no household still kept."""
    member_events = HouseholdMember.pgh_event_model.objects
    current = set(HouseholdMember.objects.filter(household_id__in=household_ids).values_list("person_id", flat=True))
    former = set(member_events.filter(household_id__in=household_ids).values_list("person_id", flat=True)) - current
    if former:
        former -= set(
            HouseholdMember.objects.filter(person_id__in=former)
            .exclude(household_id__in=household_ids)
            .values_list("person_id", flat=True)
        )
        former -= set(
            member_events.filter(person_id__in=former, household__anonymised_on__isnull=True)
            .exclude(household_id__in=household_ids)
            .values_list("person_id", flat=True)
        )
    return current | former


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("id", flat=True))


def households_erase(household_ids: list[int], cutoff: dt.date) -> Counter:
    """Delete the people, assessments, notes and attachments; blank the free text; keep dates and codes."""
    counts: Counter = Counter()
    applications = _ids(Application.objects.filter(household_id__in=household_ids))

    attachments = Attachment.objects.filter(application_id__in=applications)
    counts["attachment_files"] += files_delete(attachments.values_list("file", flat=True))
    counts.update(traces_erase(Attachment, _ids(attachments)))
    counts["attachments"] += attachments.delete()[0]

    for model, key in ((JournalNote, "journal_notes"), (HealthAssessment, "health_assessments")):
        rows = model.objects.filter(application_id__in=applications)
        counts.update(traces_erase(model, _ids(rows)))
        counts[key] += rows.delete()[0]
    assessments = Assessment.objects.filter(application_id__in=applications)
    counts.update(traces_erase(Assessment, _ids(assessments)))
    counts["assessments"] += assessments.delete()[0]

    # Updates first, then their history: the scrubbing writes history rows that go with the rest.
    decisions = Decision.objects.filter(application_id__in=applications)
    counts["decisions"] += decisions.update(legal_basis="", facts="", assessment="", conditions="", home_description="")
    counts.update(traces_erase(Decision, _ids(decisions)))
    appeals = Appeal.objects.filter(application_id__in=applications)
    appeals.update(grounds="")
    counts.update(traces_erase(Appeal, _ids(appeals)))
    events = CaseEvent.objects.filter(application_id__in=applications)
    events.exclude(note="", note_params__isnull=True).update(note="", note_params=None)
    counts.update(traces_erase(CaseEvent, _ids(events)))
    counts["cases"] += Application.objects.filter(id__in=applications).update(urgency_reason="", min_bedrooms_reason="")
    counts.update(traces_erase(Application, applications))

    people = _people_of(household_ids)
    members = HouseholdMember.objects.filter(household_id__in=household_ids)
    counts.update(traces_erase(HouseholdMember, _ids(members)))
    counts["history_rows"] += HouseholdMember.pgh_event_model.objects.filter(household_id__in=household_ids).delete()[0]
    members.delete()
    counts.update(traces_erase(Person, people))
    counts["people"] += Person.objects.filter(id__in=people).delete()[1].get(Person._meta.label, 0)

    Household.objects.filter(id__in=household_ids).update(anonymised_on=timezone.localdate())
    counts.update(traces_erase(Household, household_ids))
    return counts
