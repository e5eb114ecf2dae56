import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from neglect_portal import dates
from neglect_portal.models import User
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    CPPlanFactory,
    InvolvementFactory,
    UserFactory,
)
from toolkit.models import Chronology, ChronologyEntry, DayInMyLife
from toolkit.services import chronology_entry_add

pytestmark = pytest.mark.django_db
TODAY = dates.today()


@pytest.fixture
def child(health):
    child = CPPlanFactory(
        referral__referral_date=date(2024, 3, 1), start_date=date(2024, 4, 2), latest_category="NEG"
    ).referral.child
    InvolvementFactory(child=child, agency=health)
    return child


def add_entry(child, author, event_date, what="Missed health appointment", **extra):
    entry = ChronologyEntry(
        author=author,
        source_agency=author.agency,
        event_date=event_date,
        what_happened=what,
        impact="negative",
        impact_description="Weight not checked",
        **extra,
    )
    return chronology_entry_add(child=child, entry=entry)


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def test_the_chronology_merges_every_agencys_entries_with_case_record_events(
    client, child, health_visitor, csc_social_worker
):
    add_entry(child, health_visitor, date(2024, 5, 1), what="Missed 9-month check")
    add_entry(child, csc_social_worker, date(2024, 6, 1), what="Home visit: no food in house")
    DayInMyLife.objects.create(
        child=child,
        author=csc_social_worker,
        author_agency=csc_social_worker.agency,
        status="completed",
        completed_on=date(2024, 6, 10),
        day_version="baby",
    )
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    order = [
        html.index(text)
        for text in [
            "Day in my life (Baby (under 1)) completed",
            "Home visit: no food in house",
            "Missed 9-month check",
            "Child protection plan started",
            "Referral",
        ]
    ]
    assert order == sorted(order)  # newest first
    assert "Community Health Trust" in html and "Children&#x27;s Social Care" in html


def test_filters_and_order(client, child, health_visitor, health):
    add_entry(child, health_visitor, date(2024, 5, 1), what="Health entry", significant=True)
    client.force_login(health_visitor)
    url = reverse("toolkit:chronology", args=[child.pk])
    only_entries = client.get(url, {"show": "entries"}).content.decode()
    assert "Health entry" in only_entries and "Child protection plan started" not in only_entries
    only_events = client.get(url, {"show": "events"}).content.decode()
    assert "Health entry" not in only_events and "Child protection plan started" in only_events
    assert "Health entry" in client.get(url, {"show": "significant"}).content.decode()
    other = AgencyFactory(name="Police")
    assert "Health entry" not in client.get(url, {"agency": other.pk}).content.decode()
    oldest = client.get(url, {"order": "oldest"}).content.decode()
    assert oldest.index("Referral") < oldest.index("Health entry")


def test_a_partner_adds_an_entry_for_their_agency(client, child, health_visitor, health):
    client.force_login(health_visitor)
    response = client.post(
        reverse("toolkit:chronology_add", args=[child.pk]),
        {
            **date_fields("event_date", date(2024, 7, 1)),
            "what_happened": "Not brought to clinic",
            "impact": "negative",
            "impact_description": "Vaccinations delayed",
            "neglect_types": ["medical"],
        },
    )
    assert response["Location"] == reverse("toolkit:chronology", args=[child.pk])
    entry = ChronologyEntry.objects.get()
    assert (entry.source_agency, entry.author, entry.recorded_on) == (health, health_visitor, TODAY)
    assert entry.history.get().history_user == health_visitor


def entry_form(entry, **overrides):
    return {
        **date_fields("event_date", entry.event_date),
        "what_happened": entry.what_happened,
        "impact": entry.impact,
        "impact_description": entry.impact_description,
        "version": entry.version,
        **overrides,
    }


def test_the_author_changes_their_entry_and_history_keeps_the_old_words(
    client, child, health_visitor
):
    entry = add_entry(child, health_visitor, date(2024, 7, 1))
    client.force_login(health_visitor)
    chronology = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    url = reverse("toolkit:chronology_entry_change", args=[entry.pk])
    assert url in chronology
    response = client.post(url, entry_form(entry, what_happened="Not brought to clinic"))
    assert response["Location"] == reverse("toolkit:chronology", args=[child.pk])
    entry.refresh_from_db()
    assert (entry.what_happened, entry.version) == ("Not brought to clinic", 2)
    assert [h.what_happened for h in entry.history.order_by("history_date")] == [
        "Missed health appointment",
        "Not brought to clinic",
    ]


def test_a_stale_change_to_an_entry_is_refused_and_the_words_kept(client, child, health_visitor):
    entry = add_entry(child, health_visitor, date(2024, 7, 1))
    client.force_login(health_visitor)
    url = reverse("toolkit:chronology_entry_change", args=[entry.pk])
    client.post(url, entry_form(entry, analysis="First"))
    response = client.post(url, entry_form(entry, analysis="Second thoughts"))
    assert response.status_code == 409
    assert "Second thoughts" in response.content.decode()
    entry.refresh_from_db()
    assert entry.analysis == "First"


def test_only_the_author_or_their_team_manager_changes_an_entry(
    client, child, health_visitor, health, csc_social_worker
):
    entry = add_entry(child, health_visitor, date(2024, 7, 1))
    url = reverse("toolkit:chronology_entry_change", args=[entry.pk])
    colleague = UserFactory(role=User.Role.PRACTITIONER, agency=health)
    manager = UserFactory(role=User.Role.TEAM_MANAGER, agency=health)
    for viewer, status in [(colleague, 403), (csc_social_worker, 403), (manager, 200)]:
        client.force_login(viewer)
        assert client.get(url).status_code == status, viewer
    client.force_login(colleague)
    chronology = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    assert url not in chronology
    assert client.post(url, entry_form(entry, analysis="Mine")).status_code == 403


def test_bad_entries_are_answered_and_nothing_is_saved(client, child, health_visitor):
    client.force_login(health_visitor)
    html = client.post(
        reverse("toolkit:chronology_add", args=[child.pk]),
        {**date_fields("event_date", TODAY + timedelta(days=1))},
    ).content.decode()
    for message in [
        "Enter what happened",
        "Select the impact on the child",
        "Enter how it affected the child",
        "Date of the event must be today or in the past",
    ]:
        assert message in html
    assert not ChronologyEntry.objects.exists()


def test_marking_the_chronology_reviewed(client, child, health_visitor, health_lead):
    url = reverse("toolkit:chronology_review", args=[child.pk])
    client.force_login(health_lead)
    assert client.post(url).status_code == 403
    client.force_login(health_visitor)
    assert client.get(url).status_code == 405
    client.post(url)
    chronology = Chronology.objects.get(child=child)
    assert (chronology.reviewed_on, chronology.reviewed_by) == (TODAY, health_visitor)


def test_the_csv_cannot_run_formulas(client, child, health_visitor):
    add_entry(child, health_visitor, date(2024, 5, 1), what='=HYPERLINK("http://x")')
    client.force_login(health_visitor)
    response = client.get(reverse("toolkit:chronology_csv", args=[child.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Date"
    # Oldest first, so the entry (the newest item) is the last row.
    assert rows[-1][:4] == [
        "2024-05-01",
        "Community Health Trust",
        "Entry",
        '\'=HYPERLINK("http://x")',
    ]


def test_outsiders_cannot_read_or_add(client, child):
    outsider = UserFactory(role=User.Role.PRACTITIONER)
    client.force_login(outsider)
    for name in ("toolkit:chronology", "toolkit:chronology_add", "toolkit:chronology_csv"):
        assert client.get(reverse(name, args=[child.pk])).status_code == 404
    assert client.post(reverse("toolkit:chronology_review", args=[child.pk])).status_code == 404


@pytest.mark.parametrize("name", ["toolkit:chronology", "toolkit:chronology_print"])
@pytest.mark.parametrize("entries", [10, 200])
def test_the_chronology_page_takes_a_fixed_number_of_queries(
    client, child, health_visitor, entries, name, django_assert_max_num_queries
):
    chronology = Chronology.objects.create(child=child)
    ChronologyEntry.objects.bulk_create(
        [
            ChronologyEntry(
                chronology=chronology,
                author=health_visitor,
                source_agency=health_visitor.agency,
                event_date=date(2024, 1, 1) + timedelta(days=n),
                what_happened=f"E{n}",
                impact="neutral",
                impact_description="None",
                neglect_types=["medical", "physical"],
            )
            for n in range(entries)
        ]
    )
    client.force_login(health_visitor)
    with django_assert_max_num_queries(10):
        response = client.get(reverse(name, args=[child.pk]))
    html = response.content.decode()
    assert html.count("moj-timeline__item") >= entries
    assert html.count("Medical, Physical") == entries


# Through an expired session ---------------------------------------------------------------


def ticked(html):
    return re.findall(r'name="neglect_types"[^>]*value="(\w+)"\s+checked', html)


def session_ended(client, user):
    """Signed in, then signed out (in another tab) before saving: answers posted now are kept
    for that person alone."""
    client.force_login(user)
    client.post(reverse("logout"))


def sign_back_in(client, user, url):
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url


def test_a_new_entry_posted_after_the_session_ran_out_is_kept_through_signing_in(
    client, child, health_visitor
):
    url = reverse("toolkit:chronology_add", args=[child.pk])
    session_ended(client, health_visitor)
    response = client.post(
        url,
        {
            **date_fields("event_date", date(2024, 7, 1)),
            "what_happened": "Not brought to the 2-year check",
            "impact": "negative",
            "impact_description": "Speech delay not picked up",
            "neglect_types": ["medical", "educational"],
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ChronologyEntry.objects.exists()  # a signed-out browser saves nothing

    sign_back_in(client, health_visitor, url)
    html = client.get(url).content.decode()
    assert "You were signed out before your answers were saved" in html
    assert "Not brought to the 2-year check" in html and "Speech delay not picked up" in html
    assert ticked(html) == ["medical", "educational"]
    assert "Not brought to the 2-year check" not in client.get(url).content.decode()  # once


def test_a_kept_entry_shows_what_is_still_missing(client, child, health_visitor):
    url = reverse("toolkit:chronology_add", args=[child.pk])
    session_ended(client, health_visitor)
    client.post(url, {"what_happened": "Dirty clothes at nursery"})
    sign_back_in(client, health_visitor, url)
    html = client.get(url).content.decode()
    assert "Dirty clothes at nursery" in html
    assert "Select the impact on the child" in html


def test_a_change_posted_after_the_session_ran_out_is_kept_through_signing_in(
    client, child, health_visitor
):
    entry = add_entry(child, health_visitor, date(2024, 7, 1))
    url = reverse("toolkit:chronology_entry_change", args=[entry.pk])
    session_ended(client, health_visitor)
    client.post(url, entry_form(entry, what_happened="Missed two health appointments"))
    entry.refresh_from_db()
    assert entry.what_happened == "Missed health appointment"

    sign_back_in(client, health_visitor, url)
    html = client.get(url).content.decode()
    assert "You were signed out before your answers were saved" in html
    assert "Missed two health appointments" in html
    response = client.post(url, entry_form(entry, what_happened="Missed two health appointments"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.what_happened == "Missed two health appointments"


def test_a_kept_entry_is_not_handed_to_another_childs_chronology(
    client, child, health_visitor, health
):
    other = CPPlanFactory(latest_category="NEG").referral.child
    InvolvementFactory(child=other, agency=health)
    url = reverse("toolkit:chronology_add", args=[child.pk])
    session_ended(client, health_visitor)
    client.post(url, {"what_happened": "Dirty clothes at nursery"})
    client.force_login(health_visitor)
    other_url = reverse("toolkit:chronology_add", args=[other.pk])
    assert "Dirty clothes at nursery" not in client.get(other_url).content.decode()
    assert "Dirty clothes at nursery" in client.get(url).content.decode()


# Types of neglect and the print page ------------------------------------------------------


def test_ticked_types_of_neglect_show_by_their_labels_on_the_page_and_its_print(
    client, child, health_visitor
):
    add_entry(child, health_visitor, date(2024, 5, 1), neglect_types=["supervision", "medical"])
    add_entry(child, health_visitor, date(2024, 6, 1), what="Nothing ticked")
    client.force_login(health_visitor)
    for name in ("toolkit:chronology", "toolkit:chronology_print"):
        html = client.get(reverse(name, args=[child.pk])).content.decode()
        assert "Medical, Supervision and guidance" in html
        assert html.count("Types of neglect</dt>") == 1  # no empty row for the unticked entry


def test_the_print_page_names_the_child_and_who_printed_it_when(
    client, child, health_visitor, monkeypatch
):
    health_visitor.first_name, health_visitor.last_name = "Hana", "Visitor"
    health_visitor.save()
    child.date_of_birth = date(2023, 2, 3)
    child.save()
    # 13:05 UTC in summer is 14:05 in London.
    printed = datetime(2025, 7, 1, 13, 5, tzinfo=UTC)
    monkeypatch.setattr("toolkit.chronology_views.now", lambda: printed)
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:chronology_print", args=[child.pk])).content.decode()
    assert child.la_child_id in html
    assert "Date of birth</dt>" in html and "3 February 2023" in html
    assert "Printed by Hana Visitor on 1 July 2025 14:05" in html
    screen = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    assert "Printed by" not in screen


def test_the_print_page_has_no_navigation(client, child, health_visitor):
    client.force_login(health_visitor)
    screen = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    assert 'aria-label="Menu"' in screen and "govuk-breadcrumbs" in screen
    printed = client.get(reverse("toolkit:chronology_print", args=[child.pk])).content.decode()
    assert 'aria-label="Menu"' not in printed and "govuk-breadcrumbs" not in printed
    assert "Add to the chronology" not in printed
