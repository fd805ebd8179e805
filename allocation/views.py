"""Allocation views: housing stock, waiting list, shortlists, offers and allocation meetings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Application, Status
from cases.querysets import visible_case_ids
from stord_bolig.access import access_log_write
from stord_bolig.exports import csv_response
from stord_bolig.paging import CountedPaginator

from . import rules, services
from .filters import UnitFilter
from .forms import MeetingChoiceForm, MeetingForm, OfferAnswerForm, ShortlistDateForm, UnitStatusForm
from .models import EXCLUSION_LABELS, AllocationMeeting, Offer, Unit
from .querysets import (
    bedroom_needs,
    occupying_lease_ref,
    vacancy_days,
    waiting_applications,
    waiting_counts,
    waiting_time_estimates,
)
from .shortlist_sql import coming_leases, shortlist_sql


def _unit_or_404(request, ref: str) -> Unit:
    unit = Unit.objects.visible_to(request.user).filter(ref=ref).first()
    if unit is None:
        raise Http404
    return unit


SHORTLIST_SHOWN = 25
EXCLUDED_SHOWN = 50


def _explained_shortlist(unit: Unit, on):
    """The first lines of the ranked shortlist, with their cases, and of the excluded, computed in the database."""
    result = shortlist_sql(unit, on, limit=SHORTLIST_SHOWN, excluded_limit=EXCLUDED_SHOWN)
    shown = waiting_applications(on).filter(ref__in=[e["application"] for e in result["shortlist"]])
    by_ref = {app.ref: app for app in shown}
    ranked = [{**entry, "case": by_ref[entry["application"]]} for entry in result["shortlist"]]
    # The excluded show their case number, a link and why: no case objects needed.
    excluded = [
        {
            **entry,
            "url": reverse("cases:case-detail", args=[entry["application"]]),
            "labels": [str(EXCLUSION_LABELS[c]) for c in entry["reasons"]],
        }
        for entry in result["excluded"]
    ]
    return ranked, excluded, result["shortlist_total"], result["excluded_total"]


@login_required
@permission_required("allocation.view_unit", raise_exception=True)
def unit_list(request):
    units = Unit.objects.visible_to(request.user).with_in_stock(timezone.localdate()).order_by("ref")
    unit_filter = UnitFilter(request.GET or None, queryset=units)
    queryset = unit_filter.qs if unit_filter.is_bound and unit_filter.is_valid() else unit_filter.queryset
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request, "allocation/unit_list.html", {"filter": unit_filter, "page": page, "query": params.urlencode()}
    )


def _shortlist_day_and_state(request, unit: Unit) -> dict:
    """The day asked for (today unless a valid ?on=) and whether the unit has a shortlist that day for this user.

    A home marked free while a tenant still lives there (a lease ended without a recorded move-out) is not
    offered to anyone: the page says so instead of listing candidates.
    """
    date_form = ShortlistDateForm(request.GET or None)
    on = date_form.cleaned_data.get("on") if date_form.is_valid() and date_form.cleaned_data.get("on") else None
    on = on or timezone.localdate()
    in_stock = unit.in_stock_from <= on and (unit.in_stock_until is None or on <= unit.in_stock_until)
    occupant = occupying_lease_ref(unit, on) if in_stock and unit.status == Unit.Status.FREE else None
    show_shortlist = (
        in_stock
        and unit.status == Unit.Status.FREE
        and occupant is None
        and request.user.has_perm("allocation.make_offer")
    )
    return {
        "unit": unit,
        "on": on,
        "date_form": date_form,
        "in_stock": in_stock,
        "occupant": occupant,
        "show_shortlist": show_shortlist,
    }


@login_required
@permission_required("allocation.view_unit", raise_exception=True)
def unit_detail(request, ref: str):
    """The unit; its shortlist, when it has one, is loaded after the page (unit_shortlist), so the page shows at
    once and the ranking of every waiting household is paid for only by those who look at it."""
    from tenancies.querysets import visible_lease_ids

    unit = _unit_or_404(request, ref)
    state = _shortlist_day_and_state(request, unit)
    on = state["on"]
    offers = list(unit.offers.select_related("application").order_by("-offered")[:20])
    leases = list(unit.leases.select_related("household").order_by("-start")[:20])
    context = {
        **state,
        "offers": offers,
        # Link a case only for those who may open it (management sees the unit, not the cases).
        "openable": visible_case_ids(request.user, [offer.application_id for offer in offers]),
        "leases": leases,
        "lease_openable": visible_lease_ids(request.user, [lease.pk for lease in leases]),
        "history": unit.events.order_by("-pgh_created_at")[:20] if hasattr(unit, "events") else [],
        "status_form": UnitStatusForm(initial={"status": unit.status}),
        "vacant_days": vacancy_days(unit, *rules.last_twelve_months(on)),
    }
    return render(request, "allocation/unit_detail.html", context)


@login_required
@permission_required("allocation.view_unit", raise_exception=True)
@permission_required("allocation.make_offer", raise_exception=True)
def unit_shortlist(request, ref: str):
    """The unit's ranked shortlist and who is left out and why: the part the unit page loads after itself
    (htmx), or a page of its own without JavaScript. Reading it is logged: it names waiting households."""
    unit = _unit_or_404(request, ref)
    context = _shortlist_day_and_state(request, unit)
    if context["show_shortlist"]:
        ranked, excluded, ranked_total, excluded_total = _explained_shortlist(unit, context["on"])
        context |= {
            "ranked": ranked,
            "excluded": excluded,
            "ranked_total": ranked_total,
            "excluded_total": excluded_total,
        }
        access_log_write(request, action="read", section="shortlist", purpose=f"unit {unit.ref}")
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "allocation/_shortlist.html" if partial else "allocation/unit_shortlist.html", context)


@login_required
@permission_required("allocation.make_offer", raise_exception=True)
@require_POST
def offer_make(request, ref: str):
    unit = _unit_or_404(request, ref)
    application = Application.objects.visible_to(request.user).filter(ref=request.POST.get("application", "")).first()
    if application is None:
        raise Http404
    try:
        offer = services.offer_first_ranked(
            application=application, unit=unit, offered=timezone.localdate(), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(unit)
    messages.success(
        request,
        _("Offer %(offer)s to %(case)s is made; the answer is due %(deadline)s. The offer letter is being prepared.")
        % {"offer": offer.ref, "case": application.ref, "deadline": offer.deadline.strftime("%d.%m.%Y")},
    )
    return redirect(unit)


@login_required
@permission_required("allocation.change_unit", raise_exception=True)
@require_POST
def unit_status(request, ref: str):
    unit = _unit_or_404(request, ref)
    form = UnitStatusForm(request.POST)
    if form.is_valid():
        try:
            services.unit_status_set(unit=unit, status=form.cleaned_data["status"], by=request.user)
            messages.success(request, _("The unit status is changed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(unit)


@login_required
@permission_required("allocation.make_offer", raise_exception=True)
def offer_answer(request, ref: str):
    offer = Offer.objects.visible_to(request.user).select_related("unit", "application").filter(ref=ref).first()
    if offer is None:
        raise Http404
    form = OfferAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_answer(offer=offer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("The answer to offer %(offer)s is recorded.") % {"offer": offer.ref})
            return redirect(offer.unit)
    return render(
        request,
        "allocation/offer_answer.html",
        {"offer": offer, "form": form, "deadline": rules.offer_deadline(offer.offered)},
    )


@login_required
@permission_required("allocation.view_unit", raise_exception=True)
def waiting_list(request):
    today = timezone.localdate()
    queryset = waiting_applications(today).order_by("urgency", "waiting_from", "received", "ref")
    band = request.GET.get("band")
    if band in ("A", "B", "C"):
        queryset = queryset.filter(urgency=band)
    access_log_write(request, action="read", section="waiting_list", purpose="waiting list")
    if request.GET.get("format") == "csv":
        access_log_write(request, action="export", section="waiting_list", purpose="csv")
        applications = list(queryset)
        return csv_response(
            f"venteliste-{today}.csv",
            # headers and target groups in the user's language: the file is opened in a spreadsheet by people
            [
                _("Case"),
                _("Applicant"),
                _("Band"),
                _("Decided"),
                _("Received"),
                _("Bedrooms"),
                _("Needs wheelchair access"),
                _("Target group"),
                _("Suspended until"),
                _("Open offer"),
            ],
            [
                [
                    row["case"].ref,
                    str(row["case"].household.applicant or ""),
                    row["case"].urgency,
                    row["case"].decision.decided,
                    row["case"].received,
                    row["need"],
                    row["case"].wheelchair_need,
                    row["case"].get_target_group_display(),
                    # a suspension that has ended is no longer one (the page shows the household as waiting)
                    row["case"].suspended_until
                    if row["case"].suspended_until and row["case"].suspended_until >= today
                    else None,
                    row["offer"] or "",
                ]
                for row in _waiting_rows(applications, today)
            ],
        )
    cases, households = waiting_counts(today, band=band if band in ("A", "B", "C") else None)
    page = CountedPaginator(queryset, 50, count=cases).get_page(request.GET.get("page"))
    estimates = waiting_time_estimates(today)
    estimate_rows = [{"band": b, "bedrooms": n, **estimates[(b, n)]} for (b, n) in sorted(estimates)]
    rows = _waiting_rows(list(page), today)
    # Link a case only for those who may open it (management sees the list, not the cases).
    openable = visible_case_ids(request.user, [row["case"].pk for row in rows])
    for row in rows:
        row["openable"] = row["case"].pk in openable
    return render(
        request,
        "allocation/waiting_list.html",
        {
            "rows": rows,
            "page": page,
            "households": households,
            "band": band,
            "estimates": estimate_rows,
            "today": today,
            "query": f"band={band}" if band else "",
        },
    )


def _waiting_rows(applications, today):
    needs = bedroom_needs(applications, today)
    open_offers = dict(Offer.objects.open().filter(application__in=applications).values_list("application_id", "ref"))
    accepted = dict(
        Offer.objects.filter(application__in=applications, status=Offer.Status.ACCEPTED).values_list(
            "application_id", "ref"
        )
    )
    coming = {
        application_id: (ref, start)
        for application_id, ref, start in coming_leases(today)
        .filter(application__in=applications)
        .order_by("-start")
        .values_list("application_id", "ref", "start")
    }
    return [
        {
            "case": app,
            "need": needs[app.ref],
            "suspended": bool(app.suspended_until and app.suspended_until >= today),
            "offer": open_offers.get(app.pk),
            "accepted": accepted.get(app.pk),
            "coming_lease": coming.get(app.pk),
        }
        for app in applications
    ]


@login_required
@permission_required("allocation.make_offer", raise_exception=True)
def meeting_list(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting, _created = AllocationMeeting.objects.get_or_create(
            held_on=form.cleaned_data["held_on"],
            defaults={"notes": form.cleaned_data["notes"], "created_by": request.user},
        )
        return redirect(meeting)
    meetings = AllocationMeeting.objects.prefetch_related("choices")[:50]
    return render(request, "allocation/meeting_list.html", {"meetings": meetings, "form": form})


@login_required
@permission_required("allocation.make_offer", raise_exception=True)
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(AllocationMeeting, pk=pk)
    if request.method == "POST":
        form = MeetingChoiceForm(request.POST)
        if form.is_valid():
            unit = _unit_or_404(request, form.cleaned_data["unit"])
            application = (
                Application.objects.visible_to(request.user)
                .filter(ref=form.cleaned_data["application"].strip())
                .first()
            )
            if application is None:
                messages.error(request, _("No case with that number."))
            else:
                try:
                    services.meeting_choose(
                        meeting=meeting,
                        unit=unit,
                        application=application,
                        override_reason=form.cleaned_data["override_reason"],
                        by=request.user,
                    )
                    messages.success(
                        request,
                        _("%(case)s is chosen for %(unit)s and the offer is made.")
                        % {"case": application.ref, "unit": unit.address},
                    )
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
        return redirect(meeting)
    chosen_units = set(meeting.choices.values_list("unit_id", flat=True))
    free_units = [u for u in Unit.objects.free_on(meeting.held_on).order_by("ref") if u.pk not in chosen_units]
    agenda = []
    for unit in free_units:
        result = shortlist_sql(unit, meeting.held_on, limit=5, excluded_limit=1)
        agenda.append({"unit": unit, "shortlist": result["shortlist"], "total": result["shortlist_total"]})
    ready = Application.objects.visible_to(request.user).filter(status=Status.READY).select_related("household")
    choices = meeting.choices.select_related("unit", "application", "first_ranked", "offer")
    return render(
        request,
        "allocation/meeting_detail.html",
        {"meeting": meeting, "agenda": agenda, "ready": ready, "choices": choices},
    )
