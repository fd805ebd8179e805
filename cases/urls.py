from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("mine/", views.case_list, {"mine": True}, name="my-cases"),
    path("new/", views.case_create, name="case-create"),
    path("<str:ref>/", views.case_detail, name="case-detail"),
    path("<str:ref>/assessment/", views.assessment_edit, name="assessment-edit"),
    path("<str:ref>/status/", views.case_transition, name="case-transition"),
    path("<str:ref>/assign/", views.case_assign, name="case-assign"),
    path("<str:ref>/people/<str:person_ref>/", views.person_edit, name="person-edit"),
    path("<str:ref>/decide/", views.case_decide, name="case-decide"),
    path("<str:ref>/preliminary-reply/", views.preliminary_reply, name="preliminary-reply"),
    path("<str:ref>/advance-notice/", views.advance_notice, name="advance-notice"),
    path("<str:ref>/decision/notified/", views.decision_notified, name="decision-notified"),
    path("<str:ref>/appeal/", views.appeal_register, name="appeal-register"),
    path("<str:ref>/appeal/<int:pk>/", views.appeal_handle, name="appeal-handle"),
    path("<str:ref>/appeal/<int:pk>/reverse/", views.appeal_reverse, name="appeal-reverse"),
    path("<str:ref>/notes/", views.note_add, name="note-add"),
    path("<str:ref>/documents/", views.attachment_upload, name="attachment-upload"),
    path("<str:ref>/documents/<int:pk>/", views.attachment_download, name="attachment-download"),
]
