from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Lease

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeaseDateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("renewal_decided", _("Renewal granted")),
            ("move_out_demand_sent", _("Move-out demand sent")),
            ("last_circulation_review", _("Circulation review held")),
            ("financial_advice_referral", _("Referred to financial advice")),
        ],
        label=_("What happened"),
    )
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class MoveOutForm(forms.Form):
    moved_out = forms.DateField(label=_("Moved out"), widget=DATE_INPUT)
    outcome = forms.ChoiceField(label=_("Where to"), choices=Lease.Outcome.choices)


class MoveInForm(forms.Form):
    moved_in = forms.DateField(label=_("Moved in"), widget=DATE_INPUT)
