"""Lease views: list, detail with deadlines and the dated acts that close reminders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.rules import add_months
from stord_bolig.access import access_log_write

from . import services
from .forms import LeaseDateForm, MoveInForm, MoveOutForm
from .models import Lease, Reminder


def _lease_or_404(request, ref: str) -> Lease:
    lease = (
        Lease.objects.visible_to(request.user)
        .select_related("unit", "household", "application", "application__assigned_to")
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
    queryset = Lease.objects.visible_to(request.user).select_related("unit", "household", "application")
    show = request.GET.get("show", "active")
    if show == "active":
        queryset = queryset.active_on(today)
    elif show == "expiring":
        queryset = queryset.active_on(today).filter(
            end__isnull=False, end__lte=add_months(today, 6), renewal_decided__isnull=True
        )
    page = Paginator(queryset.order_by("end", "ref"), 50).get_page(request.GET.get("page"))
    return render(
        request, "tenancies/lease_list.html", {"page": page, "show": show, "query": f"show={show}", "today": today}
    )


@login_required
@permission_required("tenancies.view_lease", raise_exception=True)
def lease_detail(request, ref: str):
    lease = _lease_or_404(request, ref)
    access_log_write(
        request,
        action="read",
        case_ref=lease.application.ref if lease.application else "",
        section="lease",
        purpose=lease.ref,
    )
    today = timezone.localdate()
    context = {
        "lease": lease,
        "today": today,
        "arrears": lease.arrears.order_by("-as_of")[:24],
        "reminders": Reminder.objects.filter(subject_ref=lease.ref, closed_at__isnull=True).order_by("due"),
        "date_form": LeaseDateForm(),
        "move_in_form": MoveInForm(initial={"moved_in": lease.start}),
        "move_out_form": MoveOutForm(initial={"moved_out": today}),
        "hard_deadline": add_months(lease.end, 3) if lease.end else None,
        "active": Lease.objects.filter(pk=lease.pk).active_on(today).exists(),
    }
    return render(request, "tenancies/lease_detail.html", context)


@login_required
@permission_required("tenancies.change_lease", raise_exception=True)
@require_POST
def lease_action(request, ref: str):
    lease = _lease_or_404(request, ref)
    action = request.POST.get("form")
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
        elif action == "move_out":
            form = MoveOutForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give a valid date and where the tenant moved."))
            services.lease_move_out(lease=lease, by=request.user, **form.cleaned_data)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        services.reminder_sweep_for_lease(lease.ref)
        messages.success(request, _("Saved."))
    return redirect(lease)
