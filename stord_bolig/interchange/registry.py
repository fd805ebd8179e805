"""Which app reads and writes which collections of the interchange document.

Each app registers a section in its AppConfig.ready: `importer(doc, result)` writes its records
(matched by ref, only changed rows saved), `exporter(doc)` fills its lists. Sections run in
registration order, which follows the import direction of the apps (cases -> allocation -> tenancies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, collection: str, outcome: str) -> None:
        bucket = getattr(self, outcome)
        bucket[collection] = bucket.get(collection, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass(frozen=True)
class Section:
    name: str
    importer: Callable
    exporter: Callable


_sections: list[Section] = []


def register_section(section: Section) -> None:
    if all(existing.name != section.name for existing in _sections):
        _sections.append(section)


def sections() -> list[Section]:
    return list(_sections)


def _key(lookup: dict) -> tuple:
    return tuple(value.pk if isinstance(value, Model) else value for value in lookup.values())


def preloaded(model, fields: tuple[str, ...], keys) -> dict[tuple, Any]:
    """The existing rows of `model` for the lookups an import is about to upsert, keyed as upsert keys them
    (a related row by its pk), in one query per 5 000 keys: upsert(..., known=) then looks for none itself."""
    attnames = [model._meta.get_field(name).attname for name in fields]
    firsts = sorted({key[0] for key in keys})
    found: dict[tuple, Any] = {}
    for start in range(0, len(firsts), 5_000):
        for row in model.objects.filter(**{f"{attnames[0]}__in": firsts[start : start + 5_000]}):
            found[tuple(getattr(row, name) for name in attnames)] = row
    return found


def upsert(model, lookup: dict, values: dict, result: ImportResult, collection: str, *, known: dict | None = None):
    """Create or update one row; saves only when a value differs, so re-imports change nothing.

    With `known` (from preloaded) the row is looked up there, and a row created is added to it.
    """
    if known is None:
        instance = model.objects.filter(**lookup).first()
    else:
        instance = known.get(_key(lookup))
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        if known is not None:
            known[_key(lookup)] = instance
        result.count(collection, "created")
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        result.count(collection, "updated")
    else:
        result.count(collection, "unchanged")
    return instance
