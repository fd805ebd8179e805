"""Import and export of whole documents: all-or-nothing, idempotent, errors with JSON paths."""

from __future__ import annotations

from django.db import DatabaseError, IntegrityError, transaction

from .codec import InterchangeError, parse_document, serialise_document
from .registry import ImportResult, sections
from .schema import Document


def records_import(data: dict) -> ImportResult:
    """Validate the whole document, then write it in one transaction; any error leaves the database as it was."""
    document = parse_document(data)
    result = ImportResult()
    try:
        with transaction.atomic():
            for section in sections():
                section.importer(document, result)
    except InterchangeError:
        raise
    except (IntegrityError, DatabaseError) as exc:
        raise InterchangeError([f"$: the database refused the document: {exc.__class__.__name__}: {exc}"]) from exc
    return result


def document_export() -> Document:
    """The whole register as a Document (the same shape the reporting rules compute over)."""
    document = Document()
    for section in sections():
        section.exporter(document)
    return document


def records_export() -> dict:
    return serialise_document(document_export())
