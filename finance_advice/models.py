"""Referrals to the financial advisor, budgets, startlån/tilskot, SIFO tables and consents for NAV."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Application, Household, Person
from stord_bolig.labels import StatusEventLabels
from tenancies.models import Lease


class ReferralStatus(models.TextChoices):
    """The referral loop the referring caseworker follows; allowed moves listed once, here."""

    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    BUDGET_MADE = "budget_made", _("Budget made")
    NEGOTIATING = "negotiating", _("Negotiating with creditors")
    DEBT_SETTLEMENT = "debt_settlement", _("Debt settlement applied for (namsmannen)")
    OUTCOME = "outcome", _("Outcome recorded")
    CLOSED = "closed", _("Closed")

    @classmethod
    def transitions(cls) -> dict[str, set[str]]:
        return {
            cls.NEW: {cls.ACCEPTED, cls.DECLINED},
            cls.ACCEPTED: {cls.BUDGET_MADE, cls.NEGOTIATING, cls.CLOSED},
            cls.BUDGET_MADE: {cls.NEGOTIATING, cls.DEBT_SETTLEMENT, cls.OUTCOME, cls.CLOSED},
            cls.NEGOTIATING: {cls.DEBT_SETTLEMENT, cls.OUTCOME, cls.CLOSED},
            cls.DEBT_SETTLEMENT: {cls.OUTCOME, cls.CLOSED},
            cls.OUTCOME: {cls.CLOSED},
            cls.DECLINED: set(),
            cls.CLOSED: set(),
        }


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("finance_advice.change_referral"):
            return self.all()  # the office's financial advisors share the referral queue
        if user.has_perm("finance_advice.view_referral"):
            return self.filter(
                Q(created_by=user) | Q(application__assigned_to=user) | Q(lease__application__assigned_to=user)
            )
        return self.none()

    def open(self):
        return self.exclude(status__in=[ReferralStatus.DECLINED, ReferralStatus.CLOSED])


@pghistory.track()
class Referral(models.Model):
    class Source(models.TextChoices):
        CASE = "case", _("From a case")
        ARREARS = "arrears", _("Rent arrears")
        INTAKE = "intake", _("Advisor's own intake")

    ref = models.CharField(_("reference"), max_length=20, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="referrals")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    lease = models.ForeignKey(Lease, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reason = models.TextField(_("what the household needs help with"))
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.NEW)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advised_referrals",
        verbose_name=_("advisor"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lease"],
                condition=~Q(status__in=["declined", "closed"]) & Q(lease__isnull=False),
                name="one_open_referral_per_lease",
                violation_error_message=_("The lease already has an open referral to financial advice."),
            ),
            # a caseworker's referral from a case: one open at a time, whoever clicks twice
            models.UniqueConstraint(
                fields=["application"],
                condition=~Q(status__in=["declined", "closed"])
                & Q(source="case", application__isnull=False, lease__isnull=True),
                name="one_open_referral_per_case",
                violation_error_message=_("The case already has an open referral to financial advice."),
            ),
        ]

    def __str__(self):
        return self.ref

    def get_absolute_url(self):
        return reverse("finance_advice:referral-detail", args=[self.ref])


class ReferralStatusEvent(StatusEventLabels, models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    status_choices = ReferralStatus

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.referral_id}: {self.from_status} -> {self.to_status}"


class SifoRate(models.Model):
    """A line of the SIFO reference budget (OsloMet), monthly kroner, valid from a date.

    `item` is a person band (adult, senior, child_0_5, child_6_13, child_14_17) or a household-size
    line ("household_1" … "household_6") for the common household costs.
    """

    item = models.CharField(_("budget line"), max_length=30)
    valid_from = models.DateField(_("valid from"))
    monthly = models.PositiveIntegerField(_("monthly amount (NOK)"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("SIFO rate")
        verbose_name_plural = _("SIFO rates")
        ordering = ["item", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["item", "valid_from"], name="sifo_rate_unique_date")]

    def __str__(self):
        return f"{self.item} {self.monthly} ({self.valid_from})"


@pghistory.track()
class Budget(models.Model):
    """A household budget made with the financial advisor; the capacity is computed by rules.py when saved."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="budgets")
    made_on = models.DateField(_("date"))
    net_income = models.PositiveIntegerField(_("net monthly income"))
    consumer_debt = models.PositiveIntegerField(_("consumer debt payments"), default=0)
    student_loan = models.PositiveIntegerField(_("student loan payments"), default=0)
    childcare = models.PositiveIntegerField(_("kindergarten / after-school"), default=0)
    child_support = models.PositiveIntegerField(_("child support paid"), default=0)
    other_fixed = models.PositiveIntegerField(_("other fixed costs"), default=0)
    other_housing = models.PositiveIntegerField(_("other housing costs (municipal fees, insurance)"), default=0)
    living_sifo = models.PositiveIntegerField(_("living costs by SIFO"), default=0)
    living_guideline = models.PositiveIntegerField(_("living costs by the guideline rates"), default=0)
    policy_rate = models.DecimalField(_("policy rate (%)"), max_digits=5, decimal_places=2)
    term_years = models.PositiveSmallIntegerField(_("loan term (years)"), default=30)
    carryable_loan = models.PositiveIntegerField(_("loan the household can carry"), default=0)
    monthly_room = models.IntegerField(_("monthly room before housing"), default=0)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-made_on", "-id"]

    def __str__(self):
        return f"{self.referral_id} {self.made_on}"

    @property
    def fixed_costs(self) -> int:
        return self.consumer_debt + self.student_loan + self.childcare + self.child_support + self.other_fixed

    @property
    def living_applied(self) -> int:
        return max(self.living_sifo, self.living_guideline)


class StartlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_perm("finance_advice.change_startlanapplication"):
            return self.all()
        return self.none()


@pghistory.track()
class StartlanApplication(models.Model):
    """Startlån (and tilskot) from Husbanken via the municipality: application and decision."""

    class Purpose(models.TextChoices):
        BUY = "buy", _("Buy a home")
        REFINANCE = "refinance", _("Refinance to keep the home")
        ADAPT = "adapt", _("Adapt the home")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    ref = models.CharField(_("reference"), max_length=20, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="startlan_applications")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="startlan_applications"
    )
    received = models.DateField(_("received"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    price = models.PositiveIntegerField(_("price of the home"))
    loan_applied = models.PositiveIntegerField(_("startlån applied for"))
    grant_applied = models.PositiveIntegerField(_("grant (tilskot) applied for"), default=0)
    children_in_household = models.BooleanField(_("children in the household"), default=False)
    frees_municipal_home = models.BooleanField(_("frees a municipal rental home"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    loan_granted = models.PositiveIntegerField(_("startlån granted"), null=True, blank=True)
    grant_granted = models.PositiveIntegerField(_("grant granted"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), null=True, blank=True)
    instalment_free_years = models.PositiveSmallIntegerField(_("instalment-free years"), default=0)
    reasons = models.TextField(_("reasons"), blank=True)
    decided = models.DateField(_("decided"), null=True, blank=True)
    notified = models.DateField(_("date the decision reached the party"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = StartlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("startlån application")
        verbose_name_plural = _("startlån applications")
        ordering = ["-received"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_years__isnull=True) | Q(term_years__lte=50),
                name="startlan_term_at_most_50",
                violation_error_message=_("The repayment term can be at most 50 years."),
            ),
        ]

    def __str__(self):
        return self.ref


class ConsentQuerySet(models.QuerySet):
    def valid_on(self, day, party: str = "nav"):
        return (
            self.filter(party=party, given__lte=day)
            .filter(Q(expires__isnull=True) | Q(expires__gt=day))
            .filter(Q(revoked__isnull=True) | Q(revoked__gt=day))
        )


class Consent(models.Model):
    """The person's consent to share parts of the case with NAV, per purpose, dated, revocable."""

    class Purpose(models.TextChoices):
        ECONOMY = "economy", _("Economy")
        HOUSING = "housing", _("Housing situation")
        FOLLOWUP = "followup", _("Follow-up")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    party = models.CharField(_("shared with"), max_length=20, default="nav")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given = models.DateField(_("given"))
    expires = models.DateField(_("expires"), null=True, blank=True)
    revoked = models.DateField(_("revoked"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given"]
        permissions = [("view_shared_case", "Can see cases shared with NAV by consent")]

    def __str__(self):
        return f"{self.person_id} {self.party} {self.purpose}"
