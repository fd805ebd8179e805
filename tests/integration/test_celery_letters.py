"""Letters are rendered by a real Celery worker through Redis, once, even if the worker dies."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from stord_bolig.letters import letter_create
from stord_bolig.models import Letter
from tests.conftest import verified_client
from tests.factories import ApplicationFactory


def _wait_for(predicate, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _queue_letter(application, key="test:1"):
    letter, created = letter_create(
        subject=application,
        kind="test",
        title="Prøvebrev frå arbeidaren",
        template_name="letters/base_letter.html",
        context={"title": "Prøvebrev frå arbeidaren", "case_ref": application.ref, "recipient_lines": ["Kari"]},
        case_ref=application.ref,
        dedupe_key=key,
    )
    return letter, created


@pytest.mark.django_db(transaction=True)
def test_letter__rendered_by_the_worker_after_commit(celery_worker, client, make_user):
    application = ApplicationFactory()
    letter, created = _queue_letter(application)
    assert created
    assert _wait_for(lambda: Letter.objects.get(pk=letter.pk).status == Letter.Status.RENDERED)
    letter.refresh_from_db()
    assert letter.sha256 and letter.size_bytes > 1000
    again, created_again = _queue_letter(application)
    assert not created_again and again.pk == letter.pk
    caseworker = make_user("caseworker")
    response = verified_client(client, caseworker).get(reverse("letter-download", args=[letter.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True)
def test_healthz__ok_with_a_worker(celery_worker, client):
    from stord_bolig.celery import app

    assert app.control.ping(timeout=1.0)
    response = client.get("/healthz")
    assert response.json()["checks"]["celery"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_letter__worker_killed_mid_queue_then_restarted_renders_each_letter_once(celery_worker):
    application = ApplicationFactory()
    celery_worker.kill()
    letters = [_queue_letter(application, key=f"kill:{n}")[0] for n in range(3)]
    time.sleep(0.5)
    assert all(Letter.objects.get(pk=item.pk).status == Letter.Status.QUEUED for item in letters)
    celery_worker.start()
    assert _wait_for(
        lambda: Letter.objects.filter(pk__in=[item.pk for item in letters], status="rendered").count() == 3
    )
    assert Letter.objects.filter(dedupe_key__startswith="kill:").count() == 3
