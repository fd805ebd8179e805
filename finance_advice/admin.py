from django.contrib import admin

from .models import Consent, Referral, SifoRate, StartlanApplication


@admin.register(SifoRate)
class SifoRateAdmin(admin.ModelAdmin):
    list_display = ("item", "valid_from", "monthly", "source")
    list_filter = ("item",)


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("ref", "source", "status", "advisor", "created_at")
    list_filter = ("status", "source")
    readonly_fields = ("household", "application", "lease")


@admin.register(StartlanApplication)
class StartlanAdmin(admin.ModelAdmin):
    list_display = ("ref", "purpose", "loan_applied", "outcome", "decided")
    readonly_fields = ("household", "referral")


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("person", "party", "purpose", "given", "expires", "revoked")
    readonly_fields = ("person",)
