"""Every write on cases: registration, assessment, workflow moves, decisions, appeals, letters.

Each state change locks the case row, checks the move against `Status.transitions()`, writes a
CaseEvent and queues side effects (letters) on commit.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from stord_bolig.access import access_log_write
from stord_bolig.models import Letter

from . import letters, rules
from .letters import _letter_language
from .models import (
    Appeal,
    Application,
    Assessment,
    CaseEvent,
    Decision,
    HealthAssessment,
    Household,
    HouseholdMember,
    JournalNote,
    Person,
    RefCounter,
    Status,
    appeal_decided_by_body,
    case_history_note,
    system_note,
)


class TransitionNotAllowed(ValidationError):
    pass


# Higher layers react to decisions (a granted renewal marks its lease renewed); they register here.
_on_decided: list = []


def register_on_decided(callback) -> None:
    if callback not in _on_decided:
        _on_decided.append(callback)


# Caches computed from a household's members (the bedroom need) register to hear when members change.
_on_household_changed: list = []


def register_on_household_changed(callback) -> None:
    if callback not in _on_household_changed:
        _on_household_changed.append(callback)


# Checks other apps add before a case may close (allocation: no offer to it still open); each returns why not.
_close_checks: list = []


def register_close_check(check) -> None:
    if check not in _close_checks:
        _close_checks.append(check)


def household_changed(household_ids) -> None:
    for callback in _on_household_changed:
        callback(household_ids)


def ref_next(model, prefix: str, *, width: int) -> str:
    """The next unused reference `<prefix><number>` of a series; concurrent callers never get the same one.

    The counter row is bumped with one UPDATE (row lock until commit); numbers already taken, e.g. by
    imported records, are skipped.
    """
    with transaction.atomic():
        counter, created = RefCounter.objects.select_for_update().get_or_create(key=prefix)
        if created:
            counter.last = _highest_number(model, prefix)
        while True:
            counter.last += 1
            ref = f"{prefix}{counter.last:0{width}d}"
            if not model.objects.filter(ref=ref).exists():
                break
        counter.save(update_fields=["last"])
    return ref


def _highest_number(model, prefix: str) -> int:
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in model.objects.filter(ref__startswith=prefix).values_list("ref", flat=True)
        if ref.removeprefix(prefix).isdigit()
    ]
    return max(numbers, default=0)


def case_number_next(year: int) -> str:
    """Case numbers S-YYYY-NNNN, unique under concurrency."""
    return ref_next(Application, f"S-{year}-", width=4)


def person_create(*, national_id: str, given_name: str, family_name: str, **details) -> Person:
    """A person with a validated national id; a second registration of the same id is refused."""
    try:
        parsed = rules.national_id_parse(national_id)
    except rules.InvalidNationalId as exc:
        raise ValidationError({"national_id": _("Not a valid fødselsnummer or D-nummer.")}) from exc
    existing = Person.objects.filter(national_id=parsed.number).first()
    if existing is not None:
        raise ValidationError(
            {"national_id": _("This person is already registered (%(ref)s).") % {"ref": existing.ref}}
        )
    return Person.objects.create(
        ref=ref_next(Person, "P-", width=5),
        national_id=parsed.number,
        birth_date=parsed.birth_date,
        given_name=given_name,
        family_name=family_name,
        **details,
    )


def _second_home_check(household: Household) -> None:
    """A household living in a municipal home, or granted one and still waiting, does not apply for one again: it
    applies to swap (bytte) or has its lease renewed, or waits on the decision it has."""
    from django.apps import apps

    today = timezone.localdate()
    # leases live in tenancies; cases only asks whether one runs today
    lease = apps.get_model("tenancies", "Lease").objects.filter(household=household).active_on(today).first()
    if lease is not None:
        raise ValidationError(
            {
                "kind": _(
                    "The household rents a municipal home (lease %(lease)s): apply to swap homes instead, or renew "
                    "the lease."
                )
                % {"lease": lease.ref}
            }
        )
    waiting = (
        household.applications.filter(kind=Application.Kind.MUNICIPAL_HOUSING, decision__outcome="granted")
        .filter(decision__lapsed__isnull=True, waiting_until__isnull=True)
        .exclude(status=Status.CLOSED)
        .first()
    )
    if waiting is not None:
        raise ValidationError(
            {
                "kind": _(
                    "The household is already granted a municipal home (%(ref)s) and is on the waiting list: no new "
                    "application is needed."
                )
                % {"ref": waiting.ref}
            }
        )


@transaction.atomic
def application_register(
    *,
    applicant: dict,
    members: list[dict],
    kind: str,
    received: dt.date,
    by,
    assigned_to=None,
) -> Application:
    """Register an application with its household; the case number is unique under concurrency."""
    if received > timezone.localdate():
        raise ValidationError({"received": _("The received date cannot be in the future.")})
    national_id = applicant.get("national_id", "").replace(" ", "")
    # Two registrations for one person at once (a double click, two caseworkers) are taken one after the other:
    # the second finds what the first registered.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"person:{national_id}"])
    existing = Person.objects.filter(national_id=national_id).first()
    if existing is not None and hasattr(existing, "membership"):
        if existing.membership.role != HouseholdMember.Role.APPLICANT:
            # Filing the case under someone else's household would send its letters to that household's applicant.
            raise ValidationError(
                {
                    "national_id": _("%(name)s is registered as a member of household %(ref)s, not as its applicant.")
                    % {"name": existing, "ref": existing.membership.household.ref}
                }
            )
        household = existing.membership.household
        open_case = (
            household.applications.filter(kind=kind, decision__isnull=True).exclude(status=Status.CLOSED).first()
        )
        if open_case is not None:
            raise ValidationError(
                {
                    "kind": _(
                        "The household already has an open application of this kind (%(ref)s): add to that case "
                        "instead of registering another."
                    )
                    % {"ref": open_case.ref}
                }
            )
        if kind == Application.Kind.MUNICIPAL_HOUSING:
            _second_home_check(household)
        # A returning applicant's contact details and letter language as given now (the identity stays as registered).
        contact = {name: value for name, value in applicant.items() if name in Person.CONTACT_FIELDS and value}
        person_contact_update(person=existing, data=contact, by=by)
    else:
        applicant_person = existing or person_create(**applicant)
        household = Household.objects.create(ref=ref_next(Household, "H-", width=4))
        HouseholdMember.objects.create(household=household, person=applicant_person, role="applicant", position=0)
    # New members join the household (a returning applicant may have a new partner or child).
    position = household.members.count()
    for member in members:
        member = dict(member)
        role = member.pop("role")
        person = Person.objects.filter(national_id=member.get("national_id", "")).first() or person_create(**member)
        membership = getattr(person, "membership", None)
        if membership is not None and membership.household_id == household.pk:
            continue
        if membership is not None:
            raise ValidationError(_("%(name)s already belongs to another household.") % {"name": person})
        if role == HouseholdMember.Role.PARTNER and household.members.filter(role=role).exists():
            raise ValidationError(_("The household already has a spouse or partner."))
        HouseholdMember.objects.create(household=household, person=person, role=role, position=position)
        position += 1
    household_changed([household.pk])
    application = Application.objects.create(
        ref=case_number_next(received.year),
        household=household,
        kind=kind,
        received=received,
        assigned_to=assigned_to or by,
    )
    CaseEvent.objects.create(application=application, by=by, from_status="", to_status=Status.REGISTERED)
    return application


def _transition(application: Application, to_status: str, *, by, note: str = "", note_params=None) -> Application:
    """The one place a case changes state: lock, check the move, change, write an event.

    Closing needs a reason, and a granted decision not yet lapsed lapses that day: the household leaves the
    waiting list and the shortlists (and KOSTRA's waiting list) with its case. Reopening needs a reason too,
    goes back to the state the case was closed from, and takes back the lapse the closing made.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    closing = None
    if locked.status == Status.CLOSED:
        closing = locked.status_events.filter(to_status=Status.CLOSED).order_by("-at", "-pk").first()
        if closing is None or to_status != closing.from_status:
            raise TransitionNotAllowed(_("A closed case can only be reopened to the state it was closed from."))
    if to_status not in Status.transitions()[locked.status]:
        raise TransitionNotAllowed(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(locked.status).label, "to": Status(to_status).label}
        )
    if to_status == Status.CLOSED and not note.strip():
        raise ValidationError({"note": _("Say why the case is closed (withdrawn, moved away, no contact …).")})
    if to_status == Status.CLOSED:
        for check in _close_checks:
            refusal = check(locked)
            if refusal:
                raise TransitionNotAllowed(refusal)
    if closing is not None and not note.strip():
        raise ValidationError({"note": _("Say why the case is reopened.")})
    decision = Decision.objects.select_for_update().filter(application=locked).first()
    if to_status == Status.CLOSED and decision and decision.outcome == "granted" and decision.lapsed is None:
        decision.lapsed = timezone.localdate()
        decision.save(update_fields=["lapsed"])
    if closing is not None and decision and decision.lapsed == timezone.localtime(closing.at).date():
        decision.lapsed = None  # the lapse the closing made; one recorded before it stays
        decision.save(update_fields=["lapsed"])
    CaseEvent.objects.create(
        application=locked, by=by, from_status=locked.status, to_status=to_status, note=note, note_params=note_params
    )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    application.status = to_status
    return locked


# Moves that only their own service may make, because it checks and records more than the state.
_SERVICE_ONLY_TARGETS = {Status.READY, Status.DECIDED, Status.APPEALED}


@transaction.atomic
def application_transition(*, application: Application, to_status: str, by, note: str = "") -> Application:
    """The moves without their own service (start assessment, reopen, close); never into ready/decided/appealed."""
    if to_status in _SERVICE_ONLY_TARGETS:
        raise TransitionNotAllowed(
            _("A case becomes “%(to)s” only through its own form.") % {"to": Status(to_status).label}
        )
    return _transition(application, to_status, by=by, note=note)


@transaction.atomic
def application_reopen(*, application: Application, by, note: str) -> Application:
    """Reopen a closed case (closed by mistake, or the household came back to it): back to where it was."""
    closing = application.status_events.filter(to_status=Status.CLOSED).order_by("-at", "-pk").first()
    if application.status != Status.CLOSED or closing is None:
        raise TransitionNotAllowed(_("Only a closed case can be reopened."))
    return _transition(application, closing.from_status, by=by, note=note)


@transaction.atomic
def application_assign(*, application: Application, caseworker, by) -> Application:
    """Give the case to a caseworker, recorded in the case's history; assigning it to whoever has it changes
    nothing."""
    locked = Application.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=application.pk)
    if locked.assigned_to_id != caseworker.pk:
        Application.objects.filter(pk=application.pk).update(assigned_to=caseworker)
        note = (
            system_note(gettext_noop("Case moved from %(old)s to %(name)s."), old=locked.assigned_to, name=caseworker)
            if locked.assigned_to
            else system_note(gettext_noop("Case assigned to %(name)s."), name=caseworker)
        )
        CaseEvent.objects.create(application=locked, by=by, from_status=locked.status, to_status=locked.status, **note)
    application.assigned_to = caseworker
    return application


@transaction.atomic
def person_contact_update(*, person: Person, data: dict, by) -> Person:
    """Update contact details, letter language and representative; identity fields never change here."""
    changed = [name for name, value in data.items() if name in Person.CONTACT_FIELDS and getattr(person, name) != value]
    for name in changed:
        setattr(person, name, data[name])
    if changed:
        person.save(update_fields=changed)
    return person


@transaction.atomic
def note_add(*, application: Application, text: str, by) -> JournalNote:
    if not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    return JournalNote.objects.create(application=application, text=text.strip(), by=by)


@transaction.atomic
def assessment_save(
    *, application: Application, data: dict, health: dict | None, urgency: str, urgency_reason: str, by
) -> Assessment:
    """Save the needs assessment; an urgency band different from the rule's suggestion needs a reason, logged."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status in (Status.CLOSED,):
        raise TransitionNotAllowed(_("A closed case cannot be changed."))
    case_fields = {k: data.pop(k) for k in list(data) if k in ASSESSMENT_CASE_FIELDS}
    assessment, _created = Assessment.objects.update_or_create(application=locked, defaults={**data, "updated_by": by})
    documented_health_need = False
    if health is not None:
        health_row, _created = HealthAssessment.objects.update_or_create(
            application=locked, defaults={**health, "updated_by": by}
        )
        documented_health_need = health_row.documented_health_need
    elif hasattr(locked, "health"):
        documented_health_need = locked.health.documented_health_need
    suggested = rules.urgency_suggest(
        housing_situation=case_fields.get("housing_situation", locked.housing_situation),
        children_in_unsuitable_housing=assessment.children_in_unsuitable_housing,
        documented_health_need=documented_health_need,
    )
    if urgency != suggested and not urgency_reason.strip():
        raise ValidationError(
            {
                "urgency_reason": _("Give a reason when the band differs from the suggested band %(band)s.")
                % {"band": suggested}
            }
        )
    if case_fields.get("min_bedrooms_override") is not None and not case_fields.get("min_bedrooms_reason", "").strip():
        raise ValidationError({"min_bedrooms_reason": _("Give a reason when you set the bedroom need yourself.")})
    if urgency != suggested and (locked.urgency != urgency or locked.urgency_suggested != suggested):
        case_history_note(
            locked,
            by=by,
            message=gettext_noop("Urgency band set to %(band)s (suggested %(suggested)s): %(reason)s"),
            band=urgency,
            suggested=suggested,
            reason=urgency_reason.strip(),
        )
    for name, value in case_fields.items():
        setattr(locked, name, value)
    locked.urgency = urgency
    locked.urgency_suggested = suggested
    locked.urgency_reason = urgency_reason.strip()
    locked.save()
    if locked.status == Status.REGISTERED:
        _transition(locked, Status.ASSESSMENT, by=by)
    application.refresh_from_db()
    return assessment


ASSESSMENT_CASE_FIELDS = {
    "housing_situation",
    "main_reason",
    "target_group",
    "wheelchair_need",
    "min_bedrooms_override",
    "min_bedrooms_reason",
}


def readiness_problems(*, recommendation: str) -> dict[str, str]:
    """What an assessment lacks before its case can be marked ready for decision, by field."""
    if not recommendation:
        return {"recommendation": _("The assessment needs a recommendation before the case is ready for decision.")}
    return {}


@transaction.atomic
def assessment_complete(*, application: Application, by) -> Application:
    if not hasattr(application, "assessment"):
        raise ValidationError(_("Fill in the needs assessment first."))
    problems = readiness_problems(recommendation=application.assessment.recommendation)
    if problems:
        raise ValidationError(problems)
    Assessment.objects.filter(pk=application.assessment.pk).update(completed_at=timezone.now())
    return _transition(application, Status.READY, by=by)


@transaction.atomic
def application_decide(
    *,
    application: Application,
    outcome: str,
    decided: dt.date,
    notified: dt.date | None,
    legal_basis: str,
    facts: str,
    assessment: str,
    conditions: str = "",
    home_description: str = "",
    lease_years: int | None = None,
    language: str | None = None,
    letter_date: dt.date | None = None,
    by,
) -> Decision:
    """Decide a case ready for decision and queue the decision letter (once), dated today or `letter_date`.

    `letter_date` is for decisions recorded after the fact (the demo's old case): their letter carries the
    date it was sent then, not the day it was recorded.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in Status.decidable():
        raise TransitionNotAllowed(_("Only a case that is ready for decision can be decided."))
    notified = notified or decided
    errors = {}
    if decided < locked.received:
        errors["decided"] = _("The decision date cannot be before the application was received.")
    if decided > timezone.localdate():
        errors["decided"] = _("The decision date cannot be in the future.")
    if notified < decided:
        errors["notified"] = _("The notification date cannot be before the decision date.")
    # fvl. § 16: the advance notice promised no decision before its deadline to comment has passed
    reply_by = letters.comment_deadline(Letter.objects.filter(case_ref=locked.ref, kind="advance_notice"))
    if outcome == Decision.Outcome.REFUSED and reply_by is not None and decided <= reply_by:
        errors["decided"] = _(
            "The advance notice gave the party until %(day)s to comment: the refusal can be decided from %(next)s."
        ) % {"day": reply_by.strftime("%d.%m.%Y"), "next": (reply_by + dt.timedelta(days=1)).strftime("%d.%m.%Y")}
    if not facts.strip() or not assessment.strip():
        errors["assessment"] = _("A decision needs its facts and its assessment (forvaltningslova §§ 24–25).")
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        application=locked,
        outcome=outcome,
        decided=decided,
        notified=notified,
        legal_basis=rules.decision_legal_basis(legal_basis, locked.kind),
        facts=facts.strip(),
        assessment=assessment.strip(),
        conditions=conditions.strip(),
        home_description=home_description.strip(),
        lease_years=lease_years,
        decided_by=by,
    )
    _transition(locked, Status.DECIDED, by=by, **system_note(Decision.Outcome(outcome).label))
    letters.decision_letter_create(
        decision=decision, language=language or _letter_language(locked), by=by, letter_date=letter_date
    )
    for callback in _on_decided:
        callback(decision=decision, by=by)
    application.status = Status.DECIDED
    return decision


@transaction.atomic
def preliminary_reply_send(*, application: Application, reason: str, expected: dt.date, by) -> Application:
    """Fvl. § 11 a: record the preliminary reply and queue its letter (once per case)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if hasattr(locked, "decision"):
        raise TransitionNotAllowed(_("The case is already decided."))
    if locked.preliminary_reply_sent:
        raise TransitionNotAllowed(_("A preliminary reply has already been sent."))
    today = timezone.localdate()
    if expected <= today:
        raise ValidationError({"expected": _("The expected decision date must be in the future.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case cannot be decided within a month.")})
    locked.preliminary_reply_sent = today
    locked.save(update_fields=["preliminary_reply_sent", "updated_at"])
    letters.preliminary_reply_letter_create(
        application=locked, reason=reason.strip(), expected=expected, language=_letter_language(locked), by=by
    )
    application.preliminary_reply_sent = today
    return locked


ADVANCE_NOTICE_MIN_DAYS = dt.timedelta(days=7)  # fvl. § 16: a deadline the party can actually use


@transaction.atomic
def advance_notice_send(*, application: Application, planned: str, reply_by: dt.date, by):
    """Fvl. § 16: notify the party of a planned decision and the deadline to comment."""
    if hasattr(application, "decision") or application.status == Status.CLOSED:
        raise TransitionNotAllowed(_("Advance notice comes before a decision; this case is already decided."))
    earliest = timezone.localdate() + ADVANCE_NOTICE_MIN_DAYS
    if reply_by < earliest:
        # a posted letter takes days to arrive, and the party needs time to answer it
        raise ValidationError(
            {
                "reply_by": _("Give the party at least a week to comment: the deadline can be %(day)s or later.")
                % {"day": earliest.strftime("%d.%m.%Y")}
            }
        )
    if not planned.strip():
        raise ValidationError({"planned": _("Describe the planned decision.")})
    return letters.advance_notice_letter_create(
        application=application,
        planned=planned.strip(),
        reply_by=reply_by,
        language=_letter_language(application),
        by=by,
    )


@transaction.atomic
def appeal_register(*, application: Application, received: dt.date, grounds: str, by) -> Appeal:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    decision = getattr(locked, "decision", None)
    if decision is None:
        raise TransitionNotAllowed(_("Only a decided case can be appealed."))
    if appeal_decided_by_body(locked.appeals.all()) is not None:
        raise TransitionNotAllowed(
            _("The appeal body has decided an appeal in this case; its decision is final (forvaltningslova § 28).")
        )
    if received < decision.decided:
        raise ValidationError({"received": _("An appeal cannot be received before the decision.")})
    if received > timezone.localdate():
        raise ValidationError({"received": _("The date cannot be in the future.")})
    appeal = Appeal.objects.create(application=locked, received=received, grounds=grounds.strip())
    late = received > rules.appeal_deadline(decision.notified)
    received_note = gettext_noop("Appeal received after the deadline.") if late else gettext_noop("Appeal received.")
    _transition(locked, Status.APPEALED, by=by, **system_note(received_note))
    return appeal


@transaction.atomic
def decision_notified_correct(*, application: Application, notified: dt.date, how: str, by) -> Decision:
    """Correct the day the decision reached the party (a posted letter that came later, a receipt): the appeal
    deadline (fvl. § 29) runs from that day, so it moves with it. The history keeps the old day and how it is known."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    decision = Decision.objects.select_for_update().filter(application=locked).first()
    if decision is None:
        raise TransitionNotAllowed(_("The case has no decision."))
    if appeal_decided_by_body(locked.appeals.all()) is not None:
        raise TransitionNotAllowed(
            _("The appeal body has decided an appeal in this case; its decision is final (forvaltningslova § 28).")
        )
    errors = {}
    if notified < decision.decided:
        errors["notified"] = _("The decision cannot have reached the party before it was made (%(day)s).") % {
            "day": decision.decided.strftime("%d.%m.%Y")
        }
    elif notified > timezone.localdate():
        errors["notified"] = _("The date cannot be in the future.")
    elif notified == decision.notified:
        errors["notified"] = _("That is already the date the decision reached the party.")
    if not how.strip():
        errors["how"] = _("Write how you know when it reached the party.")
    if errors:
        raise ValidationError(errors)
    old = decision.notified
    decision.notified = notified
    decision.save(update_fields=["notified"])
    case_history_note(
        locked,
        by=by,
        message=gettext_noop(
            "The decision reached the party on %(new)s, not %(old)s: %(how)s The appeal deadline is now %(deadline)s."
        ),
        new=notified.strftime("%d.%m.%Y"),
        old=old.strftime("%d.%m.%Y"),
        how=how.strip(),
        deadline=rules.appeal_deadline(notified).strftime("%d.%m.%Y"),
    )
    return decision


# What the office writes anew when it reverses its own decision (the grounds of the new decision).
REVERSAL_FIELDS = ("legal_basis", "facts", "assessment", "conditions", "home_description", "lease_years")


def _decision_reverse(application: Application, day: dt.date, reasons: dict | None = None) -> Decision:
    """A reversed decision takes the other outcome from the day of reversal (a refused case starts waiting);
    reversed by the office, it also takes the grounds the office gives for it (`reasons`)."""
    decision = Decision.objects.select_for_update().get(application=application)
    decision.outcome = (
        Decision.Outcome.GRANTED if decision.outcome == Decision.Outcome.REFUSED else Decision.Outcome.REFUSED
    )
    decision.decided = max(decision.decided, day)
    decision.notified = max(decision.notified, decision.decided)
    decision.lapsed = None
    changed = ["outcome", "decided", "notified", "lapsed"]
    for name, value in (reasons or {}).items():
        setattr(decision, name, value.strip() if isinstance(value, str) else value)
        changed.append(name)
    decision.save(update_fields=changed)
    return decision


@transaction.atomic
def appeal_reconsider(
    *, appeal: Appeal, reverse: bool, by, note: str = "", reasons: dict | None = None, language: str | None = None
) -> Appeal:
    """The office reconsiders: reverse the decision, or forward the appeal to the appeal body.

    Reversing makes a new decision (forvaltningslova § 33): it needs its facts and assessment like any other
    (§§ 24–25), and the party gets a letter with it and a new appeal deadline.
    """
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.outcome != Appeal.Outcome.PENDING or locked.forwarded:
        raise TransitionNotAllowed(_("This appeal is already handled."))
    today = timezone.localdate()
    locked.reconsidered = today
    if reverse:
        reasons = {name: value for name, value in (reasons or {}).items() if name in REVERSAL_FIELDS}
        if not str(reasons.get("facts") or "").strip() or not str(reasons.get("assessment") or "").strip():
            raise ValidationError(
                {"assessment": _("A decision needs its facts and its assessment (forvaltningslova §§ 24–25).")}
            )
        replaced = Decision.objects.get(application=locked.application).decided
        locked.outcome = Appeal.Outcome.REVERSED
        locked.outcome_date = today
        locked.save()
        decision = _decision_reverse(locked.application, today, reasons)
        reversed_note = system_note(gettext_noop("Decision reversed on reconsideration."))
        _transition(locked.application, Status.DECIDED, by=by, **reversed_note)
        letters.decision_letter_create(
            decision=decision,
            language=language or _letter_language(locked.application),
            by=by,
            reversal=locked,
            reversed_of=replaced,
        )
    else:
        locked.forwarded = today
        locked.forwarded_to = locked.application.appeal_body
        locked.save()
        CaseEvent.objects.create(
            application=locked.application,
            by=by,
            from_status=Status.APPEALED,
            to_status=Status.APPEALED,
            **(
                system_note(gettext_noop("Appeal forwarded to %(body)s. %(note)s"), body=locked.forwarded_to, note=note)
                if note.strip()
                else system_note(gettext_noop("Appeal forwarded to %(body)s."), body=locked.forwarded_to)
            ),
        )
    return locked


@transaction.atomic
def appeal_outcome_record(*, appeal: Appeal, outcome: str, decided: dt.date, by) -> Appeal:
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.outcome != Appeal.Outcome.PENDING:
        raise TransitionNotAllowed(_("This appeal already has an outcome."))
    if not locked.forwarded:
        raise TransitionNotAllowed(_("Only an appeal forwarded to the appeal body can get the body's outcome."))
    if outcome not in (Appeal.Outcome.UPHELD, Appeal.Outcome.REVERSED):
        raise ValidationError({"outcome": _("The outcome is either upheld or reversed.")})
    locked.outcome = outcome
    locked.outcome_date = decided
    locked.save()
    reversed_of = locked.application.decision.decided
    if outcome == Appeal.Outcome.REVERSED:
        _decision_reverse(locked.application, decided)
    _transition(locked.application, Status.DECIDED, by=by, **system_note(Appeal.Outcome(outcome).label))
    if outcome == Appeal.Outcome.REVERSED:
        # the body's own letter gives its reasons; the office's says what now follows (the waiting list)
        letters.appeal_outcome_letter_create(
            appeal=locked,
            reversed_of=reversed_of,
            language=_letter_language(locked.application),
            by=by,
        )
    return locked


def health_read_log(request, application: Application) -> None:
    """Every read of special-category data is logged (GDPR art. 9, Normen)."""
    access_log_write(request, action="read", case_ref=application.ref, section="health", purpose="case work")
