"""Lease views: list, detail with deadlines and the dated acts that close reminders."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.rules import add_months
from stord_bolig.access import access_log_write
from stord_bolig.forms import apply_errors
from stord_bolig.models import Letter

from . import services
from .forms import (
    ArrearsImportForm,
    FollowUpContactForm,
    FollowUpPlanForm,
    LeaseDateForm,
    LeaseRegisterForm,
    LeaseRenewForm,
    LeaseTermsForm,
    MoveInForm,
    MoveOnPlanForm,
    MoveOutForm,
    RentAdjustForm,
)
from .models import END_OR_NEVER, FollowUpPlan, Lease, Milestone, Reminder
from .querysets import continued_lease, lease_neighbours


def _lease_or_404(request, ref: str) -> Lease:
    lease = (
        Lease.objects.visible_to(request.user)
        .select_related("unit", "household", "application", "application__assigned_to", "renewal_case__decision")
        .filter(ref=ref)
        .first()
    )
    if lease is None:
        access_log_write(request, action="denied", section="lease", purpose=ref[:40])
        raise Http404
    return lease


@login_required
@permission_required("tenancies.view_lease", raise_exception=True)
def lease_list(request):
    today = timezone.localdate()
    queryset = (
        Lease.objects.visible_to(request.user)
        .select_related("unit", "household", "application")
        .prefetch_related("household__members__person")
    )
    show = request.GET.get("show", "active")
    if show == "active":
        queryset = queryset.active_on(today)
    elif show == "expiring":
        queryset = queryset.active_on(today).filter(
            end__isnull=False, end__lte=add_months(today, 6), renewal_decided__isnull=True
        )
    page = Paginator(queryset.order_by(END_OR_NEVER, "ref"), 50).get_page(request.GET.get("page"))
    return render(
        request, "tenancies/lease_list.html", {"page": page, "show": show, "query": f"show={show}", "today": today}
    )


@login_required
@permission_required("tenancies.view_lease", raise_exception=True)
def lease_detail(request, ref: str):
    return _lease_page(request, _lease_or_404(request, ref))


def _lease_page(request, lease: Lease, *, bound: dict | None = None):
    """The lease page; `bound` puts a posted form back with what the user typed and its errors."""
    access_log_write(
        request,
        action="read",
        case_ref=lease.application.ref if lease.application else "",
        section="lease",
        purpose=lease.ref,
    )
    today = timezone.localdate()
    continued = continued_lease(lease)
    lease_before, lease_after = lease_neighbours(lease)
    renewal_decision = getattr(lease.renewal_case, "decision", None) if lease.renewal_case_id else None
    plans = list(lease.followup_plans.prefetch_related("contacts").all())
    posted_contact = (bound or {}).pop("contact_form", None)
    for plan in plans:  # each plan's contact form has its own field ids; the one posted comes back as typed
        plan.contact_form = (
            posted_contact
            if posted_contact is not None and str(plan.pk) == posted_contact.data.get("plan")
            else FollowUpContactForm(initial={"day": today}, auto_id=f"id_contact{plan.pk}_%s")
        )
    context = {
        # a refused renewal: the page says what comes next (the move-out demand once the lease has ended)
        "renewal_refused": renewal_decision
        if renewal_decision is not None
        and renewal_decision.outcome == "refused"
        and lease.end is not None
        and not lease.moved_out
        else None,
        "lease": lease,
        "today": today,
        "arrears": lease.arrears.order_by("-as_of")[:24],
        "reminders": Reminder.objects.filter(subject_ref=lease.ref, closed_at__isnull=True).order_by("due"),
        "date_form": LeaseDateForm(),
        "move_in_form": MoveInForm(initial={"moved_in": lease.start}),
        "move_out_form": MoveOutForm(initial={"moved_out": today}),
        "hard_deadline": add_months(lease.end, 3) if lease.end and lease.renewal_decided is None else None,
        "active": Lease.objects.filter(pk=lease.pk).active_on(today).exists(),
        "terms_form": LeaseTermsForm(
            initial={
                "start": lease.start,
                "end": lease.end,
                "monthly_rent": lease.monthly_rent,
                "deposit": lease.deposit,
                "guarantee": lease.guarantee,
                "short_term_reason": lease.short_term_reason or "",
                "repeat_short_term_reason": lease.repeat_short_term_reason or "",
            }
        ),
        "rent_form": RentAdjustForm(initial={"new_rent": lease.monthly_rent}),
        "rent_changes": lease.rent_changes.all()[:10],
        "plans": plans,
        # fields of their own on the page (the date form has a "day" too): labels point at the right field
        "plan_form": FollowUpPlanForm(auto_id="id_plan_%s"),
        "move_on_plan": getattr(lease, "move_on_plan", None),
        "move_on_form": MoveOnPlanForm(
            initial={"goal": lease.move_on_plan.goal, "notes": lease.move_on_plan.notes}
            if hasattr(lease, "move_on_plan")
            else None
        ),
        "letters": Letter.objects.filter(
            case_ref__in=[lease.ref, lease.application.ref if lease.application else ""],
            kind__in=["contract", "move_out_demand", "social_services_notice", "rent_adjustment"],
        ).order_by("-created_at")[:20],
        "renew_form": _renew_form(lease),
        "renew_start": lease.end + dt.timedelta(days=1) if lease.end else None,
        "lease_before": lease_before,
        "lease_after": lease_after,
        # renewed, but the renewed lease has not started: the tenant may still move out instead (it is withdrawn)
        "withdrawable": lease_after if services.renewal_withdrawable(lease, lease_after, today) else None,
        "can_demand": lease.end is not None
        and lease.end < today
        and not lease.moved_out
        and not lease.move_out_demand_sent
        and lease.renewal_decided is None
        and lease.outcome != Lease.Outcome.RENEWED,
        "continued": continued,
        # a renewed lease's terms are fixed once it runs (its tenant already lives there)
        "terms_open": lease.moved_in is None and (continued is None or lease.start > today),
        **(bound or {}),
    }
    if not services.renewal_pending(lease):
        context["renew_form"] = None  # a stale form posted again after the renewal is not offered again
    return render(request, "tenancies/lease_detail.html", context)


def _renew_form(lease: Lease) -> LeaseRenewForm | None:
    """The form to register a granted renewal's new lease, filled in with its term and today's rent."""
    term = services.renewal_next_term(lease) if services.renewal_pending(lease) else None
    if term is None:
        return None
    return LeaseRenewForm(initial={"end": term[1], "monthly_rent": lease.monthly_rent})


FOLLOWUP_ACTIONS = {"plan", "contact"}
# The page's form for each posted action: after an error it is shown again as the user filled it in.
_ACTION_FORMS = {
    "date": "date_form",
    "move_in": "move_in_form",
    "terms": "terms_form",
    "rent": "rent_form",
    "plan": "plan_form",
    "contact": "contact_form",
    "move_on": "move_on_form",
    "move_out": "move_out_form",
    "renew": "renew_form",
}


@login_required
@require_POST
def lease_action(request, ref: str):
    lease = _lease_or_404(request, ref)
    action = request.POST.get("form")
    needed = "tenancies.change_followupplan" if action in FOLLOWUP_ACTIONS else "tenancies.change_lease"
    if not request.user.has_perm(needed):
        raise PermissionDenied
    form = None
    try:
        if action == "date":
            form = LeaseDateForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose what happened and a valid date."))
            services.lease_record_date(
                lease=lease, field=form.cleaned_data["action"], day=form.cleaned_data["day"], by=request.user
            )
        elif action == "move_in":
            form = MoveInForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give a valid date."))
            services.lease_move_in(lease=lease, moved_in=form.cleaned_data["moved_in"], by=request.user)
        elif action == "terms":
            form = LeaseTermsForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Check the lease terms: dates and whole kroner."))
            services.lease_terms_update(lease=lease, data=form.cleaned_data, by=request.user)
        elif action == "renew":
            form = LeaseRenewForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    _("Give the rent in whole kroner and the end as a date (empty for an open-ended lease).")
                )
            renewed = services.lease_renew(lease=lease, by=request.user, **form.cleaned_data)
            services.reminder_sweep_for_lease(lease.ref)
            messages.success(
                request,
                _("Lease %(ref)s is registered from %(start)s; the contract is being prepared.")
                % {"ref": renewed.ref, "start": renewed.start.strftime("%d.%m.%Y")},
            )
            return redirect(renewed)
        elif action == "move_out_demand":
            services.move_out_demand_send(lease=lease, by=request.user)
        elif action == "social_services":
            services.social_services_notify(lease=lease, by=request.user)
        elif action == "rent":
            form = RentAdjustForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the new rent, both index values and the date."))
            services.rent_adjust(lease=lease, by=request.user, **form.cleaned_data)
        elif action == "plan":
            form = FollowUpPlanForm(request.POST, auto_id="id_plan_%s")
            if not form.is_valid():
                raise ValidationError(_("Write the tenant's own goals."))
            services.followup_plan_create(lease=lease, by=request.user, **form.cleaned_data)
        elif action == "contact":
            posted_plan = request.POST.get("plan", "")
            plan = lease.followup_plans.filter(pk=posted_plan).first() if posted_plan.isdigit() else None
            form = FollowUpContactForm(request.POST, auto_id=f"id_contact{plan.pk if plan else ''}_%s")
            if plan is None or not form.is_valid():
                raise ValidationError(_("Give the date, kind and a note for the contact."))
            services.followup_contact_add(plan=plan, by=request.user, **form.cleaned_data)
        elif action == "move_on":
            form = MoveOnPlanForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a goal for the move-on plan."))
            services.move_on_plan_set(lease=lease, by=request.user, **form.cleaned_data)
        elif action == "milestone_done":
            milestone = Milestone.objects.filter(plan__lease=lease, pk=request.POST.get("milestone")).first()
            if milestone is None:
                raise Http404
            services.milestone_done(milestone=milestone, by=request.user)
        elif action == "move_out":
            form = MoveOutForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give a valid date and where the tenant moved."))
            if lease.outcome == Lease.Outcome.RENEWED:
                withdrawn = services.renewal_withdraw_move_out(lease=lease, by=request.user, **form.cleaned_data)
                services.reminder_sweep_for_lease(lease.ref)
                messages.success(
                    request,
                    _("The move-out is recorded, and the renewed lease %(ref)s, which had not started, is withdrawn.")
                    % {"ref": withdrawn},
                )
                return redirect(lease)
            services.lease_move_out(lease=lease, by=request.user, **form.cleaned_data)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if form is not None and action in _ACTION_FORMS:
            # the reason also stands at the form itself, which the page brings into view (static/js/app.js)
            apply_errors(form, exc)
            return _lease_page(request, lease, bound={_ACTION_FORMS[action]: form})
    else:
        services.reminder_sweep_for_lease(lease.ref)
        messages.success(request, _action_done(action, lease, request.POST.get("action", "")))
    return redirect(lease)


def _action_done(action: str, lease: Lease, event: str = "") -> str:
    """What the caseworker is told after an action on the lease page: what was done, not only "saved"."""
    if action == "date" and event in ("last_circulation_review", "move_out_demand_sent"):
        lease.refresh_from_db(fields=[event])
        message = {
            "last_circulation_review": _(
                "The circulation review of %(day)s is recorded; the next is due a year later."
            ),
            "move_out_demand_sent": _("The move-out demand sent on %(day)s by other means is recorded."),
        }[event]
        return message % {"day": getattr(lease, event).strftime("%d.%m.%Y")}
    if action == "move_out":
        lease.refresh_from_db(fields=["moved_out"])
        return _("The move-out on %(day)s is recorded; home %(unit)s is free unless it is already let again.") % {
            "day": lease.moved_out.strftime("%d.%m.%Y"),
            "unit": lease.unit.ref,
        }
    done = {
        "date": _("The date is recorded."),
        "move_in": _("The move-in is recorded."),
        "terms": _("The lease terms are saved."),
        "move_out_demand": _("The move-out demand is made; the letter is among the lease's letters."),
        "social_services": _("The notice to the social services is made; the letter is among the lease's letters."),
        "rent": _("The rent notice is made; the letter is among the lease's letters."),
        "plan": _("The follow-up plan is saved."),
        "contact": _("The contact is recorded."),
        "move_on": _("The move-on plan is saved."),
        "milestone_done": _("The milestone is marked as reached."),
    }
    return done.get(action, _("Saved."))


@login_required
@permission_required("tenancies.change_lease", raise_exception=True)
def lease_register(request):
    from allocation.models import Unit
    from cases.models import Application

    form = LeaseRegisterForm(request.POST or None, initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data.copy()
        unit = Unit.objects.visible_to(request.user).filter(ref=data.pop("unit").strip()).first()
        case = Application.objects.visible_to(request.user).filter(ref=data.pop("case").strip()).first()
        if unit is None:
            form.add_error("unit", _("No unit with that reference."))
        if case is None:
            form.add_error("case", _("No case with that number."))
        if unit is not None and case is not None:
            try:
                lease = services.lease_register(
                    unit=unit, household=case.household, application=case, by=request.user, **data
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Lease %(ref)s is registered; the contract is being prepared.") % {"ref": lease.ref}
                )
                return redirect(lease)
    return render(request, "tenancies/lease_register.html", {"form": form})


@login_required
@permission_required("tenancies.change_lease", raise_exception=True)
def arrears_import(request):
    form = ArrearsImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            count = services.arrears_import_csv(text)
        except UnicodeDecodeError:
            errors = [_("The file is not UTF-8 text.")]
        except ValidationError as exc:
            errors = exc.messages
        else:
            services.reminder_sweep(timezone.localdate())
            messages.success(request, _("%(n)d arrears figures imported.") % {"n": count})
            return redirect("tenancies:arrears-import")
    return render(request, "tenancies/arrears_import.html", {"form": form, "errors": errors})


@login_required
@permission_required("tenancies.view_caseload", raise_exception=True)
def caseload(request):
    """The Housing First team's caseload and its waiting list (which should stay empty)."""
    from allocation.querysets import waiting_applications
    from cases.querysets import visible_case_ids

    today = timezone.localdate()
    plans = list(
        FollowUpPlan.objects.visible_to(request.user)
        .housing_first_caseload()
        .select_related("lease__unit", "lease__household", "responsible")
        .order_by("next_contact")
    )
    # The size of the caseload is a figure anyone with this page may see (as the dashboard shows it); the people
    # in it only those who follow them.
    total = FollowUpPlan.objects.housing_first_caseload().count()
    waiting = list(waiting_applications(today).filter(target_group="housing_first").order_by("decision__decided"))
    return render(
        request,
        "tenancies/caseload.html",
        {
            "plans": plans,
            "total": total,
            "waiting": waiting,
            "today": today,
            # Link only what the user may open (management sees the caseload, not the cases or leases).
            "openable": visible_case_ids(request.user, [case.pk for case in waiting]),
        },
    )
