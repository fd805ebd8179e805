from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Lease, MoveOnPlan

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeaseDateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("last_circulation_review", _("Circulation review held")),
            ("move_out_demand_sent", _("Move-out demand sent (by other means)")),
        ],
        label=_("What happened"),
    )
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class MoveOutForm(forms.Form):
    moved_out = forms.DateField(label=_("Moved out"), widget=DATE_INPUT)
    outcome = forms.ChoiceField(
        label=_("Where to"), choices=[("", "---------"), *[c for c in Lease.Outcome.choices if c[0] != "renewed"]]
    )


class MoveInForm(forms.Form):
    moved_in = forms.DateField(label=_("Moved in"), widget=DATE_INPUT)


class LeaseTermsForm(forms.Form):
    start = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    end = forms.DateField(
        label=_("End (last day)"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Leave empty for an open-ended lease. Normal minimum term is 3 years."),
    )
    monthly_rent = forms.IntegerField(label=_("Monthly rent (NOK)"), min_value=0)
    deposit = forms.IntegerField(label=_("Deposit (NOK)"), min_value=0, initial=0)
    guarantee = forms.IntegerField(label=_("Guarantee (NOK)"), min_value=0, initial=0)
    short_term_reason = forms.CharField(
        label=_("Special reasons for a term under 3 years"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    repeat_short_term_reason = forms.CharField(
        label=_("Weighty reasons for another short lease in a row"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LeaseRegisterForm(LeaseTermsForm):
    unit = forms.CharField(label=_("Unit reference"), max_length=40)
    case = forms.CharField(label=_("Case number"), max_length=20)


class LeaseRenewForm(forms.Form):
    """The new term of a granted renewal; it starts the day after the old lease ends."""

    end = LeaseTermsForm.base_fields["end"]
    monthly_rent = LeaseTermsForm.base_fields["monthly_rent"]
    short_term_reason = LeaseTermsForm.base_fields["short_term_reason"]
    repeat_short_term_reason = LeaseTermsForm.base_fields["repeat_short_term_reason"]


class RentAdjustForm(forms.Form):
    new_rent = forms.IntegerField(label=_("New monthly rent (NOK)"), min_value=0)
    cpi_at_last_change = forms.DecimalField(
        label=_("CPI at the last change"), max_digits=8, decimal_places=2, min_value=1
    )
    cpi_now = forms.DecimalField(label=_("CPI now"), max_digits=8, decimal_places=2, min_value=1)
    effective = forms.DateField(label=_("Effective from"), widget=DATE_INPUT)


class ArrearsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file from the accounting system"),
        help_text=_("Semicolon-separated, first line: lease;as_of;amount. Amounts in kroner; øre are left out."),
    )


class FollowUpPlanForm(forms.Form):
    goals = forms.CharField(label=_("The tenant's own goals, in their words"), widget=forms.Textarea(attrs={"rows": 2}))
    support = forms.CharField(label=_("Agreed support"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    housing_first = forms.BooleanField(label=_("Followed by the Housing First team"), required=False)
    next_contact = forms.DateField(label=_("Next contact"), widget=DATE_INPUT, required=False)


class FollowUpContactForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("home_visit", _("Home visit")),
            ("phone", _("Phone")),
            ("meeting", _("Meeting")),
            ("other", _("Other")),
        ],
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    next_contact = forms.DateField(label=_("Next contact"), widget=DATE_INPUT, required=False)


class MoveOnPlanForm(forms.Form):
    goal = forms.ChoiceField(label=_("Goal"), choices=MoveOnPlan.Goal.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    milestone = forms.CharField(label=_("New milestone"), required=False, max_length=200)
    due = forms.DateField(label=_("Milestone due"), widget=DATE_INPUT, required=False)
