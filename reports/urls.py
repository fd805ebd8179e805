from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.dashboard_refresh, name="dashboard-refresh"),
    path("kostra/", views.kostra_report, name="kostra"),
    path("homelessness/", views.homelessness, name="homelessness"),
    path("action-plan/", views.action_plan, name="action-plan"),
    path("equity/", views.equity, name="equity"),
    path("summary.pdf", views.summary_pdf, name="summary-pdf"),
    path("access-audit/", views.access_audit, name="access-audit"),
]
