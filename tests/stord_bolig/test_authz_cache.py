"""Roles and permissions kept in the cache between requests: fewer queries, never stale after a change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stord_bolig import authz_cache
from stord_bolig.models import User
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db

CASES = reverse("cases:case-list")
# What Django's ModelBackend and the role lookup ask: the user's own and group permissions, the role names.
AUTHZ_QUERIES = (
    'SELECT "django_content_type"."app_label" AS "content_type__app_label"',
    'SELECT "auth_group"."name" AS',
)


def _auth_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    touched = [q["sql"] for q in queries if q["sql"].startswith(AUTHZ_QUERIES)]
    return response.status_code, touched


def test_a_second_page_asks_the_cache_not_the_database_for_roles_and_permissions(client, caseworker):
    verified_client(client, caseworker)
    authz_cache.forget([caseworker])  # logging in kept them already; start cold

    first_status, first = _auth_queries(client, CASES)
    second_status, second = _auth_queries(client, CASES)

    assert first_status == second_status == 200
    assert len(first) == 3  # user permissions, group permissions, role names
    assert second == []


def test_leaving_a_role_takes_effect_on_the_next_request(client, caseworker):
    verified_client(client, caseworker)
    assert client.get(CASES).status_code == 200

    caseworker.groups.remove(Group.objects.get(name="caseworker"))

    assert client.get(CASES).status_code == 403


def test_a_role_taken_away_from_the_group_side_takes_effect_too(client, caseworker):
    verified_client(client, caseworker)
    assert client.get(CASES).status_code == 200

    Group.objects.get(name="caseworker").user_set.clear()

    assert client.get(CASES).status_code == 403


def test_a_permission_taken_from_the_role_takes_effect_for_its_members(client, caseworker):
    verified_client(client, caseworker)
    assert client.get(CASES).status_code == 200
    view_cases = Permission.objects.get(content_type__app_label="cases", codename="view_application")

    Group.objects.get(name="caseworker").permissions.remove(view_cases)

    assert client.get(CASES).status_code == 403


def test_a_permission_given_to_the_user_directly_takes_effect(client, make_user):
    advisor = make_user("nav_advisor")
    verified_client(client, advisor)
    assert client.get(reverse("tenancies:lease-list")).status_code == 403

    advisor.user_permissions.add(Permission.objects.get(content_type__app_label="tenancies", codename="view_lease"))

    assert client.get(reverse("tenancies:lease-list")).status_code == 200


def test_saving_the_account_forgets_its_entry(caseworker):
    """is_active and is_superuser live on the account: any save of it drops what was kept."""
    fresh = User.objects.get(pk=caseworker.pk)
    authz_cache.authz_for(fresh)
    assert cache.get(authz_cache._key_for(fresh)) is not None

    caseworker.is_active = False
    caseworker.save()

    assert cache.get(authz_cache._key_for(fresh)) is None
    assert not User.objects.get(pk=caseworker.pk).has_perm("cases.view_application")


def test_an_entry_answers_only_for_the_account_it_was_made_for(caseworker, make_user):
    """Another database's user with the same id (a restored copy, a test run) is created at another instant."""
    authz_cache.authz_for(User.objects.get(pk=caseworker.pk))
    stranger = User(pk=caseworker.pk, username="other", date_joined=caseworker.date_joined.replace(year=2001))

    assert authz_cache._key_for(stranger) != authz_cache._key_for(caseworker)


def test_without_a_reachable_cache_the_database_answers(client, caseworker, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    # (Django resets its cache connections when CACHES changes, and again when the test ends.)
    verified_client(client, caseworker)

    status, touched = _auth_queries(client, CASES)

    assert status == 200
    assert len(touched) == 3


def test_a_role_renamed_or_deleted_is_forgotten_for_its_members(caseworker):
    fresh = User.objects.get(pk=caseworker.pk)
    assert fresh.roles == ["caseworker"]
    group = Group.objects.get(name="caseworker")

    group.name = "caseworker-old"
    group.save()
    renamed = User.objects.get(pk=caseworker.pk).roles
    group.delete()

    assert renamed == ["caseworker-old"]
    assert User.objects.get(pk=caseworker.pk).roles == []
