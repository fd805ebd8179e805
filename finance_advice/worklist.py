"""Work list entries: new referrals for the advisors, and status changes for the referring caseworker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from stord_bolig.worklist import WorkItem

from .models import Referral, ReferralStatus


def referral_items(user, today: dt.date) -> list[WorkItem]:
    items = []
    if user.has_perm("finance_advice.change_referral"):
        for referral in Referral.objects.filter(status=ReferralStatus.NEW).order_by("created_at")[:200]:
            created = timezone.localtime(referral.created_at).date()
            items.append(
                WorkItem(
                    kind="referral_new",
                    label=_("New referral to financial advice"),
                    subject=referral.ref,
                    link=referral.get_absolute_url,
                    due=created,
                    remind_from=created,
                )
            )
        for referral in Referral.objects.filter(advisor=user).open().exclude(status=ReferralStatus.NEW)[:200]:
            updated = timezone.localtime(referral.updated_at).date()
            items.append(
                WorkItem(
                    kind="referral_follow",
                    label=_("Referral in progress: %(status)s") % {"status": referral.get_status_display()},
                    subject=referral.ref,
                    link=referral.get_absolute_url,
                    due=updated + dt.timedelta(days=30),
                    remind_from=updated,
                )
            )
    return items
