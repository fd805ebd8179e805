"""What other parts of the system hold about a case (its offers, its leases), for the case page to link.

Higher layers register a provider in their AppConfig.ready (cases knows nothing of offers or leases): each
returns, for a case and the user looking, a list of {"label": ..., "url": ... or None}; a url only where the
user may open the page.
"""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable] = []


def register_case_links(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def case_links(application, user) -> list[dict]:
    links: list[dict] = []
    for provider in _providers:
        links.extend(provider(application, user))
    return links
