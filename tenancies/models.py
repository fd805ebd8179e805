"""Leases, arrears, temporary stays and reminders."""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from allocation.models import Unit
from cases.models import Application, Household


class DateRange(Func):
    function = "daterange"
    output_field = models.DateField()


# A lease without an end sorts and compares as ending after every real date.
END_OR_NEVER = Coalesce(F("end"), Value(dt.date(9999, 12, 31)), output_field=models.DateField())


class LeaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cases.querysets import case_visibility_q

        condition = case_visibility_q(user)
        if condition is None:
            return self.none()
        if condition == Q():
            return self.all()
        return self.filter(household__in=Application.objects.filter(condition).values("household_id"))

    def active_on(self, day):
        return (
            self.filter(start__lte=day)
            .filter(Q(moved_out__isnull=True) | Q(moved_out__gte=day))
            # "no end, or not passed": one comparison the lease list's index can serve (lease_end_or_never_ref)
            .alias(end_or_never=END_OR_NEVER)
            .filter(end_or_never__gte=day)
        )


@pghistory.track()
class Lease(models.Model):
    class Outcome(models.TextChoices):
        RENEWED = "renewed", _("Renewed")
        MOVED_PRIVATE_RENTAL = "moved_private_rental", _("Moved to private rental")
        BOUGHT_WITH_STARTLAN = "bought_with_startlan", _("Bought a home with startlån")
        MOVED_OTHER_MUNICIPAL = "moved_other_municipal", _("Moved to another municipal home")
        MOVED_INSTITUTION = "moved_institution", _("Moved to an institution")
        EVICTED = "evicted", _("Evicted")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other")

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="leases")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="leases")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT, related_name="leases")
    start = models.DateField(_("start"))
    end = models.DateField(_("end (last day)"), null=True, blank=True)
    short_term_reason = models.TextField(_("special reasons for a term under 3 years"), null=True, blank=True)
    repeat_short_term_reason = models.TextField(
        _("weighty reasons for another short lease in a row"), null=True, blank=True
    )
    monthly_rent = models.PositiveIntegerField(_("monthly rent (NOK)"))
    deposit = models.PositiveIntegerField(_("deposit (NOK)"), default=0)
    guarantee = models.PositiveIntegerField(_("guarantee (NOK)"), default=0)
    moved_in = models.DateField(_("moved in"), null=True, blank=True)
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    renewal_decided = models.DateField(_("renewal granted"), null=True, blank=True)
    move_out_demand_sent = models.DateField(_("move-out demand sent"), null=True, blank=True)
    last_circulation_review = models.DateField(_("last circulation review"), null=True, blank=True)
    financial_advice_referral = models.DateField(_("latest referral to financial advice"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, null=True, blank=True)
    special_rules_notice = models.DateField(
        _("written notice that the home is for the disadvantaged (§ 11-1)"), null=True, blank=True
    )
    social_services_notified = models.DateField(
        _("social services notified of arrears (§ 9-11)"), null=True, blank=True
    )
    renewal_case = models.OneToOneField(
        Application,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewed_lease",
        verbose_name=_("renewal case"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LeaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        ordering = ["-start", "-ref"]
        indexes = [
            models.Index(fields=["application", "start"], name="lease_application_start"),
            # the lease list pages through current leases by end date, those without an end last
            models.Index(END_OR_NEVER, F("ref"), name="lease_end_or_never_ref"),
        ]
        constraints = [
            # No two tenancies of one unit overlap; a same-day handover (moved_out == next start) is allowed.
            ExclusionConstraint(
                name="lease_no_overlap_per_unit",
                violation_error_message=_("The home already has a tenancy in that period."),
                expressions=[
                    (
                        DateRange(
                            F("start"),
                            Coalesce(F("moved_out"), F("end") + Value(1)),
                            Value("[)"),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                    ("unit", RangeOperators.EQUAL),
                ],
            ),
            models.CheckConstraint(
                condition=Q(deposit__lte=F("monthly_rent") * 6),
                name="lease_deposit_at_most_6_months",
                violation_error_message=_("The deposit can be at most 6 months' rent."),
            ),
            models.CheckConstraint(
                condition=Q(deposit__lte=F("monthly_rent") * 6 - F("guarantee")),
                name="lease_deposit_guarantee_at_most_6_months",
                violation_error_message=_("Deposit and guarantee together can be at most 6 months' rent."),
            ),
        ]

    def __str__(self):
        return self.ref

    def get_absolute_url(self):
        return reverse("tenancies:lease-detail", args=[self.ref])


class ArrearsFigure(models.Model):
    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="arrears")
    as_of = models.DateField(_("as of"))
    amount = models.PositiveIntegerField(_("arrears (NOK)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("arrears figure")
        verbose_name_plural = _("arrears figures")
        ordering = ["lease", "as_of"]
        constraints = [models.UniqueConstraint(fields=["lease", "as_of"], name="one_arrears_figure_per_day")]

    def __str__(self):
        return f"{self.lease_id} {self.as_of}: {self.amount}"


class TemporaryStay(models.Model):
    class Kind(models.TextChoices):
        NATTHJEM = "natthjem", _("Night shelter (natthjem)")
        HOSPITS = "hospits", _("Hostel (hospits)")
        PENSJONAT = "pensjonat", _("Guesthouse (pensjonat)")
        CAMPING = "camping", _("Camping cabin")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="temporary_stays")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    children_present = models.BooleanField(_("children present"), default=False)

    class Meta:
        verbose_name = _("temporary stay")
        verbose_name_plural = _("temporary stays")
        ordering = ["household", "start", "id"]

    def __str__(self):
        return f"{self.household_id} {self.kind} {self.start}"


class Reminder(models.Model):
    """A deadline in someone's work list; created exactly once per (kind, subject, due) by the sweep."""

    class Kind(models.TextChoices):
        PRELIMINARY_REPLY = "preliminary_reply", _("Send a preliminary reply")
        OFFER_RESPONSE = "offer_response", _("Offer awaiting answer")
        RENEWAL_ASSESSMENT = "renewal_assessment", _("Assess lease renewal")
        MOVE_OUT_DEMAND = "move_out_demand", _("Send move-out demand (flytteoppfordring)")
        CIRCULATION_REVIEW = "circulation_review", _("Yearly review of moving on (circulation)")
        ARREARS_REFERRAL = "arrears_referral", _("Refer rent arrears to financial advice")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject_kind = models.CharField(max_length=20)  # application | offer | lease
    subject_ref = models.CharField(max_length=40)
    due = models.DateField()
    remind_from = models.DateField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "kind", "subject_ref"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_ref", "due"], name="reminder_once_per_kind_subject_due")
        ]
        indexes = [models.Index(fields=["assigned_to", "closed_at", "remind_from"])]

    def __str__(self):
        return f"{self.kind} {self.subject_ref} {self.due}"


class RentChange(models.Model):
    """A rent adjustment by the consumer price index (husleigelova § 4-2), with its notice."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="rent_changes")
    old_rent = models.PositiveIntegerField(_("old rent"))
    new_rent = models.PositiveIntegerField(_("new rent"))
    cpi_at_last_change = models.DecimalField(_("CPI at the last change"), max_digits=8, decimal_places=2)
    cpi_now = models.DecimalField(_("CPI now"), max_digits=8, decimal_places=2)
    notice_given = models.DateField(_("notice given"))
    effective = models.DateField(_("effective from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective"]
        constraints = [models.UniqueConstraint(fields=["lease", "effective"], name="one_rent_change_per_day")]

    def __str__(self):
        return f"{self.lease_id}: {self.old_rent} -> {self.new_rent} from {self.effective}"


class FollowUpPlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(closed__isnull=True)

    def housing_first_caseload(self):
        """The Housing First team's caseload: its plans not yet closed."""
        return self.active().filter(housing_first=True)

    def visible_to(self, user):
        return self.filter(lease__in=Lease.objects.visible_to(user))


class FollowUpPlan(models.Model):
    """Oppfølging: the tenant's own goals and the support agreed, incl. the Housing First team's caseload."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="followup_plans")
    housing_first = models.BooleanField(_("followed by the Housing First team"), default=False)
    goals = models.TextField(_("the tenant's own goals, in their words"))
    support = models.TextField(_("agreed support"), blank=True)
    started = models.DateField(_("started"))
    next_contact = models.DateField(_("next contact"), null=True, blank=True)
    closed = models.DateField(_("closed"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_plans",
        verbose_name=_("responsible"),
    )

    objects = FollowUpPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        ordering = ["-started"]
        permissions = [("view_caseload", "Can see the Housing First caseload")]

    def __str__(self):
        return f"{self.lease_id} {self.started}"


class FollowUpContact(models.Model):
    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="contacts")
    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-day", "-id"]

    def __str__(self):
        return f"{self.plan_id} {self.day} {self.kind}"


class MoveOnPlan(models.Model):
    """Sirkulasjon: the tenant's plan to move on (own home with startlån, private rental, rent-to-own)."""

    class Goal(models.TextChoices):
        STARTLAN = "startlan", _("Buy with startlån")
        PRIVATE_RENTAL = "private_rental", _("Private rental with deposit guarantee")
        RENT_TO_OWN = "rent_to_own", _("Rent to own")
        # Reviewed, and moving on is not right now (age, health, a child's school): the reason is in the notes,
        # and the yearly review asks again.
        STAY = "stay", _("Stay for now (reason in the notes)")
        OTHER = "other", _("Other")

    lease = models.OneToOneField(Lease, on_delete=models.CASCADE, related_name="move_on_plan")
    goal = models.CharField(_("goal"), max_length=20, choices=Goal.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.lease_id}: {self.goal}"


class Milestone(models.Model):
    plan = models.ForeignKey(MoveOnPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["done", "due", "id"]

    def __str__(self):
        return self.title
