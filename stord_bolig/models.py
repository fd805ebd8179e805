"""Platform models: users, the append-only access log, stored letters and dated policy parameters."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role, user_roles


def national_id_digest(value: str) -> str:
    """A keyed (HMAC-SHA256) digest of a national id: comparable, not reversible without the key."""
    import hashlib
    import hmac

    key = hashlib.sha256(f"national-id:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.replace(" ", "").encode(), hashlib.sha256).hexdigest()


class User(AbstractUser):
    """A member of staff. Roles are groups; `preferred_language` picks the UI language at login."""

    class Language(models.TextChoices):
        NYNORSK = "nn", _("Norwegian Nynorsk")
        BOKMAL = "nb", _("Norwegian Bokmål")
        ENGLISH = "en", _("English")

    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NYNORSK
    )
    national_id_hash = models.CharField(
        max_length=64, blank=True, help_text=_("Hash of the user's own national id, to flag self-lookups.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_worklist", "Can see a personal work list")]

    def __str__(self):
        return self.get_full_name() or self.username

    def set_national_id(self, value: str) -> None:
        """Keep only a keyed hash of the employee's own national id, to flag lookups of their own case."""
        self.national_id_hash = national_id_digest(value) if value else ""

    @property
    def roles(self) -> list[str]:
        return user_roles(self)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def primary_role(self) -> str:
        for role in Role:
            if role.value in self.roles:
                return role.value
        return ""


# Access-log columns that identify someone; the retention job blanks them once a row is old enough.
ACCESS_LOG_PERSONAL_FIELDS = ("user_id", "username", "person_ref", "case_ref", "purpose", "ip", "path")
# The database refuses to blank a row younger than this, whatever the settings say.
ACCESS_LOG_MIN_YEARS = 5
_personal = ", ".join(f"'{name}'" for name in ACCESS_LOG_PERSONAL_FIELDS)
ACCESS_LOG_ANONYMISE_ONLY = f"""
IF OLD."at" >= now() - interval '{ACCESS_LOG_MIN_YEARS} years'
   OR (to_jsonb(NEW) - ARRAY[{_personal}]) IS DISTINCT FROM (to_jsonb(OLD) - ARRAY[{_personal}])
   OR NEW."user_id" IS NOT NULL OR NEW."ip" IS NOT NULL
   OR NEW."username" <> '' OR NEW."person_ref" <> '' OR NEW."case_ref" <> ''
   OR NEW."purpose" <> '' OR NEW."path" <> ''
THEN
    RAISE EXCEPTION 'pgtrigger: rows of % can only be anonymised, after {ACCESS_LOG_MIN_YEARS} years', TG_TABLE_NAME;
END IF;
RETURN NEW;
"""


class AccessLog(models.Model):
    """One row per read of a person's case data, per denied attempt and per lockout.

    Append-only: database triggers refuse DELETE, and every UPDATE except the retention job's blanking of
    the personal fields of rows older than ACCESS_LOG_MIN_YEARS. (TRUNCATE is a table privilege:
    production revokes it from the application's role, see SECURITY.md.)
    `user_id` is a plain integer (no foreign key), so deleting a user never touches the log.
    """

    class Action(models.TextChoices):
        READ = "read", _("Read")
        DOWNLOAD = "download", _("Download")
        EXPORT = "export", _("Export")
        DENIED = "denied", _("Denied")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKOUT = "lockout", _("Lockout")
        LOGIN = "login", _("Login")
        LOGOUT = "logout", _("Logout")

    at = models.DateTimeField(db_default=Now(), editable=False, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    person_ref = models.CharField(max_length=40, blank=True, db_index=True)
    case_ref = models.CharField(max_length=40, blank=True, db_index=True)
    section = models.CharField(max_length=60, blank=True)
    purpose = models.CharField(max_length=120, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)

    # What the codes in `section` and `purpose` mean, for reports a person reads (their right of access).
    SECTION_LABELS = {
        "access_audit": _("Access log review"),
        "access_report": _("Who has seen the case"),
        "attachment": _("Attachment"),
        "case": _("The case"),
        "consents": _("Consents"),
        "economy": _("Economy"),
        "followup": _("Follow-up"),
        "health": _("Health and function"),
        "housing": _("Housing situation"),
        "homeless_by_name": _("Homelessness register"),
        "kostra": _("KOSTRA report"),
        "lease": _("Lease"),
        "letter": _("Letter"),
        "nav_shared": _("Shared with NAV"),
        "permission": _("Refused page"),
        "referral": _("Financial advice referral"),
        "shortlist": _("Shortlist for a home"),
        "waiting_list": _("Waiting list"),
    }
    LETTER_KIND_LABELS = {
        "decision": _("Decision letter"),
        "preliminary_reply": _("Preliminary reply"),
        "advance_notice": _("Advance notice"),
        "offer": _("Offer of a home"),
        "contract": _("Lease contract"),
        "move_out_demand": _("Move-out demand"),
        "social_services_notice": _("Notice to the social services"),
        "rent_adjustment": _("Rent notice"),
        "referral": _("Referral letter"),
        "budget": _("Budget"),
        "startlan": _("Startlån decision"),
        "appeal_outcome": _("Appeal decided by the appeal body"),
    }
    PURPOSE_LABELS = {
        "buy": _("Buying a home"),
        "case work": _("Case work"),
        "csv": _("Export"),
        "economy": _("Economy"),
        "followup": _("Follow-up"),
        "housing": _("Housing"),
        "log review": _("Log review"),
        "right of access": _("Right of access"),
        "shared with NAV by consent": _("Shared with NAV by consent"),
        "waiting list": _("Waiting list"),
        "wrong one-time code": _("Wrong one-time code"),
    }

    # A purpose naming a thing by its reference: what kind of thing, in words.
    PURPOSE_PREFIX_LABELS = {"referral": _("Referral"), "unit": _("Home")}

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        triggers = [
            pgtrigger.Protect(name="access_log_append_only", operation=pgtrigger.Delete),
            # The one change allowed: the retention job blanking the personal fields of a row older than
            # ACCESS_LOG_MIN_YEARS, every other column unchanged (stord_bolig/retention.py).
            pgtrigger.Trigger(
                name="access_log_only_anonymise",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=ACCESS_LOG_ANONYMISE_ONLY,
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.case_ref or self.person_ref}"

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def section_label(self) -> str:
        if self.section.startswith("nav:"):  # the parts shared with NAV, e.g. "nav:economy,housing"
            parts = [str(self.SECTION_LABELS.get(part, part)).lower() for part in self.section[4:].split(",") if part]
            return f"{self.SECTION_LABELS['nav_shared']}: {', '.join(parts)}"
        return str(self.SECTION_LABELS.get(self.section, self.section))

    @property
    def purpose_label(self) -> str:
        if self.section == "letter":  # a letter read or downloaded: its kind
            return str(self.LETTER_KIND_LABELS.get(self.purpose, self.purpose))
        kind, _space, ref = self.purpose.partition(" ")
        if kind in self.PURPOSE_PREFIX_LABELS and ref:  # "referral F-00001", "unit U-0003": the word, then the ref
            return f"{self.PURPOSE_PREFIX_LABELS[kind]} {ref}"
        return str(self.PURPOSE_LABELS.get(self.purpose, self.purpose))


class Letter(models.Model):
    """A letter to a person: its snapshot context, and the rendered PDF/A once the worker made it.

    `dedupe_key` is unique: the same letter (e.g. the decision letter of one decision) can be
    created once only, however many caseworkers press the button at the same time.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERED = "rendered", _("Ready")
        FAILED = "failed", _("Failed")

    class Language(models.TextChoices):
        NYNORSK = "nn", _("Nynorsk")
        BOKMAL = "nb", _("Bokmål")

    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.NYNORSK)
    template_name = models.CharField(max_length=200)
    context = models.JSONField(default=dict, help_text="Snapshot of the data the letter shows.")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    case_ref = models.CharField(_("case"), max_length=40, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    letter_date = models.DateField(_("letter date"))
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.title} ({self.case_ref})"

    def get_absolute_url(self):
        return reverse("letter-download", args=[self.pk])


class PolicyParameter(models.Model):
    """A dated policy value the municipality can change in admin (rates, limits, periods).

    The value in force on a date is the one with the latest `valid_from` on or before it.
    """

    key = models.CharField(_("key"), max_length=80)
    valid_from = models.DateField(_("valid from"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("source / note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("policy parameter")
        verbose_name_plural = _("policy parameters")
        ordering = ["key", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="policy_parameter_unique_date")]

    def __str__(self):
        return f"{self.key} = {self.value} ({self.valid_from})"


class RetentionRun(models.Model):
    """One run of the retention job: when, by whom, up to which dates and how much it anonymised (counts only)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        COMMAND = "command", _("Command")

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    run_by = models.CharField(_("run by"), max_length=150, blank=True)
    today = models.DateField(_("as of"))
    case_cutoff = models.DateField(_("cases concluded before"))
    log_cutoff = models.DateField(_("access-log rows before"))
    households = models.PositiveIntegerField(_("households anonymised"), default=0)
    access_log_rows = models.PositiveIntegerField(_("access-log rows anonymised"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}: {self.households}"
