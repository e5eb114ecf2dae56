from datetime import date
from decimal import Decimal

import pytest

from dataset.indicators import COMPUTED_CODES, DEFINITIONS_VERSION
from dataset.models import PublishedFigure, PublishedQuarter
from dataset.selectors import figures_for, published_figures, restatements
from dataset.services import PublishRefused, quarter_publish, quarter_republish
from neglect_portal.models import User
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import StaleEdit
from tests.dataset.builders import cp_plan, referral
from tests.factories import AgencyFactory, ChildFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)
AFTER = date(2024, 7, 1)


@pytest.fixture
def admin_user():
    return User.objects.create(
        username="admin", role=User.Role.ADMINISTRATOR, agency=AgencyFactory()
    )


@pytest.fixture
def records():
    for i in range(4):
        child = ChildFactory()
        cp_plan(child, date(2024, 1, 1), initial="NEG" if i else "PHY")
        referral(child, date(2024, 5, 1), neglect=i == 0)


def test_publishing_stores_every_figure_with_the_definitions_version_and_who(records, admin_user):
    published = quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    published.refresh_from_db()
    assert published.quarter == Q1
    assert (published.definitions_version, published.published_by, published.publication) == (
        DEFINITIONS_VERSION,
        admin_user,
        1,
    )
    codes = set(published.figures.values_list("code", flat=True))
    assert codes == {*COMPUTED_CODES, "TRAINING_COVERAGE"}
    share = published.figures.get(code="CP_NEGLECT_SHARE")
    assert (share.numerator, share.denominator, share.value) == (3, 4, Decimal("75.0"))
    assert published.history.get().history_user == admin_user


@pytest.mark.parametrize("today", [date(2024, 6, 30), date(2024, 5, 1)])
def test_an_open_quarter_cannot_be_published(admin_user, today):
    with pytest.raises(PublishRefused, match="until it has ended"):
        quarter_publish(quarter=Q1, user=admin_user, today=today)
    assert not PublishedQuarter.objects.exists()


def test_publishing_twice_is_refused_republishing_is_explicit(records, admin_user):
    quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    with pytest.raises(PublishRefused, match="already published"):
        quarter_publish(quarter=Q1, user=admin_user, today=AFTER)


def test_two_publishes_at_once_refuse_the_later_clearly(records, admin_user, monkeypatch):
    # A double click on "Publish": both looked before either saved, so no row was locked.
    from django.db.models.query import QuerySet

    quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    exists = QuerySet.exists
    monkeypatch.setattr(
        QuerySet, "exists", lambda qs: False if qs.model is PublishedQuarter else exists(qs)
    )
    with pytest.raises(PublishRefused, match="already published"):
        quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    assert PublishedQuarter.objects.count() == 1


def test_published_quarters_show_published_figures_and_later_changes_are_restatements(
    records, admin_user
):
    published = quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    cp_plan(ChildFactory(), date(2024, 2, 1))  # recorded late: part of Q1 after publication
    shown = figures_for(Q1)
    assert shown["CP_NEGLECT_SHARE"].published == published
    assert shown["CP_NEGLECT_SHARE"].value == Decimal("75.0")
    changed = {r.code: r for r in restatements(published)}
    # The new child is on a CP plan for neglect, started in February with no review by
    # 30 June: every figure counting such children moves.
    assert set(changed) == {
        "CP_NEGLECT_SHARE",
        "CP_OPEN_15M",
        "TOOLKIT_MANDATORY_COMPLETE",
        "CP_REVIEW_OVERDUE",
        "WORKER_CHANGES_12M",
    }
    assert (
        changed["CP_NEGLECT_SHARE"].published.value,
        changed["CP_NEGLECT_SHARE"].live.value,
    ) == (Decimal("75.0"), Decimal("80.0"))


def test_published_figures_compare_equal_to_the_live_ones_they_came_from(records, admin_user):
    published = quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    assert restatements(published) == []


def test_an_unpublished_quarter_is_computed_live(records):
    shown = figures_for(Q1)
    assert shown["CP_NEGLECT_SHARE"].published is None
    assert shown["CP_NEGLECT_SHARE"].numerator == 3


def test_a_published_quarter_reads_in_three_queries(records, admin_user, django_assert_num_queries):
    quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    # The snapshot and its figures, and which indicators the agencies submit (none here).
    with django_assert_num_queries(3):
        figures_for(Q1)


def test_republishing_replaces_the_figures_and_history_keeps_the_old_ones(records, admin_user):
    quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    cp_plan(ChildFactory(), date(2024, 2, 1))
    other = User.objects.create(
        username="admin2", role=User.Role.ADMINISTRATOR, agency=admin_user.agency
    )
    published = quarter_republish(
        quarter=Q1, user=other, reason="Late CP plan recorded", expected_publication=1, today=AFTER
    )
    published.refresh_from_db()
    assert (published.publication, published.published_by, published.reason) == (
        2,
        other,
        "Late CP plan recorded",
    )
    share = published.figures.get(code="CP_NEGLECT_SHARE")
    assert share.value == Decimal("80.0")
    old_values = list(
        PublishedFigure.history.filter(id=share.pk)
        .order_by("history_date")
        .values_list("value", "history_user__username", "history_change_reason")
    )
    assert old_values == [
        (Decimal("75.0"), "admin", None),
        (Decimal("80.0"), "admin2", "Late CP plan recorded"),
    ]
    # Unchanged figures are left alone, so history shows only what was restated.
    assert PublishedFigure.history.filter(code="REFERRALS_NEGLECT").count() == 1
    assert published.history.count() == 2
    assert restatements(published) == []


def test_republishing_needs_a_reason_a_publication_and_the_current_version(records, admin_user):
    with pytest.raises(PublishRefused, match="not been published"):
        quarter_republish(
            quarter=Q1, user=admin_user, reason="x", expected_publication=1, today=AFTER
        )
    quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    with pytest.raises(PublishRefused, match="why"):
        quarter_republish(
            quarter=Q1, user=admin_user, reason="  ", expected_publication=1, today=AFTER
        )
    quarter_republish(
        quarter=Q1, user=admin_user, reason="first", expected_publication=1, today=AFTER
    )
    with pytest.raises(StaleEdit):
        quarter_republish(
            quarter=Q1, user=admin_user, reason="second", expected_publication=1, today=AFTER
        )
    assert PublishedQuarter.objects.get().publication == 2


def test_a_figure_whose_code_was_retired_since_publication_still_reads_back(records, admin_user):
    published = quarter_publish(quarter=Q1, user=admin_user, today=AFTER)
    PublishedFigure.objects.create(
        published_quarter=published,
        code="RETIRED_CODE",
        numerator=7,
        denominator=None,
        value=Decimal("7"),
    )
    figures = published_figures(published)
    assert figures["RETIRED_CODE"].value == Decimal("7")
    assert figures["CP_NEGLECT_SHARE"].value == Decimal("75.0")
