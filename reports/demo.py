"""What the interchange document does not carry: caseworkers, contact details, assessments, fresh cases.

Runs through the same services a caseworker uses, so the demo shows real letters and events.
Idempotent: each step checks whether it has been done.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stord_bolig.demo.identity import synthetic_national_id

STREETS = ["Hamnegata", "Borggata", "Kyrkjevegen", "Ådlandsvegen", "Rommetveitvegen", "Heiane", "Vabakkjen"]

# Tenancies that ended before the demo register's own began, so the steering figures for 2021-2025 show an
# office whose homes were let (the interchange document alone has one lease running through 2022):
# unit, given and family name, birth date, target group, start, moved out, outcome.
EARLIER_TENANCIES = [
    ("U-0003", "Arne", "Fjellheim", "1987-04-09", "ordinary", "2021-03-01", "2024-02-15", "bought_with_startlan"),
    ("U-0004", "Pål", "Steinsland", "1979-08-22", "housing_first", "2021-05-01", "2024-04-15", "moved_private_rental"),
    ("U-0006", "Berit", "Hovland", "1990-01-30", "ordinary", "2021-09-01", "2024-08-20", "moved_private_rental"),
    ("U-0007", "Lars", "Økland", "1984-12-03", "ordinary", "2022-06-01", "2025-04-30", "bought_with_startlan"),
    ("U-0008", "Grete", "Vikanes", "1962-06-18", "ordinary", "2021-10-15", "2024-09-30", "moved_other_municipal"),
    ("U-0009", "Olav", "Tysnes", "1949-03-11", "ordinary", "2021-11-01", "2024-10-15", "moved_institution"),
    ("U-0010", "Hilde", "Sortland", "1986-07-07", "ordinary", "2021-02-01", "2024-01-31", "moved_private_rental"),
    ("U-0011", "Kjell", "Rydland", "1975-10-27", "ordinary", "2023-07-01", "2026-05-31", "bought_with_startlan"),
    ("U-0012", "Marit", "Heggland", "1993-02-14", "ordinary", "2022-08-01", "2025-06-30", "moved_private_rental"),
    ("U-0013", "Svein", "Bjelland", "1944-09-05", "care", "2021-10-01", "2024-06-10", "deceased"),
    ("U-0015", "Nina", "Aasheim", "1996-11-19", "ordinary", "2022-03-01", "2025-02-28", "moved_private_rental"),
]


def demo_document(document: dict) -> dict:
    """The interchange document the demo imports: the example register with the earlier tenancies added, each
    a granted application, a three-year lease and a move-out, in the document's own shape."""
    from cases.rules import add_months

    rents = {unit["ref"]: unit["monthly_rent"] for unit in document["units"]}
    people, households, applications, leases = [], [], [], []
    for number, (unit, given, family, born, group, start, moved_out, outcome) in enumerate(EARLIER_TENANCIES, 1):
        born, start, moved_out = (dt.date.fromisoformat(day) for day in (born, start, moved_out))
        # numbered on from the document's own records, so the references made later follow on from them
        person = f"P-{len(document['people']) + number:05d}"
        household = f"H-{len(document['households']) + number:04d}"
        case = f"S-{start.year - (start.month < 4)}-{900 + number:04d}"
        decided = start - dt.timedelta(days=30)
        people.append(
            {
                "ref": person,
                "national_id": synthetic_national_id(born, 7),
                "given_name": given,
                "family_name": family,
                "birth_date": born.isoformat(),
            }
        )
        households.append({"ref": household, "members": [{"person": person, "role": "applicant"}]})
        applications.append(
            {
                "ref": case,
                "household": household,
                "kind": "municipal_housing",
                "received": (decided - dt.timedelta(days=60)).isoformat(),
                "housing_situation": "homeless_5",
                "main_reason": "other",
                "urgency": "B",
                "target_group": group,
                "wheelchair_need": False,
                "min_bedrooms_override": None,
                "preliminary_reply_sent": None,
                "decision": {
                    "outcome": "granted",
                    "decided": decided.isoformat(),
                    "notified": decided.isoformat(),
                    "lapsed": None,
                },
                "appeal": None,
                "suspended_until": None,
            }
        )
        rent = rents[unit]
        leases.append(
            {
                "ref": f"L-{len(document['leases']) + number:05d}",
                "unit": unit,
                "household": household,
                "application": case,
                "start": start.isoformat(),
                "end": (add_months(start, 36) - dt.timedelta(days=1)).isoformat(),
                "short_term_reason": None,
                "repeat_short_term_reason": None,
                "monthly_rent": rent,
                "deposit": 0,
                "guarantee": 3 * rent,
                "moved_in": start.isoformat(),
                "moved_out": moved_out.isoformat(),
                "renewal_decided": None,
                "move_out_demand_sent": None,
                "last_circulation_review": None,
                "financial_advice_referral": None,
                "outcome": outcome,
            }
        )
    return {
        **document,
        "people": [*document["people"], *people],
        "households": [*document["households"], *households],
        "applications": [*document["applications"], *applications],
        "leases": [*document["leases"], *leases],
    }


FRESH_CASES = [
    # given, family, birth date, kind, days ago, members
    ("Ingrid", "Leirvåg", dt.date(1991, 5, 14), "municipal_housing", 26, [("child", "Mia", dt.date(2019, 2, 3))]),
    ("Tor", "Sæverud", dt.date(1968, 11, 2), "housing_assistance", 12, []),
    (
        "Amina",
        "Yusuf",
        dt.date(1988, 8, 21),
        "municipal_housing",
        3,
        [
            ("partner", "Abdi", dt.date(1985, 1, 9)),
            ("child", "Hodan", dt.date(2014, 6, 30)),
            ("child", "Liban", dt.date(2017, 4, 11)),
        ],
    ),
]


def demo_enrich(users) -> None:
    from cases import services
    from cases.models import Application, HouseholdMember

    caseworkers = [users["kari"], users["ola"]]
    unassigned = Application.objects.filter(assigned_to__isnull=True).order_by("ref")
    for index, application in enumerate(unassigned):
        Application.objects.filter(pk=application.pk).update(assigned_to=caseworkers[index % 2])

    for index, member in enumerate(
        HouseholdMember.objects.filter(role="applicant", person__address="").select_related("person")
    ):
        person = member.person
        person.address = f"{STREETS[index % len(STREETS)]} {index + 3}"
        person.postcode = "5411" if index % 2 else "5416"
        person.city = "Stord"
        person.phone = f"9{index:07d}"[:8]
        person.save(update_fields=["address", "postcode", "city", "phone"])

    today = timezone.localdate()
    for given, family, born, kind, days_ago, members in FRESH_CASES:
        national_id = synthetic_national_id(born, 1)
        if HouseholdMember.objects.filter(person__national_id=national_id).exists():
            continue
        services.application_register(
            applicant={
                "national_id": national_id,
                "given_name": given,
                "family_name": family,
                "address": "Leirvikvegen 12",
                "postcode": "5411",
                "city": "Stord",
            },
            members=[
                {"role": role, "national_id": synthetic_national_id(b, 2), "given_name": g, "family_name": family}
                for role, g, b in members
            ],
            kind=kind,
            received=today - dt.timedelta(days=days_ago),
            by=users["kari"],
            assigned_to=users["kari"],
        )


def _refused_case(person, *, received, assessment, urgency, refused, grounds, by):
    """A demo application for a municipal home, assessed and refused on `refused` with its letter dated then.
    `person`: given and family name, birth date, street address and postcode in Stord."""
    from cases import services

    given_name, family_name, born, address, postcode = person
    application = services.application_register(
        applicant={
            "national_id": synthetic_national_id(born, 4),
            "given_name": given_name,
            "family_name": family_name,
            "address": address,
            "postcode": postcode,
            "city": "Stord",
        },
        members=[],
        kind="municipal_housing",
        received=received,
        by=by,
        assigned_to=by,
    )
    services.assessment_save(
        application=application,
        data={"recommendation": "municipal_housing", **assessment},
        health=None,
        urgency=urgency[0],
        urgency_reason=urgency[1],
        by=by,
    )
    services.assessment_complete(application=application, by=by)
    facts, reasons = grounds
    services.application_decide(
        application=application,
        outcome="refused",
        decided=refused,
        notified=refused,
        legal_basis="",
        facts=facts,
        assessment=reasons,
        language="nn",
        letter_date=refused,
        by=by,
    )
    return application


def demo_appeal_and_reopening(users) -> None:
    """A refusal the office reverses on appeal, with new grounds and a letter; one the appeal body reverses; and a
    case closed by mistake and reopened. All go through the services a caseworker uses, dated back from today."""
    from cases import services
    from cases.models import HouseholdMember

    kari, ola = users["kari"], users["ola"]
    today = timezone.localdate()
    born = dt.date(1983, 2, 17)
    if not HouseholdMember.objects.filter(person__national_id=synthetic_national_id(born, 4)).exists():
        refused = today - dt.timedelta(days=24)
        application = _refused_case(
            ("Sigrid", "Hauge", born, "Heiane 8", "5414"),
            received=today - dt.timedelta(days=45),
            assessment={"housing_situation": "own_rented", "own_goals": "Bu nær dottera."},
            urgency=("C", ""),
            refused=refused,
            grounds=(
                "Søkjaren leiger privat og har ikkje dokumentert at bustaden er uegna.",
                "Bustadkontoret finn ikkje at ho fyller vilkåra for kommunal bustad no.",
            ),
            by=ola,
        )
        # the letter went by post: she said it came three days later, and the appeal deadline runs from then
        services.decision_notified_correct(
            application=application,
            notified=refused + dt.timedelta(days=3),
            how="Brevet gjekk i posten; ho ringde og sa at det kom tre dagar seinare.",
            by=ola,
        )
        appeal = services.appeal_register(
            application=application,
            received=today - dt.timedelta(days=6),
            grounds="Legeerklæringa om at eg ikkje kan gå i trapper var ikkje med i saka.",
            by=ola,
        )
        services.appeal_reconsider(
            appeal=appeal,
            reverse=True,
            by=ola,
            reasons={
                "facts": "Søkjaren leiger privat i tredje etasje utan heis. Legeerklæringa frå klaga viser at ho "
                "ikkje kan gå i trapper.",
                "assessment": "Med legeerklæringa er bustaden hennar uegna, og ho fyller vilkåra.",
                "home_description": "Bustad på bakkeplan eller med heis",
                "lease_years": 5,
            },
        )
    born = dt.date(1996, 9, 5)
    if not HouseholdMember.objects.filter(person__national_id=synthetic_national_id(born, 4)).exists():
        application = services.application_register(
            applicant={
                "national_id": synthetic_national_id(born, 4),
                "given_name": "Jonas",
                "family_name": "Grov",
                "address": "Vabakkjen 2",
                "postcode": "5411",
                "city": "Stord",
            },
            members=[],
            kind="housing_assistance",
            received=today - dt.timedelta(days=9),
            by=kari,
            assigned_to=kari,
        )
        services.application_transition(
            application=application, to_status="closed", by=kari, note="Søkjaren melde at han har funne bustad."
        )
        services.application_reopen(
            application=application, by=kari, note="Leigeavtalen han fekk tilbod om, fall bort; han treng hjelp."
        )
    born = dt.date(1974, 5, 30)
    if not HouseholdMember.objects.filter(person__national_id=synthetic_national_id(born, 4)).exists():
        # A refusal the office upheld and forwarded; the appeal body reversed it, and the office wrote what follows.
        application = _refused_case(
            ("Eirik", "Lunde", born, "Leirvikvegen 12", "5411"),
            received=today - dt.timedelta(days=90),
            assessment={"housing_situation": "homeless_5", "main_reason": "other"},
            urgency=("B", "Har budd mellombels hos ein kamerat i over eitt år."),
            refused=today - dt.timedelta(days=60),
            grounds=(
                "Søkjaren bur mellombels hos ein kamerat og har fast inntekt.",
                "Bustadkontoret meiner han kan skaffe seg bustad på den private marknaden.",
            ),
            by=kari,
        )
        appeal = services.appeal_register(
            application=application,
            received=today - dt.timedelta(days=50),
            grounds="Eg har prøvd i eitt år utan å få leige privat; utleigarane vil ikkje ha meg.",
            by=kari,
        )
        services.appeal_reconsider(appeal=appeal, reverse=False, by=kari, note="Kontoret held fast på vedtaket.")
        services.appeal_outcome_record(appeal=appeal, outcome="reversed", decided=today, by=kari)


OLD_CASE_RECEIVED = dt.date(2013, 3, 4)


def demo_old_case(users) -> None:
    """A case refused in 2013 and closed in 2015: the first retention run (nightly, or `manage.py retention`)
    anonymises it, so the demo shows the job at work. Its events are dated back to when they happened."""
    from zoneinfo import ZoneInfo

    from cases import services
    from cases.models import Application, Assessment, CaseEvent, JournalNote

    if Application.objects.filter(received=OLD_CASE_RECEIVED).exists():
        return  # loaded before (and perhaps anonymised since)
    kari = users["kari"]
    born = dt.date(1979, 10, 23)
    application = services.application_register(
        applicant={
            "national_id": synthetic_national_id(born, 3),
            "given_name": "Gunnhild",
            "family_name": "Tveit",
            "address": "Sagvåg 41",
            "postcode": "5410",
            "city": "Sagvåg",
            "phone": "95550123",
        },
        members=[],
        kind="housing_assistance",
        received=OLD_CASE_RECEIVED,
        by=kari,
        assigned_to=kari,
    )
    services.assessment_save(
        application=application,
        data={
            "recommendation": "private_rental",
            "housing_situation": "own_rented",
            "own_goals": "Finne ei rimelegare leilegheit nær jobben.",
        },
        health=None,
        urgency="C",
        urgency_reason="",
        by=kari,
    )
    services.note_add(application=application, text="Ho har fått tilbod om privat leige i Sagvåg.", by=kari)
    services.assessment_complete(application=application, by=kari)
    decided = dt.date(2013, 4, 2)
    services.application_decide(
        application=application,
        outcome="refused",
        decided=decided,
        notified=dt.date(2013, 4, 3),
        legal_basis="",
        facts="Søkjaren har eit privat leigeforhold og fast inntekt.",
        assessment="Ho kan skaffe seg bustad sjølv med depositumsgaranti frå NAV.",
        language="nn",
        letter_date=decided,  # the letter went out with the decision then, not on the day the demo is loaded
        by=kari,
    )
    services.application_transition(
        application=application, to_status="closed", by=kari, note="Ingen klage; saka er avslutta."
    )
    oslo = ZoneInfo("Europe/Oslo")
    when = {
        "decided": dt.datetime.combine(decided, dt.time(12), tzinfo=oslo),
        "closed": dt.datetime(2015, 6, 1, 12, tzinfo=oslo),
    }
    events = CaseEvent.objects.filter(application=application)
    events.exclude(to_status="closed").update(at=dt.datetime(2013, 3, 20, 12, tzinfo=oslo))
    events.filter(to_status="decided").update(at=when["decided"])
    events.filter(to_status="closed").update(at=when["closed"])
    JournalNote.objects.filter(application=application).update(at=when["decided"])
    Assessment.objects.filter(application=application).update(completed_at=when["decided"])


def demo_tenancy_life(users) -> None:
    """Follow-up plans (incl. Housing First), a move-on plan with milestones and a contract letter."""
    from tenancies import services as tenancy_services
    from tenancies.models import FollowUpPlan, Lease, MoveOnPlan

    hanne, kari = users["hanne"], users["kari"]
    today = timezone.localdate()
    plans = [
        ("L-00005", True, "Bu trygt i eigen leilegheit og ha ein fast dag med aktivitet.", "Heimebesøk kvar veke."),
        ("L-00007", True, "Halde på bustaden og kome i gang med arbeidstrening.", "Følgje til NAV og lege."),
        (
            "L-00011",
            False,
            "Betale ned husleigerestansen og få oversikt over økonomien.",
            "Avtale med økonomirådgjevar.",
        ),
    ]
    for ref, housing_first, goals, support in plans:
        lease = Lease.objects.filter(ref=ref).first()
        if lease is None or FollowUpPlan.objects.filter(lease=lease).exists():
            continue
        plan = tenancy_services.followup_plan_create(
            lease=lease,
            goals=goals,
            support=support,
            housing_first=housing_first,
            next_contact=today + dt.timedelta(days=5),
            by=hanne if housing_first else kari,
        )
        FollowUpPlan.objects.filter(pk=plan.pk).update(started=lease.moved_in or lease.start)
        tenancy_services.followup_contact_add(
            plan=plan,
            day=today - dt.timedelta(days=9),
            kind="home_visit",
            note="Godt besøk, ingen nye behov.",
            next_contact=today + dt.timedelta(days=5),
            by=hanne if housing_first else kari,
        )
    lease = Lease.objects.filter(ref="L-00008").first()
    if lease is not None and not MoveOnPlan.objects.filter(lease=lease).exists():
        tenancy_services.move_on_plan_set(
            lease=lease,
            goal="startlan",
            notes="Fast jobb sidan i vår.",
            milestone="Budsjett med økonomirådgjevar",
            due=today + dt.timedelta(days=30),
            by=kari,
        )
        tenancy_services.move_on_plan_set(
            lease=lease,
            goal="startlan",
            notes="Fast jobb sidan i vår.",
            milestone="Søknad om startlån til Husbanken",
            due=today + dt.timedelta(days=90),
            by=kari,
        )
    # A yearly review where moving on is not right now: the reason is kept for the next review.
    lease = Lease.objects.filter(ref="L-00009", moved_out__isnull=True).first()
    if lease is not None and not MoveOnPlan.objects.filter(lease=lease).exists():
        tenancy_services.move_on_plan_set(
            lease=lease,
            goal="stay",
            notes="Flytta inn i mars og treng ro etter lang tid utan fast bustad. Vurderast på nytt om eitt år.",
            by=kari,
        )


RENEWALS = [
    # unit, address, given, family, born, months left of the lease, renewal decided and the new lease registered
    ("U-0201", "Hamnegata 21, 5411 Stord", "Eirik", "Våge", dt.date(1975, 3, 12), 4, True),
    ("U-0202", "Borggata 5, 5411 Stord", "Lene", "Fitjar", dt.date(1990, 7, 1), 5, False),
]


def demo_renewal(users) -> None:
    """Two three-year leases near their end, each with its renewal case: one granted and carried out (the new lease
    starts the day after the old one ends), one waiting for its assessment. Through the caseworker's services."""
    from allocation.models import Unit
    from cases import services
    from cases.rules import add_months
    from tenancies import services as tenancy_services

    kari = users["kari"]
    today = timezone.localdate()
    assessed = {"recommendation": "municipal_housing", "housing_situation": "homeless_2"}
    for ref, address, given, family, born, months_left, renew in RENEWALS:
        if Unit.objects.filter(ref=ref).exists():
            continue
        unit = Unit.objects.create(
            ref=ref,
            address=address,
            unit_type="flat",
            ownership="owned",
            bedrooms=1,
            area_m2=48,
            floor=2,
            lift=True,
            monthly_rent=8700,
            in_stock_from=dt.date(2020, 1, 1),
        )
        start = add_months(add_months(today, months_left), -36).replace(day=1)
        end = add_months(start, 36) - dt.timedelta(days=1)
        decided = start - dt.timedelta(days=30)
        application = services.application_register(
            applicant={
                "national_id": synthetic_national_id(born, 5),
                "given_name": given,
                "family_name": family,
                "address": "Leirvikvegen 40",
                "postcode": "5411",
                "city": "Stord",
            },
            members=[],
            kind="municipal_housing",
            received=decided - dt.timedelta(days=45),
            by=kari,
            assigned_to=kari,
        )
        services.assessment_save(
            application=application, data=dict(assessed), health=None, urgency="A", urgency_reason="", by=kari
        )
        services.assessment_complete(application=application, by=kari)
        services.application_decide(
            application=application,
            outcome="granted",
            decided=decided,
            notified=decided,
            legal_basis="",
            facts="Søkjaren bur mellombels hos venner og har ikkje eigen bustad.",
            assessment="Søkjaren fyller vilkåra for kommunal utleigebustad.",
            home_description="Leilegheit med eitt soverom",
            lease_years=3,
            language="nn",
            letter_date=decided,
            by=kari,
        )
        lease = tenancy_services.lease_register(
            unit=unit,
            household=application.household,
            application=application,
            start=start,
            end=end,
            monthly_rent=unit.monthly_rent,
            deposit=3 * unit.monthly_rent,
            guarantee=0,
            by=kari,
        )
        tenancy_services.lease_move_in(lease=lease, moved_in=start, by=kari)
        renewal = tenancy_services.renewal_case_open(lease_ref=lease.ref, today=today, by=kari)
        if not renew:
            continue
        services.assessment_save(
            application=renewal,
            data={**assessed, "housing_situation": "own_rented"},
            health=None,
            urgency="C",
            urgency_reason="Bur i kommunal bustad; framleis behov, men ingen akutt situasjon.",
            by=kari,
        )
        services.assessment_complete(application=renewal, by=kari)
        services.application_decide(
            application=renewal,
            outcome="granted",
            decided=today,
            notified=today,
            legal_basis="",
            facts="Leigetakaren har betalt husleiga og har framleis ikkje høve til å skaffe seg bustad sjølv.",
            assessment="Leigeforholdet blir fornya for tre nye år.",
            lease_years=3,
            language="nn",
            by=kari,
        )
        lease.refresh_from_db()
        tenancy_services.lease_renew(
            lease=lease, end=tenancy_services.renewal_next_term(lease)[1], monthly_rent=8900, by=kari
        )


def demo_finance(users) -> None:
    """Financial advice: the rent arrears on L-00011 referred by Kari, accepted by Frida with a budget and a startlån
    application from it (a home to buy frees the municipal one), and one person who came to Frida directly. Through
    the services, as the users would."""
    from finance_advice import services
    from finance_advice.models import Referral
    from tenancies.models import Lease

    if Referral.objects.exists():
        return
    kari, frida = users["kari"], users["frida"]
    lease = Lease.objects.filter(ref="L-00011").select_related("household").first()
    if lease is not None and lease.arrears.exists():
        referral = services.referral_from_arrears(lease=lease, by=kari)
        services.referral_transition(referral=referral, to_status="accepted", by=frida)
        services.budget_make(
            referral=referral,
            data={
                "net_income": 38_500,
                "consumer_debt": 1_200,
                "student_loan": 900,
                "childcare": 0,
                "child_support": 0,
                "other_fixed": 600,
                "other_housing": 1_500,
            },
            term_years=30,
            by=frida,
        )
        services.startlan_register(
            household=lease.household,
            referral=referral,
            data={
                "received": timezone.localdate(),
                "purpose": "buy",
                "price": 2_450_000,
                "loan_applied": 2_250_000,
                "grant_applied": 150_000,
                "children_in_household": False,
                "frees_municipal_home": True,
            },
            by=frida,
        )
    services.referral_intake(
        person={
            "national_id": synthetic_national_id(dt.date(1988, 6, 2), 41),
            "given_name": "Sigrid",
            "family_name": "Rådsøkjar",
            "phone": "41234567",
            "address": "Kyrkjevegen 2",
            "postcode": "5411",
            "city": "Stord",
        },
        reason="Inkasso på to forbrukslån og kredittkort; vil ha hjelp til ein nedbetalingsplan.",
        by=frida,
    )


def demo_steering(users) -> None:
    """Historical homelessness counts and the action plan with goals, measures and meetings (synthetic)."""
    from reports.models import ActionGoal, HomelessCount, Measure, PlanActivity

    source = "Demo: 2008 og 2016 slik Stord rapporterte dei; åra mellom er berre til illustrasjon"
    for year, count in [(2008, 23), (2010, 17), (2012, 11), (2014, 4), (2016, 0), (2020, 0), (2024, 2)]:
        HomelessCount.objects.get_or_create(day=dt.date(year, 12, 31), defaults={"count": count, "source": source})
    if ActionGoal.objects.exists():
        return
    today = timezone.localdate()
    goals = [
        (
            "Ingen skal vere bustadlause",
            "homeless_now",
            "0",
            [
                ("Kartlegge bustadlause kvart halvår", "Bustadkontoret", "ongoing", 60),
                ("Avtale om mellombels butilbod utan natthjem", "NAV Stord", "planned", 120),
            ],
        ),
        (
            "Fleire går frå leige til eige",
            "startlan_children",
            "10 familiar i året",
            [
                ("Økonomigjennomgang for alle nye søkjarar", "Økonomisk rådgjeving", "ongoing", 30),
            ],
        ),
        (
            "Universelt utforma bustader",
            "wheelchair_share",
            "70 %",
            [
                ("Prioritere tilgjengelege bustader ved kjøp", "Eigedom", "delayed", -10),
            ],
        ),
        ("Kort ventetid", "waiting_list", "Under 10 husstandar", []),
        ("Housing First for alle med langvarige behov", "housing_first_caseload", "Inga venteliste", []),
    ]
    for position, (title, indicator, target, measures) in enumerate(goals):
        goal = ActionGoal.objects.create(title=title, indicator=indicator, target=target, position=position)
        for measure, responsible, status, days in measures:
            Measure.objects.create(
                goal=goal,
                title=measure,
                responsible=responsible,
                status=status,
                deadline=today + dt.timedelta(days=days),
            )
    PlanActivity.objects.create(
        kind="forum",
        held_on=today - dt.timedelta(days=40),
        summary="Årleg bustadsosialt forum med NAV, helse og frivillige.",
        recorded_by=users["leiv"],
    )
    PlanActivity.objects.create(
        kind="improvement_team",
        held_on=today - dt.timedelta(days=12),
        summary="Forbetringsteamet gjekk gjennom ventetida for barnefamiliar.",
        recorded_by=users["leiv"],
    )
