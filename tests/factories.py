"""One factory per model; people get valid synthetic national ids."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group

from allocation.models import Offer, Unit
from cases.models import Application, Decision, Household, HouseholdMember, Person
from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.models import User
from tenancies.models import ArrearsFigure, Lease, TemporaryStay


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Test{n}")
    last_name = "Brukar"
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    ref = factory.Sequence(lambda n: f"P-T{n:05d}")
    # Spread over 1960–2019 and wrapping, never in the future however many people a test run makes (a
    # national id of someone not yet born is invalid).
    birth_date = factory.Sequence(lambda n: dt.date(1960, 1, 1) + dt.timedelta(days=(97 * n) % (365 * 60)))
    national_id = factory.LazyAttributeSequence(lambda o, n: synthetic_national_id(o.birth_date, n % 40))
    given_name = factory.Iterator(["Kari", "Ola", "Ingrid", "Per", "Liv", "Nils"])
    family_name = factory.Iterator(["Nordmann", "Hansen", "Vik", "Sæbø", "Leirvåg"])


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"H-T{n:05d}")

    @factory.post_generation
    def applicant(self, create, extracted, **kwargs):
        if create:
            HouseholdMember.objects.create(household=self, person=extracted or PersonFactory(), role="applicant")


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    role = "child"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    ref = factory.Sequence(lambda n: f"S-2026-{n + 5000:04d}")
    household = factory.SubFactory(HouseholdFactory)
    kind = "municipal_housing"
    received = dt.date(2026, 9, 1)
    status = "registered"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory, status="decided")
    outcome = "granted"
    decided = dt.date(2026, 10, 1)
    notified = dt.date(2026, 10, 2)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    ref = factory.Sequence(lambda n: f"U-T{n:04d}")
    address = factory.Sequence(lambda n: f"Hamnegata {n + 1}, 5411 Stord")
    unit_type = "flat"
    ownership = "owned"
    bedrooms = 2
    area_m2 = 60
    floor = 1
    monthly_rent = 9000
    in_stock_from = dt.date(2010, 1, 1)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    ref = factory.Sequence(lambda n: f"O-T{n:05d}")
    application = factory.SubFactory(ApplicationFactory)
    unit = factory.SubFactory(UnitFactory)
    offered = dt.date(2026, 11, 20)


class LeaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lease

    ref = factory.Sequence(lambda n: f"L-T{n:05d}")
    unit = factory.SubFactory(UnitFactory)
    household = factory.SubFactory(HouseholdFactory)
    start = dt.date(2025, 1, 1)
    end = dt.date(2027, 12, 31)
    monthly_rent = 9000


class ArrearsFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArrearsFigure

    lease = factory.SubFactory(LeaseFactory)
    as_of = dt.date(2026, 10, 31)
    amount = 9000


class TemporaryStayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemporaryStay

    household = factory.SubFactory(HouseholdFactory)
    kind = "natthjem"
    start = dt.date(2026, 1, 1)
