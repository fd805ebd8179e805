"""People, households and applications in the `stord-bolig/1` document."""

from __future__ import annotations

from stord_bolig.interchange import schema
from stord_bolig.interchange.codec import InterchangeError
from stord_bolig.interchange.registry import ImportResult, preloaded, upsert

from .models import Appeal, Application, Decision, Household, HouseholdMember, Person, Status


def import_section(doc: schema.Document, result: ImportResult) -> None:
    # What the register already holds of the document, read set-wise up front (not a query per record).
    known_people = preloaded(Person, ("ref",), [(person.ref,) for person in doc.people])
    registered = dict(
        Person.objects.filter(national_id__in={person.national_id for person in doc.people}).values_list(
            "national_id", "ref"
        )
    )
    people = {}
    errors = []
    for index, person in enumerate(doc.people):
        clash = registered.get(person.national_id)
        if clash is not None and clash != person.ref:
            errors.append(f"people[{index}].national_id: already registered for {clash}")
            continue
        people[person.ref] = upsert(
            Person,
            {"ref": person.ref},
            {
                "national_id": person.national_id,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "birth_date": person.birth_date,
            },
            result,
            "people",
            known=known_people,
        )
    if errors:
        raise InterchangeError(errors)

    known_households = preloaded(Household, ("ref",), [(household.ref,) for household in doc.households])
    existing_households = {row.pk for row in known_households.values()}
    current_members: dict[int, list[tuple[int, str]]] = {}
    for household_id, person_id, role in (
        HouseholdMember.objects.filter(household_id__in=existing_households)
        .order_by("position", "id")
        .values_list("household_id", "person_id", "role")
    ):
        current_members.setdefault(household_id, []).append((person_id, role))
    # where each person of the document is a member now (kept up to date as households are rewritten below)
    member_of = dict(
        HouseholdMember.objects.filter(person_id__in=[row.pk for row in people.values()]).values_list(
            "person_id", "household_id"
        )
    )
    household_refs = dict(Household.objects.filter(pk__in=set(member_of.values())).values_list("pk", "ref"))
    households = {}
    for index, household in enumerate(doc.households):
        row = upsert(Household, {"ref": household.ref}, {}, result, "households", known=known_households)
        households[household.ref] = row
        household_refs[row.pk] = row.ref
        wanted = [(people[m.person].pk, m.role) for m in household.members]
        current = current_members.get(row.pk, [])
        if current != wanted:
            if row.pk in existing_households:
                from .services import household_changed

                household_changed([row.pk])
                row.members.all().delete()
                for person_id, _role in current:
                    member_of.pop(person_id, None)
            for position, (person_id, role) in enumerate(wanted):
                other = member_of.get(person_id)
                if other is not None and other != row.pk:
                    errors.append(f"households[{index}].members[{position}].person: already in {household_refs[other]}")
                    continue
                HouseholdMember.objects.create(household=row, person_id=person_id, role=role, position=position)
                member_of[person_id] = row.pk
    if errors:
        raise InterchangeError(errors)

    known_applications = preloaded(Application, ("ref",), [(app.ref,) for app in doc.applications])
    known_decisions = preloaded(Decision, ("application",), [(row.pk,) for row in known_applications.values()])
    for app in doc.applications:
        status = Status.REGISTERED
        if app.decision is not None:
            status = Status.DECIDED
            if app.appeal is not None and app.appeal.outcome == "pending":
                status = Status.APPEALED
        existing = known_applications.get((app.ref,))
        if existing is not None and existing.status == Status.CLOSED:
            status = Status.CLOSED  # closing is the office's act; an import does not reopen a case
        elif (
            existing is not None
            and status == Status.REGISTERED
            and existing.status in (Status.ASSESSMENT, Status.READY)
        ):
            status = existing.status  # work on an undecided case is not in the format; re-importing keeps it
        row = upsert(
            Application,
            {"ref": app.ref},
            {
                "household": households.get(app.household) or Household.objects.get(ref=app.household),
                "kind": app.kind,
                "received": app.received,
                "status": status,
                "housing_situation": app.housing_situation,
                "main_reason": app.main_reason,
                "urgency": app.urgency,
                "target_group": app.target_group,
                "wheelchair_need": app.wheelchair_need,
                "min_bedrooms_override": app.min_bedrooms_override.bedrooms if app.min_bedrooms_override else None,
                "min_bedrooms_reason": app.min_bedrooms_override.reason if app.min_bedrooms_override else "",
                "preliminary_reply_sent": app.preliminary_reply_sent,
                "suspended_until": app.suspended_until,
            },
            result,
            "applications",
            known=known_applications,
        )
        if app.decision is not None:
            upsert(
                Decision,
                {"application": row},
                {
                    "outcome": app.decision.outcome,
                    "decided": app.decision.decided,
                    "notified": app.decision.notified,
                    "lapsed": app.decision.lapsed,
                },
                result,
                "decisions",
                known=known_decisions,
            )
        if app.appeal is not None:
            # a case new to the register has no appeal yet: no need to look
            appeal = row.appeals.order_by("-received", "-id").first() if existing is not None else None
            values = {"received": app.appeal.received, "outcome": app.appeal.outcome}
            if appeal is None:
                Appeal.objects.create(application=row, **values)
                result.count("appeals", "created")
            elif any(getattr(appeal, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(appeal, key, value)
                appeal.save(update_fields=list(values))
                result.count("appeals", "updated")


def export_section(doc: schema.Document) -> None:
    for person in Person.objects.order_by("ref"):
        doc.people.append(
            schema.Person(
                ref=person.ref,
                national_id=person.national_id,
                given_name=person.given_name,
                family_name=person.family_name,
                birth_date=person.birth_date,
            )
        )
    members = HouseholdMember.objects.select_related("person").order_by("household_id", "position", "id")
    by_household: dict[int, list[schema.Member]] = {}
    for member in members:
        by_household.setdefault(member.household_id, []).append(
            schema.Member(person=member.person.ref, role=member.role)
        )
    # An anonymised household (retention) has no people left and is not a record of the format any more:
    # it and everything under it stay out of exports, so an export still imports anywhere.
    for household in Household.objects.filter(anonymised_on__isnull=True).order_by("ref"):
        doc.households.append(schema.Household(ref=household.ref, members=by_household.get(household.pk, [])))

    appeals: dict[int, Appeal] = {}
    for appeal in Appeal.objects.order_by("application_id", "received", "id"):
        appeals[appeal.application_id] = appeal  # the latest appeal per case
    applications = (
        Application.objects.filter(household__anonymised_on__isnull=True)
        .select_related("household", "decision")
        .order_by("ref")
    )
    for app in applications:
        decision = getattr(app, "decision", None)
        appeal = appeals.get(app.pk)
        doc.applications.append(
            schema.Application(
                ref=app.ref,
                household=app.household.ref,
                kind=app.kind,
                received=app.received,
                housing_situation=app.housing_situation,
                main_reason=app.main_reason,
                urgency=app.urgency,
                target_group=app.target_group,
                wheelchair_need=app.wheelchair_need,
                min_bedrooms_override=schema.BedroomOverride(app.min_bedrooms_override, app.min_bedrooms_reason)
                if app.min_bedrooms_override is not None
                else None,
                preliminary_reply_sent=app.preliminary_reply_sent,
                decision=schema.Decision(
                    outcome=decision.outcome,
                    decided=decision.decided,
                    notified=decision.notified,
                    lapsed=decision.lapsed,
                )
                if decision is not None
                else None,
                appeal=schema.Appeal(received=appeal.received, outcome=appeal.outcome) if appeal else None,
                suspended_until=app.suspended_until,
            )
        )
