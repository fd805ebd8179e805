"""Change history is written by database triggers, so even bulk operations leave a trace."""

import pytest
from django.urls import reverse

from cases.models import Application
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_history__bulk_update_is_recorded():
    case = ApplicationFactory(urgency="C")
    Application.objects.filter(pk=case.pk).update(urgency="A")  # no save(), no signals
    events = Application.pgh_event_model.objects.filter(pgh_obj_id=case.pk).order_by("pgh_id")
    assert [e.urgency for e in events] == ["C", "A"]


def test_history__raw_sql_update_is_recorded():
    from django.db import connection

    case = ApplicationFactory(urgency="C")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_application SET urgency = 'B' WHERE id = %s", [case.pk])
    assert Application.pgh_event_model.objects.filter(pgh_obj_id=case.pk, urgency="B").exists()


def test_language__nynorsk_by_default_whatever_the_browser_says(caseworker_client):
    response = caseworker_client.get(reverse("worklist"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "nn"
    assert 'lang="nn"' in response.content.decode()


def test_language__the_users_preference_applies_after_login(caseworker_client, caseworker):
    caseworker.preferred_language = "nb"
    caseworker.save()
    assert caseworker_client.get(reverse("worklist"))["Content-Language"] == "nb"


def test_language__chosen_language_is_remembered(caseworker_client):
    caseworker_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert caseworker_client.get(reverse("worklist"))["Content-Language"] == "en"
