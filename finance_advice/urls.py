from django.urls import path

from . import views

app_name = "finance_advice"

urlpatterns = [
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/new/", views.referral_intake, name="referral-intake"),
    path("referrals/<str:ref>/", views.referral_detail, name="referral-detail"),
    path("referrals/<str:ref>/act/", views.referral_act, name="referral-act"),
    path("cases/<str:case_ref>/refer/", views.referral_from_case, name="referral-from-case"),
    path("leases/<str:lease_ref>/refer/", views.referral_from_lease, name="referral-from-lease"),
    path("startlan/", views.startlan_list, name="startlan-list"),
    path("startlan/<str:ref>/", views.startlan_detail, name="startlan-detail"),
    path("cases/<str:case_ref>/consents/", views.consents, name="consents"),
    path("cases/<str:case_ref>/consents/<int:pk>/revoke/", views.consent_revoke, name="consent-revoke"),
    path("cases/<str:case_ref>/access-report/", views.access_report, name="access-report"),
    path("nav/", views.nav_list, name="nav-list"),
    path("nav/<str:case_ref>/", views.nav_case, name="nav-case"),
]
