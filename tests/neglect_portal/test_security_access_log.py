"""Issue 11, the access-log finding: drill-down CSV exports and searches that return named
children were not in the access log. Now every list of named children shown or exported (a
children search, a drill-down page, a drill-down CSV) writes one entry: who, when, which list,
and how many children it named, with no child's name and no words searched for."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import ChildListAccess
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cp_plan, referral
from tests.factories import ChildFactory, InvolvementFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)
Kind = ChildListAccess.Kind


def drill_down_url(which="denominator", code="CP_NEGLECT_SHARE", view="members"):
    return reverse(f"dataset:{view}", args=[Q1.slug, code, which])


def children_on_plans(count):
    return [cp_plan(ChildFactory(), date(2024, 1, 1 + i)).referral.child for i in range(count)]


def search(client, **criteria):
    response = client.post(reverse("cases:child_list"), criteria)
    assert response.status_code == 302
    return client.get(response["Location"])


def inserts(queries) -> int:
    return sum(
        query["sql"].startswith('INSERT INTO "cases_childlistaccess"')
        for query in queries.captured_queries
    )


def assert_names_no_one(entry, children, *typed):
    # Everything the entry keeps but the user (a random factory name may be a child's too).
    logged = f"{entry.what} {entry.get_kind_display()} {entry.children}"
    for child in children:
        assert child.given_name not in logged and child.family_name not in logged
        assert child.la_child_id not in logged
    for words in typed:
        assert words not in logged


# Drill-down exports ------------------------------------------------------------------------


def test_a_drill_down_csv_export_writes_one_entry_with_the_user_the_export_and_the_children(
    client, administrator
):
    children = children_on_plans(3)
    client.force_login(administrator)
    response = client.get(drill_down_url(view="members_csv"))
    assert response.status_code == 200
    entry = ChildListAccess.objects.get()
    assert entry.user == administrator
    assert entry.kind == Kind.DRILL_DOWN_CSV
    assert entry.what == "CP_NEGLECT_SHARE in the denominator, 2024-25 Q1"
    assert entry.children == 3
    assert entry.at is not None
    assert_names_no_one(entry, children)


def test_an_export_counts_children_not_rows(client, administrator):
    twice = ChildFactory()
    referral(twice, date(2024, 4, 10))
    referral(twice, date(2024, 5, 10))
    referral(ChildFactory(), date(2024, 6, 10))
    client.force_login(administrator)
    response = client.get(drill_down_url(code="REFERRALS_NEGLECT", view="members_csv"))
    assert response.content.decode().count("Referral") == 3
    assert ChildListAccess.objects.get().children == 2


def test_an_export_counts_only_the_children_the_viewer_may_see(client, health_lead, health):
    children = children_on_plans(4)
    InvolvementFactory(child=children[0], agency=health, start_date=date(2024, 1, 1))
    client.force_login(health_lead)
    client.get(drill_down_url(view="members_csv"))
    entry = ChildListAccess.objects.get()
    assert (entry.user, entry.children) == (health_lead, 1)


def test_an_export_that_names_no_child_writes_no_entry(client, administrator):
    client.force_login(administrator)
    assert client.get(drill_down_url(view="members_csv")).status_code == 200
    assert not ChildListAccess.objects.exists()


@pytest.mark.parametrize("children", [3, 30])
def test_an_export_adds_one_insert_whatever_the_number_of_children(
    client, administrator, children, django_assert_max_num_queries
):
    children_on_plans(children)
    client.force_login(administrator)
    client.get(drill_down_url(view="members_csv"))  # the worker has stored the figures
    # The session, the user, the stored result, the records in one chunk, and the entry.
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        client.get(drill_down_url(view="members_csv"))
    assert inserts(queries) == 1


# Drill-down pages --------------------------------------------------------------------------


def test_each_drill_down_page_viewed_writes_an_entry_with_its_children(client, administrator):
    children = children_on_plans(30)
    client.force_login(administrator)
    client.get(drill_down_url())
    client.get(drill_down_url(), {"page": 2})
    entries = ChildListAccess.objects.order_by("pk")
    assert [(e.user, e.kind, e.what, e.children) for e in entries] == [
        (
            administrator,
            Kind.DRILL_DOWN,
            "CP_NEGLECT_SHARE in the denominator, 2024-25 Q1, page 1",
            25,
        ),
        (
            administrator,
            Kind.DRILL_DOWN,
            "CP_NEGLECT_SHARE in the denominator, 2024-25 Q1, page 2",
            5,
        ),
    ]
    for entry in entries:
        assert_names_no_one(entry, children)


def test_a_member_shown_counts_only_writes_no_entry(client, working_group_member):
    children_on_plans(3)
    client.force_login(working_group_member)
    assert client.get(drill_down_url()).status_code == 200
    assert client.get(drill_down_url(view="members_csv")).status_code == 403
    assert not ChildListAccess.objects.exists()


def test_pages_without_named_children_write_no_entry(client, administrator):
    children_on_plans(3)
    client.force_login(administrator)
    client.get(reverse("dataset:dashboard", args=[Q1.slug]))
    client.get(reverse("dataset:indicator", args=[Q1.slug, "CP_NEGLECT_SHARE"]))
    client.get(reverse("dataset:dashboard_csv", args=[Q1.slug]))
    client.get(drill_down_url(which="numerator", code="REFERRALS_NEGLECT"))  # nobody referred
    assert not ChildListAccess.objects.exists()


def test_the_drill_down_page_keeps_its_query_budget_with_the_entry(
    client, administrator, django_assert_max_num_queries
):
    children_on_plans(30)
    client.force_login(administrator)
    client.get(drill_down_url())  # the worker has stored the figures
    # The budget of tests/dataset/test_pages.py, which already had room for the one insert.
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as queries:
        client.get(drill_down_url())
    assert inserts(queries) == 1


# Children search ---------------------------------------------------------------------------


@pytest.fixture
def zebedees(health):
    found = [ChildFactory(given_name="Zebedee", family_name=f"Smith{i}") for i in range(2)]
    ChildFactory(given_name="Ermintrude", family_name="Jones")
    return found


def test_a_children_search_writes_an_entry_with_the_count_and_no_search_text(
    client, csc_social_worker, zebedees
):
    client.force_login(csc_social_worker)
    html = search(client, query="Zebedee").content.decode()
    assert html.count("Zebedee") >= 2
    entry = ChildListAccess.objects.get()
    assert entry.user == csc_social_worker
    assert entry.kind == Kind.CHILD_SEARCH
    assert entry.what == "Children search: name or LA child ID, page 1"
    assert entry.children == 2
    assert_names_no_one(entry, zebedees, "Zebedee")


def test_a_search_by_date_of_birth_says_so_without_the_date(client, csc_social_worker):
    child = ChildFactory(date_of_birth=date(2018, 3, 27))
    client.force_login(csc_social_worker)
    search(client, query="27/3/2018")
    entry = ChildListAccess.objects.get()
    assert (entry.what, entry.children) == ("Children search: date of birth, page 1", 1)
    assert_names_no_one(entry, [child], "27/3/2018", "2018")


def test_a_search_by_filters_names_the_filters(client, csc_social_worker, health):
    child = cp_plan(ChildFactory(), date(2024, 1, 1)).referral.child
    InvolvementFactory(child=child, agency=health, start_date=date(2024, 1, 1))
    client.force_login(csc_social_worker)
    search(client, on_cp_plan="on", agency=health.pk)
    entry = ChildListAccess.objects.get()
    assert entry.what == (
        "Children search: on a child protection plan, agency involved: Community Health Trust, "
        "page 1"
    )
    assert entry.children == 1


def test_each_page_of_search_results_viewed_writes_an_entry(client, csc_social_worker):
    for i in range(30):
        ChildFactory(given_name="Zebedee", family_name=f"Smith{i:02}")
    client.force_login(csc_social_worker)
    search(client, query="Zebedee")
    client.get(reverse("cases:child_list"), {"page": 2})
    assert list(ChildListAccess.objects.order_by("pk").values_list("what", "children")) == [
        ("Children search: name or LA child ID, page 1", 25),
        ("Children search: name or LA child ID, page 2", 5),
    ]


def test_the_unfiltered_children_list_writes_no_entry(client, csc_social_worker, zebedees):
    client.force_login(csc_social_worker)
    assert "Zebedee" in client.get(reverse("cases:child_list")).content.decode()
    search(client, clear="1")
    search(client, query="")
    assert not ChildListAccess.objects.exists()


def test_a_search_that_finds_no_one_writes_no_entry(client, csc_social_worker, zebedees):
    client.force_login(csc_social_worker)
    search(client, query="Nobody")
    assert not ChildListAccess.objects.exists()


@pytest.mark.parametrize("count", [5, 50])
def test_a_search_costs_one_insert_more_than_the_children_list(
    client, csc_social_worker, count, django_assert_max_num_queries
):
    for i in range(count):
        ChildFactory(given_name="Zebedee", family_name=f"Smith{i:02}")
    client.force_login(csc_social_worker)
    client.post(reverse("cases:child_list"), {"query": "Zebedee"})
    # The children list's budget (tests/cases/test_pages.py) and the one insert.
    with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:child_list")).status_code == 200
    assert inserts(queries) == 1


# Reading the log ---------------------------------------------------------------------------


@pytest.fixture
def entries(csc_social_worker, health_lead):
    from cases.services import children_listed

    children_listed(
        user=csc_social_worker,
        kind=Kind.CHILD_SEARCH,
        what="Children search: date of birth, page 1",
        children=1,
    )
    children_listed(
        user=health_lead,
        kind=Kind.DRILL_DOWN_CSV,
        what="CP_NEGLECT_SHARE in the numerator, 2024-25 Q1",
        children=7,
    )
    return ChildListAccess.objects.order_by("pk")


CHANGELIST = "admin:cases_childlistaccess_changelist"


def test_an_administrator_reads_the_entries_in_the_admin(client, administrator, entries):
    client.force_login(administrator)
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert "Children search: date of birth, page 1" in html
    assert "CP_NEGLECT_SHARE in the numerator, 2024-25 Q1" in html
    detail = client.get(reverse("admin:cases_childlistaccess_change", args=[entries[1].pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_the_admin_filters_by_kind_and_date_and_searches_by_username(
    client, administrator, entries
):
    client.force_login(administrator)
    by_kind = client.get(reverse(CHANGELIST), {"kind__exact": Kind.DRILL_DOWN_CSV})
    assert by_kind.context["cl"].result_count == 1
    changelist = client.get(reverse(CHANGELIST)).context["cl"]
    (dates,) = [spec for spec in changelist.filter_specs if spec.field_path == "at"]
    (today,) = [c for c in dates.choices(changelist) if c["display"] == "Today"]
    assert client.get(reverse(CHANGELIST) + today["query_string"]).context["cl"].result_count == 2
    by_user = client.get(reverse(CHANGELIST), {"q": "health-lead"})
    assert [entry.user.username for entry in by_user.context["cl"].result_list] == ["health-lead"]


@pytest.mark.parametrize(
    "persona", ["csc_social_worker", "csc_team_manager", "health_lead", "working_group_member"]
)
def test_the_admin_refuses_everyone_else(client, persona, request, entries):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    change = reverse("admin:cases_childlistaccess_change", args=[entries[0].pk])
    assert client.get(change).status_code == 403


def test_nobody_adds_changes_or_deletes_entries_in_the_admin(client, administrator, entries):
    client.force_login(administrator)
    entry = entries[0]
    assert client.get(reverse("admin:cases_childlistaccess_add")).status_code == 403
    change = reverse("admin:cases_childlistaccess_change", args=[entry.pk])
    assert client.post(change, {"what": "edited", "children": 0}).status_code == 403
    delete = reverse("admin:cases_childlistaccess_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.what, entry.children) == ("Children search: date of birth, page 1", 1)
    assert ChildListAccess.objects.count() == 2


def test_entries_cannot_be_changed_or_deleted(entries):
    entry = entries[0]
    entry.children = 0
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.children == 1
