from django.contrib import admin

from .models import Application, Household, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("ref", "given_name", "family_name", "birth_date", "preferred_language")
    search_fields = ("ref", "given_name", "family_name")
    exclude = ("national_id",)  # shown masked in the app; never listed in admin


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("ref", "created_at")
    search_fields = ("ref",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("ref", "kind", "status", "received", "urgency", "assigned_to")
    list_filter = ("status", "kind", "urgency")
    search_fields = ("ref",)
    readonly_fields = ("household", "status")  # states change only through the services
