"""Housing stock, offers, allocation meetings."""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Application

# Why a waiting household is left off a unit's shortlist, in words (the shortlist's reason codes).
# Lazy: a module-level gettext would freeze the labels in whatever language was active at import.
EXCLUSION_LABELS = {
    "suspended": _("suspended"),
    "open_offer": _("has an open offer"),
    "too_few_bedrooms": _("too few bedrooms"),
    "too_many_bedrooms": _("too many bedrooms"),
    "wheelchair": _("needs a wheelchair-accessible home"),
    "target_group": _("other target group"),
    "accepted_offer": _("has another home coming (an accepted offer or a lease not yet started)"),
}


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or user.has_perm("allocation.view_unit"):
            return self.all()
        return self.none()

    def in_stock_on(self, day: dt.date):
        return self.filter(_in_stock(day))

    def with_in_stock(self, day: dt.date):
        """Each home with `in_stock`: whether it is in the stock on `day` (a list shows the homes that left it too)."""
        return self.annotate(in_stock=models.ExpressionWrapper(_in_stock(day), output_field=models.BooleanField()))

    def with_status_on(self, day: dt.date, status: str):
        """Homes in the stock on `day` with `status`: a home out of the stock is neither free nor let, whatever
        its status field last said."""
        return self.in_stock_on(day).filter(status=status)

    def free_on(self, day: dt.date):
        """Homes free to let on `day`: the dashboard's "free homes now" and the housing stock's "free" filter."""
        return self.with_status_on(day, self.model.Status.FREE)


def _in_stock(day: dt.date) -> Q:
    return Q(in_stock_from__lte=day) & (Q(in_stock_until__isnull=True) | Q(in_stock_until__gte=day))


@pghistory.track()
class Unit(models.Model):
    class UnitType(models.TextChoices):
        FLAT = "flat", _("Flat")
        SMALL_HOUSE = "small_house", _("Small house")
        TERRACED = "terraced", _("Terraced house")
        CARE_HOME = "care_home", _("Care home")

    class Ownership(models.TextChoices):
        OWNED = "owned", _("Owned by the municipality")
        LEASED = "leased", _("Leased by the municipality")
        PRIVATE_ALLOCATION_RIGHT = "private_allocation_right", _("Private, with allocation right")

    class Status(models.TextChoices):
        FREE = "free", _("Free")
        OFFERED = "offered", _("Offered")
        LET = "let", _("Let")
        MAINTENANCE = "maintenance", _("Under maintenance")

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    address = models.CharField(_("address"), max_length=200)
    matrikkel = models.CharField(_("cadastre number (matrikkel)"), max_length=40, null=True, blank=True)
    unit_type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    ownership = models.CharField(_("ownership"), max_length=30, choices=Ownership.choices)
    bedrooms = models.PositiveSmallIntegerField(_("bedrooms"))
    area_m2 = models.PositiveSmallIntegerField(_("area (m²)"))
    floor = models.SmallIntegerField(_("floor"))
    lift = models.BooleanField(_("lift"), default=False)
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    target_group = models.CharField(
        _("target group"), max_length=20, choices=Application.TargetGroup.choices, default="ordinary"
    )
    fire_sprinkler = models.BooleanField(_("sprinkler"), default=False)
    fire_alarm_connected = models.BooleanField(_("connected fire alarm"), default=False)
    monthly_rent = models.PositiveIntegerField(_("monthly rent (NOK)"))
    in_stock_from = models.DateField(_("in stock from"))
    in_stock_until = models.DateField(_("in stock until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FREE)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["ref"]
        permissions = [("make_offer", "Can make and answer offers")]

    def __str__(self):
        return f"{self.ref} {self.address}"

    def get_absolute_url(self):
        return reverse("allocation:unit-detail", args=[self.ref])


class OfferQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cases.querysets import case_visibility_q

        condition = case_visibility_q(user)
        if condition is None:
            return self.none()
        return self.filter(application__in=Application.objects.filter(condition))

    def open(self):
        return self.filter(status=Offer.Status.OPEN)


@pghistory.track()
class Offer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="offers")
    offered = models.DateField(_("offer date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answered = models.DateField(_("answer date"), null=True, blank=True)
    reason = models.TextField(_("reason"), null=True, blank=True)
    reason_accepted = models.BooleanField(_("reason for refusal accepted"), default=False)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-offered", "-ref"]
        constraints = [
            # Never two open offers on one home, nor two open offers to one case.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status="open"),
                name="one_open_offer_per_unit",
                violation_error_message=_("There is already an open offer on this unit."),
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="open"),
                name="one_open_offer_per_application",
                violation_error_message=_("There is already an open offer to this case."),
            ),
        ]

    def __str__(self):
        return self.ref

    @property
    def deadline(self) -> dt.date:
        return self.offered + dt.timedelta(days=7)


class ReassessmentFlag(models.Model):
    """Raised after two refusals without an accepted reason (DOMAIN.md "Offers"); cleared by a caseworker."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="reassessment_flag")
    raised_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"{self.application_id}: {self.reason}"


class AllocationMeeting(models.Model):
    """Tildelingsmøte: a dated meeting that picks households for free units."""

    held_on = models.DateField(_("meeting date"), unique=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation meeting")
        verbose_name_plural = _("allocation meetings")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on}"

    def get_absolute_url(self):
        return reverse("allocation:meeting-detail", args=[self.pk])


class MeetingChoice(models.Model):
    """The meeting's pick for a unit; choosing someone other than rank 1 needs a reason (override monitoring)."""

    meeting = models.ForeignKey(AllocationMeeting, on_delete=models.CASCADE, related_name="choices")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meeting_choices")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="meeting_choices")
    rank = models.PositiveIntegerField(_("rank on the shortlist"))
    first_ranked = models.ForeignKey(
        Application, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("rank 1 on the shortlist")
    )
    override_reason = models.TextField(_("reason for not choosing rank 1"), blank=True)
    offer = models.OneToOneField(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_choice")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="one_choice_per_unit_per_meeting"),
            models.CheckConstraint(
                condition=Q(rank=1) | ~Q(override_reason=""),
                name="choice_override_needs_reason",
                violation_error_message=_("Give the reason for choosing another than the first on the shortlist."),
            ),
        ]

    def __str__(self):
        return f"{self.meeting_id}: {self.unit_id} -> {self.application_id}"

    @property
    def is_override(self) -> bool:
        return self.rank != 1


class BedroomNeed(models.Model):
    """A case's computed bedroom need, valid from `computed_on` until the day a member's age changes it.

    Keeps the shortlist a plain indexed query at any scale; refreshed on demand for the date asked about,
    and dropped whenever the household's members change.
    """

    application = models.OneToOneField(
        Application, primary_key=True, on_delete=models.CASCADE, related_name="bedroom_need_cache"
    )
    need = models.PositiveSmallIntegerField()
    computed_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)  # exclusive; null = no known change ahead

    class Meta:
        indexes = [models.Index(fields=["computed_on", "valid_until"])]

    def __str__(self):
        return f"{self.application_id}: {self.need}"


class WaitingTimeEstimates(models.Model):
    """The waiting-time estimates as computed for one day, kept (how the estimated waits develop over time).

    The waiting list and the dashboard read the day's row instead of taking a median over every case housed
    in the last 24 months on each request: beat computes it just after midnight, and the first request of a
    day that finds none computes it (allocation.querysets.waiting_time_estimates).
    """

    day = models.DateField(_("day"), unique=True)
    # [[band, bedrooms (4 = 4+), median days, households housed], ...]
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-time estimates")
        verbose_name_plural = _("waiting-time estimates")

    def __str__(self):
        return f"{self.day}"
