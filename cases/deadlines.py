"""Pure legal deadlines of one application (the `deadlines` command), computed by cases.rules."""

from __future__ import annotations

from cases.rules import appeal_deadline, preliminary_reply_due
from stord_bolig.interchange.schema import Application, Document


def application_deadlines(application: Application) -> dict[str, str | None]:
    """Preliminary-reply due date for any application; appeal deadline from `notified` for any decision, else null."""
    decision = application.decision
    return {
        "preliminary_reply_due": preliminary_reply_due(application.received).isoformat(),
        "appeal_deadline": appeal_deadline(decision.notified).isoformat() if decision is not None else None,
    }


def deadlines(doc: Document, application_ref: str) -> dict[str, str | None]:
    """The `deadlines --application` output for one application of the document; LookupError if unknown."""
    for application in doc.applications:
        if application.ref == application_ref:
            return application_deadlines(application)
    raise LookupError(f"no application {application_ref!r}")
