"""The personal work list: apps register providers; the platform shows what they return.

A provider is `callable(user, today) -> list[WorkItem]`. Registering happens in each app's
AppConfig.ready, so the platform never imports an app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

_providers: list[Callable] = []


@dataclass(frozen=True)
class WorkItem:
    kind: str  # machine name, e.g. "preliminary_reply"
    label: str  # translated, human text
    subject: str  # case number, lease ref, ...
    # the page to open, or a function giving it: resolved only for the items a page shows (a list may
    # hold hundreds of items, shown fifty at a time)
    link: str | Callable[[], str]
    due: dt.date
    remind_from: dt.date
    # where the task itself is done, when that is not the subject's page (e.g. the preliminary-reply form)
    action: str | Callable[[], str] | None = None

    @property
    def url(self) -> str:
        """The page of what the task concerns (the case, the lease)."""
        return self.link() if callable(self.link) else self.link

    @property
    def action_url(self) -> str:
        """The page where the task is done."""
        if self.action is None:
            return self.url
        return self.action() if callable(self.action) else self.action

    def is_overdue(self, today: dt.date) -> bool:
        return self.due < today


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def worklist_for(user, today: dt.date) -> list[WorkItem]:
    """The user's open items, overdue first, then by due date."""
    items: list[WorkItem] = []
    for provider in _providers:
        items.extend(provider(user, today))
    return sorted(items, key=lambda item: (not item.is_overdue(today), item.due, item.kind, item.subject))
