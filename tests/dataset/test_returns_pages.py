"""Agency returns through the pages: an agency lead's form per quarter (with corrections kept
in history and stale saves refused) and the Training coverage page, where an agency that has
not submitted is a gap, never zero."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dataset.models import AgencyReturn
from dataset.services import agency_return_submit
from neglect_portal import dates
from neglect_portal.quarters import Quarter
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)
COVERAGE_BUDGET = 6  # measured: 6 with 3 agencies and with 12 (5, and 1 for the confidence table)


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row(response, agency) -> str:
    html = response.content.decode()
    # From the end of the row's own tag: the agency's id in it is no part of the row's text.
    start = html.index(">", html.index(f'data-agency="{agency.pk}"')) + 1
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</tr>", start)]))


def return_url(agency, quarter=Q1):
    return reverse("dataset:agency_return", args=[quarter.slug, agency.pk])


def coverage_url(quarter=Q1):
    return reverse("dataset:training_coverage", args=[quarter.slug])


def submit(client, agency, trained="40", workforce="100", narrative="", version=""):
    return client.post(
        return_url(agency),
        {
            "staff_trained": trained,
            "target_workforce": workforce,
            "narrative": narrative,
            "version": version,
        },
    )


@pytest.fixture
def lead_client(client, health_lead):
    client.force_login(health_lead)
    return client


# The return form ---------------------------------------------------------------------------


def test_an_agency_lead_submits_their_agencys_return(lead_client, health, health_lead):
    response = submit(lead_client, health, "40", "160", "Two sessions in May")
    assert response.status_code == 302
    assert response["Location"] == coverage_url()
    saved = AgencyReturn.objects.get(agency=health, quarter=Q1)
    assert (saved.staff_trained, saved.target_workforce, saved.narrative, saved.submitted_by) == (
        40,
        160,
        "Two sessions in May",
        health_lead,
    )


def test_a_lead_may_not_open_or_submit_another_agencys_return(lead_client, voluntary):
    assert lead_client.get(return_url(voluntary)).status_code == 403
    assert submit(lead_client, voluntary).status_code == 403
    assert not AgencyReturn.objects.exists()


def test_an_administrator_may_submit_any_agencys_return(client, administrator, health):
    client.force_login(administrator)
    assert submit(client, health, "5", "10").status_code == 302
    assert AgencyReturn.objects.get(agency=health).submitted_by == administrator


@pytest.mark.parametrize("persona_name", ["working_group_member", "health_visitor"])
def test_readers_and_practitioners_may_not_submit_a_return(client, request, persona_name, health):
    user = request.getfixturevalue(persona_name)
    client.force_login(user)
    assert submit(client, health).status_code == 403
    assert not AgencyReturn.objects.exists()


def test_a_quarter_that_has_not_started_takes_no_return(lead_client, health):
    future = Quarter.containing(dates.today()).next()
    assert lead_client.get(return_url(health, future)).status_code == 404


@pytest.mark.parametrize(
    ("trained", "workforce", "message"),
    [
        ("", "100", "Enter the number of staff trained in neglect to date"),
        ("40", "", "Enter the target workforce"),
        ("1.5", "100", "Staff trained in neglect to date must be a whole number, like 120"),
        ("forty", "100", "Staff trained in neglect to date must be a whole number, like 120"),
        ("-1", "100", "Staff trained in neglect to date must be 0 or more"),
        ("0", "0", "Target workforce must be 1 or more"),
        ("40", "2000000", "Target workforce must be 1,000,000 or fewer"),
        (
            "120",
            "100",
            "Staff trained in neglect to date must be the same as or fewer than the "
            "target workforce",
        ),
    ],
)
def test_bad_figures_get_a_govuk_error_and_save_nothing(
    lead_client, health, trained, workforce, message
):
    response = submit(lead_client, health, trained, workforce, "Kept narrative")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert page.count(message) == 2  # in the summary and next to the field
    assert "Kept narrative" in response.content.decode()
    assert not AgencyReturn.objects.exists()


def test_none_trained_of_a_workforce_of_one_is_a_return(lead_client, health):
    assert submit(lead_client, health, "0", "1").status_code == 302


def test_a_correction_saves_a_new_version_and_keeps_the_old_in_history(lead_client, health):
    submit(lead_client, health, "40", "100")
    page = lead_client.get(return_url(health))
    assert 'name="version" value="1"' in page.content.decode()
    assert 'value="Save corrected return"' in page.content.decode()
    assert submit(lead_client, health, "45", "100", version="1").status_code == 302
    saved = AgencyReturn.objects.get(agency=health)
    assert (saved.staff_trained, saved.version) == (45, 2)
    assert sorted(saved.history.values_list("staff_trained", flat=True)) == [40, 45]
    history = lead_client.get(return_url(health)).content.decode()
    table = history[history.index('id="return-history"') :]
    assert "45" in table and "40" in table


def test_a_stale_save_is_refused_and_keeps_what_was_typed(lead_client, health, health_lead):
    submit(lead_client, health, "40", "100")
    # Someone else corrects it after this lead opened the form at version 1.
    agency_return_submit(
        agency=health,
        quarter=Q1,
        staff_trained=60,
        target_workforce=100,
        user=UserFactory(),
        expected_version=1,
    )
    response = submit(lead_client, health, "50", "120", "Typed narrative", version="1")
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this return after you opened it" in page
    # What is different: the question, what they saved, what this lead typed.
    assert "Staff trained in neglect to date 60 50" in page
    html = response.content.decode()
    assert 'value="50"' in html and 'value="120"' in html and "Typed narrative" in html
    assert 'name="version" value="2"' in html
    assert AgencyReturn.objects.get(agency=health).staff_trained == 60
    # Saving again, now knowingly over the other version, is accepted.
    assert submit(lead_client, health, "50", "120", version="2").status_code == 302
    assert AgencyReturn.objects.get(agency=health).staff_trained == 50


def test_a_first_return_racing_another_first_return_is_refused(lead_client, health):
    lead_client.get(return_url(health))  # opened with no return yet: no version
    agency_return_submit(
        agency=health, quarter=Q1, staff_trained=60, target_workforce=100, user=UserFactory()
    )
    response = submit(lead_client, health, "50", "120")
    assert "Someone else saved this return" in text(response)
    assert AgencyReturn.objects.get(agency=health).staff_trained == 60


# Links to the form ---------------------------------------------------------------------------


def test_the_agency_lead_home_page_links_to_their_return_and_coverage(lead_client, health):
    home = lead_client.get(reverse("home")).content.decode()
    assert reverse("dataset:my_return") in home
    assert reverse("dataset:training_coverage_latest") in home
    response = lead_client.get(reverse("dataset:my_return"))
    assert response["Location"] == return_url(health, Quarter.latest_complete())


# The Training coverage page ------------------------------------------------------------------


def test_an_agency_that_has_not_submitted_is_not_submitted_never_zero(
    client, working_group_member, health, voluntary, csc
):
    agency_return_submit(
        agency=health,
        quarter=Q1,
        staff_trained=50,
        target_workforce=200,
        user=UserFactory(agency=health),
        today=date(2024, 7, 1),
    )
    agency_return_submit(
        agency=csc,
        quarter=Q1,
        staff_trained=0,
        target_workforce=100,
        user=UserFactory(agency=csc),
        today=date(2024, 7, 1),
    )
    client.force_login(working_group_member)
    response = client.get(coverage_url())
    assert response.status_code == 200
    assert "25.0%" in row(response, health) and "50" in row(response, health)
    assert "0.0%" in row(response, csc)  # a real zero: it submitted, and trained none
    gap = row(response, voluntary)
    assert "Not submitted" in gap
    assert "0" not in gap and "%" not in gap
    # The total is over the agencies that submitted: 50 of 300, not 50 of 300 + a zero.
    assert "16.7% (50 of 300)" in text(response)


def test_with_no_returns_the_total_is_a_gap(client, working_group_member, health):
    client.force_login(working_group_member)
    page = text(client.get(coverage_url()))
    assert "No agency returns yet" in page
    assert "0.0%" not in page


def test_the_coverage_page_links_a_lead_to_their_own_return_only(lead_client, health, voluntary):
    html = lead_client.get(coverage_url()).content.decode()
    assert return_url(health) in html
    assert return_url(voluntary) not in html


def test_the_training_coverage_card_and_indicator_page_link_to_the_coverage_page(
    client, working_group_member
):
    client.force_login(working_group_member)
    dashboard = client.get(reverse("dataset:dashboard", args=[Q1.slug])).content.decode()
    assert coverage_url() in dashboard
    indicator = client.get(reverse("dataset:indicator", args=[Q1.slug, "TRAINING_COVERAGE"]))
    assert coverage_url() in indicator.content.decode()


@pytest.mark.parametrize("agencies", [3, 12])
def test_the_coverage_page_takes_the_same_queries_for_3_or_12_agencies(
    client, working_group_member, django_assert_max_num_queries, agencies
):
    lead = UserFactory()
    for n in range(agencies):
        agency = AgencyFactory(name=f"Agency {n:02d}")
        if n % 3:  # two in three submit; the rest are gaps
            agency_return_submit(
                agency=agency,
                quarter=Q1,
                staff_trained=n,
                target_workforce=100,
                user=lead,
                today=date(2024, 7, 1),
            )
    client.force_login(working_group_member)
    with django_assert_max_num_queries(COVERAGE_BUDGET):
        response = client.get(coverage_url())
    assert text(response).count("Not submitted") >= agencies // 3


def test_the_coverage_query_count_does_not_grow_with_agencies(client, working_group_member):
    client.force_login(working_group_member)
    lead = UserFactory()
    counts = []
    for size in (3, 12):
        for n in range(size):
            agency = AgencyFactory(name=f"Agency {size}-{n:02d}")
            agency_return_submit(
                agency=agency,
                quarter=Q1,
                staff_trained=1,
                target_workforce=2,
                user=lead,
                today=date(2024, 7, 1),
            )
        with CaptureQueriesContext(connection) as queries:
            client.get(coverage_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]
