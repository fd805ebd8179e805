"""Labels for status codes stored as plain text (event rows keep the code, a reader sees the word)."""

from __future__ import annotations

from django.db import models


class StatusEventLabels:
    """`from_label` and `to_label` for an event row with `from_status` and `to_status` codes of `status_choices`;
    a code the choices no longer know is shown as it is."""

    status_choices: type[models.TextChoices]

    def _label(self, status: str) -> str:
        return str(self.status_choices(status).label) if status in self.status_choices.values else status

    @property
    def from_label(self) -> str:
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)
