"""Financial advice views: referrals, budgets, startlån, consents, NAV's shared view and the access report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Application, Assessment, HouseholdMember
from stord_bolig.access import access_log_write
from stord_bolig.formats import kr
from stord_bolig.forms import apply_errors
from stord_bolig.models import AccessLog, Letter, User
from tenancies.models import Lease

from . import services
from .forms import (
    BudgetForm,
    ConsentForm,
    IntakeForm,
    ReferralForm,
    ReferralTransitionForm,
    StartlanDecisionForm,
    StartlanForm,
)
from .models import Consent, Referral, ReferralStatus, StartlanApplication
from .querysets import nav_sections, nav_shared_cases


def _referral_or_404(request, ref: str) -> Referral:
    referral = (
        Referral.objects.visible_to(request.user)
        .select_related("household", "application", "lease", "advisor")
        .filter(ref=ref)
        .first()
    )
    if referral is None:
        access_log_write(request, action="denied", section="referral", purpose=ref[:40])
        raise Http404
    return referral


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@permission_required("finance_advice.view_referral", raise_exception=True)
def referral_list(request):
    referrals = (
        Referral.objects.visible_to(request.user)
        .select_related("household", "advisor")
        .prefetch_related("household__members__person")
    )
    show = request.GET.get("show", "open")
    if show == "open":
        referrals = referrals.open()
    return render(request, "finance_advice/referral_list.html", {"referrals": referrals[:200], "show": show})


@login_required
@permission_required("finance_advice.view_referral", raise_exception=True)
def referral_detail(request, ref: str):
    return _referral_page(request, _referral_or_404(request, ref))


def _budget_start(referral: Referral) -> dict:
    """A new budget starts from the last one made on the referral, or from the net income in the case's needs
    assessment: the advisor corrects what changed instead of asking the household again."""
    latest = referral.budgets.first()  # newest first
    if latest is not None:
        return {name: getattr(latest, name) for name in BudgetForm.Meta.fields}
    assessment = Assessment.objects.filter(application_id=referral.application_id).only("monthly_income").first()
    if assessment is not None and assessment.monthly_income is not None:
        return {"net_income": assessment.monthly_income}
    return {}


def _referral_page(request, referral: Referral, *, bound: dict | None = None):
    """The referral page; `bound` puts a posted form back with what the user typed (opened) and its errors."""
    access_log_write(
        request,
        action="read",
        case_ref=referral.application.ref if referral.application else "",
        section="economy",
        purpose=f"referral {referral.ref}",
    )
    can_advise = request.user.has_perm("finance_advice.change_referral")
    allowed = ReferralStatus.transitions()[referral.status]
    transition_form = ReferralTransitionForm()
    # "budget made" follows from making one (the budget form), so it is not offered as a status to pick
    allowed = allowed - {ReferralStatus.BUDGET_MADE}
    transition_form.fields["to_status"].choices = [c for c in ReferralStatus.choices if c[0] in allowed]
    context = {
        "referral": referral,
        "events": referral.status_events.select_related("by"),
        "budgets": referral.budgets.all(),
        "startlan": referral.startlan_applications.all(),
        "can_advise": can_advise,
        "transition_form": transition_form if allowed else None,
        "budget_form": BudgetForm(initial=_budget_start(referral)),
        "startlan_form": StartlanForm(initial={"received": timezone.localdate()}),
        "letters": Letter.objects.filter(case_ref=referral.ref).order_by("-created_at"),
        "open_form": "",
        **(bound or {}),
    }
    return render(request, "finance_advice/referral_detail.html", context)


# The page's form for each posted action: after an error it is shown again, open, as the user filled it in.
_REFERRAL_FORMS = {"budget": "budget_form", "startlan": "startlan_form"}


@login_required
@permission_required("finance_advice.change_referral", raise_exception=True)
@require_POST
def referral_act(request, ref: str):
    referral = _referral_or_404(request, ref)
    action = request.POST.get("form")
    form = None
    try:
        if action == "transition":
            form = ReferralTransitionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose the new status."))
            referral = services.referral_transition(referral=referral, by=request.user, **form.cleaned_data)
            done = _("The referral is now “%(status)s”.") % {"status": referral.get_status_display()}
        elif action == "budget":
            form = BudgetForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the amounts as whole kroner per month."))
            data = form.cleaned_data.copy()
            budget = services.budget_make(
                referral=referral, term_years=data.pop("term_years"), data=data, by=request.user
            )
            done = _(
                "The budget is made: the household can carry a startlån of about %(loan)s. "
                "The summary letter is among the letters."
            ) % {"loan": kr(budget.carryable_loan)}
        elif action == "startlan":
            form = StartlanForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Check the startlån application: dates and whole kroner."))
            application = services.startlan_register(
                household=referral.household, referral=referral, data=form.cleaned_data, by=request.user
            )
            messages.success(request, _("Startlån application %(ref)s registered.") % {"ref": application.ref})
            return redirect("finance_advice:startlan-detail", ref=application.ref)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        if form is not None and action in _REFERRAL_FORMS:
            apply_errors(form, exc)  # at the form too, not only in the banner at the top
            return _referral_page(request, referral, bound={_REFERRAL_FORMS[action]: form, "open_form": action})
    else:
        messages.success(request, done)
    return redirect(referral)


@login_required
@permission_required("finance_advice.change_referral", raise_exception=True)
def referral_intake(request):
    """The advisor's own intake: a person who came directly, registered (or found) and referred in one step."""
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data.copy()
        reason = data.pop("reason")
        try:
            referral = services.referral_intake(
                person={name: value for name, value in data.items() if value}, reason=reason, by=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Referral %(ref)s registered.") % {"ref": referral.ref})
            return redirect(referral)
    return render(request, "finance_advice/intake_form.html", {"form": form})


@login_required
@permission_required("finance_advice.add_referral", raise_exception=True)
def referral_from_case(request, case_ref: str):
    application = Application.objects.visible_to(request.user).filter(ref=case_ref).first()
    if application is None:
        access_log_write(request, action="denied", case_ref=case_ref[:40], section="referral")
        raise Http404
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                household=application.household,
                source=Referral.Source.CASE,
                reason=form.cleaned_data["reason"],
                application=application,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Referral %(ref)s sent to financial advice.") % {"ref": referral.ref})
            return redirect(application)
    return render(request, "finance_advice/referral_form.html", {"case": application, "form": form})


@login_required
@permission_required("finance_advice.add_referral", raise_exception=True)
@require_POST
def referral_from_lease(request, lease_ref: str):
    lease = Lease.objects.visible_to(request.user).filter(ref=lease_ref).first()
    if lease is None:
        access_log_write(request, action="denied", section="lease", purpose=lease_ref[:40])
        raise Http404
    try:
        referral = services.referral_from_arrears(lease=lease, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(lease)
    messages.success(request, _("Referral %(ref)s sent to financial advice.") % {"ref": referral.ref})
    return redirect(lease)


@login_required
@permission_required("finance_advice.change_startlanapplication", raise_exception=True)
def startlan_list(request):
    applications = (
        StartlanApplication.objects.visible_to(request.user)
        .select_related("household")
        .prefetch_related("household__members__person")[:200]
    )
    return render(request, "finance_advice/startlan_list.html", {"applications": applications})


@login_required
@permission_required("finance_advice.change_startlanapplication", raise_exception=True)
def startlan_detail(request, ref: str):
    application = (
        StartlanApplication.objects.visible_to(request.user).filter(ref=ref).select_related("household").first()
    )
    if application is None:
        raise Http404
    form = StartlanDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.startlan_decide(application=application, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The startlån decision is made; the letter is being prepared."))
            return redirect("finance_advice:startlan-detail", ref=ref)
    letters = Letter.objects.filter(case_ref=application.ref)
    return render(
        request, "finance_advice/startlan_detail.html", {"application": application, "form": form, "letters": letters}
    )


def _case_for_consents(request, case_ref: str) -> Application:
    application = Application.objects.visible_to(request.user).filter(ref=case_ref).first()
    if application is None or not request.user.has_perm("cases.change_application"):
        access_log_write(request, action="denied", case_ref=case_ref[:40], section="consents")
        raise Http404
    return application


@login_required
def consents(request, case_ref: str):
    application = _case_for_consents(request, case_ref)
    members = HouseholdMember.objects.filter(household=application.household).select_related("person")
    form = ConsentForm(request.POST or None, initial={"given": timezone.localdate()})
    if request.method == "POST":
        person = next((m.person for m in members if m.person.ref == request.POST.get("person")), None)
        if person is None:
            form.add_error(None, _("Choose the person who gives the consent."))
        elif form.is_valid():
            try:
                services.consent_record(person=person, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("The consent is recorded."))
                return redirect("finance_advice:consents", case_ref=case_ref)
    rows = Consent.objects.filter(person__in=[m.person for m in members]).select_related("person")
    return render(
        request,
        "finance_advice/consents.html",
        {"case": application, "members": members, "form": form, "consents": rows, "today": timezone.localdate()},
    )


@login_required
@require_POST
def consent_revoke(request, case_ref: str, pk: int):
    application = _case_for_consents(request, case_ref)
    consent = Consent.objects.filter(pk=pk, person__membership__household=application.household).first()
    if consent is None:
        raise Http404
    services.consent_revoke(consent=consent, by=request.user)
    messages.success(request, _("The consent is revoked. NAV no longer sees what it covered."))
    return redirect("finance_advice:consents", case_ref=case_ref)


@login_required
@permission_required("finance_advice.view_shared_case", raise_exception=True)
def nav_list(request):
    cases = (
        nav_shared_cases(request.user)
        .select_related("household")
        .prefetch_related("household__members__person")
        .order_by("-received")[:200]
    )
    return render(request, "finance_advice/nav_list.html", {"cases": cases})


@login_required
def nav_case(request, case_ref: str):
    """NAV's view of a case: only with a valid consent, only the sections it covers, never health."""
    application = nav_shared_cases(request.user).filter(ref=case_ref).select_related("household").first()
    if application is None:
        access_log_write(request, action="denied", case_ref=case_ref[:40], section="nav_shared")
        raise Http404
    sections = nav_sections(application)
    access_log_write(
        request,
        action="read",
        case_ref=application.ref,
        section="nav:" + ",".join(sorted(sections)),
        purpose="shared with NAV by consent",
    )
    context = {
        "case": application,
        "sections": sections,
        "assessment": getattr(application, "assessment", None)
        if sections & {"economy", "housing", "followup"}
        else None,
        "referrals": application.household.referrals.all() if "economy" in sections else [],
        "leases": application.household.leases.select_related("unit") if "housing" in sections else [],
        "plans": [p for lease in application.household.leases.all() for p in lease.followup_plans.all()]
        if "followup" in sections
        else [],
    }
    return render(request, "finance_advice/nav_case.html", context)


@login_required
@permission_required("cases.change_application", raise_exception=True)
def access_report(request, case_ref: str):
    """Who has seen this case: for the person's right of access (GDPR art. 15), printable."""
    application = Application.objects.visible_to(request.user).filter(ref=case_ref).first()
    if application is None:
        access_log_write(request, action="denied", case_ref=case_ref[:40], section="access_report")
        raise Http404
    rows = list(
        AccessLog.objects.filter(case_ref=application.ref)
        .exclude(action__in=["login", "logout"])
        .order_by("-at")[:1000]
    )
    access_log_write(
        request, action="read", case_ref=application.ref, section="access_report", purpose="right of access"
    )
    # Who, by name: the person reading the report knows staff by name, not by user name.
    names = {user.pk: user.get_full_name() for user in User.objects.filter(pk__in={r.user_id for r in rows})}
    for row in rows:
        row.who = names.get(row.user_id) or row.username
    return render(request, "finance_advice/access_report.html", {"case": application, "rows": rows})
