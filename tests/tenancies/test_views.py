"""Lease pages and the personal work list: who sees what, and recording a dated act closes its reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from tenancies import services
from tenancies.models import FollowUpPlan, Lease, Reminder
from tests.conftest import verified_client
from tests.factories import ApplicationFactory, DecisionFactory, LeaseFactory, UserFactory
from tests.tenancies.conftest import DAY, TODAY

pytestmark = pytest.mark.usefixtures("pinned_today")


@pytest.fixture
def english(caseworker_client):
    caseworker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return caseworker_client


def _lease(caseworker, **fields) -> Lease:
    """A lease of a case handled by `caseworker`, reviewed recently so no circulation reminder is due."""
    application = DecisionFactory(application__assigned_to=caseworker).application
    values = {"start": dt.date(2024, 4, 1), "end": dt.date(2027, 3, 31), "last_circulation_review": TODAY - DAY}
    return LeaseFactory(application=application, household=application.household, **{**values, **fields})


@pytest.fixture
def expiring_lease(caseworker) -> Lease:
    """Ends 31 Mar 2027, so on 25 Nov 2026 its renewal assessment is open (from 30 Sep, due 31 Jan)."""
    lease = _lease(caseworker)
    services.reminder_sweep(TODAY)
    assert Reminder.objects.filter(kind="renewal_assessment", subject_ref=lease.ref, closed_at__isnull=True).exists()
    return lease


# --- lease list and detail ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lease_list__caseworker_sees_active_leases_and_the_expiring_filter(english, caseworker):
    expiring = _lease(caseworker)
    long_running = _lease(caseworker, start=dt.date(2026, 1, 1), end=dt.date(2028, 12, 31))
    ended = _lease(caseworker, start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31), moved_out=dt.date(2022, 12, 31))
    url = reverse("tenancies:lease-list")

    active = english.get(url)
    soon = english.get(url, {"show": "expiring"})
    everything = english.get(url, {"show": "all"})

    assert active.status_code == soon.status_code == everything.status_code == 200
    assert [lease.ref for lease in active.context["page"]] == [expiring.ref, long_running.ref]
    assert [lease.ref for lease in soon.context["page"]] == [expiring.ref]
    assert ended.ref in everything.content.decode() and ended.ref not in active.content.decode()


@pytest.mark.django_db
def test_lease_detail__caseworker_sees_terms_and_open_reminders(english, expiring_lease):
    response = english.get(expiring_lease.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert expiring_lease.ref in html and expiring_lease.unit.address in html
    reminders = html[html.index('data-testid="lease-reminders"') :]
    assert "Assess lease renewal – due 31.01.2027" in reminders[: reminders.index("</ul>")]
    assert "30.06.2027" in html  # the hard deadline: the lease becomes open-ended 3 months after it ends


@pytest.mark.django_db
def test_lease_detail__a_lease_moved_out_of_offers_no_rent_notice_or_arrears_actions(english, caseworker):
    from tests.factories import ArrearsFigureFactory

    lease = _lease(caseworker, start=dt.date(2020, 1, 1), moved_in=dt.date(2020, 1, 1), moved_out=dt.date(2023, 5, 2))
    ArrearsFigureFactory(lease=lease, as_of=dt.date(2023, 4, 30), amount=12000)
    living = _lease(caseworker)
    ArrearsFigureFactory(lease=living, as_of=TODAY, amount=12000)

    ended = english.get(lease.get_absolute_url()).content.decode()
    current = english.get(living.get_absolute_url()).content.decode()

    assert 'data-testid="rent-form"' in current and 'value="social_services"' in current
    assert 'data-testid="rent-form"' not in ended and 'value="social_services"' not in ended
    assert 'data-testid="refer-arrears"' not in ended
    assert "The tenant has moved out." in ended


@pytest.mark.django_db
def test_lease_pages__amounts_read_as_kroner_with_thousands_apart(english, caseworker):
    lease = _lease(caseworker, monthly_rent=11200, deposit=33600, guarantee=0)

    detail = english.get(lease.get_absolute_url()).content.decode()
    listed = english.get(reverse("tenancies:lease-list")).content.decode()

    assert "kr\u00a011\u00a0200 / kr\u00a033\u00a0600 / kr\u00a00" in detail
    assert "kr\u00a011\u00a0200</td>" in listed


@pytest.mark.django_db
def test_lease_pages__nav_advisor_is_refused_and_anonymous_is_sent_to_login(client, caseworker, make_user):
    lease = _lease(caseworker)
    urls = [reverse("tenancies:lease-list"), lease.get_absolute_url()]

    anonymous = [client.get(url) for url in urls]
    nav_client = verified_client(client, make_user("nav_advisor"))
    nav = [nav_client.get(url) for url in urls]
    post = nav_client.post(
        reverse("tenancies:lease-action", args=[lease.ref]),
        {"form": "date", "action": "last_circulation_review", "day": TODAY.isoformat()},
    )

    assert all(r.status_code == 302 and r.url.startswith(reverse("login")) for r in anonymous)
    assert [r.status_code for r in nav] == [403, 403]  # the NAV role has no lease permission at all
    assert post.status_code == 404  # a lease the user cannot see does not exist for them
    assert all(lease.ref not in r.content.decode() for r in nav)
    lease.refresh_from_db()
    assert lease.last_circulation_review == TODAY - DAY


@pytest.mark.django_db
def test_lease_detail__a_lease_outside_the_users_cases_is_404(client, caseworker, make_user):
    ordinary = _lease(caseworker)
    housing_first_user = make_user("housing_first")
    team_client = verified_client(client, housing_first_user)

    detail = team_client.get(ordinary.get_absolute_url())
    listing = team_client.get(reverse("tenancies:lease-list"), {"show": "all"})

    assert detail.status_code == 404
    assert listing.status_code == 200 and ordinary.ref not in listing.content.decode()


# --- recording dated acts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lease_action__renewal_granted_closes_the_renewal_reminder(
    english, expiring_lease, caseworker, django_capture_on_commit_callbacks
):
    reminder = Reminder.objects.get(kind="renewal_assessment", subject_ref=expiring_lease.ref)
    url = reverse("tenancies:lease-action", args=[expiring_lease.ref])

    # a renewal is not a date typed in on the lease (that would pass over a refusal): it comes from the decision
    typed = english.post(url, {"form": "date", "action": "renewal_decided", "day": TODAY.isoformat()})
    assert typed.status_code == 200 and 'value="renewal_decided"' not in typed.content.decode()
    assert [str(m) for m in get_messages(typed.wsgi_request)] == ["Choose what happened and a valid date."]
    expiring_lease.refresh_from_db()
    assert expiring_lease.renewal_decided is None and Reminder.objects.get(pk=reminder.pk).closed_at is None

    renewal = services.renewal_case_open(lease_ref=expiring_lease.ref, today=TODAY, by=caseworker)
    DecisionFactory(application=renewal, decided=TODAY, notified=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.renewal_decided(decision=renewal.decision, by=caseworker)

    expiring_lease.refresh_from_db()
    reminder.refresh_from_db()
    assert expiring_lease.renewal_decided == TODAY
    assert reminder.closed_at is not None
    page = english.get(expiring_lease.get_absolute_url()).content.decode()
    assert "Assess lease renewal" not in page[page.index('data-testid="lease-reminders"') :]
    services.reminder_sweep(TODAY)  # the nightly sweep agrees and does not bring it back
    reminder.refresh_from_db()
    assert reminder.closed_at is not None


@pytest.fixture
def renewal_granted(expiring_lease, caseworker) -> Lease:
    """The expiring lease (ends 31 Mar 2027) with its renewal case granted today, for three years."""
    renewal = services.renewal_case_open(lease_ref=expiring_lease.ref, today=TODAY, by=caseworker)
    DecisionFactory(application=renewal, decided=TODAY, notified=TODAY)
    services.renewal_decided(decision=renewal.decision, by=caseworker)
    expiring_lease.refresh_from_db()
    return expiring_lease


@pytest.mark.django_db
def test_lease_action__a_granted_renewal_is_registered_from_the_lease_page(english, renewal_granted):
    old = renewal_granted
    page = english.get(old.get_absolute_url())
    form = page.context["renew_form"]
    assert (form["end"].value(), form["monthly_rent"].value()) == (dt.date(2030, 3, 31), old.monthly_rent)
    assert "The new lease starts 01.04.2027, the day after this one ends" in page.content.decode()

    response = english.post(
        reverse("tenancies:lease-action", args=[old.ref]),
        {"form": "renew", "end": "2030-03-31", "monthly_rent": old.monthly_rent + 200},
    )

    new = Lease.objects.get(start=dt.date(2027, 4, 1))
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Lease {new.ref} is registered from 01.04.2027; the contract is being prepared."
    ]
    assert (new.application, new.monthly_rent) == (old.renewal_case, old.monthly_rent + 200)
    new_page = english.get(new.get_absolute_url())
    old_page = english.get(old.get_absolute_url())
    assert f"{old.ref}</a> 01.04.2024 – 31.03.2027 (this lease continues it)" in new_page.content.decode()
    assert "Record move-in" not in new_page.content.decode()  # the tenant already lives there
    assert f"{new.ref}</a> from 01.04.2027" in old_page.content.decode()
    assert old_page.context["renew_form"] is None  # done: no second renewal from the old lease
    # until the new lease starts, the tenant may still move out instead, which withdraws it
    assert f"the renewed lease {new.ref} starts 01.04.2027 and has not started yet" in old_page.content.decode()
    assert "Record move-out and withdraw the renewed lease" in old_page.content.decode()
    assert "(Renewed)" in old_page.content.decode()


@pytest.mark.django_db
def test_lease_action__moving_out_before_the_renewed_lease_starts_withdraws_it(english, renewal_granted, caseworker):
    old = renewal_granted
    new = services.lease_renew(lease=old, end=dt.date(2030, 3, 31), monthly_rent=9000, by=caseworker)
    url = reverse("tenancies:lease-action", args=[old.ref])

    late = english.post(url, {"form": "move_out", "moved_out": "2027-04-15", "outcome": "bought_with_startlan"})

    assert late.status_code == 200  # the form again, with what was typed
    assert [str(m) for m in get_messages(late.wsgi_request)] == [
        f"This lease ends 31.03.2027. A later move-out is recorded on the renewed lease {new.ref} once it has started."
    ]
    assert late.context["move_out_form"]["moved_out"].value() == "2027-04-15"
    assert Lease.objects.filter(pk=new.pk).exists()

    response = english.post(url, {"form": "move_out", "moved_out": "2027-01-31", "outcome": "bought_with_startlan"})

    assert response.status_code == 302 and response.url == old.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        f"The move-out is recorded, and the renewed lease {new.ref}, which had not started, is withdrawn."
    )
    old.refresh_from_db()
    assert (old.moved_out, old.outcome) == (dt.date(2027, 1, 31), "bought_with_startlan")
    assert not Lease.objects.filter(pk=new.pk).exists()
    page = english.get(old.get_absolute_url()).content.decode()
    assert "The tenant has moved out." in page and "Next lease of this home" not in page
    assert english.get(reverse("tenancies:lease-detail", args=[new.ref])).status_code == 404


@pytest.mark.django_db
def test_lease_page__a_refused_renewal_says_what_comes_next_and_leaves_the_work_list(
    english, expiring_lease, caseworker
):
    renewal = services.renewal_case_open(lease_ref=expiring_lease.ref, today=TODAY, by=caseworker)
    assert any(item.kind == "renewal_assessment" for item in english.get("/").context["items"])

    DecisionFactory(application=renewal, outcome="refused", decided=TODAY, notified=TODAY)

    page = english.get(expiring_lease.get_absolute_url()).content.decode()
    assert f"{renewal.ref}</a> (refused 25.11.2026)" in page
    assert (
        f"The renewal was refused on 25.11.2026 (case {renewal.ref}). The lease ends 31.03.2027. If the tenant has "
        "not moved out by then, send the move-out demand (flytteoppfordring) from the day after, by 30.06.2027 at "
        "the latest"
    ) in page
    # the assessment is done: its task leaves the work list (the move-out demand is the next, after the end)
    assert not any(item.kind == "renewal_assessment" for item in english.get("/").context["items"])


@pytest.mark.django_db
def test_renewal_case_page__links_the_lease_to_renew_and_then_the_new_lease(english, renewal_granted, caseworker):
    case_url = renewal_granted.renewal_case.get_absolute_url()

    def links() -> str:
        html = english.get(case_url).content.decode()
        return html[html.index('data-testid="case-links"') :].split("</ul>", 1)[0]

    before = links()
    new = services.lease_renew(lease=renewal_granted, end=dt.date(2030, 3, 31), monthly_rent=9000, by=caseworker)
    after = links()

    assert f'href="{renewal_granted.get_absolute_url()}">Lease {renewal_granted.ref} to renew:' in before
    assert "ends 31.03.2027 – next: register the renewed lease there" in before
    assert f'href="{new.get_absolute_url()}">Lease {new.ref}:' in after and "from 01.04.2027" in after
    assert f"Lease {renewal_granted.ref} to renew:" in after and "next: register" not in after


@pytest.mark.django_db
def test_lease_action__a_renewal_posted_again_from_a_stale_page_is_refused_and_not_offered_again(
    english, renewal_granted
):
    url = reverse("tenancies:lease-action", args=[renewal_granted.ref])
    english.post(url, {"form": "renew", "end": "2030-03-31", "monthly_rent": "9000"})

    again = english.post(url, {"form": "renew", "end": "2030-03-31", "monthly_rent": "9000"})

    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == "The lease has already been renewed."
    assert again.context["renew_form"] is None and 'data-testid="renew-form"' not in again.content.decode()
    assert Lease.objects.count() == 2
    # the language switch on a page shown after a post leads back to the page it was posted from, not the post
    language_next = again.content.decode().split('name="next" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert language_next == "/"  # the test client sends no Referer
    with_referer = english.post(
        url,
        {"form": "renew", "end": "2030-03-31"},
        HTTP_REFERER=f"http://testserver{renewal_granted.get_absolute_url()}",
    )
    assert f'value="http://testserver{renewal_granted.get_absolute_url()}"' in with_referer.content.decode()


@pytest.mark.django_db
def test_lease_action__a_renewal_with_bad_input_keeps_what_was_typed_and_registers_nothing(english, renewal_granted):
    response = english.post(
        reverse("tenancies:lease-action", args=[renewal_granted.ref]),
        {"form": "renew", "end": "2028-03-31", "monthly_rent": "9500", "short_term_reason": ""},
    )

    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "A lease shorter than 3 years needs the special reasons (særlege grunnar) written down."
    ]
    form = response.context["renew_form"]
    assert (form["end"].value(), form["monthly_rent"].value()) == ("2028-03-31", "9500")
    assert Lease.objects.count() == 1
    renewal_granted.refresh_from_db()
    assert renewal_granted.outcome is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY + DAY, "A move-in is recorded when it has happened: the date cannot be in the future."),
        (dt.date(2026, 10, 31), "Moving in cannot be before the lease starts."),
        (TODAY, "The move-in is recorded."),
    ],
)
def test_lease_action__move_in_is_recorded_on_a_day_between_the_start_and_today(english, caseworker, day, message):
    lease = _lease(caseworker, start=dt.date(2026, 11, 1), end=dt.date(2029, 10, 31))

    response = english.post(
        reverse("tenancies:lease-action", args=[lease.ref]), {"form": "move_in", "moved_in": day.isoformat()}
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [message]
    lease.refresh_from_db()
    assert lease.moved_in == (day if message == "The move-in is recorded." else None)


@pytest.mark.django_db
def test_lease_action__future_date_is_refused_and_the_reminder_stays(english, expiring_lease):
    response = english.post(
        reverse("tenancies:lease-action", args=[expiring_lease.ref]),
        {"form": "date", "action": "last_circulation_review", "day": (TODAY + 5 * DAY).isoformat()},
    )

    # the page comes back with the message and the form as it was filled in, not emptied by a redirect
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The date cannot be in the future."]
    form = response.context["date_form"]
    assert (form["action"].value(), form["day"].value()) == ("last_circulation_review", (TODAY + 5 * DAY).isoformat())
    expiring_lease.refresh_from_db()
    assert expiring_lease.last_circulation_review == TODAY - DAY
    assert Reminder.objects.filter(kind="renewal_assessment", closed_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_lease_action__move_out_frees_the_unit_and_closes_the_leases_reminders(english, expiring_lease):
    from allocation.models import Unit

    Unit.objects.filter(pk=expiring_lease.unit_id).update(status=Unit.Status.LET)

    response = english.post(
        reverse("tenancies:lease-action", args=[expiring_lease.ref]),
        {"form": "move_out", "moved_out": (TODAY - 2 * DAY).isoformat(), "outcome": "moved_private_rental"},
    )

    assert response.status_code == 302
    assert Unit.objects.get(pk=expiring_lease.unit_id).status == Unit.Status.FREE
    assert not Reminder.objects.filter(subject_ref=expiring_lease.ref, closed_at__isnull=True).exists()


# --- the work list --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_worklist__shows_my_open_reminders_overdue_first(english, caseworker):
    renewal = _lease(caseworker)  # renewal assessment due 31.01.2027: open, not overdue
    review = _lease(caseworker, start=dt.date(2025, 6, 15), end=dt.date(2028, 6, 14), last_circulation_review=None)
    undecided = ApplicationFactory(assigned_to=caseworker, received=dt.date(2026, 9, 1))  # reply due 01.10.2026
    colleague = UserFactory(role="caseworker", username="per")
    not_mine = ApplicationFactory(assigned_to=colleague, received=dt.date(2026, 9, 2))
    services.reminder_sweep(TODAY)

    response = english.get(reverse("worklist"))

    assert response.status_code == 200
    items = [(item.kind, item.subject) for item in response.context["items"]]
    assert items == [
        ("circulation_review", review.ref),  # due 15.06.2026, overdue
        ("preliminary_reply", undecided.ref),  # due 01.10.2026, overdue
        ("renewal_assessment", renewal.ref),  # due 31.01.2027
    ]
    html = response.content.decode()
    table = html[html.index('data-testid="worklist"') :]
    rows = table.split("<tr")[2:]  # skip the header row
    assert [("Overdue" in row, "Open" in row) for row in rows[:3]] == [(True, False), (True, False), (False, True)]
    assert "Yearly review of moving on (circulation)" in rows[0] and "15.06.2026" in rows[0]
    assert "Send a preliminary reply" in rows[1] and "01.10.2026" in rows[1]
    assert not_mine.ref not in html
    # The task links where it is done; what it concerns links to its own page.
    lease_page, case_page = reverse("tenancies:lease-detail", args=[review.ref]), undecided.get_absolute_url()
    assert f'href="{lease_page}">Yearly review of moving on (circulation)' in rows[0]
    assert f'href="{lease_page}" data-testid="worklist-subject">{review.ref}' in rows[0]
    assert f'href="{reverse("cases:preliminary-reply", args=[undecided.ref])}">Send a preliminary reply' in rows[1]
    assert f'href="{case_page}" data-testid="worklist-subject">{undecided.ref}' in rows[1]
    assert f'href="{reverse("tenancies:lease-detail", args=[renewal.ref])}" data-testid="worklist-subject"' in rows[2]


@pytest.mark.django_db
def test_worklist__an_offer_task_leads_to_its_answer_and_its_subject_to_the_case(english, caseworker):
    from allocation import services as allocation_services
    from tests.allocation.conftest import free_unit, waiting_case

    case = waiting_case(assigned_to=caseworker)
    offer = allocation_services.offer_make(application=case, unit=free_unit(), offered=TODAY - 2 * DAY, by=None)
    services.reminder_sweep(TODAY)

    response = english.get(reverse("worklist"))

    row = next(r for r in response.content.decode().split("<tr")[2:] if 'data-kind="offer_response"' in r)
    assert f'href="{reverse("allocation:offer-answer", args=[offer.ref])}">Offer awaiting answer' in row
    assert f'href="{case.get_absolute_url()}" data-testid="worklist-subject">{offer.ref} ({case.ref})</a>' in row


@pytest.mark.django_db
def test_worklist__closing_a_case_takes_its_preliminary_reply_task_away_at_once_and_at_the_sweep(english, caseworker):
    from cases import services as case_services

    case = ApplicationFactory(assigned_to=caseworker, received=dt.date(2026, 9, 1))
    services.reminder_sweep(TODAY)
    assert [item.subject for item in english.get(reverse("worklist")).context["items"]] == [case.ref]

    case_services.application_transition(application=case, to_status="closed", by=caseworker, note="Trekt.")

    assert case.ref not in english.get(reverse("worklist")).content.decode()
    services.reminder_sweep(TODAY)
    assert not Reminder.objects.filter(subject_ref=case.ref, closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_worklist__a_long_list_comes_fifty_at_a_time_overdue_first(english, caseworker):
    for n in range(60):
        ApplicationFactory(assigned_to=caseworker, received=dt.date(2026, 9, 1) + dt.timedelta(days=n))
    services.reminder_sweep(TODAY)

    first = english.get(reverse("worklist"))
    second = english.get(reverse("worklist") + "?page=2")

    first_items, second_items = list(first.context["items"]), list(second.context["items"])
    assert (len(first_items), len(second_items)) == (50, 10)
    assert "60 tasks in all." in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    dues = [item.due for item in first_items + second_items]
    assert dues == sorted(dues)  # the earliest (overdue) reply deadlines come first, across pages


@pytest.mark.django_db
def test_worklist__closed_and_not_yet_due_reminders_are_not_shown(english, caseworker, expiring_lease):
    Lease.objects.filter(pk=expiring_lease.pk).update(renewal_decided=TODAY)  # as a granted renewal case records
    services.reminder_sweep_for_lease(expiring_lease.ref)
    Reminder.objects.create(
        kind="circulation_review",
        subject_kind="lease",
        subject_ref=expiring_lease.ref,
        due=TODAY + 60 * DAY,
        remind_from=TODAY + 30 * DAY,
        assigned_to=caseworker,
    )

    response = english.get(reverse("worklist"))

    assert response.status_code == 200
    assert response.context["items"] == []
    assert 'data-testid="worklist-empty"' in response.content.decode()


@pytest.mark.django_db
def test_worklist__a_follow_up_contact_due_shows_for_whoever_is_responsible_and_is_marked_overdue(english, caseworker):
    lease = LeaseFactory(start=dt.date(2025, 6, 1))
    late = services.followup_plan_create(
        lease=lease, goals="Betale husleiga i tide.", support="", housing_first=False, next_contact=TODAY, by=caseworker
    )
    FollowUpPlan.objects.filter(pk=late.pk).update(next_contact=TODAY - 5 * DAY)  # planned, and the day has passed
    later = LeaseFactory(start=dt.date(2025, 6, 1))
    services.followup_plan_create(
        lease=later,
        goals="Kome i arbeid.",
        support="",
        housing_first=False,
        next_contact=TODAY + 30 * DAY,
        by=caseworker,
    )

    items = [item for item in english.get(reverse("worklist")).context["items"] if item.kind == "followup_contact"]
    lease_page = english.get(lease.get_absolute_url()).content.decode()

    assert [(item.subject, item.due, item.url) for item in items] == [
        (lease.ref, TODAY - 5 * DAY, lease.get_absolute_url())
    ]  # the contact a month away is not a task yet
    assert items[0].is_overdue(TODAY)
    assert 'data-testid="followup-overdue"' in lease_page
    late.closed = TODAY
    late.save()
    assert not [i for i in english.get(reverse("worklist")).context["items"] if i.kind == "followup_contact"]


@pytest.mark.django_db
def test_lease_page__every_field_has_an_id_of_its_own_so_labels_point_at_it(english, expiring_lease, caseworker):
    import re
    from collections import Counter

    for goals in ("Halde på bustaden.", "Kome i arbeid."):
        services.followup_plan_create(
            lease=expiring_lease, goals=goals, support="", housing_first=False, next_contact=None, by=caseworker
        )

    html = english.get(expiring_lease.get_absolute_url()).content.decode()

    repeated = [name for name, count in Counter(re.findall(r'\bid="([^"]+)"', html)).items() if count > 1]
    assert repeated == []
    assert html.count('name="next_contact"') == 3  # the new plan's form and each plan's contact form
