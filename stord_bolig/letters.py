"""The one rendering service for PDF letters: Django template -> WeasyPrint -> PDF/A, stored with metadata.

Apps decide which template and context a letter gets (their `letters.py`) and call
`letter_create`; the PDF is rendered by a Celery worker after the transaction commits. The URL
fetcher can read only the letter assets in static/letters (no file://, no network, no redirects),
and rendering has a hard time limit.

Each letter is rendered exactly once, whatever fails in between: the row is created once (unique
`dedupe_key`), its render task is queued after commit, and a letter whose task was lost (Redis
restarted, worker killed, broker down at commit) is queued again by `letter_requeue_stale`, which
beat runs every few minutes; rendering locks the row and leaves a rendered letter as it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import mimetypes
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .models import Letter

logger = logging.getLogger(__name__)

ASSET_SCHEME = "letter-asset"
ASSET_DIR = (Path(settings.BASE_DIR) / "static" / "letters").resolve()
PDF_VARIANT = "pdf/a-3b"


class LetterRenderTimeout(Exception):
    """Rendering took longer than LETTER_RENDER_TIMEOUT."""


class LetterAssetFetcher(URLFetcher):
    """Serves `letter-asset:NAME` from static/letters and refuses every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols=[ASSET_SCHEME], allow_redirects=False, timeout=1)

    def fetch(self, url, headers=None):
        from weasyprint.urls import URLFetcherResponse

        scheme, _, name = url.partition(":")
        if scheme.lower() != ASSET_SCHEME:
            logger.warning("letter tried to load a forbidden URL scheme: %s", scheme)
            raise ValueError("Only letter assets may be loaded by a letter.")
        path = (ASSET_DIR / name.lstrip("/")).resolve()
        if not path.is_relative_to(ASSET_DIR) or not path.is_file():
            raise ValueError("Unknown letter asset.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@contextlib.contextmanager
def _time_limit(seconds: int):
    # SIGALRM works only in the main thread (a Celery prefork child, a management command);
    # elsewhere the Celery task's own soft/hard time limits apply.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum, frame):
        raise LetterRenderTimeout(f"letter rendering exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    # The alarm repeats every 0.2 s after the limit: code inside WeasyPrint that catches broad exceptions
    # may swallow one raise, but not every one, so the timeout always reaches the caller.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def letter_context_base(language: str) -> dict:
    return {
        "municipality": settings.MUNICIPALITY_NAME,
        "office": settings.HOUSING_OFFICE_NAME,
        "office_address": settings.HOUSING_OFFICE_ADDRESS,
        "office_phone": settings.HOUSING_OFFICE_PHONE,
        "office_email": settings.HOUSING_OFFICE_EMAIL,
        "language": language,
    }


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept: a new one per letter loads the system's fonts again (more
    than half of a letter's time); Pango's font map is not shared between threads."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def render_pdf(template_name: str, context: dict, *, language: str = "nn", timeout: int | None = None) -> bytes:
    """Render a letter template to PDF/A bytes within the time limit, loading only letter assets."""
    with translation.override(language):
        html = render_to_string(template_name, {**letter_context_base(language), **context})
    with _time_limit(timeout or settings.LETTER_RENDER_TIMEOUT):
        document = HTML(string=html, base_url=f"{ASSET_SCHEME}:/", url_fetcher=LetterAssetFetcher())
        return document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False, font_config=_font_config())


def letter_create(
    *,
    subject,
    kind: str,
    title: str,
    template_name: str,
    context: dict,
    case_ref: str,
    dedupe_key: str,
    language: str = "nn",
    letter_date: dt.date | None = None,
    by=None,
) -> tuple[Letter, bool]:
    """Create a letter once per dedupe_key and queue its rendering after commit; returns (letter, created)."""
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                kind=kind,
                title=title[:200],
                language=language,
                template_name=template_name,
                context=context,
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                case_ref=case_ref,
                dedupe_key=dedupe_key,
                letter_date=letter_date or timezone.localdate(),
                created_by=by,
            )
    except IntegrityError:
        return Letter.objects.get(dedupe_key=dedupe_key), False
    from .tasks import letter_render_task

    # robust: the letter is committed whatever happens to the broker; if queueing fails (Redis down), the
    # error is logged, the caseworker's request still succeeds, and `letter_requeue_stale` queues it later.
    transaction.on_commit(lambda: letter_render_task.delay(letter.pk), robust=True)
    return letter, True


def letter_requeue_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Queue again every letter still waiting after `older_than`; returns how many were queued.

    A render task can be lost with the broker (a Redis restart without persistence), with a worker killed
    before it acknowledged, or when the broker was down at commit. A second task for a letter that is being
    or has been rendered does nothing: `letter_render` locks the row and skips a rendered letter.
    """
    from .tasks import letter_render_task

    cutoff = timezone.now() - older_than
    waiting = list(
        Letter.objects.filter(status=Letter.Status.QUEUED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for letter_id in waiting:
        letter_render_task.delay(letter_id)
    if waiting:
        logger.warning("queued %d letters again that were still waiting after %s", len(waiting), older_than)
    return len(waiting)


def letter_render(letter_id: int) -> Letter:
    """Render a queued letter and store its PDF; a letter already rendered is left as it is."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.status == Letter.Status.RENDERED:
            return letter
        try:
            pdf = render_pdf(letter.template_name, letter.context, language=letter.language)
        except LetterRenderTimeout as exc:
            letter.status = Letter.Status.FAILED
            letter.error = str(exc)
            letter.save(update_fields=["status", "error"])
            return letter
        digest = hashlib.sha256(pdf).hexdigest()
        file_name = f"{letter.kind}-{letter.case_ref}-{letter.pk}.pdf"
        # A render killed after writing its file but before its commit left the file behind: replace it,
        # so a letter never has two files (the storage would otherwise save this one under a new name).
        letter.pdf.storage.delete(letter.pdf.field.generate_filename(letter, file_name))
        letter.pdf.save(file_name, ContentFile(pdf), save=False)
        letter.sha256 = digest
        letter.size_bytes = len(pdf)
        letter.status = Letter.Status.RENDERED
        letter.error = ""
        letter.rendered_at = timezone.now()
        letter.save(update_fields=["pdf", "sha256", "size_bytes", "status", "error", "rendered_at"])
    return letter
