"""Policy parameters in admin: only the keys the product reads, with values it can use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stord_bolig.models import PolicyParameter
from stord_bolig.params import DEFAULTS, LIMITS
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


def test_every_parameter_has_its_limits():
    assert set(LIMITS) == set(DEFAULTS)
    for key, (default, _description) in DEFAULTS.items():
        lowest, highest, whole = LIMITS[key]
        assert lowest <= default <= highest and (not whole or default == default.to_integral_value())


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("policyrate_pct", "4.5", "key"),  # a typo of a real key would be saved and read by nothing
        ("policy_rate_pct", "-12.5", "value"),
        ("appeal_reconsider_days", "2.75", "value"),
        ("appeal_reconsider_days", "0", "value"),
    ],
)
def test_admin_refuses_an_unknown_key_or_an_impossible_value(client, make_user, key, value, field):
    admin = make_user(None, username="sysowner", is_superuser=True, is_staff=True)
    page = verified_client(client, admin).post(
        reverse("admin:stord_bolig_policyparameter_add"), {"key": key, "valid_from": "2026-12-01", "value": value}
    )

    assert page.status_code == 200 and field in page.context["adminform"].form.errors
    assert not PolicyParameter.objects.exists()


def test_admin_records_a_valid_value_and_lists_the_defaults_to_choose_from(client, make_user):
    admin = make_user(None, username="sysowner", is_superuser=True, is_staff=True)
    admin_client = verified_client(client, admin)
    add = reverse("admin:stord_bolig_policyparameter_add")
    assert "appeal_reconsider_days" in admin_client.get(add).content.decode()

    admin_client.post(add, {"key": "appeal_reconsider_days", "valid_from": "2026-12-01", "value": "14"})

    assert PolicyParameter.objects.get().value == 14
