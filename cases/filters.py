import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stord_bolig.models import User

from .models import Application, Status

ALL_STATUSES = "all"


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or case number"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(ALL_STATUSES, _("All, closed too")), *Status.choices],
        empty_label=_("All but closed"),
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Application.Kind.choices, empty_label=_("All"))
    urgency = django_filters.ChoiceFilter(label=_("Band"), choices=Application.Urgency.choices, empty_label=_("All"))
    assigned_to = django_filters.ModelChoiceFilter(
        label=_("Caseworker"),
        queryset=User.objects.filter(groups__name="caseworker", is_active=True).order_by("first_name"),
        empty_label=_("All"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Preliminary reply overdue"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Application
        fields = ["q", "status", "kind", "urgency", "assigned_to", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.upper().startswith("S-"):
            return queryset.filter(ref__istartswith=value)
        if value.replace("-", "").isdigit():
            return queryset.filter(ref__contains=value)  # "0011" or "2026-0011"
        terms = Q()
        for word in value.split():
            terms &= Q(household__members__person__given_name__istartswith=word) | Q(
                household__members__person__family_name__istartswith=word
            )
        return queryset.filter(terms).distinct()

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.preliminary_reply_overdue_on(timezone.localdate())

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    @property
    def qs(self):
        """Closed cases are left out unless a status is chosen or the caseworker searches by name or number
        (a search must find an old, closed case too)."""
        queryset = super().qs
        data = self.form.cleaned_data
        if not data.get("status") and not (data.get("q") or "").strip():
            queryset = queryset.exclude(status=Status.CLOSED)
        return queryset
