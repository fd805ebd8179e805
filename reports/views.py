"""Steering pages for the management group: dashboard, KOSTRA, homelessness, action plan, equity."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Application
from stord_bolig.access import access_log_write
from stord_bolig.exports import csv_response, xlsx_response
from stord_bolig.retention import retention_last_run
from tenancies.models import Lease

from . import figures
from .kostra_sql import kostra_sql
from .models import ActionGoal, HomelessCount, Measure, PlanActivity

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 1990 <= year <= 2100 else default


def _period(params, today: dt.date) -> tuple[int, int]:
    """The steering pages' years (`from`, `to`): the last five by default, never ending before they start."""
    year_to = _year(params.get("to"), today.year)
    return min(_year(params.get("from"), year_to - 4), year_to), year_to


def _export(request, name: str, header, rows):
    if request.GET.get("format") == "csv":
        return csv_response(f"{name}.csv", header, rows)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows)
    return None


def _year_label(year: int, so_far: dt.date | None) -> str:
    """A year as the steering tables name it: the year not yet over is "the year so far", with its day."""
    if so_far is None or year != so_far.year:
        return str(year)
    return _("%(year)s so far (to %(day)s)") % {"year": year, "day": formats.date_format(so_far, "d.m.Y")}


def _per_year_table(data: dict) -> tuple[list[str], list[list]]:
    """The dashboard's table of figures per year: its header and a row per year (the year as a number first)."""
    header = [
        _("Year"),
        _("New applications for a municipal home"),
        _("Refusals"),
        _("Moved in"),
        _("Moved out"),
        _("Waiting at year end"),
        _("Homes"),
        _("Wheelchair-accessible (%)"),
        _("Startlån granted"),
        _("Startlån to families with children"),
        _("Households in temporary accommodation"),
        _("Vacant days in the stock"),
        _("Homes let at year end (%)"),
    ]
    rows = [
        [
            year,
            data["kostra"][year]["applications_new"],
            data["kostra"][year]["refusals_new"],
            data["kostra"][year]["moved_in_new"],
            sum(data["moved_out"][year].values()),
            data["kostra"][year]["waiting_list"],
            data["kostra"][year]["units_total"],
            data["kostra"][year]["units_wheelchair_share"],
            data["startlan"][year]["granted"],
            data["startlan"][year]["children"],
            data["kostra"][year]["temp_households"],
            data["stock"][year]["vacant_days"],
            data["stock"][year]["utilisation_share"],
        ]
        for year in data["years"]
    ]
    return header, rows


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def dashboard(request):
    today = timezone.localdate()
    data = figures.dashboard_kept(*_period(request.GET, today))
    year_from, year_to = data["years"][0], data["years"][-1]  # a year to come has no figures yet
    header, rows = _per_year_table(data)
    labels = [_year_label(year, data["so_far"]) for year in data["years"]]
    outcomes = sorted({o for year in data["years"] for o in data["moved_out"][year]})
    outcome_labels = [str(Lease.Outcome(o).label) if o in Lease.Outcome.values else o for o in outcomes]
    outcome_rows = [[year, *[data["moved_out"][year].get(o, 0) for o in outcomes]] for year in data["years"]]
    if request.GET.get("table") == "outcomes":
        exported = _export(request, f"flytting-{year_from}-{year_to}", [_("Year"), *outcome_labels], outcome_rows)
    else:
        exported = _export(request, f"styringstal-{year_from}-{year_to}", header, rows)
    if exported:
        return exported
    chart = {
        "labels": labels,
        "series": [
            {"label": str(header[1]), "data": [r[1] for r in rows]},
            {"label": str(header[3]), "data": [r[3] for r in rows]},
            {"label": str(header[4]), "data": [r[4] for r in rows]},
            {"label": str(header[5]), "data": [r[5] for r in rows]},
        ],
    }
    from allocation.querysets import waiting_time_estimates

    estimates = waiting_time_estimates(timezone.localdate())
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "rows": [[label, *row[1:]] for label, row in zip(labels, rows, strict=True)],
            "header": header,
            "this_year": today.year,
            "chart": chart,
            "year_from": year_from,
            "year_to": year_to,
            "outcomes": outcome_labels,
            "outcome_rows": [[label, *row[1:]] for label, row in zip(labels, outcome_rows, strict=True)],
            "estimates": [{"band": b, "bedrooms": n, **estimates[(b, n)]} for (b, n) in sorted(estimates)],
        },
    )


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
@require_POST
def dashboard_refresh(request):
    """Compute the steering figures again now (they are otherwise at most an hour old) and show them."""
    today = timezone.localdate()
    year_from, year_to = _period(request.POST, today)
    # the ten years beat keeps (and the period asked for, if it goes further back): every period shown next is new
    computed = figures.dashboard_keep(min(year_from, today.year - figures.STEERING_FIGURES_YEARS + 1), today.year)
    data = figures.dashboard_kept(year_from, year_to)
    messages.success(
        request,
        _("The figures have been computed again (%(day)s at %(time)s).")
        % {
            "day": formats.date_format(timezone.localtime(computed["computed_at"]), "d.m.Y"),
            "time": formats.date_format(timezone.localtime(computed["computed_at"]), "H:i"),
        },
    )
    return redirect(f"{reverse('reports:dashboard')}?from={data['years'][0]}&to={data['years'][-1]}")


@login_required
@permission_required("reports.view_kostra", raise_exception=True)
def kostra_report(request):
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year - 1)
    result = kostra_sql(year)
    exported = _export(request, f"kostra-{year}", ["key", "value"], list(result.items()))
    if exported:
        access_log_write(request, action="export", section="kostra", purpose=str(year))
        return exported
    rows = [(key, kostra_label(key), value) for key, value in result.items()]
    return render(request, "reports/kostra.html", {"year": year, "figures": result, "rows": rows})


def kostra_label(key: str) -> str:
    """The figure's name as the management group reads it (the key is the national form's)."""
    if key.startswith("moved_in_") and key != "moved_in_new":
        reason = key.removeprefix("moved_in_")
        label = Application.MainReason(reason).label if reason in Application.MainReason.values else reason
        return _("Moved in: %(reason)s") % {"reason": label}
    labels = {
        "units_total": _("Municipal rental homes at year end"),
        "units_owned": _("of which owned by the municipality"),
        "units_leased": _("of which leased by the municipality"),
        "units_private_allocation_right": _("of which private with allocation right"),
        "units_wheelchair": _("of which wheelchair-accessible"),
        "units_wheelchair_share": _("Wheelchair-accessible (%)"),
        "applications_new": _("New applications for a municipal home"),
        "refusals_new": _("Refusals"),
        # xgettext:no-python-format (the "%" is a per cent sign, not a placeholder: "% o" would read as one)
        "refusal_share": _("Refused (% of new applications)"),
        "moved_in_new": _("Moved in"),
        "waiting_list": _("Waiting at year end"),
        "waiting_list_wheelchair": _("of which needing a wheelchair-accessible home"),
        "temp_households": _("Households in temporary accommodation"),
        "temp_children_over_3_months": _("of which with children, more than 3 months"),
        "temp_natthjem": _("of which in a night shelter"),
    }
    return str(labels.get(key, key))


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def homelessness(request):
    today = timezone.localdate()
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = today
    by_name = figures.homeless_by_name(on) if request.user.has_perm("cases.view_application") else []
    if by_name:
        access_log_write(request, action="read", section="homeless_by_name", purpose=str(on))
    monthly = figures.homeless_monthly(add_months_start(on, -11), 12)
    table = request.GET.get("table", "monthly")
    if table == "counts":
        exported = _export(
            request,
            "bustadlause-historikk",
            [_("Date"), _("Count"), _("Source")],
            [[c.day, c.count, c.source] for c in HomelessCount.objects.all()],
        )
    elif table == "by_name" and by_name:
        access_log_write(request, action="export", section="homeless_by_name", purpose=str(on))
        exported = _export(
            request,
            f"bustadlause-namn-{on}",
            [_("Category"), _("Applicant"), _("Case")],
            [
                [str(Application.HousingSituation(r["category"]).label), str(r["person"] or ""), r["case"] or ""]
                for r in by_name
            ],
        )
    else:
        exported = _export(
            request,
            f"bustadlause-{on}",
            [_("Month"), _("Count"), _("In"), _("Out")],
            [[r["month"], r["count"], r["inflow"], r["outflow"]] for r in monthly],
        )
    if exported:
        return exported
    counts = list(HomelessCount.objects.all())
    by_category = {}
    for row in figures.homeless_households(on).values():
        label = str(Application.HousingSituation(row).label)
        by_category[label] = by_category.get(label, 0) + 1
    for row in by_name:
        row["category"] = str(Application.HousingSituation(row["category"]).label)
    chart = {
        "labels": [c.day.isoformat() for c in counts] + [on.isoformat()],
        "series": [
            {"label": str(_("Homeless households")), "data": [c.count for c in counts] + [sum(by_category.values())]}
        ],
    }
    return render(
        request,
        "reports/homelessness.html",
        {
            "on": on,
            "by_name": by_name,
            "monthly": monthly,
            "counts": counts,
            "by_category": sorted(by_category.items()),
            "chart": chart,
            "total": sum(by_category.values()),
        },
    )


def add_months_start(day: dt.date, months: int) -> dt.date:
    from cases.rules import add_months

    return add_months(day.replace(day=1), months)


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["goal", "title", "responsible", "status", "deadline"]
        widgets = {"deadline": DATE_INPUT}


class ActivityForm(forms.ModelForm):
    class Meta:
        model = PlanActivity
        fields = ["kind", "held_on", "summary"]
        widgets = {"held_on": DATE_INPUT, "summary": forms.Textarea(attrs={"rows": 2})}


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def action_plan(request):
    today = timezone.localdate()
    can_edit = request.user.has_perm("reports.change_actiongoal")
    measure_form = MeasureForm(request.POST if request.POST.get("form") == "measure" else None)
    activity_form = ActivityForm(
        request.POST if request.POST.get("form") == "activity" else None, initial={"held_on": today}
    )
    if request.method == "POST" and can_edit:
        form = measure_form if request.POST.get("form") == "measure" else activity_form
        if form.is_valid():
            item = form.save(commit=False)
            if isinstance(item, PlanActivity):
                item.recorded_by = request.user
            item.save()
            messages.success(request, _("Saved."))
            return redirect("reports:action-plan")
        messages.error(request, _("Check the form: some fields are missing or wrong."))
    goals = list(ActionGoal.objects.prefetch_related("measures"))
    indicators = {goal.pk: figures.indicator(goal.indicator, today) for goal in goals if goal.indicator}
    exported = _export(
        request,
        "handlingsplan",
        [
            _("Goal"),
            _("Indicator"),
            _("Value"),
            _("Target"),
            _("Measure"),
            _("Responsible"),
            _("Status"),
            _("Deadline"),
        ],
        [
            [
                goal.title,
                str(goal.get_indicator_display()),
                indicators.get(goal.pk, ""),
                goal.target,
                m.title,
                m.responsible,
                str(m.get_status_display()),
                m.deadline,
            ]
            for goal in goals
            for m in goal.measures.all()
        ]
        + [
            [goal.title, str(goal.get_indicator_display()), indicators.get(goal.pk, ""), goal.target, "", "", "", ""]
            for goal in goals
            if not goal.measures.all()
        ],
    )
    if exported:
        return exported
    return render(
        request,
        "reports/action_plan.html",
        {
            "goals": goals,
            "indicators": indicators,
            "activities": PlanActivity.objects.all()[:50],
            "measure_form": measure_form,
            "activity_form": activity_form,
            "can_edit": can_edit,
            "today": today,
        },
    )


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def equity(request):
    year = _year(request.GET.get("year"), timezone.localdate().year)
    data = figures.equity(year)
    rows = [[_("Allocation meeting"), r["name"], r["choices"], r["overrides"]] for r in data["meeting_overrides"]]
    rows += [[_("Urgency band"), r["name"], r["assessed"], r["overridden"]] for r in data["band_overrides"]]
    exported = _export(request, f"likebehandling-{year}", [_("Where"), _("User"), _("Total"), _("Overrides")], rows)
    if exported:
        return exported
    return render(request, "reports/equity.html", {"year": year, "data": data})


@login_required
@permission_required("reports.view_dashboard", raise_exception=True)
def summary_pdf(request):
    """A PDF summary of the steering figures for the management group's meeting: a report, not a letter."""
    from stord_bolig.letters import render_pdf

    today = timezone.localdate()
    language = request.LANGUAGE_CODE
    # computed now (and kept), not read from the hour's kept figures: a report handed round a meeting says what
    # is true when it is made, every figure as of the same moment (the homeless count is always live)
    data = figures.dashboard_keep(*_period(request.GET, today))  # the period the dashboard shows
    with translation.override(language):
        header, rows = _per_year_table(data)
        years = [_year_label(year, data["so_far"]) for year in data["years"]]
        bands = data["waiting_by_band"]
        now = [
            (_("Households on the waiting list"), data["waiting_households"]),
            (_("Waiting now, band A / B / C"), f"{bands['A']} / {bands['B']} / {bands['C']}"),
            (_("Homeless households now"), len(figures.homeless_households(today))),
            (_("Free homes now"), data["free_units"]),
            (_("Housing First caseload"), data["housing_first"]),
            (_("Waiting for a Housing First home"), data["housing_first_waiting"]),
        ]
        context = {
            "title": _("Steering figures for the housing office"),
            "period": f"{years[0]}–{years[-1]}",
            "today": today,
            "data": data,
            "years": years,
            "now": now,
            # a figure a line, a year a column: thirteen figures fit the page's width this way round
            "per_year": [(str(label), [row[i] for row in rows]) for i, label in enumerate(header) if i],
        }
    pdf = render_pdf("reports/summary_pdf.html", context, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="styringstal-{today}.pdf"'
    return response


@login_required
def access_audit(request):
    """For the system owner: self-lookups and unusual read volumes (Normen: review the access log)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    today = timezone.localdate()
    since = today - dt.timedelta(days=30)
    data = figures.access_audit(since)
    access_log_write(request, action="read", section="access_audit", purpose="log review")
    context = {"data": data, "since": since, "retention": retention_last_run()}
    return render(request, "reports/access_audit.html", context)
