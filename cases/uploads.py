"""Attachments: type decided by the file's content (not its name), size capped, stored outside the web root."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Attachment

# Magic numbers of the types a case may hold: PDF, PNG, JPEG, and Office Open XML (zip).
_SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def attachment_store(*, application, upload, description: str, by) -> Attachment:
    """Store an upload whose content is PDF, PNG, JPEG or DOCX and within the size limit; refuse anything else."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    head = upload.read(16)
    upload.seek(0)
    sniffed = sniff(head)
    if sniffed is None:
        raise ValidationError(_("Only PDF, PNG, JPEG and Word (docx) documents can be added."))
    content_type, extension = sniffed
    name = upload.name.rsplit("/", 1)[-1][:150]
    if not name.lower().endswith(extension) and not (extension == ".jpg" and name.lower().endswith(".jpeg")):
        name = f"{name.rsplit('.', 1)[0]}{extension}"
    return Attachment.objects.create(
        application=application,
        file=upload,
        original_name=name,
        content_type=content_type,
        size_bytes=upload.size,
        description=description,
        uploaded_by=by,
    )
