"""Case views: load through visible_to (a miss is a 404), bind a form, call one service, redirect."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stord_bolig.access import access_log_write
from stord_bolig.forms import apply_errors
from stord_bolig.models import Letter

from . import rules, services, uploads
from .filters import CaseFilter
from .forms import (
    AdvanceNoticeForm,
    AppealForm,
    ApplicationRegisterForm,
    AssessmentForm,
    AssignForm,
    AttachmentForm,
    DecisionForm,
    HealthAssessmentForm,
    MemberFormSet,
    NoteForm,
    NotifiedForm,
    PersonContactForm,
    PreliminaryReplyForm,
    ReversalForm,
)
from .letters import comment_deadline
from .links import case_links
from .models import Appeal, Application, Assessment, Decision, HealthAssessment, Status, appeal_decided_by_body
from .querysets import health_visible_to


def _case_or_404(request, ref: str, *, section: str = "case") -> Application:
    queryset = Application.objects.visible_to(request.user).select_related(
        "household", "assigned_to", "decision", "assessment"
    )
    application = queryset.filter(ref=ref).first()
    if application is None:
        access_log_write(request, action="denied", case_ref=ref[:40], section=section)
        raise Http404
    return application


@login_required
@permission_required("cases.view_application", raise_exception=True)
def case_list(request, mine: bool = False):
    base = Application.objects.visible_to(request.user).with_list_data()
    if mine:
        base = base.assigned_to(request.user)
    case_filter = CaseFilter(request.GET or None, queryset=base)
    queryset = case_filter.qs if case_filter.is_bound and case_filter.is_valid() else base.open()
    page = Paginator(queryset.order_by("-received", "-ref"), 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/application_list.html",
        {"filter": case_filter, "page": page, "mine": mine, "query": params.urlencode(), "today": timezone.localdate()},
    )


@login_required
@permission_required("cases.add_application", raise_exception=True)
def case_create(request):
    form = ApplicationRegisterForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = form.cleaned_data.copy()
        kind, received = data.pop("kind"), data.pop("received")
        member_rows = [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in members.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            application = services.application_register(
                applicant=data, members=member_rows, kind=kind, received=received, by=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Application %(ref)s is registered.") % {"ref": application.ref})
            registered = application.household.applicant
            if registered and (registered.given_name, registered.family_name) != (
                data["given_name"].strip(),
                data["family_name"].strip(),
            ):
                messages.warning(
                    request,
                    _(
                        "%(ref)s is the person already registered as %(name)s: the name typed (%(typed)s) was not "
                        "used, as a new application does not change who a registered person is."
                    )
                    % {
                        "ref": registered.ref,
                        "name": registered,
                        "typed": f"{data['given_name'].strip()} {data['family_name'].strip()}",
                    },
                )
            return redirect(application)
    return render(request, "cases/application_form.html", {"form": form, "members": members})


@login_required
def case_detail(request, ref: str):
    application = _case_or_404(request, ref)
    access_log_write(request, action="read", case_ref=application.ref, section="case", purpose="case work")
    show_health = health_visible_to(request.user, application)
    # Special-category data is opened on purpose, not with every look at the case: the access log then says who
    # read it, not who passed by.
    health_open = show_health and request.GET.get("health") == "1"
    health = None
    if health_open:
        health = HealthAssessment.objects.filter(application=application).first()
        if health is not None:
            services.health_read_log(request, application)
    members = list(application.household.members.select_related("person").all())
    applicant = next((m.person for m in members if m.role == "applicant"), None)
    need = rules.bedroom_need([rules.MemberAge(m.role, m.person.birth_date) for m in members], timezone.localdate())
    decision = getattr(application, "decision", None)
    today = timezone.localdate()
    deadline = rules.appeal_deadline(decision.notified) if decision else None
    appeals = list(application.appeals.all())
    final_appeal = appeal_decided_by_body(appeals)
    letters = list(Letter.objects.filter(case_ref=application.ref).order_by("-created_at"))
    context = {
        "case": application,
        "members": members,
        "bedroom_need": need,
        "assessment": getattr(application, "assessment", None),
        "health": health,
        "show_health": show_health,
        "health_open": health_open,
        "decision": decision,
        "appeal_deadline": deadline,
        "appeal_days_left": (deadline - today).days if deadline else None,
        "appeals": appeals,
        "final_appeal": final_appeal,
        # the first appeal against the decision in force (one that reversed an earlier decision was not)
        "first_appeal": min(
            (appeal for appeal in appeals if appeal.outcome != Appeal.Outcome.REVERSED),
            key=lambda appeal: appeal.received,
            default=None,
        ),
        "letters": letters,
        "comment_deadline": comment_deadline(letters),
        "events": list(application.status_events.select_related("by")[:50]),
        "notes": list(application.notes.select_related("by")[:50]),
        "attachments": list(application.attachments.all()),
        "note_form": NoteForm(),
        "assign_form": AssignForm(initial={"caseworker": application.assigned_to_id}),
        "attachment_form": AttachmentForm(),
        "today": today,
        "preliminary_due": rules.preliminary_reply_due(application.received),
        "needs_preliminary_reply": application.preliminary_reply_pending,
        "can_decide": application.status in Status.decidable() and request.user.has_perm("cases.decide_case"),
        "case_links": case_links(application, request.user),
        # letters go to the applicant (or their representative): without an address they carry a name only
        "address_missing": applicant
        if applicant and not (applicant.address.strip() or applicant.representative_address.strip())
        else None,
    }
    return render(request, "cases/application_detail.html", context)


@login_required
@permission_required("cases.change_application", raise_exception=True)
def assessment_edit(request, ref: str):
    application = _case_or_404(request, ref)
    assessment = Assessment.objects.filter(application=application).first()
    show_health = health_visible_to(request.user, application)
    health = HealthAssessment.objects.filter(application=application).first() if show_health else None
    if show_health and health is not None:
        services.health_read_log(request, application)
    suggested = rules.urgency_suggest(
        housing_situation=application.housing_situation,
        children_in_unsuitable_housing=bool(assessment and assessment.children_in_unsuitable_housing),
        documented_health_need=bool(health and health.documented_health_need),
    )
    form = AssessmentForm(request.POST or None, instance=assessment, application=application, suggested=suggested)
    health_form = HealthAssessmentForm(request.POST or None, instance=health) if show_health else None
    saved = False
    if request.method == "POST" and form.is_valid() and (health_form is None or health_form.is_valid()):
        data = form.cleaned_data.copy()
        urgency, urgency_reason = data.pop("urgency"), data.pop("urgency_reason")
        try:
            services.assessment_save(
                application=application,
                data=data,
                health=health_form.cleaned_data if health_form else None,
                urgency=urgency,
                urgency_reason=urgency_reason,
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            if "complete" in request.POST:  # say everything that stands in the way at once
                apply_errors(form, ValidationError(services.readiness_problems(recommendation=data["recommendation"])))
        else:
            saved = True
            if "complete" not in request.POST:
                messages.success(request, _("The needs assessment is saved."))
                return redirect(application)
            try:
                services.assessment_complete(application=application, by=request.user)
            except ValidationError as exc:
                # Saved, but not ready: stay on the form with the missing field marked, and say so at the top.
                apply_errors(form, exc)
                messages.warning(
                    request,
                    _("The needs assessment is saved, but the case is not marked ready for decision: %(why)s")
                    % {"why": " ".join(exc.messages)},
                )
            else:
                messages.success(request, _("The needs assessment is saved."))
                messages.success(request, _("The case is ready for decision."))
                return redirect(application)
    if request.method == "POST" and not saved:
        # Nothing was saved: say so where the eye is, the marked fields may be far down the page.
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        # The suggestion shown beside the band follows what was entered, as the message about it does.
        entered = getattr(form, "cleaned_data", {})
        entered_health = getattr(health_form, "cleaned_data", None) if health_form is not None else None
        suggested = rules.urgency_suggest(
            housing_situation=entered.get("housing_situation", application.housing_situation),
            children_in_unsuitable_housing=bool(
                entered.get("children_in_unsuitable_housing", assessment and assessment.children_in_unsuitable_housing)
            ),
            documented_health_need=bool(
                entered_health.get("documented_health_need")
                if entered_health is not None
                else health and health.documented_health_need
            ),
        )
        hint = _("Suggested from the assessment: %(band)s") % {"band": suggested}
        # the bound field copied the help text when the form was validated: change it there too, or the page
        # would show the suggestion from what was saved, not from what was entered
        form.fields["urgency"].help_text = form["urgency"].help_text = hint
    return render(
        request,
        "cases/assessment_form.html",
        {"case": application, "form": form, "health_form": health_form, "suggested": suggested},
    )


@login_required
@permission_required("cases.change_application", raise_exception=True)
@require_POST
def case_transition(request, ref: str):
    application = _case_or_404(request, ref)
    target = request.POST.get("to", "")
    if target not in Status.values and target != "reopen":
        raise Http404
    reopened = target == "reopen"
    try:
        if target == "reopen":
            application = services.application_reopen(
                application=application, by=request.user, note=request.POST.get("note", "")
            )
            target = application.status
        elif target == Status.READY:
            services.assessment_complete(application=application, by=request.user)
        else:
            services.application_transition(
                application=application, to_status=target, by=request.user, note=request.POST.get("note", "")
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        status = {"status": Status(target).label}
        if reopened:
            messages.success(request, _("The case is reopened; its status is “%(status)s” again.") % status)
        else:
            messages.success(request, _("The case status is now “%(status)s”.") % status)
    return redirect(application)


@login_required
@permission_required("cases.decide_case", raise_exception=True)
def case_decide(request, ref: str):
    application = _case_or_404(request, ref)
    applicant = application.household.applicant
    form = DecisionForm(
        request.POST or None, application=application, language=applicant.preferred_language if applicant else "nn"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_decide(
                application=application,
                outcome=data["outcome"],
                decided=data["decided"],
                notified=data.get("notified"),
                legal_basis=data["legal_basis"],
                facts=data["facts"],
                assessment=data["assessment"],
                conditions=data.get("conditions", ""),
                home_description=data.get("home_description", ""),
                lease_years=data.get("lease_years"),
                language=data["language"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision is made. The decision letter is being prepared."))
            return redirect(application)
    return render(request, "cases/decision_form.html", {"case": application, "form": form})


def _simple_form_view(request, ref, form_class, template, action):
    application = _case_or_404(request, ref)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = action(application, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(application)
    return render(request, template, {"case": application, "form": form})


@login_required
@permission_required("cases.change_application", raise_exception=True)
def preliminary_reply(request, ref: str):
    def action(application, data):
        services.preliminary_reply_send(application=application, by=request.user, **data)
        return _("The preliminary reply is recorded and its letter is being prepared.")

    return _simple_form_view(request, ref, PreliminaryReplyForm, "cases/preliminary_reply_form.html", action)


@login_required
@permission_required("cases.change_application", raise_exception=True)
def advance_notice(request, ref: str):
    def action(application, data):
        services.advance_notice_send(application=application, by=request.user, **data)
        return _("The advance notice letter is being prepared.")

    return _simple_form_view(request, ref, AdvanceNoticeForm, "cases/advance_notice_form.html", action)


@login_required
@permission_required("cases.decide_case", raise_exception=True)
def decision_notified(request, ref: str):
    def action(application, data):
        decision = services.decision_notified_correct(application=application, by=request.user, **data)
        return _("The appeal deadline now runs from %(day)s: it is %(deadline)s.") % {
            "day": decision.notified.strftime("%d.%m.%Y"),
            "deadline": decision.appeal_deadline.strftime("%d.%m.%Y"),
        }

    return _simple_form_view(request, ref, NotifiedForm, "cases/notified_form.html", action)


@login_required
@permission_required("cases.change_application", raise_exception=True)
def appeal_register(request, ref: str):
    def action(application, data):
        services.appeal_register(application=application, by=request.user, **data)
        return _("The appeal is registered. Reconsider the decision, or forward the appeal.")

    return _simple_form_view(request, ref, AppealForm, "cases/appeal_form.html", action)


@login_required
@permission_required("cases.decide_case", raise_exception=True)
@require_POST
def appeal_handle(request, ref: str, pk: int):
    application = _case_or_404(request, ref)
    appeal = get_object_or_404(Appeal, pk=pk, application=application)
    action = request.POST.get("action")
    if action == "reverse":  # a new decision: its grounds first
        return redirect("cases:appeal-reverse", ref=application.ref, pk=appeal.pk)
    try:
        if action == "forward":
            appeal = services.appeal_reconsider(appeal=appeal, reverse=False, by=request.user)
            messages.success(request, _("The appeal is forwarded to %(body)s.") % {"body": appeal.forwarded_to})
        elif action in ("upheld", "reversed"):
            services.appeal_outcome_record(appeal=appeal, outcome=action, decided=timezone.localdate(), by=request.user)
            messages.success(request, _("The outcome of the appeal is recorded."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(application)


@login_required
@permission_required("cases.decide_case", raise_exception=True)
def appeal_reverse(request, ref: str, pk: int):
    """The office reverses its decision on an appeal: the grounds of the new decision, then its letter."""
    application = _case_or_404(request, ref)
    appeal = get_object_or_404(Appeal, pk=pk, application=application)
    decision = getattr(application, "decision", None)
    if decision is None or appeal.outcome != Appeal.Outcome.PENDING or appeal.forwarded:
        messages.error(request, _("This appeal is already handled."))
        return redirect(application)
    applicant = application.household.applicant
    form = ReversalForm(
        request.POST or None, decision=decision, language=applicant.preferred_language if applicant else "nn"
    )
    if request.method == "POST" and form.is_valid():
        reasons = {name: value for name, value in form.cleaned_data.items() if name != "language"}
        try:
            services.appeal_reconsider(
                appeal=appeal, reverse=True, by=request.user, reasons=reasons, language=form.cleaned_data["language"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The decision is reversed. The letter with the new decision is being prepared.")
            )
            return redirect(application)
    new_outcome = Decision.Outcome.REFUSED if decision.outcome == Decision.Outcome.GRANTED else Decision.Outcome.GRANTED
    return render(
        request,
        "cases/reversal_form.html",
        {"case": application, "appeal": appeal, "decision": decision, "new_outcome": new_outcome, "form": form},
    )


@login_required
@permission_required("cases.change_application", raise_exception=True)
@require_POST
def note_add(request, ref: str):
    application = _case_or_404(request, ref)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(application=application, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, _("The note is saved."))
    else:
        messages.error(request, _("The note was not saved: it is empty or too long."))
    return redirect(f"{application.get_absolute_url()}#journal")


@login_required
@permission_required("cases.change_application", raise_exception=True)
@require_POST
def attachment_upload(request, ref: str):
    application = _case_or_404(request, ref)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                uploads.attachment_store(
                    application=application,
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                    by=request.user,
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The document is added to the case."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect(f"{application.get_absolute_url()}#documents")


@login_required
def attachment_download(request, ref: str, pk: int):
    application = _case_or_404(request, ref, section="attachment")
    attachment = get_object_or_404(application.attachments, pk=pk)
    access_log_write(request, action="download", case_ref=application.ref, section="attachment")
    content_type = attachment.content_type or mimetypes.guess_type(attachment.original_name)[0]
    # FileResponse quotes the name and encodes non-Latin-1 characters (RFC 6266/5987); a hand-built header
    # with "Søknad – kopi.pdf" came out MIME-encoded as a whole and lost its "attachment".
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required("cases.change_application", raise_exception=True)
def person_edit(request, ref: str, person_ref: str):
    application = _case_or_404(request, ref)
    member = get_object_or_404(application.household.members.select_related("person"), person__ref=person_ref)
    form = PersonContactForm(request.POST or None, instance=member.person)
    if request.method == "POST" and form.is_valid():
        services.person_contact_update(person=member.person, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The contact details of %(name)s are saved.") % {"name": member.person})
        return redirect(application)
    return render(request, "cases/person_form.html", {"case": application, "person": member.person, "form": form})


@login_required
@permission_required("cases.change_application", raise_exception=True)
@require_POST
def case_assign(request, ref: str):
    application = _case_or_404(request, ref)
    form = AssignForm(request.POST)
    if form.is_valid():
        services.application_assign(
            application=application, caseworker=form.cleaned_data["caseworker"], by=request.user
        )
        messages.success(request, _("The case is assigned to %(name)s.") % {"name": form.cleaned_data["caseworker"]})
    else:
        messages.error(request, _("Choose a caseworker."))
    return redirect(application)
