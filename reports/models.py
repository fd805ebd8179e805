"""Steering: historical homelessness counts and the housing-social action plan with its measures."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

INDICATORS = [
    ("waiting_list", _("Households on the waiting list")),
    ("homeless_now", _("Homeless households now")),
    ("wheelchair_share", _("Share of wheelchair-accessible homes (%)")),
    ("moved_in_this_year", _("Households moved in this year")),
    ("startlan_children", _("Startlån granted to families with children this year")),
    ("housing_first_caseload", _("Housing First caseload")),
    ("free_units", _("Free homes now")),
]


class HomelessCount(models.Model):
    """A count from the national survey or an earlier system, for the long line over the years."""

    day = models.DateField(_("date"), unique=True)
    count = models.PositiveIntegerField(_("homeless households"))
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("historical homelessness count")
        verbose_name_plural = _("historical homelessness counts")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day}: {self.count}"


class ActionGoal(models.Model):
    """A goal of the bustadsosial handlingsplan, linked to a live indicator."""

    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    indicator = models.CharField(_("indicator"), max_length=40, choices=INDICATORS, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("action plan goal")
        verbose_name_plural = _("action plan goals")
        ordering = ["position", "id"]
        permissions = [
            ("view_dashboard", "Can see the steering dashboard"),
            ("view_kostra", "Can see and export the KOSTRA figures"),
        ]

    def __str__(self):
        return self.title


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        DELAYED = "delayed", _("Delayed")

    goal = models.ForeignKey(ActionGoal, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("measure"), max_length=200)
    responsible = models.CharField(_("responsible unit"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.title


class PlanActivity(models.Model):
    class Kind(models.TextChoices):
        FORUM = "forum", _("Yearly forum")
        IMPROVEMENT_TEAM = "improvement_team", _("Improvement team meeting")
        MANAGEMENT = "management", _("Management group meeting")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("plan activity")
        verbose_name_plural = _("plan activities")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


class SteeringFigures(models.Model):
    """The dashboard's figures as computed at one moment (reports.figures.dashboard), kept for the hour.

    Five years of KOSTRA and stock use over a national register take about a second to compute, too long for a
    page the management group opens and reopens. Beat computes the last ten years every hour; a request whose
    years no fresh row covers computes them and keeps them. The page says when its figures were computed and
    lets management compute them again at once.
    """

    day = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"))
    data = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("steering figures")
        verbose_name_plural = _("steering figures")

    def __str__(self):
        return f"{self.year_from}–{self.year_to} ({self.computed_at:%Y-%m-%d %H:%M})"
