from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Offer, Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Helper:
    def _helper(self):
        self.helper = FormHelper()
        self.helper.form_tag = False


class ShortlistDateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT, required=False)


class OfferMakeForm(forms.Form):
    application = forms.CharField(widget=forms.HiddenInput, max_length=20)
    offered = forms.DateField(label=_("Offer date"), widget=DATE_INPUT)


class OfferAnswerForm(_Helper, forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[(Offer.Status.ACCEPTED, _("Accepted")), (Offer.Status.REFUSED, _("Refused"))],
        widget=forms.RadioSelect,
    )
    answered = forms.DateField(label=_("Answer date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason given"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason_accepted = forms.BooleanField(
        label=_("The office accepts the reason for refusing"),
        required=False,
        help_text=_("Two refusals without an accepted reason flag the case for reassessment."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered"].initial = timezone.localdate()
        self._helper()


class UnitStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Unit.Status.FREE, _("Free")), (Unit.Status.MAINTENANCE, _("Under maintenance"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class MeetingForm(_Helper, forms.Form):
    held_on = forms.DateField(label=_("Meeting date"), widget=DATE_INPUT)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self._helper()


class MeetingChoiceForm(forms.Form):
    unit = forms.CharField(widget=forms.HiddenInput, max_length=40)
    application = forms.CharField(label=_("Case"), max_length=20)
    override_reason = forms.CharField(
        label=_("Reason if not rank 1"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
