from django.contrib import admin

from .models import ActionGoal, HomelessCount, Measure, PlanActivity


@admin.register(HomelessCount)
class HomelessCountAdmin(admin.ModelAdmin):
    list_display = ("day", "count", "source")


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 1


@admin.register(ActionGoal)
class ActionGoalAdmin(admin.ModelAdmin):
    list_display = ("title", "indicator", "target", "position")
    inlines = [MeasureInline]


@admin.register(PlanActivity)
class PlanActivityAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "summary")
