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
    # States change only through the services, and so does what ranks a case on the waiting list or dates its
    # deadlines (the assessment, with its reasons and history): here they are shown, not edited.
    readonly_fields = (
        "ref",
        "household",
        "kind",
        "received",
        "status",
        "housing_situation",
        "main_reason",
        "urgency",
        "urgency_suggested",
        "urgency_reason",
        "target_group",
        "wheelchair_need",
        "min_bedrooms_override",
        "min_bedrooms_reason",
        "preliminary_reply_sent",
        "suspended_until",
    )
