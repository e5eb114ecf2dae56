"""The census import's bulk insert: on PostgreSQL by COPY, elsewhere simple_history's
bulk_create_with_history; either way the same records and creation history rows."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.census_copy import create_with_history
from cases.models import Child, Referral
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

REASON = "CIN census import, run 7"
# Text COPY must escape, and JSON with quotes and a backslash in it.
AWKWARD = "tab\there, new\nline, return\r, back\\slash, 'quotes' \"too\", \\N, é"


def children(prefix, worker=None):
    return [
        Child(
            la_child_id=f"{prefix}1",
            given_name=AWKWARD,
            family_name="",
            date_of_birth=date(2015, 3, 27),
            sex="M",
            ethnicity="WBRI",
            disabilities=["HAND", 'a "quoted" \\ code'],
            allocated_worker=worker,
        ),
        Child(
            la_child_id=f"{prefix}2",
            expected_date_of_birth=date(2025, 6, 1),
            upn="A123456789012",
            disabilities=[],
        ),
    ]


def stored(model, rows, ignore):
    return [
        {k: v for k, v in row.items() if k not in ignore}
        for row in model.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk").values()
    ]


def history_of(model, rows, ignore):
    return [
        {k: v for k, v in row.items() if k not in ignore}
        for row in model.history.filter(id__in=[r.pk for r in rows]).order_by("id").values()
    ]


def test_it_writes_the_records_and_history_bulk_create_with_history_writes(administrator):
    started = timezone.now()
    copied = children("COPY", administrator)
    create_with_history(Child, copied, user=administrator, change_reason=REASON)
    created = bulk_create_with_history(
        children("BULK", administrator),
        Child,
        default_user=administrator,
        default_change_reason=REASON,
    )

    ignore = {"id", "la_child_id"}
    assert stored(Child, copied, ignore) == stored(Child, created, ignore)
    assert stored(Child, copied, ignore)[0]["given_name"] == AWKWARD
    history_ignore = {"id", "la_child_id", "history_id", "history_date"}
    assert history_of(Child, copied, history_ignore) == history_of(Child, created, history_ignore)
    rows = Child.history.filter(id__in=[c.pk for c in copied])
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in rows] == [
        ("+", administrator, REASON)
    ] * 2
    assert all(started <= r.history_date <= timezone.now() for r in rows)


def test_each_object_gets_the_id_it_was_saved_under():
    objs = children("ID")
    create_with_history(Child, objs, user=None, change_reason=REASON)

    assert [o.pk for o in objs] == [Child.objects.get(la_child_id=o.la_child_id).pk for o in objs]
    # Ids were taken from the table's own sequence: a child added afterwards gets a new one.
    assert ChildFactory().pk > max(o.pk for o in objs)


def test_without_a_user_history_names_nobody():
    objs = children("NOUSER")
    create_with_history(Child, objs, user=None, change_reason=REASON)

    assert (
        list(Child.history.values_list("history_user", "history_change_reason"))
        == [(None, REASON)] * 2
    )


def test_booleans_foreign_keys_and_empty_dates_are_written(administrator):
    child = ChildFactory()
    referrals = [
        Referral(
            child_id=child.pk,
            referral_date=date(2024, 5, 1),
            source="1A",
            presenting_factors=["neglect"],
            neglect_presenting=True,
            no_further_action=False,
            recorded_by=administrator,
        ),
        Referral(child_id=child.pk, referral_date=date(2024, 9, 1), no_further_action=True),
    ]
    create_with_history(Referral, referrals, user=administrator, change_reason=REASON)

    assert list(
        Referral.objects.order_by("referral_date").values_list(
            "neglect_presenting", "no_further_action", "recorded_by", "closure_date"
        )
    ) == [(True, False, administrator.pk, None), (False, True, None, None)]
    assert list(
        Referral.history.order_by("referral_date").values_list("child_id", "no_further_action")
    ) == [(child.pk, False), (child.pk, True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_is_counted_in_query_budgets():
    with CaptureQueriesContext(connection) as captured:
        create_with_history(Child, children("COUNTED"), user=None, change_reason=REASON)

    statements = [q["sql"].split()[0] for q in captured.captured_queries]
    # The ids, the records, their history.
    assert statements == ["SELECT", "COPY", "COPY"]


def test_a_clash_with_a_record_already_there_is_an_integrity_error():
    ChildFactory(la_child_id="CLASH1")

    with pytest.raises(IntegrityError), transaction.atomic():
        create_with_history(Child, children("CLASH"), user=None, change_reason=REASON)

    assert not Child.objects.filter(la_child_id="CLASH2").exists()


def test_with_history_turned_off_only_the_records_are_written(settings):
    settings.SIMPLE_HISTORY_ENABLED = False

    create_with_history(Child, children("QUIET"), user=None, change_reason=REASON)

    assert (Child.objects.count(), Child.history.count()) == (2, 0)
