"""Case forms: validation and layout only; writes happen in services."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import PHONE_VALIDATOR, Application, Assessment, Decision, HealthAssessment, HouseholdMember, Person

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NationalIdField(forms.CharField):
    default_error_messages = {
        "invalid": _("Not a valid fødselsnummer or D-nummer (11 digits)."),
        # what is wrong with it, so the caseworker knows what to look at
        "length": _("A fødselsnummer or D-nummer has 11 digits."),
        "kind": _("This is not a fødselsnummer or D-nummer (an H-number or a test number?)."),
        "date": _("The first six digits are not a valid birth date, or the birth date is in the future."),
        "checksum": _("The check digits do not add up: look for a typing error."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("label", _("Fødselsnummer or D-nummer"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return rules.national_id_parse(value).number
        except rules.InvalidNationalId as exc:
            raise forms.ValidationError(self.error_messages[exc.reason], code="invalid") from exc


class PersonForm(forms.Form):
    """Who a person is and how to reach them: the applicant of a new case, or someone at the advisor's door."""

    national_id = NationalIdField()
    given_name = forms.CharField(label=_("Given name"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, validators=[PHONE_VALIDATOR])
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Postal address"), max_length=200, required=False)
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("A Norwegian postcode has four digits.")},
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Letter language"), choices=[("nn", _("Nynorsk")), ("nb", _("Bokmål"))], initial="nn"
    )


class ApplicationRegisterForm(PersonForm):
    kind = forms.ChoiceField(label=_("Kind of application"), choices=Application.Kind.choices)
    received = forms.DateField(label=_("Received"), widget=DATE_INPUT)

    field_order = ["kind", "received"]  # then the applicant

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Application"), "kind", "received"),
            Fieldset(
                _("Applicant"),
                "national_id",
                "given_name",
                "family_name",
                "phone",
                "email",
                "address",
                "postcode",
                "city",
                "preferred_language",
            ),
        )

    def clean_received(self):
        received = self.cleaned_data["received"]
        if received > timezone.localdate():
            raise forms.ValidationError(_("The received date cannot be in the future."))
        return received


class MemberForm(forms.Form):
    role = forms.ChoiceField(  # chosen, not defaulted: a second "spouse" by default was refused as a second partner
        label=_("Role"), choices=[("", "---------"), *[c for c in HouseholdMember.Role.choices if c[0] != "applicant"]]
    )
    national_id = NationalIdField()
    given_name = forms.CharField(label=_("Given name"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120)


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        partners = sum(1 for f in self.forms if f.cleaned_data.get("role") == "partner")
        if partners > 1:
            raise forms.ValidationError(_("A household has at most one spouse or partner."))
        ids = [f.cleaned_data.get("national_id") for f in self.forms if f.cleaned_data.get("national_id")]
        if len(ids) != len(set(ids)):
            raise forms.ValidationError(_("The same person is listed twice."))


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=0, max_num=12, can_delete=True)


class AssessmentForm(forms.ModelForm):
    """The non-health sections of the needs assessment, plus the case fields it sets."""

    housing_situation = forms.ChoiceField(label=_("Housing situation"), choices=Application.HousingSituation.choices)
    main_reason = forms.ChoiceField(label=_("Main reason"), choices=Application.MainReason.choices)
    target_group = forms.ChoiceField(label=_("Target group"), choices=Application.TargetGroup.choices)
    wheelchair_need = forms.BooleanField(label=_("Needs a wheelchair-accessible home"), required=False)
    min_bedrooms_override = forms.IntegerField(
        label=_("Bedroom need set by caseworker"),
        min_value=0,
        max_value=8,
        required=False,
        help_text=_("Leave empty to use the computed need."),
    )
    min_bedrooms_reason = forms.CharField(
        label=_("Reason for the bedroom need"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    urgency = forms.ChoiceField(label=_("Urgency band"), choices=Application.Urgency.choices)
    urgency_reason = forms.CharField(
        label=_("Reason for the band"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the band differs from the suggested band."),
    )

    class Meta:
        model = Assessment
        fields = [
            "housing_notes",
            "children_in_unsuitable_housing",
            "monthly_income",
            "income_sources",
            "debt",
            "rent_arrears",
            "payment_remarks",
            "savings",
            "followup_needs",
            "own_goals",
            "recommendation",
            "recommendation_reason",
        ]
        widgets = {
            "housing_notes": forms.Textarea(attrs={"rows": 3}),
            "followup_needs": forms.Textarea(attrs={"rows": 3}),
            "own_goals": forms.Textarea(attrs={"rows": 3}),
            "recommendation_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, application: Application, suggested: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "housing_situation",
            "main_reason",
            "target_group",
            "wheelchair_need",
            "min_bedrooms_override",
            "min_bedrooms_reason",
            "urgency",
            "urgency_reason",
        ):
            self.fields[name].initial = getattr(application, name)
        if self.instance.pk is None and application.kind != Application.Kind.RENEWAL:
            # A first assessment: the housing situation and main reason are chosen, not left at a default that would
            # pass for an answer (they decide the suggested band and the national statistics). A renewal case starts
            # from the tenancy it is about (living in a home of one's own, the earlier case's main reason).
            for name in ("housing_situation", "main_reason"):
                self.fields[name].choices = [("", "---------"), *self.fields[name].choices]
                self.fields[name].initial = ""
        self.fields["urgency"].help_text = _("Suggested from the assessment: %(band)s") % {"band": suggested}
        self.fields["recommendation"].help_text = _("Needed before the case can be marked ready for decision.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Housing situation now"), "housing_situation", "housing_notes", "children_in_unsuitable_housing"
            ),
            Fieldset(
                _("Economy"), "monthly_income", "income_sources", "debt", "rent_arrears", "payment_remarks", "savings"
            ),
            Fieldset(
                _("Needs"),
                "main_reason",
                "target_group",
                "wheelchair_need",
                "min_bedrooms_override",
                "min_bedrooms_reason",
                "followup_needs",
            ),
            Fieldset(_("The applicant's own goals"), "own_goals"),
            Fieldset(
                _("Recommendation and urgency"), "recommendation", "recommendation_reason", "urgency", "urgency_reason"
            ),
        )


class HealthAssessmentForm(forms.ModelForm):
    class Meta:
        model = HealthAssessment
        fields = ["mobility_needs", "documented_health_need", "substance_use", "mental_health", "notes"]
        widgets = {"mobility_needs": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="health", **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Health and function (special category, access-logged)"), *self.Meta.fields)
        )


class DecisionForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Letter language"), choices=[("nn", _("Nynorsk")), ("nb", _("Bokmål"))])

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "decided",
            "notified",
            "legal_basis",
            "facts",
            "assessment",
            "home_description",
            "lease_years",
            "conditions",
        ]
        widgets = {
            "decided": DATE_INPUT,
            "notified": DATE_INPUT,
            "outcome": forms.RadioSelect,
            "legal_basis": forms.TextInput,
            "facts": forms.Textarea(attrs={"rows": 4}),
            "assessment": forms.Textarea(attrs={"rows": 5}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "notified": _(
                "The appeal deadline runs from this day. Sent digitally or handed over: the letter date. By post: "
                "when it reached the party, which you can also correct from the case page once you know it."
            )
        }

    def __init__(self, *args, application: Application, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["decided"].initial = today
        self.fields["notified"].initial = today
        self.fields["notified"].required = False
        self.fields["facts"].required = True
        self.fields["assessment"].required = True
        self.fields["legal_basis"].initial = rules.LEGAL_BASIS.get(application.kind, "")
        self.fields["language"].initial = language
        self.fields["outcome"].choices = Decision.Outcome.choices  # radio buttons: no empty choice
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_decided(self):
        # said with the form's other errors, not only after they are put right (the service checks it too)
        decided = self.cleaned_data["decided"]
        if decided > timezone.localdate():
            raise forms.ValidationError(_("The decision date cannot be in the future."))
        return decided


class ReversalForm(forms.ModelForm):
    """The grounds of the new decision when the office reverses its own on an appeal."""

    language = forms.ChoiceField(label=_("Letter language"), choices=[("nn", _("Nynorsk")), ("nb", _("Bokmål"))])

    class Meta:
        model = Decision
        fields = ["legal_basis", "facts", "assessment", "home_description", "lease_years", "conditions"]
        widgets = {
            "legal_basis": forms.TextInput,
            "facts": forms.Textarea(attrs={"rows": 4}),
            "assessment": forms.Textarea(attrs={"rows": 5}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, decision: Decision, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facts"].required = True
        self.fields["assessment"].required = True
        self.fields["legal_basis"].initial = decision.legal_basis
        self.fields["facts"].initial = decision.facts  # the facts seldom change; the assessment does
        self.fields["language"].initial = language
        if decision.outcome == Decision.Outcome.GRANTED:  # the new decision is a refusal: no home to describe
            for name in ("home_description", "lease_years", "conditions"):
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False


class PreliminaryReplyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case cannot be decided within a month"), widget=forms.Textarea(attrs={"rows": 3})
    )
    expected = forms.DateField(label=_("Expected decision date"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AdvanceNoticeForm(forms.Form):
    planned = forms.CharField(label=_("The planned decision"), widget=forms.Textarea(attrs={"rows": 3}))
    reply_by = forms.DateField(label=_("Deadline for comments"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AppealForm(forms.Form):
    received = forms.DateField(label=_("Appeal received"), widget=DATE_INPUT)
    grounds = forms.CharField(
        label=_("Grounds of appeal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the party wants changed, and why, in short (fvl. § 32). If the appeal does not say, write so and "
            "ask the party to add it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False


class NotifiedForm(forms.Form):
    notified = forms.DateField(label=_("The decision reached the party on"), widget=DATE_INPUT)
    how = forms.CharField(
        label=_("How this is known"),
        max_length=500,
        required=False,  # the service asks for it, together with what is wrong with the date
        help_text=_(
            "For example: the party called and said the letter came that day; a receipt for a registered letter."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Document"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class PersonContactForm(forms.ModelForm):
    """Contact details, letter language and representative; identity fields are not editable here."""

    class Meta:
        model = Person
        fields = list(Person.CONTACT_FIELDS)
        help_texts = {
            "representative_name": _("A representative (fullmektig) receives the letters instead of the person."),
        }

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and (len(postcode) != 4 or not postcode.isdigit()):
            raise forms.ValidationError(_("A Norwegian postcode has four digits."))
        return postcode

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("representative_name") and not cleaned.get("representative_address"):
            self.add_error("representative_address", _("Letters to the representative need an address."))
        return cleaned


class AssignForm(forms.Form):
    caseworker = forms.ModelChoiceField(
        label=_("Caseworker"), queryset=None, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from stord_bolig.models import User

        self.fields["caseworker"].queryset = User.objects.filter(groups__name="caseworker", is_active=True).order_by(
            "first_name", "last_name"
        )
