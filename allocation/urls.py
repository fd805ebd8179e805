from django.urls import path

from . import views

app_name = "allocation"

urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<str:ref>/", views.unit_detail, name="unit-detail"),
    path("units/<str:ref>/shortlist/", views.unit_shortlist, name="unit-shortlist"),
    path("units/<str:ref>/offer/", views.offer_make, name="offer-make"),
    path("units/<str:ref>/status/", views.unit_status, name="unit-status"),
    path("offers/<str:ref>/answer/", views.offer_answer, name="offer-answer"),
    path("waiting-list/", views.waiting_list, name="waiting-list"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
]
