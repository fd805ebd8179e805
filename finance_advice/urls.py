from django.urls import path

from . import views

app_name = "finance_advice"

urlpatterns: list = []
