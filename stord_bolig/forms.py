from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form, except that an attempt with an empty username still counts as a failure."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Log in")))

    def clean(self):
        if not self.cleaned_data.get("username") and self.data.get("password"):
            # Without this, a blank username never reaches authenticate() and escapes the lockout count.
            authenticate(self.request, username="", password=self.data.get("password"))
        return super().clean()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("One-time code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The six-digit code from your authenticator app, or a backup code."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Verify")))

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").strip()


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's refusal on the form: on its field where it names one the form has, else at the form's top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
