"""Case letters through the real pipeline: service -> on_commit -> (eager) Celery task -> WeasyPrint PDF -> download."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cases import rules, services
from stord_bolig.models import AccessLog, Letter
from tests.cases.conftest import OSLO, TODAY, decide, make_ready, pdf_text, register
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db

MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
FOOTER = re.compile(r"^\s*Stord kommune · Bustadkontoret\s+\d+\s*/\s*\d+\s*$", re.MULTILINE)

FACTS = "Søkjaren bur mellombels hos ein venn på Leirvik.\nHusstanden har to born under 12 år."
ASSESSMENT = "Bustadkontoret finn at husstanden ikkje kan skaffe seg bustad sjølv.\nBehovet er varig."


def in_words(day: dt.date) -> str:
    """A date as the letters write it, in nynorsk and bokmål alike: "28. desember 2026"."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def letter_text(letter: Letter) -> str:
    """The PDF's text as one line: page footers out, runs of white space (line breaks) as one space."""
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RENDERED, letter.error
    with letter.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    return " ".join(FOOTER.sub("", text).split())


def _decided_letter(caseworker, capture, *, kind, outcome, language, decided=TODAY, **decision):
    application = make_ready(
        caseworker,
        kind=kind,
        received=dt.date(2026, 10, 5),
        preferred_language=language,
        given_name="Ragnhild",
        family_name="Brevmottakar",
        address="Borggata 7",
        postcode="5411",
        city="Stord",
    )
    with capture(execute=True):
        decision = decide(
            application, caseworker, outcome=outcome, decided=decided, facts=FACTS, assessment=ASSESSMENT, **decision
        )
    return application, decision, Letter.objects.get(case_ref=application.ref, kind="decision")


DECISION_LETTERS = [
    # language, kind, outcome, conclusion, appeal body
    (
        "nn",
        "municipal_housing",
        "granted",
        "Søknaden din om kommunal utleigebustad er innvilga.",
        "klagenemnda i Stord kommune",
    ),
    (
        "nb",
        "housing_assistance",
        "granted",
        "Søknaden din om boligsosial bistand er innvilget.",
        "Statsforvaltaren i Vestland",
    ),
    (
        "nn",
        "housing_assistance",
        "refused",
        "Søknaden din om bustadsosial bistand er avslått.",
        "Statsforvaltaren i Vestland",
    ),
    (
        "nb",
        "municipal_housing",
        "refused",
        "Søknaden din om kommunal utleiebolig er avslått.",
        "klagenemnda i Stord kommune",
    ),
]


@pytest.mark.parametrize(
    ("language", "kind", "outcome", "conclusion", "body"),
    DECISION_LETTERS,
    ids=[f"{row[0]}-{row[2]}-{row[1]}" for row in DECISION_LETTERS],
)
def test_decision_letter__states_what_forvaltningslova_requires(
    caseworker, django_capture_on_commit_callbacks, _today, language, kind, outcome, conclusion, body
):
    _today.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=OSLO))

    application, decision, letter = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind=kind,
        outcome=outcome,
        language=language,
        decided=dt.date(2026, 12, 4),
        home_description="Tre-roms leilegheit, 1. etasje",
        lease_years=3,
    )

    text = letter_text(letter)
    deadline = rules.appeal_deadline(decision.notified)
    assert deadline == dt.date(2026, 12, 28)  # 25 Dec (a Friday) plus three weeks' end rolls past Christmas
    assert letter.language == language
    assert conclusion in text
    assert application.ref in text
    assert (
        f"{rules.legal_reference(rules.LEGAL_BASIS[kind], language)}." in text
    )  # the legal basis of the kind, as the decision recorded it
    assert rules.legal_reference(rules.LEGAL_BASIS["reasons"], language) in text
    for line in FACTS.splitlines() + ASSESSMENT.splitlines():
        assert line in text
    assert f"går ut {in_words(deadline)}" in text
    assert rules.legal_reference(rules.LEGAL_BASIS["appeal_deadline"], language) in text
    assert body in text
    assert "innsyn" in text
    assert f"{rules.legal_reference(rules.LEGAL_BASIS['access_to_documents'], language)}" in text
    assert "Ragnhild Brevmottakar Borggata 7 5411 Stord" in text  # addressed for the envelope window


@pytest.mark.parametrize("language", ["nn", "nb"])
def test_decision_letter__never_shows_the_national_id(caseworker, django_capture_on_commit_callbacks, language):
    application, _decision, letter = _decided_letter(
        caseworker, django_capture_on_commit_callbacks, kind="municipal_housing", outcome="refused", language=language
    )
    number = application.household.applicant.national_id

    text = letter_text(letter)

    assert "Ragnhild Brevmottakar" in text
    assert number not in text.replace(" ", "")
    assert number[6:] not in text  # not even the personal digits


@pytest.mark.parametrize(
    ("language", "what_you_get", "lapses", "lease"),
    [
        ("nn", "Kva du får", "Vedtaket fell bort dersom situasjonen din endrar seg", "3 år, tidsavgrensa kontrakt"),
        ("nb", "Hva du får", "Vedtaket faller bort dersom situasjonen din endrer seg", "3 år, tidsbestemt kontrakt"),
    ],
)
def test_decision_letter__granted_describes_the_home_and_when_the_decision_lapses(
    caseworker, django_capture_on_commit_callbacks, language, what_you_get, lapses, lease
):
    _application, _decision, letter = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind="municipal_housing",
        outcome="granted",
        language=language,
        home_description="To soverom, heis",
        lease_years=3,
        conditions="Butrening første året.",
    )

    text = letter_text(letter)

    assert what_you_get in text
    assert "To soverom, heis" in text
    assert lease in text
    assert "Butrening første året." in text
    assert lapses in text
    assert rules.legal_reference("husleigelova § 11-1", language) in text


@pytest.mark.parametrize(("language", "allowance"), [("nn", "bustøtte"), ("nb", "bostøtte")])
def test_decision_letter__refusal_points_to_other_help(
    caseworker, django_capture_on_commit_callbacks, language, allowance
):
    _application, _decision, letter = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind="municipal_housing",
        outcome="refused",
        language=language,
    )

    text = letter_text(letter)

    assert allowance in text
    assert "NAV" in text
    assert "innvilg" not in text


def test_decision_letter__goes_to_the_representative_when_there_is_one(caseworker, django_capture_on_commit_callbacks):
    application = make_ready(
        caseworker,
        given_name="Ragnhild",
        family_name="Brevmottakar",
        representative_name="Advokat Nils Fullmakt",
        representative_address="Postboks 12, 5402 Stord",
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, caseworker)

    text = letter_text(Letter.objects.get(case_ref=application.ref))

    assert "Advokat Nils Fullmakt Postboks 12 5402 Stord" in text


def test_decision_letter__rendered_once_even_when_decided_twice(caseworker, django_capture_on_commit_callbacks):
    application = make_ready(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, caseworker)
    with pytest.raises(services.TransitionNotAllowed), django_capture_on_commit_callbacks(execute=True) as callbacks:
        decide(application, caseworker, outcome="refused")

    assert callbacks == []
    letter = Letter.objects.get(case_ref=application.ref)
    assert "innvilga" in letter_text(letter)


@pytest.mark.parametrize(
    ("language", "title", "expects"),
    [
        ("nn", "Førebels svar på søknaden din", "Vi reknar med å gjere vedtak innan 15. januar 2027."),
        ("nb", "Foreløpig svar på søknaden din", "15. januar 2027"),
    ],
)
def test_preliminary_reply_letter__gives_the_reason_and_the_expected_date(
    caseworker, django_capture_on_commit_callbacks, language, title, expects
):
    application = register(caseworker, received=dt.date(2026, 10, 26), preferred_language=language)

    with django_capture_on_commit_callbacks(execute=True):
        services.preliminary_reply_send(
            application=application,
            reason="Vi ventar på legeerklæring frå fastlegen.",
            expected=dt.date(2027, 1, 15),
            by=caseworker,
        )

    letter = Letter.objects.get(case_ref=application.ref, kind="preliminary_reply")
    text = letter_text(letter)
    assert letter.language == language
    assert title in text
    assert "Vi ventar på legeerklæring frå fastlegen." in text
    assert expects in text
    assert in_words(dt.date(2026, 10, 26)) in text  # the date of receipt
    assert rules.legal_reference(rules.LEGAL_BASIS["preliminary_reply"], language) in text
    assert application.household.applicant.national_id not in text


@pytest.mark.parametrize("language", ["nn", "nb"])
def test_advance_notice_letter__gives_the_planned_decision_and_the_deadline(
    caseworker, django_capture_on_commit_callbacks, language
):
    application = register(caseworker, kind="renewal", preferred_language=language)

    with django_capture_on_commit_callbacks(execute=True):
        services.advance_notice_send(
            application=application,
            planned="Avslag på fornying av leigekontrakten for Hamnegata 4.",
            reply_by=dt.date(2026, 12, 9),
            by=caseworker,
        )

    letter = Letter.objects.get(case_ref=application.ref, kind="advance_notice")
    text = letter_text(letter)
    assert letter.language == language
    assert "Avslag på fornying av leigekontrakten for Hamnegata 4." in text
    assert "9. desember 2026" in text
    # what the office promises is what the service holds it to: no decision against the party before then
    assert "som går deg imot, før fristen har gått ut" in " ".join(text.split())
    assert rules.legal_reference(rules.LEGAL_BASIS["advance_notice"], language) in text
    assert application.household.applicant.national_id not in text


# --- the download ---------------------------------------------------------------------------------


@pytest.fixture
def rendered_letter(caseworker, django_capture_on_commit_callbacks):
    application = make_ready(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, caseworker)
    letter = Letter.objects.get(case_ref=application.ref)
    assert letter.status == Letter.Status.RENDERED
    return letter


def test_letter_download__serves_the_pdf_to_the_caseworker_and_logs_it(caseworker_client, caseworker, rendered_letter):
    response = caseworker_client.get(reverse("letter-download", args=[rendered_letter.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    with rendered_letter.pdf.open("rb") as handle:
        assert body == handle.read()
    log = AccessLog.objects.get(action="download", case_ref=rendered_letter.case_ref)
    assert (log.user_id, log.section, log.purpose) == (caseworker.pk, "letter", "decision")


@pytest.mark.parametrize("role", ["nav_advisor", "management", "financial_advisor"])
def test_letter_download__not_found_for_a_user_without_access_and_logged(client, make_user, rendered_letter, role):
    user = make_user(role)

    response = verified_client(client, user).get(reverse("letter-download", args=[rendered_letter.pk]))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(action="download").exists()
    assert AccessLog.objects.filter(action="denied", user_id=user.pk, case_ref=rendered_letter.case_ref).exists()


def test_letter_download__anonymous_is_sent_to_login(client, rendered_letter):
    response = client.get(reverse("letter-download", args=[rendered_letter.pk]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not AccessLog.objects.filter(action="download").exists()


@pytest.mark.parametrize("language", ["nn", "nb"])
def test_decision_letter__the_appeal_sentence_is_not_broken_after_its_first_word(
    caseworker, django_capture_on_commit_callbacks, language
):
    # WeasyPrint once put "Du" alone on a line when the next line break fell before the bold deadline.
    _application, _decision, letter = _decided_letter(
        caseworker, django_capture_on_commit_callbacks, kind="municipal_housing", outcome="granted", language=language
    )
    with letter.pdf.open("rb") as handle:
        lines = [line.strip() for line in pdf_text(handle.read()).splitlines()]
    assert "Du" not in lines
    assert any(line.startswith("Du kan klage på vedtaket.") for line in lines)


def test_decision_letter__cites_the_kinds_legal_basis_when_the_decision_has_none(
    caseworker, django_capture_on_commit_callbacks
):
    from cases.letters import decision_letter_context

    _application, decision, _letter = _decided_letter(
        caseworker, django_capture_on_commit_callbacks, kind="municipal_housing", outcome="granted", language="nn"
    )
    decision.legal_basis = ""  # as an imported or bulk-loaded decision may be
    assert decision_letter_context(decision, "nn")["legal_basis"] == rules.LEGAL_BASIS["municipal_housing"]


def _letter_html(letter: Letter) -> str:
    """The HTML the letter's PDF is rendered from, as the renderer builds it."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from stord_bolig.letters import letter_context_base

    with translation.override(letter.language):
        return render_to_string(letter.template_name, {**letter_context_base(letter.language), **letter.context})


@pytest.mark.parametrize("language", ["nn", "nb"])
def test_decision_letter__a_date_never_breaks_between_the_day_and_the_month(
    caseworker, django_capture_on_commit_callbacks, _today, language
):
    _today.move_to(dt.datetime(2026, 11, 26, 10, 0, tzinfo=OSLO))

    _application, _decision, letter = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind="municipal_housing",
        outcome="granted",
        language=language,
        decided=dt.date(2026, 11, 26),
    )

    html = _letter_html(letter)
    # the letter's date, the decision's date and the appeal deadline: a no-break space after the day's dot
    assert html.count("26.\u00a0november 2026") >= 2
    assert "17.\u00a0desember 2026" in html
    assert not re.search(rf"\d\. ({'|'.join(MONTHS)})", html)
    assert "26. november 2026" in letter_text(letter)  # pdftotext reads the no-break space as a space


@pytest.mark.parametrize(
    ("language", "lease"),
    [
        ("nn", "Leigetid Leigetida blir fastsett i tilbodet om bustad og i leigekontrakten."),
        ("nb", "Leietid Leietiden fastsettes i tilbudet om bolig og i leiekontrakten."),
    ],
)
def test_decision_letter__granted_without_a_lease_period_says_where_it_is_set(
    caseworker, django_capture_on_commit_callbacks, language, lease
):
    _application, _decision, letter = _decided_letter(
        caseworker, django_capture_on_commit_callbacks, kind="municipal_housing", outcome="granted", language=language
    )

    text = letter_text(letter)

    what_you_get = text.split("Kva du får" if language == "nn" else "Hva du får")[1]
    assert what_you_get.startswith(f" {lease}")


def test_reversal__the_office_reverses_with_new_grounds_and_the_party_gets_the_new_decision_in_a_letter(
    caseworker, caseworker_client, django_capture_on_commit_callbacks
):
    from cases.models import Appeal, Decision, Status

    application, decision, refusal_letter = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind="municipal_housing",
        outcome="refused",
        language="nn",
        decided=dt.date(2026, 11, 2),
    )
    appeal = services.appeal_register(
        application=application, received=dt.date(2026, 11, 16), grounds="Legeerklæringa var ikkje med.", by=caseworker
    )
    page = reverse("cases:appeal-reverse", args=[application.ref, appeal.pk])

    form = caseworker_client.get(page).content.decode()
    assert "Legeerklæringa var ikkje med." in form and 'name="home_description"' in form  # a grant: the home
    refused = caseworker_client.post(page, {"facts": FACTS, "assessment": " ", "language": "nn", "legal_basis": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert Decision.objects.get(pk=decision.pk).outcome == "refused"  # nothing changed

    with django_capture_on_commit_callbacks(execute=True):
        done = caseworker_client.post(
            page,
            {
                "facts": FACTS + "\nLegeerklæringa stadfestar behovet for bustad på bakkeplan.",
                "assessment": "Med legeerklæringa fyller husstanden vilkåra.",
                "home_description": "Bustad på bakkeplan",
                "lease_years": "3",
                "conditions": "",
                "legal_basis": "",
                "language": "nn",
            },
        )

    assert done.status_code == 302
    decision.refresh_from_db()
    application.refresh_from_db()
    appeal.refresh_from_db()
    assert (decision.outcome, decision.decided, decision.home_description) == ("granted", TODAY, "Bustad på bakkeplan")
    assert application.status == Status.DECIDED and appeal.outcome == Appeal.Outcome.REVERSED
    letters = Letter.objects.filter(case_ref=application.ref, kind="decision").order_by("pk")
    assert [letter.pk for letter in letters][0] == refusal_letter.pk and letters.count() == 2  # the refusal stays
    text = " ".join(letter_text(letters.last()).split())
    assert "Søknaden din om kommunal utleigebustad er innvilga." in text
    assert "Etter klaga di, motteken 16. november 2026, har bustadkontoret vurdert saka på nytt og gjort om" in text
    assert "vedtaket av 2. november 2026" in text
    assert "Med legeerklæringa fyller husstanden vilkåra." in text and "Bustad på bakkeplan" in text
    assert f"Fristen går ut {in_words(rules.appeal_deadline(TODAY))}." in text
    assert caseworker_client.get(page).status_code == 302  # handled: no second reversal


@pytest.mark.parametrize(
    ("language", "conclusion", "basis", "stays"),
    [
        ("nn", "Leigekontrakten din blir fornya.", "bustadsosiallova § 5", "Du held fram i bustaden du bur i"),
        ("nb", "Leiekontrakten din blir fornyet.", "boligsosialloven § 5", "Du fortsetter i boligen du bor i"),
    ],
)
def test_decision_letter__a_renewal_speaks_of_the_lease_the_household_has(
    caseworker, django_capture_on_commit_callbacks, language, conclusion, basis, stays
):
    _application, _decision, letter = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind="renewal",
        outcome="granted",
        language=language,
        lease_years=5,
    )

    text = letter_text(letter)
    assert conclusion in text and stays in text
    assert f"{basis} og kommunen" in text  # never "med heimel i ." for a renewal
    for wrong in ("søknaden din", "Søknaden din", "tilbod om konkret bustad", "tilbud om en konkret bolig"):
        assert wrong not in text


@pytest.mark.parametrize(
    ("language", "conclusion", "ends"),
    [
        ("nn", "Leigekontrakten din blir ikkje fornya.", "Leigekontrakten din går ut 28. februar 2027"),
        ("nb", "Leiekontrakten din blir ikke fornyet.", "Leiekontrakten din går ut 28. februar 2027"),
    ],
)
def test_decision_letter__a_refused_renewal_says_when_the_lease_ends(
    caseworker, django_capture_on_commit_callbacks, language, conclusion, ends
):
    from tests.factories import LeaseFactory

    application = make_ready(caseworker, kind="renewal", received=dt.date(2026, 10, 5), preferred_language=language)
    LeaseFactory(
        household=application.household, renewal_case=application, start=dt.date(2024, 3, 1), end=dt.date(2027, 2, 28)
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, caseworker, outcome="refused", facts=FACTS, assessment=ASSESSMENT)

    text = letter_text(Letter.objects.get(case_ref=application.ref, kind="decision"))
    assert conclusion in text
    assert ends in text and "husleigelova § 9-2" in text.replace("husleieloven", "husleigelova")


@pytest.mark.parametrize(
    ("language", "granted", "waiting", "final"),
    [
        (
            "nn",
            "Søknaden din om kommunal utleigebustad er dermed innvilga.",
            "Du står på ventelista for kommunal bustad frå 25. november 2026.",
            "Avgjerda til klagenemnda i Stord kommune er endeleg og kan ikkje klagast på "
            "(forvaltningslova § 28 tredje ledd).",
        ),
        (
            "nb",
            "Søknaden din om kommunal utleiebolig er dermed innvilget.",
            "Du står på ventelisten for kommunal bolig fra 25. november 2026.",
            "Avgjørelsen fra klagenemnda i Stord kommune er endelig og kan ikke påklages "
            "(forvaltningsloven § 28 tredje ledd).",
        ),
    ],
)
def test_appeal_outcome__when_the_appeal_body_reverses_the_office_writes_what_follows(
    caseworker, django_capture_on_commit_callbacks, language, granted, waiting, final
):
    application, _decision, _refusal = _decided_letter(
        caseworker,
        django_capture_on_commit_callbacks,
        kind="municipal_housing",
        outcome="refused",
        language=language,
        decided=dt.date(2026, 10, 20),
    )
    appeal = services.appeal_register(application=application, received=dt.date(2026, 11, 2), grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_outcome_record(appeal=appeal, outcome="reversed", decided=TODAY, by=caseworker)

    letter = Letter.objects.get(case_ref=application.ref, kind="appeal_outcome")
    text = " ".join(letter_text(letter).split())
    assert "20. oktober 2026" in text  # the decision the body reversed
    assert granted in text and waiting in text and final in text
    # once per appeal, however often the outcome is asked to be written
    from cases import letters as case_letters

    case_letters.appeal_outcome_letter_create(
        appeal=appeal, reversed_of=dt.date(2026, 10, 20), language=language, by=None
    )
    assert Letter.objects.filter(case_ref=application.ref, kind="appeal_outcome").count() == 1


def test_appeal_outcome__an_upheld_decision_gets_no_office_letter(caseworker, django_capture_on_commit_callbacks):
    application, _decision, _refusal = _decided_letter(
        caseworker, django_capture_on_commit_callbacks, kind="municipal_housing", outcome="refused", language="nn"
    )
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_outcome_record(appeal=appeal, outcome="upheld", decided=TODAY, by=caseworker)

    assert not Letter.objects.filter(case_ref=application.ref, kind="appeal_outcome").exists()
