"""Role-aware navigation: each entry needs a permission; apps add theirs in AppConfig.ready."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None
    order: int = 100


_entries: list[NavEntry] = []


def register_nav(entry: NavEntry) -> None:
    if entry not in _entries:
        _entries.append(entry)
        _entries.sort(key=lambda e: e.order)


def navigation(request):
    user = getattr(request, "user", None)
    # Before the second factor (the two-factor pages) there is nothing to navigate to: no menu.
    if user is None or not user.is_authenticated or not getattr(request, "second_factor_passed", True):
        return {"nav_entries": [], "show_nav": False}
    entries = []
    current = request.path
    for entry in _entries:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = current == url or (url != "/" and current.startswith(url))
        entries.append({"label": entry.label, "url": url, "active": active})
    return {"nav_entries": entries, "show_nav": True}
