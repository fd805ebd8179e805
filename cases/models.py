"""People, households, applications (cases), needs assessments, decisions and appeals."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stord_bolig.labels import StatusEventLabels

from . import rules
from .querysets import ApplicationQuerySet, HouseholdQuerySet, PersonQuerySet


class Language(models.TextChoices):
    NYNORSK = "nn", _("Nynorsk")
    BOKMAL = "nb", _("Bokmål")


# A phone number as people write it: digits, spaces, and + with a country code for a number abroad.
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 ]{6,18}[0-9]$",
    _("Give a phone number in digits (spaces are fine), with + and the country code for a number abroad."),
)


@pghistory.track()
class Person(models.Model):
    # What a caseworker may change of a registered person (cases.services.person_contact_update and its form):
    # contact details, letter language and representative; never the identity.
    CONTACT_FIELDS = (
        "phone",
        "email",
        "address",
        "postcode",
        "city",
        "preferred_language",
        "representative_name",
        "representative_address",
    )

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    national_id = models.CharField(_("national identity number"), max_length=11, unique=True)
    given_name = models.CharField(_("given name"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    preferred_language = models.CharField(
        _("letter language"), max_length=2, choices=Language.choices, default=Language.NYNORSK
    )
    representative_name = models.CharField(_("representative (fullmektig)"), max_length=200, blank=True)
    representative_address = models.CharField(_("representative's address"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name"]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def national_id_masked(self) -> str:
        return rules.mask_national_id(self.national_id)


@pghistory.track()
class Household(models.Model):
    ref = models.CharField(_("reference"), max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the retention job (cases/retention.py): members deleted, free text blanked, only statistics left.
    anonymised_on = models.DateField(_("anonymised"), null=True, blank=True, editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["ref"]

    def __str__(self):
        applicant = self.applicant
        return f"{self.ref} ({applicant})" if applicant else self.ref

    @property
    def applicant(self) -> Person | None:
        for member in self.members.all():
            if member.role == HouseholdMember.Role.APPLICANT:
                return member.person
        return None


@pghistory.track()
class HouseholdMember(models.Model):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        PARTNER = "partner", _("Spouse/partner")
        CHILD = "child", _("Child")
        OTHER_ADULT = "other_adult", _("Other adult")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="membership")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(role="applicant"),
                name="one_applicant",
                violation_error_message=_("The household already has an applicant."),
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(role="partner"),
                name="at_most_one_partner",
                violation_error_message=_("The household already has a spouse or partner."),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class RefCounter(models.Model):
    """The last number used for a reference series ("S-2026", "P", "H"); bumped atomically, never reused."""

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last}"


class Status(models.TextChoices):
    """Case workflow states; the allowed moves are listed once, here."""

    REGISTERED = "registered", _("Registered")
    ASSESSMENT = "assessment", _("Needs assessment")
    READY = "ready", _("Ready for decision")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")

    @classmethod
    def transitions(cls) -> dict[str, set[str]]:
        return {
            cls.REGISTERED: {cls.ASSESSMENT, cls.CLOSED},
            cls.ASSESSMENT: {cls.READY, cls.CLOSED},
            cls.READY: {cls.ASSESSMENT, cls.DECIDED, cls.CLOSED},
            cls.DECIDED: {cls.APPEALED, cls.CLOSED},
            cls.APPEALED: {cls.DECIDED, cls.CLOSED},
            # reopened: back to the state it was closed from, and only that (cases.services._transition)
            cls.CLOSED: {cls.REGISTERED, cls.ASSESSMENT, cls.READY, cls.DECIDED, cls.APPEALED},
        }

    @classmethod
    def decidable(cls) -> set[str]:
        return {cls.READY}

    @classmethod
    def open_states(cls) -> set[str]:
        return {cls.REGISTERED, cls.ASSESSMENT, cls.READY, cls.DECIDED, cls.APPEALED}


@pghistory.track(exclude=["waiting_from", "waiting_until"])
class Application(models.Model):
    """A case: one application from a household, from receipt to decision, appeal and closure."""

    class Kind(models.TextChoices):
        MUNICIPAL_HOUSING = "municipal_housing", _("Municipal rental home")
        HOUSING_ASSISTANCE = "housing_assistance", _("Housing assistance (§ 7)")
        RENEWAL = "renewal", _("Lease renewal")
        SWAP = "swap", _("Swap of home")

    class HousingSituation(models.TextChoices):
        HOMELESS_1 = "homeless_1", _("Homeless: no place to stay tonight")
        HOMELESS_2 = "homeless_2", _("Homeless: emergency or temporary accommodation")
        HOMELESS_3 = "homeless_3", _("Homeless: in prison, released within 2 months")
        HOMELESS_4 = "homeless_4", _("Homeless: in an institution, discharged within 2 months")
        HOMELESS_5 = "homeless_5", _("Homeless: staying temporarily with friends or family")
        OWN_RENTED = "own_rented", _("Rents own home")
        OWN_OWNED = "own_owned", _("Owns own home")
        WITH_FAMILY = "with_family", _("Lives permanently with family")
        INSTITUTION_OTHER = "institution_other", _("Institution, other")

    class MainReason(models.TextChoices):
        ADAPTED_HOUSING = "adapted_housing", _("Needs adapted housing")
        REFUGEE = "refugee", _("Refugee")
        MENTAL_ILLNESS = "mental_illness", _("Mental illness")
        SUBSTANCE_USE = "substance_use", _("Substance use")
        MENTAL_AND_SUBSTANCE = "mental_and_substance", _("Both mental illness and substance use")
        OTHER = "other", _("Other problems")
        NOT_NEEDS_TESTED = "not_needs_tested", _("Not needs-tested")

    class Urgency(models.TextChoices):
        A = "A", _("A – acute")
        B = "B", _("B – high")
        C = "C", _("C – ordinary")

    class TargetGroup(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        HOUSING_FIRST = "housing_first", _("Housing First")
        CARE = "care", _("Care home")
        SUBSTANCE_USE = "substance_use", _("Substance-use home")

    ref = models.CharField(_("case number"), max_length=20, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    received = models.DateField(_("received"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    housing_situation = models.CharField(
        _("housing situation"), max_length=30, choices=HousingSituation.choices, default=HousingSituation.OWN_RENTED
    )
    main_reason = models.CharField(
        _("main reason"), max_length=30, choices=MainReason.choices, default=MainReason.OTHER
    )
    urgency = models.CharField(_("urgency band"), max_length=1, choices=Urgency.choices, default=Urgency.C)
    urgency_suggested = models.CharField(_("suggested band"), max_length=1, choices=Urgency.choices, blank=True)
    urgency_reason = models.TextField(_("reason for the band"), blank=True)
    target_group = models.CharField(
        _("target group"), max_length=20, choices=TargetGroup.choices, default=TargetGroup.ORDINARY
    )
    wheelchair_need = models.BooleanField(_("needs a wheelchair-accessible home"), default=False)
    min_bedrooms_override = models.PositiveSmallIntegerField(_("bedroom need set by caseworker"), null=True, blank=True)
    min_bedrooms_reason = models.TextField(_("reason for the bedroom need"), blank=True)
    preliminary_reply_sent = models.DateField(_("preliminary reply sent"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by database triggers (tenancies/migrations/0006), never by Python: the case is on the waiting
    # list on day D when waiting_from <= D < waiting_until (an open end is null). waiting_from is the date of
    # a granted decision; waiting_until the earlier of its lapse and the start of the first lease for the case.
    waiting_from = models.DateField(null=True, blank=True, editable=False)
    waiting_until = models.DateField(null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received", "-ref"]
        permissions = [
            ("view_health", "Can see the health section of a needs assessment"),
            ("decide_case", "Can decide a case"),
        ]
        indexes = [
            models.Index(fields=["status", "received"]),
            models.Index(fields=["assigned_to", "status"]),
            # the case list's most used filters, counted for its pages
            models.Index(fields=["status", "urgency"], name="application_status_urgency"),
            # KOSTRA and the waiting list read applications by kind and received date
            models.Index(
                fields=["kind", "received"], include=["household", "wheelchair_need"], name="application_kind_received"
            ),
            # The waiting list and shortlists: the few cases granted and not yet housed, out of all cases ever.
            # The kinds are allocation.rules.WAITING_KINDS (a query must name the same list to use the index).
            # It carries every column a shortlist reads (allocation/shortlist_sql.py) and the household the
            # waiting list's counts read (allocation.querysets.waiting_counts), so those run as index-only scans
            # and never visit the table's wide rows.
            models.Index(
                fields=["waiting_from"],
                include=[
                    "id",
                    "ref",
                    "urgency",
                    "received",
                    "target_group",
                    "wheelchair_need",
                    "min_bedrooms_override",
                    "suspended_until",
                    "household",
                ],
                name="application_waiting_open",
                condition=models.Q(waiting_until__isnull=True, kind__in=["municipal_housing", "swap"]),
            ),
            models.Index(
                fields=["waiting_until"],
                name="application_waiting_until",
                condition=models.Q(waiting_from__isnull=False),
            ),
            # The waiting list's order: its first pages read a few hundred index entries, not every waiting case.
            models.Index(
                fields=["urgency", "waiting_from", "received", "ref"],
                name="application_waiting_order",
                condition=models.Q(waiting_from__isnull=False),
            ),
        ]

    def __str__(self):
        return self.ref

    def get_absolute_url(self):
        return reverse("cases:case-detail", args=[self.ref])

    @property
    def preliminary_reply_due(self):
        return rules.preliminary_reply_due(self.received)

    @property
    def preliminary_reply_pending(self) -> bool:
        """Still owed a preliminary reply (fvl. § 11 a): of a kind that needs one, undecided, open, none sent."""
        return (
            self.kind in rules.PRELIMINARY_REPLY_KINDS
            and not hasattr(self, "decision")
            and self.preliminary_reply_sent is None
            and self.status != Status.CLOSED
        )

    @property
    def appeal_body(self) -> str:
        return rules.APPEAL_BODIES[self.kind]


class CaseEvent(StatusEventLabels, models.Model):
    """Who moved a case from which state to which, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    # With params (a dict, maybe empty), `note` is the untranslated source of a message the system wrote and is
    # translated when shown, so every reader sees the history in their own language whoever acted; without, it is
    # what a user wrote, shown as written.
    note_params = models.JSONField(null=True, blank=True, editable=False)

    status_choices = Status

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} -> {self.to_status}"

    @property
    def note_text(self) -> str:
        """The note in the reader's language (a system message) or as its user wrote it."""
        if self.note_params is None:
            return self.note
        return gettext(self.note) % self.note_params


def system_note(message, **params) -> dict:
    """A history note the system writes, for CaseEvent(**...): kept untranslated with its values and translated
    when shown. `message` is marked with gettext_noop (or is a lazy choice label); values are plain text."""
    with translation.override(None):
        source = str(message)
    return {"note": source, "note_params": {name: str(value) for name, value in params.items()}}


def appeal_decided_by_body(appeals):
    """The appeal in a case that the appeal body has decided, if any: the body's decision is final and cannot
    be appealed (forvaltningslova § 28 third paragraph), whether it upheld or reversed the office's."""
    return next((a for a in appeals if a.forwarded is not None and a.outcome != Appeal.Outcome.PENDING), None)


def case_history_note(application, *, by, message, **params) -> CaseEvent:
    """A line the system writes in a case's history without moving the case (an offer, a corrected date...):
    `message` marked with gettext_noop, its values in `params` (see system_note)."""
    return CaseEvent.objects.create(
        application=application,
        by=by,
        from_status=application.status,
        to_status=application.status,
        **system_note(message, **params),
    )


class JournalNote(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return self.text[:60]


@pghistory.track()
class Assessment(models.Model):
    """Kartlegging: the structured needs assessment, done with the applicant (not health: see HealthAssessment)."""

    class Recommendation(models.TextChoices):
        MUNICIPAL_HOUSING = "municipal_housing", _("Municipal rental home")
        STARTLAN = "startlan", _("Startlån (+ grant) instead of renting")
        PRIVATE_RENTAL = "private_rental", _("Private rental with help (deposit guarantee, housing allowance)")
        HOUSING_FIRST = "housing_first", _("Housing First")
        CARE_HOME = "care_home", _("Care home (omsorgsbustad)")
        OTHER = "other", _("Other")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="assessment")
    housing_notes = models.TextField(_("housing situation now"), blank=True)
    children_in_unsuitable_housing = models.BooleanField(_("children live in unsuitable housing"), default=False)
    monthly_income = models.PositiveIntegerField(_("net monthly income (NOK)"), null=True, blank=True)
    income_sources = models.CharField(_("income sources"), max_length=300, blank=True)
    debt = models.PositiveIntegerField(_("total debt (NOK)"), null=True, blank=True)
    rent_arrears = models.PositiveIntegerField(_("rent arrears (NOK)"), null=True, blank=True)
    payment_remarks = models.BooleanField(_("has payment remarks"), default=False)
    savings = models.PositiveIntegerField(_("savings (NOK)"), null=True, blank=True)
    followup_needs = models.TextField(_("follow-up needs after moving in"), blank=True)
    own_goals = models.TextField(_("the applicant's own goals and wishes, in their words"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=30, choices=Recommendation.choices, blank=True)
    recommendation_reason = models.TextField(_("reasons for the recommendation"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self):
        return f"{self.application_id}"


@pghistory.track()
class HealthAssessment(models.Model):
    """Special-category data (GDPR art. 9): kept apart, shown with `cases.view_health` only, every read logged."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="health")
    mobility_needs = models.TextField(_("mobility and function"), blank=True)
    documented_health_need = models.BooleanField(_("documented health need for adapted housing"), default=False)
    substance_use = models.BooleanField(_("substance use (rus)"), default=False)
    mental_health = models.BooleanField(_("mental health problems"), default=False)
    notes = models.TextField(_("health notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("health assessment")
        verbose_name_plural = _("health assessments")

    def __str__(self):
        return f"{self.application_id}"


@pghistory.track()
class Decision(models.Model):
    """Enkeltvedtak on an application, with the reasons fvl. §§ 24-25 require."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided = models.DateField(_("decision date"))
    notified = models.DateField(_("date the decision reached the party"))
    lapsed = models.DateField(_("lapsed or withdrawn"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    facts = models.TextField(_("facts"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    home_description = models.CharField(_("type and size of home"), max_length=300, blank=True)
    lease_years = models.PositiveSmallIntegerField(
        _("lease length (years)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(
                fields=["outcome", "decided"], include=["application", "lapsed"], name="decision_outcome_decided"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(notified__gte=models.F("decided")),
                name="decision_notified_after",
                violation_error_message=_("The notification date cannot be before the decision date."),
            ),
            models.CheckConstraint(
                condition=Q(lapsed__isnull=True) | Q(outcome="granted"),
                name="decision_lapse_only_granted",
                violation_error_message=_("Only a granted decision can lapse."),
            ),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.outcome}"

    @property
    def appeal_deadline(self):
        return rules.appeal_deadline(self.notified)


@pghistory.track()
class Appeal(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        REVERSED = "reversed", _("Reversed")
        UPHELD = "upheld", _("Upheld")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    received = models.DateField(_("appeal received"))
    grounds = models.TextField(_("grounds of appeal"), blank=True)
    reconsidered = models.DateField(_("reconsidered by the office"), null=True, blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=120, blank=True)
    forwarded = models.DateField(_("forwarded"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received"]

    def __str__(self):
        return f"{self.application_id}: {self.outcome}"


class Attachment(models.Model):
    """A document on a case, stored outside the web root and served only through an access-checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name
