from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DATE_INPUT, PersonForm

from .models import Budget, Consent, ReferralStatus, StartlanApplication


class ReferralForm(forms.Form):
    reason = forms.CharField(label=_("What the household needs help with"), widget=forms.Textarea(attrs={"rows": 3}))


class IntakeForm(PersonForm):
    """Someone who comes to the financial advisor directly: who they are, how to reach them, what they need."""

    reason = forms.CharField(label=_("What the household needs help with"), widget=forms.Textarea(attrs={"rows": 3}))


class ReferralTransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=ReferralStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = [
            "net_income",
            "consumer_debt",
            "student_loan",
            "childcare",
            "child_support",
            "other_fixed",
            "other_housing",
            "term_years",
        ]


class StartlanForm(forms.ModelForm):
    class Meta:
        model = StartlanApplication
        fields = [
            "received",
            "purpose",
            "price",
            "loan_applied",
            "grant_applied",
            "children_in_household",
            "frees_municipal_home",
        ]
        widgets = {"received": DATE_INPUT}


class StartlanDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=StartlanApplication.Outcome.choices, widget=forms.RadioSelect
    )
    loan_granted = forms.IntegerField(label=_("Startlån granted"), min_value=0, required=False)
    grant_granted = forms.IntegerField(label=_("Grant granted"), min_value=0, required=False)
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=50, required=False)
    instalment_free_years = forms.IntegerField(label=_("Instalment-free years"), min_value=0, max_value=8, initial=0)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Letter language"), choices=[("nn", _("Nynorsk")), ("nb", _("Bokmål"))])


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "given", "expires"]
        widgets = {"given": DATE_INPUT, "expires": DATE_INPUT}
