"""Steering figures computed from the register: homelessness over time, the yearly dashboard, equity
monitoring and the live indicators of the action plan."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from statistics import median

from django.db.models import Count, F, Q
from django.utils import timezone

from allocation.models import MeetingChoice, Unit
from allocation.querysets import waiting_cases, waiting_households
from cases.models import Application, HouseholdMember
from cases.rules import add_months, preliminary_reply_due
from finance_advice.models import StartlanApplication
from tenancies.models import FollowUpPlan, Lease, TemporaryStay

from . import rules
from .kostra_sql import kostra_sql_years, stock_use_years
from .models import SteeringFigures

HOMELESS = ["homeless_1", "homeless_2", "homeless_3", "homeless_4", "homeless_5"]


def homeless_households(on: dt.date) -> dict[int, str]:
    """Household id → national category, for households homeless on `on` as the register knows it.

    A household counts from the receipt of an application that records it as homeless, until a lease of
    the household starts, the application is refused, or the case is closed; a temporary stay counts as
    category 2 while it lasts.
    """
    result: dict[int, str] = {}
    rows = (
        Application.objects.filter(housing_situation__in=HOMELESS, received__lte=on)
        .exclude(decision__outcome="refused", decision__decided__lte=on)
        .exclude(Q(status="closed") & Q(updated_at__date__lte=on))
        .values_list("household_id", "housing_situation", "received")
    )
    housed_since = defaultdict(list)
    for household_id, start in Lease.objects.filter(start__lte=on).values_list("household_id", "start"):
        housed_since[household_id].append(start)
    for household_id, situation, received in rows:
        if any(start >= received for start in housed_since.get(household_id, ())):
            continue
        current = result.get(household_id)
        result[household_id] = min(current, situation) if current else situation
    for household_id in (
        TemporaryStay.objects.filter(start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values_list("household_id", flat=True)
    ):
        result.setdefault(household_id, "homeless_2")
    return result


def homeless_by_name(on: dt.date) -> list[dict]:
    households = homeless_households(on)
    applicants = dict(
        HouseholdMember.objects.filter(household_id__in=households, role="applicant").values_list(
            "household_id", "person_id"
        )
    )
    from cases.models import Person

    people = {p.pk: p for p in Person.objects.filter(pk__in=applicants.values())}
    cases = dict(
        Application.objects.filter(household_id__in=households)
        .order_by("household_id", "-received")
        .values_list("household_id", "ref")
    )
    rows = [
        {
            "household": household_id,
            "category": category,
            "person": people.get(applicants.get(household_id)),
            "case": cases.get(household_id),
        }
        for household_id, category in households.items()
    ]
    return sorted(rows, key=lambda r: (r["category"], str(r["person"])))


def homeless_monthly(first: dt.date, months: int) -> list[dict]:
    """Count at each month start, with inflow and outflow that reconcile: start + in − out = next start."""
    rows = []
    day = first.replace(day=1)
    current = set(homeless_households(day))
    for _ in range(months):
        following = add_months(day, 1)
        nxt = set(homeless_households(following))
        rows.append(
            {
                "month": day,
                "count": len(current),
                "inflow": len(nxt - current),
                "outflow": len(current - nxt),
                "next": len(nxt),
            }
        )
        day, current = following, nxt
    return rows


def dashboard(year_from: int, year_to: int) -> dict:
    """Per-year figures for the management group, from KOSTRA's definitions plus circulation and startlån.

    A year not yet over is the year so far (`so_far`: today): its flows count up to today and its figures "at
    year end" are as of today, never a projection to 31 December. Years after this one have no figures.
    """
    today = timezone.localdate()
    year_to = min(year_to, today.year)
    year_from = min(year_from, year_to)
    so_far = today if year_to == today.year else None
    last = so_far or dt.date(year_to, 12, 31)
    years = list(range(year_from, year_to + 1))
    per_year = kostra_sql_years(year_from, year_to, until=so_far)
    stock = stock_use_years(year_from, year_to, until=so_far)
    moved_out = defaultdict(Counter)
    for year, outcome in Lease.objects.filter(moved_out__gte=dt.date(year_from, 1, 1), moved_out__lte=last).values_list(
        "moved_out__year", "outcome"
    ):
        moved_out[year][outcome or "other"] += 1
    startlan = defaultdict(lambda: {"granted": 0, "children": 0, "freed": 0})
    for year, children, freed in StartlanApplication.objects.filter(
        outcome="granted", decided__gte=dt.date(year_from, 1, 1), decided__lte=last
    ).values_list("decided__year", "children_in_household", "frees_municipal_home"):
        startlan[year]["granted"] += 1
        startlan[year]["children"] += int(children)
        startlan[year]["freed"] += int(freed)
    # The waiting list page's households: granted, in force, not housed.
    waiting_by_band = dict(
        waiting_cases(today)
        .order_by()
        .values("urgency")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("urgency", "n")
    )
    return {
        "years": years,
        "so_far": so_far,
        "kostra": per_year,
        "stock": stock,
        "housing_first_waiting": waiting_cases(today).filter(target_group="housing_first").count(),
        "moved_out": {year: dict(moved_out[year]) for year in years},
        "startlan": {year: startlan[year] for year in years},
        "waiting_households": waiting_households(today),
        "waiting_by_band": {band: waiting_by_band.get(band, 0) for band in "ABC"},
        "housing_first": FollowUpPlan.objects.housing_first_caseload().count(),
        "free_units": Unit.objects.free_on(today).count(),
    }


# Kept steering figures serve the dashboard for an hour; beat keeps the last ten years ready (reports.tasks).
STEERING_FIGURES_MAX_AGE = dt.timedelta(hours=1)
STEERING_FIGURES_YEARS = 10
_PER_YEAR = ("kostra", "stock", "moved_out", "startlan")


def dashboard_kept(year_from: int, year_to: int) -> dict:
    """dashboard() as kept in SteeringFigures: from the newest row computed today, at most an hour ago, that
    covers the years asked for; computed and kept when there is none. `computed_at` says when."""
    today = timezone.localdate()
    year_to = min(year_to, today.year)
    year_from = min(year_from, year_to)
    kept = (
        SteeringFigures.objects.filter(
            day=today,
            computed_at__gte=timezone.now() - STEERING_FIGURES_MAX_AGE,
            year_from__lte=year_from,
            year_to__gte=year_to,
        )
        .order_by("-computed_at")
        .first()
    )
    if kept is None:
        return dashboard_keep(year_from, year_to)
    return _years_of(_decoded(kept.data) | {"computed_at": kept.computed_at}, year_from, year_to)


def dashboard_keep(year_from: int, year_to: int) -> dict:
    """Compute dashboard() now and keep it (beat's hourly run, management's "compute again", a miss)."""
    computed_at = timezone.now()  # the figures include everything committed before this moment
    data = dashboard(year_from, year_to)
    SteeringFigures.objects.create(
        day=timezone.localdate(),
        computed_at=computed_at,
        year_from=data["years"][0],
        year_to=data["years"][-1],
        data=data,
    )
    return data | {"computed_at": computed_at}


def _decoded(data: dict) -> dict:
    """A kept row's JSON back to dashboard()'s shape: years as int keys, the day so far as a date."""
    data = dict(data)
    for key in _PER_YEAR:
        data[key] = {int(year): figures for year, figures in data[key].items()}
    data["so_far"] = dt.date.fromisoformat(data["so_far"]) if data["so_far"] else None
    return data


def _years_of(data: dict, year_from: int, year_to: int) -> dict:
    years = [year for year in data["years"] if year_from <= year <= year_to]
    per_year = {key: {year: data[key][year] for year in years} for key in _PER_YEAR}
    so_far = data["so_far"] if data["so_far"] and data["so_far"].year in years else None
    return data | per_year | {"years": years, "so_far": so_far}


def equity(year: int) -> dict:
    """Overrides of the ranking and of the suggested band, by caseworker; time to decision; late replies."""
    meeting = (
        MeetingChoice.objects.filter(meeting__held_on__year=year)
        .values("chosen_by__username", "chosen_by__first_name", "chosen_by__last_name")
        .annotate(choices=Count("id"), overrides=Count("id", filter=~Q(rank=1)))
        .order_by("chosen_by__username")
    )
    bands = (
        Application.objects.filter(received__year=year)
        .exclude(urgency_suggested="")
        .values("assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
        .annotate(assessed=Count("id"), overridden=Count("id", filter=~Q(urgency=F("urgency_suggested"))))
        .order_by("assigned_to__username")
    )
    decided = list(
        Application.objects.filter(
            decision__decided__year=year, kind__in=["municipal_housing", "housing_assistance"]
        ).values_list("received", "decision__decided", "preliminary_reply_sent")
    )
    days = [(d - r).days for r, d, _p in decided]
    late_without_reply = sum(1 for r, d, p in decided if d > preliminary_reply_due(r) and p is None)
    return {
        "meeting_overrides": [row | {"name": _staff_name(row, "chosen_by")} for row in meeting],
        "band_overrides": [row | {"name": _staff_name(row, "assigned_to")} for row in bands],
        "decisions": len(decided),
        "median_days_to_decision": int(median(days)) if days else None,
        "late_without_preliminary_reply": late_without_reply,
        "late_share": rules.share(late_without_reply, len(decided)),
    }


def _staff_name(row: dict, field: str) -> str:
    """A caseworker as people know them (their name), the username only for an account without one."""
    name = f"{row[f'{field}__first_name'] or ''} {row[f'{field}__last_name'] or ''}".strip()
    return name or row[f"{field}__username"] or "–"


def indicator(key: str, today: dt.date):
    if key == "waiting_list":
        return waiting_households(today)  # the waiting list page's count, swaps included
    if key == "homeless_now":
        return len(homeless_households(today))
    if key == "wheelchair_share":
        stock = Unit.objects.in_stock_on(today)
        return rules.share(stock.filter(wheelchair_accessible=True).count(), stock.count())
    if key == "moved_in_this_year":
        return Lease.objects.filter(moved_in__year=today.year).count()
    if key == "startlan_children":
        return StartlanApplication.objects.filter(
            outcome="granted", decided__year=today.year, children_in_household=True
        ).count()
    if key == "housing_first_caseload":
        return FollowUpPlan.objects.housing_first_caseload().count()
    if key == "free_units":
        return Unit.objects.free_on(today).count()
    return None


def access_audit(since: dt.date, *, volume_floor: int = 50, volume_factor: int = 3) -> dict:
    """Reads of case data to look into: staff reading their own or their household's case, and unusual volumes."""
    from django.db.models.functions import TruncDate

    from stord_bolig.models import AccessLog, User, national_id_digest

    staff = {u.national_id_hash: u for u in User.objects.exclude(national_id_hash="")}
    own_households: dict[int, set[int]] = defaultdict(set)  # user id -> household ids of the user's own household
    if staff:
        for national_id, household_id in HouseholdMember.objects.values_list(
            "person__national_id", "household_id"
        ).iterator(chunk_size=10000):
            user = staff.get(national_id_digest(national_id))
            if user is not None:
                own_households[user.pk].add(household_id)
    self_lookups = []
    for user_id, households in own_households.items():
        refs = set(Application.objects.filter(household_id__in=households).values_list("ref", flat=True))
        for row in AccessLog.objects.filter(user_id=user_id, case_ref__in=refs, at__date__gte=since).order_by("-at"):
            self_lookups.append(row)
    per_day = list(
        AccessLog.objects.filter(at__date__gte=since, action__in=["read", "download", "export"], user_id__isnull=False)
        .annotate(day=TruncDate("at"))
        .values("user_id", "username", "day")
        .annotate(n=Count("id"))
    )
    # A day is unusual when a user reads far more than the office's typical user-day.
    typical = median([row["n"] for row in per_day]) if per_day else 0
    unusual = [row for row in per_day if row["n"] >= volume_floor and row["n"] > volume_factor * typical]
    return {"self_lookups": self_lookups, "unusual": sorted(unusual, key=lambda r: (-r["n"], r["username"]))}
