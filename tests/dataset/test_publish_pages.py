"""Publishing a quarter through the pages: the confirmation page shows what will be stored,
open quarters are refused with a GOV.UK error, republishing needs a reason and refuses to
replace a publication the administrator has not seen, and the restatements page shows the
published and the recomputed values side by side."""

import re
from datetime import date

import pytest
from django.urls import reverse

from dataset.models import PublishedQuarter
from dataset.services import agency_return_submit, quarter_publish, quarter_republish
from neglect_portal import dates
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cp_plan
from tests.factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)
NEGLECT_SHARE = "75.0% (3 of 4)"  # three of the four children's plans are for neglect
AFTER_LATE_RECORD = "80.0% (4 of 5)"
# The administrator's agency has sent no training return: publishing asks them to confirm.
CONFIRMED = {"confirm": "on"}


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def figure_row(response, code) -> str:
    html = response.content.decode()
    start = html.index(f'data-code="{code}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</tr>", start)]))


def url(name, quarter=Q1):
    return reverse(f"dataset:{name}", args=[quarter.slug])


@pytest.fixture
def records(db):
    for i in range(4):
        cp_plan(ChildFactory(), date(2024, 1, 1), initial="NEG" if i else "PHY")


def late_record():
    """Recorded after publication, but part of Q1: a restatement."""
    cp_plan(ChildFactory(), date(2024, 2, 1))


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


# Publishing ------------------------------------------------------------------------------------


def test_the_confirmation_page_shows_the_figures_that_will_be_stored(admin_client, records):
    response = admin_client.get(url("publish"))
    assert response.status_code == 200
    assert NEGLECT_SHARE in figure_row(response, "CP_NEGLECT_SHARE")
    assert "No agency returns yet" in figure_row(response, "TRAINING_COVERAGE")
    assert "Publish 2024-25 Q1" in text(response)
    assert not PublishedQuarter.objects.exists()  # looking publishes nothing


def test_publishing_stores_the_quarter_and_the_dashboard_says_published(
    admin_client, records, administrator
):
    response = admin_client.post(url("publish"), CONFIRMED)
    assert response["Location"] == url("dashboard")
    published = PublishedQuarter.objects.get(quarter=Q1)
    assert published.published_by == administrator
    assert published.figures.get(code="CP_NEGLECT_SHARE").numerator == 3
    dashboard = text(admin_client.get(url("dashboard")))
    assert "Published on" in dashboard and str(administrator) in dashboard


def test_the_page_lists_missing_returns_and_publishing_waits_for_a_confirmation(
    admin_client, records, health
):
    page = text(admin_client.get(url("publish")))
    assert "2024-25 Q1 is not complete: 2 returns not submitted." in page
    assert "Children&#x27;s Social Care: training return" in page
    assert "Community Health Trust: training return" in page
    response = admin_client.post(url("publish"))
    assert response.status_code == 200
    assert (
        text(response).count("Confirm that you want to publish with 2 returns not submitted") == 2
    )
    assert not PublishedQuarter.objects.exists()
    assert admin_client.post(url("publish"), CONFIRMED)["Location"] == url("dashboard")
    assert PublishedQuarter.objects.filter(quarter=Q1).exists()


def test_with_every_return_in_nothing_needs_confirming(admin_client, records, administrator):
    agency_return_submit(
        agency=administrator.agency,
        quarter=Q1,
        staff_trained=10,
        target_workforce=20,
        user=administrator,
        today=date(2024, 7, 1),
    )
    page = admin_client.get(url("publish")).content.decode()
    assert "not complete" not in page and 'name="confirm"' not in page
    assert admin_client.post(url("publish"))["Location"] == url("dashboard")


def test_an_open_quarter_cannot_be_published_and_gets_a_govuk_error(admin_client):
    open_quarter = Quarter.containing(dates.today())
    page = admin_client.get(url("publish", open_quarter))
    assert "cannot be published yet" in text(page)
    assert 'id="publish"' not in page.content.decode()  # no button to press
    response = admin_client.post(url("publish", open_quarter))
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "cannot be published until it has ended" in text(response)
    assert not PublishedQuarter.objects.exists()


def test_a_published_quarter_is_republished_not_published_again(admin_client, administrator):
    quarter_publish(quarter=Q1, user=administrator)
    assert admin_client.get(url("publish"))["Location"] == url("republish")
    response = admin_client.post(url("publish"), follow=True)
    assert response.redirect_chain == [(url("republish"), 302)]
    assert f"2024-25 Q1 was published by {administrator} after you opened the page" in text(
        response
    )
    assert PublishedQuarter.objects.get().publication == 1


@pytest.mark.parametrize("persona_name", ["working_group_member", "health_lead"])
def test_only_administrators_publish(client, request, persona_name, records):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.post(url("publish")).status_code == 403
    assert not PublishedQuarter.objects.exists()


def test_only_administrators_republish(client, working_group_member, administrator):
    quarter_publish(quarter=Q1, user=administrator)
    client.force_login(working_group_member)
    assert client.post(url("republish"), {"reason": "x", "publication": 1}).status_code == 403
    assert PublishedQuarter.objects.get().publication == 1


# Republishing ------------------------------------------------------------------------------


def test_republishing_shows_the_stored_and_the_new_figures(admin_client, records, administrator):
    quarter_publish(quarter=Q1, user=administrator)
    late_record()
    row = figure_row(admin_client.get(url("republish")), "CP_NEGLECT_SHARE")
    assert NEGLECT_SHARE in row and AFTER_LATE_RECORD in row and "Changed" in row


def test_republishing_needs_a_reason(admin_client, records, administrator):
    quarter_publish(quarter=Q1, user=administrator)
    response = admin_client.post(url("republish"), {"reason": "  ", "publication": 1})
    assert response.status_code == 200
    assert text(response).count("Enter why the quarter is being published again") == 2
    assert PublishedQuarter.objects.get().publication == 1


def test_republishing_replaces_the_figures_and_keeps_the_old_ones_in_history(
    admin_client, records, administrator
):
    quarter_publish(quarter=Q1, user=administrator)
    late_record()
    response = admin_client.post(
        url("republish"), {"reason": "Late plan recorded", "publication": 1, **CONFIRMED}
    )
    assert response["Location"] == url("dashboard")
    published = PublishedQuarter.objects.get()
    assert (published.publication, published.reason) == (2, "Late plan recorded")
    share = published.figures.get(code="CP_NEGLECT_SHARE")
    assert share.numerator == 4
    assert sorted(share.history.values_list("numerator", flat=True)) == [3, 4]
    assert "Late plan recorded" in text(admin_client.get(url("dashboard")))


def test_a_republish_by_someone_else_in_between_is_refused_and_keeps_the_reason(
    admin_client, records, administrator
):
    quarter_publish(quarter=Q1, user=administrator)
    admin_client.get(url("republish"))  # opened at publication 1
    quarter_republish(
        quarter=Q1, user=UserFactory(role="administrator"), reason="Theirs", expected_publication=1
    )
    response = admin_client.post(
        url("republish"), {"reason": "Mine", "publication": 1, **CONFIRMED}
    )
    assert response.status_code == 200
    assert "Someone else published 2024-25 Q1 again after you opened this page" in text(response)
    html = response.content.decode()
    assert "Mine" in html and 'name="publication" value="2"' in html
    published = PublishedQuarter.objects.get()
    assert (published.publication, published.reason) == (2, "Theirs")


# Restatements ------------------------------------------------------------------------------


def test_the_restatements_page_shows_the_published_and_the_new_value(
    client, working_group_member, records, administrator
):
    quarter_publish(quarter=Q1, user=administrator)
    late_record()
    client.force_login(working_group_member)
    response = client.get(url("restatements"))
    row = figure_row(response, "CP_NEGLECT_SHARE")
    assert NEGLECT_SHARE in row and AFTER_LATE_RECORD in row
    assert "Republish" not in text(response)  # a reader is not offered republishing


def test_with_nothing_changed_there_are_no_restatements(admin_client, records, administrator):
    quarter_publish(quarter=Q1, user=administrator)
    response = admin_client.get(url("restatements"))
    assert 'id="no-restatements"' in response.content.decode()
    assert 'id="figures"' not in response.content.decode()


def test_an_unpublished_quarter_has_nothing_to_restate(admin_client):
    assert "has not been published" in text(admin_client.get(url("restatements")))


# The dashboard's links ---------------------------------------------------------------------


def test_an_administrator_is_offered_to_publish_a_closed_quarter(admin_client):
    page = text(admin_client.get(url("dashboard")))
    assert "Publish this quarter" in page
    assert "Check for restatements" not in page


def test_an_administrator_is_offered_to_republish_and_check_a_published_quarter(
    admin_client, administrator
):
    quarter_publish(quarter=Q1, user=administrator)
    html = admin_client.get(url("dashboard")).content.decode()
    assert url("republish") in html and url("restatements") in html
    assert "Publish this quarter" not in html


def test_an_open_quarter_offers_no_publishing(admin_client):
    html = admin_client.get(url("dashboard", Quarter.containing(dates.today()))).content.decode()
    assert "/publish/" not in html and "/republish/" not in html


def test_readers_are_not_offered_publishing_but_may_check_restatements(
    client, working_group_member, administrator
):
    quarter_publish(quarter=Q1, user=administrator)
    client.force_login(working_group_member)
    html = client.get(url("dashboard")).content.decode()
    assert url("republish") not in html and url("publish") not in html
    assert url("restatements") in html


def test_open_challenges_are_listed_before_publishing_and_need_confirming(
    admin_client, records, administrator, working_group_member
):
    from actionplans.models import Challenge

    agency_return_submit(
        agency=administrator.agency,
        quarter=Q1,
        staff_trained=10,
        target_workforce=20,
        user=administrator,
        today=date(2024, 7, 1),
    )
    for quarter, label in ((Q1, "Referrals for neglect, 2024-25 Q1"), (Q1.next(), "Later")):
        Challenge.objects.create(
            subject="indicator",
            quarter=quarter.slug,
            indicator_code="REFERRALS_NEGLECT",
            subject_label=label,
            agency=administrator.agency,
            text="Why?",
            due_date=date(2030, 1, 1),
            raised_by=working_group_member,
        )
    page = text(admin_client.get(url("publish")))
    assert "2024-25 Q1 is not complete: 1 return not submitted and 1 challenge open." in page
    assert "Referrals for neglect, 2024-25 Q1" in page
    assert "Later" not in page  # raised on a later quarter: not this publication's business
    assert admin_client.post(url("publish")).status_code == 200
    assert not PublishedQuarter.objects.exists()
    assert admin_client.post(url("publish"), CONFIRMED)["Location"] == url("dashboard")
