"""Shared fixtures: users per role, logged in with a verified second factor."""

from __future__ import annotations

import os

import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from tests.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Fails the run if a national id, password or session id reaches the application logs (see that module).
pytest_plugins = ["tests.log_leaks"]


def verified_client(client, user):
    """A test client logged in as `user` who has passed two-factor authentication."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def make_user(db):
    def make(role: str | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def caseworker(make_user):
    return make_user("caseworker", username="kari", first_name="Kari", last_name="Sakshandsamar")


@pytest.fixture
def caseworker_client(client, caseworker):
    return verified_client(client, caseworker)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
