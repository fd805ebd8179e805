"""The offer letter: which home, the response deadline, what a refusal means."""

from __future__ import annotations

from django.utils import translation

from cases.letters import _base_context, _date_text, _language, _letter_language
from stord_bolig.letters import letter_create

from . import rules
from .models import Offer

TITLES = {"nn": "Tilbod om kommunal bustad", "nb": "Tilbud om kommunal bolig"}


def offer_letter_create(*, offer: Offer, language: str | None, by):
    application = offer.application
    language = _language(language or _letter_language(application))
    unit = offer.unit
    with translation.override(language):
        unit_type = str(unit.get_unit_type_display())
    context = {
        **_base_context(application, language, by),
        "title": TITLES[language],
        "address": unit.address,
        "unit_type": unit_type,
        "bedrooms": unit.bedrooms,
        "area_m2": unit.area_m2,
        "floor": unit.floor,
        "lift": unit.lift,
        "wheelchair_accessible": unit.wheelchair_accessible,
        "monthly_rent": unit.monthly_rent,
        "offered_text": _date_text(offer.offered, language),
        "deadline_text": _date_text(rules.offer_deadline(offer.offered), language),
        "offer_ref": offer.ref,
    }
    return letter_create(
        subject=application,
        kind="offer",
        title=TITLES[language],
        template_name=f"allocation/letters/offer_{language}.html",
        context=context,
        case_ref=application.ref,
        dedupe_key=f"offer:{offer.pk}",
        language=language,
        by=by,
    )
