import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import search
from cases.models import Child
from neglect_portal import access
from tests.factories import (
    AssessmentFactory,
    ChildFactory,
    CINPlanFactory,
    CPPlanFactory,
    InvolvementFactory,
)

pytestmark = pytest.mark.django_db
CHILD_LINKS = re.compile(r'href="/children/\d+/"')


@pytest.fixture
def worker_client(client, csc_social_worker):
    client.force_login(csc_social_worker)
    return client


def many_children(count):
    # bulk_create: a thousand factory children with their history would take minutes.
    Child.objects.bulk_create(
        Child(la_child_id=f"B{i:06d}", family_name=f"Family{i:04d}", date_of_birth=date(2015, 1, 1))
        for i in range(count)
    )


def count_line(html):
    return re.search(r'<p class="govuk-body" role="status">\s*(.*?)\s*</p>', html, re.S).group(1)


# The count's cap ---------------------------------------------------------------------------


def test_over_a_thousand_children_are_counted_as_more_than_1000(worker_client):
    many_children(1001)
    html = worker_client.get(reverse("cases:child_list")).content.decode()
    assert count_line(html) == "More than 1,000 children"
    assert len(CHILD_LINKS.findall(html)) == 25


def test_a_thousand_children_are_counted_exactly(worker_client):
    many_children(1000)
    html = worker_client.get(reverse("cases:child_list")).content.decode()
    assert count_line(html) == "1,000 children"


def test_the_count_reads_at_most_1001_rows(worker_client, django_assert_max_num_queries):
    many_children(1001)
    with CaptureQueriesContext(connection) as queries:
        worker_client.get(reverse("cases:child_list"))
    child_count = 'SELECT COUNT(*) FROM (SELECT "cases_child"'
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(child_count)]
    assert len(counts) == 1 and "LIMIT 1001" in counts[0]
    with django_assert_max_num_queries(8):
        worker_client.get(reverse("cases:child_list"))


def test_pages_past_the_cap_stay_reachable(worker_client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 30)
    many_children(60)
    url = reverse("cases:child_list")
    page1 = worker_client.get(url).content.decode()
    assert count_line(page1) == "More than 30 children"
    assert 'aria-label="Page 2"' in page1 and 'rel="next"' in page1
    # Each page counts up to the cap past its own start, so the numbers reach further on...
    page2 = worker_client.get(url + "?page=2").content.decode()
    assert count_line(page2) == "More than 55 children"
    assert len(CHILD_LINKS.findall(page2)) == 25 and 'aria-label="Page 3"' in page2
    # ...until they reach the end of the list, when the count is exact.
    page3 = worker_client.get(url + "?page=3").content.decode()
    assert count_line(page3) == "60 children"
    assert len(CHILD_LINKS.findall(page3)) == 10 and 'rel="next"' not in page3
    # A page beyond the end falls back to the last page there is, not an error.
    far = worker_client.get(url + "?page=99999999999999999999")
    assert far.status_code == 200 and len(CHILD_LINKS.findall(far.content.decode())) == 10


def test_a_capped_search_says_more_than_match(worker_client, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 30)
    many_children(31)
    ChildFactory(given_name="Amelia", family_name="Other")
    worker_client.post(reverse("cases:child_list"), {"query": "family"})
    html = worker_client.get(reverse("cases:child_list")).content.decode()
    assert count_line(html) == "More than 30 children match your search"
    assert "Other" not in html


# Filters -----------------------------------------------------------------------------------


def test_the_neglect_plan_filter_finds_both_kinds_of_plan(worker_client, health):
    on_cp = CPPlanFactory(referral__child__given_name="Protected").referral.child
    cin = CINPlanFactory(referral__child__given_name="Supported")
    AssessmentFactory(referral=cin.referral)  # identifies neglect (factor 16A)
    CINPlanFactory(referral__child__given_name="Unassessed")
    ChildFactory(given_name="Unplanned")
    InvolvementFactory(child=on_cp, agency=health)
    worker_client.post(reverse("cases:child_list"), {"on_neglect_plan": "on"})
    html = worker_client.get(reverse("cases:child_list")).content.decode()
    assert "Protected" in html and "Supported" in html
    assert "Unassessed" not in html and "Unplanned" not in html
    worker_client.post(reverse("cases:child_list"), {"on_neglect_plan": "on", "agency": health.pk})
    html = worker_client.get(reverse("cases:child_list")).content.decode()
    assert "Protected" in html and "Supported" not in html


def test_a_partner_sees_only_its_own_children_through_the_filters(client, health_lead, health):
    ours = CPPlanFactory(referral__child__given_name="Ours").referral.child
    InvolvementFactory(child=ours, agency=health)
    theirs = CPPlanFactory(referral__child__given_name="Theirs").referral.child
    InvolvementFactory(child=theirs)  # another agency's
    client.force_login(health_lead)
    client.post(reverse("cases:child_list"), {"on_neglect_plan": "on"})
    html = client.get(reverse("cases:child_list")).content.decode()
    assert "Ours" in html and "Theirs" not in html
    assert count_line(html) == "1 child matches your search"


# PostgreSQL: the search uses the expression indexes ---------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="expression indexes are PostgreSQL's")
def test_the_name_and_id_search_uses_the_prefix_indexes(csc_social_worker):
    ChildFactory.create_batch(5)
    children = search.apply_search(access.children_visible_to(csc_social_worker), {"query": "ab"})
    with connection.cursor() as cursor:
        # A tiny table is read whole; with sequential scans priced out the plan shows whether
        # the indexes can answer the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = children.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("child_given_name_prefix_idx", "child_family_name_prefix_idx"):
        assert index in plan
    assert "child_la_child_id_prefix_idx" in plan
