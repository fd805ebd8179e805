from django.urls import path

from . import views

app_name = "tenancies"

urlpatterns = [
    path("leases/", views.lease_list, name="lease-list"),
    path("leases/new/", views.lease_register, name="lease-register"),
    path("arrears/import/", views.arrears_import, name="arrears-import"),
    path("housing-first/", views.caseload, name="caseload"),
    path("leases/<str:ref>/", views.lease_detail, name="lease-detail"),
    path("leases/<str:ref>/act/", views.lease_action, name="lease-action"),
]
