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


def test_case_history__what_the_system_wrote_reads_in_each_readers_language(client, make_user):
    from django.conf import settings
    from django.test import Client
    from django.utils import translation

    from cases import services

    caseworker = make_user("caseworker")
    colleague = make_user("caseworker")
    application = ApplicationFactory(status="assessment", assigned_to=caseworker)
    with translation.override("en"):  # the one who acts uses the English interface
        services.application_assign(application=application, caseworker=colleague, by=caseworker)
        services.application_transition(application=application, to_status="closed", by=caseworker, note="Flytta.")
    url = reverse("cases:case-detail", args=[application.ref])

    def history(reader_client) -> str:
        html = reader_client.get(url).content.decode()
        return html[html.index('data-testid="history"') :].split("</ol>", 1)[0]

    nynorsk = history(verified_client(client, colleague))
    english_client = verified_client(Client(), caseworker)
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = history(english_client)

    assert f"Saka flytt frå {caseworker} til {colleague}." in nynorsk and "Case moved" not in nynorsk
    assert f"Case moved from {caseworker} to {colleague}." in english
    assert "Kartlegging → Avslutta: Flytta." in nynorsk  # what a user wrote stays as written
