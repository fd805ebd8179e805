"""A user's roles and permissions, kept in the shared cache between requests.

Every page asks "may this user …?" and "which roles has this user?"; answered from the database that
is three queries a request (user permissions, group permissions, group names) for facts that change a
few times a year. They are kept in the cache (Redis) under one key per user, which is deleted the moment
anything they derive from changes: the user's groups or own permissions, a group's permissions, a group
or permission deleted, the user saved (is_active, is_superuser). A lapse of the cache, or an entry older
than `TTL`, only means the database is asked again; if the cache cannot be reached, the database is asked.

The key holds the user's id and the instant the account was created, so an id reused by another database
(a test run, a restored copy) never reads another person's entry.
"""

from __future__ import annotations

import logging

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

TTL = 15 * 60  # seconds: a backstop only; changes through the ORM delete the entry at once


def _key(user_id: int, joined_stamp: str) -> str:
    return f"authz:v1:{user_id}:{joined_stamp}"


def _key_for(user) -> str:
    joined = getattr(user, "date_joined", None)
    return _key(user.pk, joined.strftime("%Y%m%d%H%M%S%f") if joined else "-")


def _load(user) -> dict:
    """Roles and permissions from the database (what ModelBackend would ask, as one entry)."""
    backend = ModelBackend()
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "perms": sorted(backend.get_all_permissions(user)) if user.is_active else [],
    }


def authz_for(user) -> dict:
    """The user's {"roles": [...], "perms": [...]}, once per request object, from the cache if it has it."""
    entry = getattr(user, "_authz_entry", None)
    if entry is not None:
        return entry
    key = _key_for(user)
    try:
        entry = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the database still answers
        log.warning("authorisation cache unreachable; reading roles and permissions from the database")
        entry = None
        key = None
    if entry is None:
        entry = _load(user)
        if key is not None:
            try:
                cache.set(key, entry, TTL)
            except Exception:  # noqa: BLE001
                log.warning("authorisation cache unreachable; not keeping roles and permissions")
    user._authz_entry = entry
    return entry


def forget(users) -> None:
    """Drop the cached entries of these users (and their per-request copies)."""
    keys = []
    for user in users:
        keys.append(_key_for(user))
        for attr in ("_authz_entry", "_perm_cache", "_user_perm_cache", "_group_perm_cache", "_role_names"):
            if hasattr(user, attr):
                delattr(user, attr)
    if not keys:
        return
    _delete(keys)
    # A request reading the database before this change commits could put the old facts back: delete
    # once more when it has committed.
    transaction.on_commit(lambda: _delete(keys))


def _delete(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception:  # noqa: BLE001
        # An entry we cannot delete must not outlive the change: say so loudly; it lapses after TTL.
        log.error("authorisation cache unreachable; %d entries lapse only after %d s", len(keys), TTL)


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, with each user's permission set read through `authz_for`."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(authz_for(user_obj)["perms"])
        return user_obj._perm_cache
