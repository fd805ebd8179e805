from django.contrib import admin

from .models import Lease, Reminder


@admin.register(Lease)
class LeaseAdmin(admin.ModelAdmin):
    list_display = ("ref", "unit", "household", "start", "end", "moved_out")
    search_fields = ("ref",)
    readonly_fields = ("unit", "household", "application", "renewal_case")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject_ref", "due", "remind_from", "assigned_to", "closed_at")
    list_filter = ("kind",)
    search_fields = ("subject_ref",)
