"""A letter whose render task is lost is rendered all the same, and once: broker down, lost queue, killed render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from stord_bolig.letters import letter_create, letter_render, letter_requeue_stale
from stord_bolig.models import Letter
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _letter(application, key: str) -> Letter:
    letter, _created = letter_create(
        subject=application,
        kind="test",
        title="Prøvebrev",
        template_name="letters/base_letter.html",
        context={"title": "Prøvebrev", "case_ref": application.ref, "recipient_lines": ["Kari"]},
        case_ref=application.ref,
        dedupe_key=key,
    )
    return letter


def test_letter_create__broker_down_at_commit_keeps_the_letter_queued_and_raises_nothing(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory()
    with (
        mock.patch("stord_bolig.tasks.letter_render_task.delay", side_effect=BrokerDown("redis down")) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        letter = _letter(application, "down:1")
    assert delay.called
    letter.refresh_from_db()
    assert letter.status == Letter.Status.QUEUED


def test_letter_requeue_stale__queues_only_letters_waiting_longer_than_the_limit(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=False):
        old, new, rendered = (_letter(application, f"requeue:{n}") for n in range(3))
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Letter.objects.filter(pk__in=[old.pk, rendered.pk]).update(created_at=an_hour_ago)
    Letter.objects.filter(pk=rendered.pk).update(status=Letter.Status.RENDERED)

    with mock.patch("stord_bolig.tasks.letter_render_task.delay") as delay:
        queued = letter_requeue_stale(older_than=dt.timedelta(minutes=5))

    assert queued == 1
    delay.assert_called_once_with(old.pk)


def test_letter_render__a_second_task_for_a_rendered_letter_changes_nothing(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=False):
        letter = _letter(application, "twice:1")
    first = letter_render(letter.pk)
    again = letter_render(letter.pk)
    assert again.status == Letter.Status.RENDERED
    assert (again.pdf.name, again.sha256, again.rendered_at) == (first.pdf.name, first.sha256, first.rendered_at)


def test_letter_render__a_file_left_by_a_killed_render_is_replaced_not_kept_beside(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=False):
        letter = _letter(application, "killed:1")
    file_name = f"{letter.kind}-{letter.case_ref}-{letter.pk}.pdf"
    target = letter.pdf.field.generate_filename(letter, file_name)
    letter.pdf.storage.save(target, ContentFile(b"half a PDF"))  # what a render killed before its commit left

    rendered = letter_render(letter.pk)

    assert rendered.pdf.name == target
    assert [path.name for path in Path(letter.pdf.storage.path(target)).parent.iterdir()] == [file_name]
    with rendered.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
