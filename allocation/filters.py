import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Application

from .models import Unit

OUT_OF_STOCK = "out_of_stock"  # what the list shows for a home not in the stock today, whatever its status says


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="address", lookup_expr="icontains", label=_("Address"))
    status = django_filters.ChoiceFilter(
        choices=[*Unit.Status.choices, (OUT_OF_STOCK, _("Not in the stock"))],
        label=_("Status"),
        empty_label=_("All"),
        method="filter_status",
    )
    unit_type = django_filters.ChoiceFilter(choices=Unit.UnitType.choices, label=_("Type"), empty_label=_("All"))
    ownership = django_filters.ChoiceFilter(choices=Unit.Ownership.choices, label=_("Ownership"), empty_label=_("All"))
    bedrooms = django_filters.NumberFilter(label=_("Bedrooms"))
    wheelchair_accessible = django_filters.BooleanFilter(
        label=_("Wheelchair accessible"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )
    target_group = django_filters.ChoiceFilter(
        choices=Application.TargetGroup.choices, label=_("Target group"), empty_label=_("All")
    )

    class Meta:
        model = Unit
        fields = ["q", "status", "unit_type", "ownership", "bedrooms", "wheelchair_accessible", "target_group"]

    def filter_status(self, queryset, name, value):
        # Today's status of the homes in the stock today: "free" counts what the dashboard's "free homes now" counts.
        today = timezone.localdate()
        if value == OUT_OF_STOCK:
            return queryset.exclude(pk__in=queryset.in_stock_on(today).values("pk"))
        return queryset.with_status_on(today, value)
