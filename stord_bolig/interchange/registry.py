"""Which app reads and writes which collections of the interchange document.

Each app registers a section in its AppConfig.ready: `importer(doc, result)` writes its records
(matched by ref, only changed rows saved), `exporter(doc)` fills its lists. Sections run in
registration order, which follows the import direction of the apps (cases -> allocation -> tenancies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


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


def upsert(model, lookup: dict, values: dict, result: ImportResult, collection: str):
    """Create or update one row; saves only when a value differs, so re-imports change nothing."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model.objects.create(**lookup, **values)
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
