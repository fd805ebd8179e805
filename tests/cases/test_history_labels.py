"""The case history names the states as the caseworker reads them, not by their codes."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from tests.conftest import verified_client
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_case_history__shows_state_names_in_the_users_language(client, make_user):
    caseworker = make_user("caseworker")
    application = ApplicationFactory(status="assessment", assigned_to=caseworker)
    CaseEvent.objects.create(application=application, from_status="registered", to_status="assessment", by=caseworker)
    html = (
        verified_client(client, caseworker).get(reverse("cases:case-detail", args=[application.ref])).content.decode()
    )
    history = html[html.index('data-testid="history"') :]
    history = history[: history.index("</ol>")]
    assert "registered" not in history and "assessment" not in history
    assert "Registrert → Kartlegging" in history
