"""The access log read by a person (their right of access): codes shown as words in their language."""

from __future__ import annotations

from django.utils import translation

from stord_bolig.models import AccessLog


def test_access_log_labels__role_part_and_purpose_in_words():
    with translation.override("en"):
        letter = AccessLog(role="caseworker", section="letter", purpose="rent_adjustment")
        shared = AccessLog(role="nav_advisor", section="nav:economy,housing", purpose="shared with NAV by consent")
        lease = AccessLog(role="caseworker", section="lease", purpose="L-00007")

        assert (letter.role_label, letter.section_label, letter.purpose_label) == (
            "Caseworker",
            "Letter",
            "Rent notice",
        )
        assert shared.section_label == "Shared with NAV: economy, housing situation"
        assert shared.purpose_label == "Shared with NAV by consent"
        assert lease.purpose_label == "L-00007"  # a reference stays a reference
        assert AccessLog(section="referral", purpose="referral F-00001").purpose_label == "Referral F-00001"
        assert AccessLog(section="shortlist", purpose="unit U-0003").purpose_label == "Home U-0003"
    with translation.override("nn"):
        assert "housing" not in AccessLog(section="nav:economy,housing,followup").section_label
