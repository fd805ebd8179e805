from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, Letter, PolicyParameter, RetentionRun, User
from .params import DEFAULTS, LIMITS


class UserChangeForm(BaseUserAdmin.form):
    national_id = forms.CharField(
        label=_("Own national id (stored only as a keyed hash)"),
        required=False,
        help_text=_("Lets the access-log review flag lookups of the employee's own case or household."),
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Stord bolig"), {"fields": ("title", "phone", "preferred_language", "national_id")}),
    )

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("national_id"):
            obj.set_national_id(form.cleaned_data["national_id"])
        super().save_model(request, obj, form, change)

    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    list_filter = ("groups", "is_active", "is_staff")


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "role", "action", "case_ref", "person_ref", "section", "ip")
    list_filter = ("action", "role", "section")
    search_fields = ("username", "case_ref", "person_ref")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("title", "case_ref", "kind", "language", "status", "letter_date", "created_at")
    list_filter = ("kind", "status", "language")
    search_fields = ("case_ref", "title")
    readonly_fields = [f.name for f in Letter._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False


class PolicyParameterForm(forms.ModelForm):
    """A parameter the product reads, with a value it can use: a mistyped key or an impossible value would
    otherwise be saved and silently have no effect (or a wrong one)."""

    key = forms.ChoiceField(label=_("key"))

    class Meta:
        model = PolicyParameter
        fields = ["key", "valid_from", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [
            (
                key,
                _("%(key)s: %(description)s (default %(default)s)")
                % {"key": key, "description": description, "default": f"{default.normalize():f}"},
            )
            for key, (default, description) in DEFAULTS.items()
        ]

    def clean(self):
        data = super().clean()
        key, value = data.get("key"), data.get("value")
        if key in LIMITS and value is not None:
            lowest, highest, whole = LIMITS[key]
            if not lowest <= value <= highest:
                self.add_error(
                    "value",
                    _("%(key)s must be between %(low)s and %(high)s.")
                    % {"key": key, "low": f"{lowest.normalize():f}", "high": f"{highest.normalize():f}"},
                )
            elif whole and value != value.to_integral_value():
                self.add_error("value", _("%(key)s is a whole number.") % {"key": key})
        return data


@admin.register(PolicyParameter)
class PolicyParameterAdmin(admin.ModelAdmin):
    form = PolicyParameterForm
    list_display = ("key", "valid_from", "value", "note")
    list_filter = ("key",)


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """The retention job's own record, for the data-protection officer: read-only."""

    list_display = ("started_at", "trigger", "run_by", "status", "case_cutoff", "households", "access_log_rows")
    list_filter = ("status", "trigger")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in RetentionRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
