from django.contrib import admin

from .models import AllocationMeeting, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("ref", "address", "unit_type", "bedrooms", "wheelchair_accessible", "target_group", "status")
    list_filter = ("status", "unit_type", "ownership", "target_group", "wheelchair_accessible")
    search_fields = ("ref", "address", "matrikkel")
    readonly_fields = ("status",)  # offers and leases move the status


@admin.register(AllocationMeeting)
class AllocationMeetingAdmin(admin.ModelAdmin):
    list_display = ("held_on", "created_by")
