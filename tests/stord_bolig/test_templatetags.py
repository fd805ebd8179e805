"""The amount filters every page and letter uses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stord_bolig.templatetags.stord import kr, nok


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (11200, "kr\u00a011\u00a0200"),
        (Decimal("1250000.00"), "kr\u00a01\u00a0250\u00a0000"),
        (Decimal("999.50"), "kr\u00a01\u00a0000"),  # whole kroner, rounded half to even
        (0, "kr\u00a00"),
        (-4500, "kr\u00a0-4\u00a0500"),
        (None, "–"),
        ("", "–"),
    ],
)
def test_kr__whole_kroner_with_the_thousands_apart_and_never_broken(value, shown):
    assert kr(value) == shown


def test_nok__the_number_alone_for_letters_that_write_kr_themselves():
    assert nok(11200) == "11\u00a0200"
    assert nok("not a number") == "not a number"


def test_nok__leaves_a_share_and_a_yes_no_as_they_are():
    assert nok(12.5) == 12.5
    assert nok(20.0) == 20.0
    assert nok(4374) == "4\u00a0374"
    assert nok(True) is True


@pytest.mark.parametrize(
    ("count", "language", "shown"),
    [
        (0, "en", "studio (no separate bedroom)"),
        (1, "en", "1 bedroom"),
        (3, "en", "3 bedrooms"),
        (0, "nn", "hybel (utan eige soverom)"),
        (1, "nn", "1 soverom"),
        (None, "en", ""),
    ],
)
def test_bedrooms__a_home_without_a_bedroom_is_a_studio_and_one_bedroom_is_singular(count, language, shown):
    from django.utils import translation

    from stord_bolig.templatetags.stord import bedrooms

    with translation.override(language):
        assert bedrooms(count) == shown
