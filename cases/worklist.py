"""The work list entries of cases: appeals waiting for the office to reconsider them."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.urls import reverse
from django.utils.translation import gettext as _

from stord_bolig.params import param
from stord_bolig.worklist import WorkItem

from .models import Appeal


def _appeals_url(ref: str) -> str:
    return reverse("cases:case-detail", args=[ref]) + "#appeals-h"


def appeal_items(user, today: dt.date) -> list[WorkItem]:
    """Appeals on the user's cases that the office has neither reversed nor forwarded to the appeal body (fvl.
    § 33): due within the office's own time to reconsider (a policy parameter)."""
    appeals = list(
        Appeal.objects.filter(application__assigned_to=user, outcome=Appeal.Outcome.PENDING, forwarded__isnull=True)
        .select_related("application")
        .order_by("received")[:200]
    )
    if not appeals:
        return []
    days = int(param("appeal_reconsider_days", today))  # read only when there is an appeal to date
    return [
        WorkItem(
            kind="appeal_reconsider",
            label=_("Reconsider the appeal, or forward it to the appeal body"),
            subject=appeal.application.ref,
            link=partial(reverse, "cases:case-detail", args=[appeal.application.ref]),
            # the case page's appeals, where it is reversed or forwarded
            action=partial(_appeals_url, appeal.application.ref),
            due=appeal.received + dt.timedelta(days=days),
            remind_from=appeal.received,
        )
        for appeal in appeals
    ]
