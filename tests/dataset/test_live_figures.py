"""The stored figures (dataset/results.py) and the worker keeping them current (dataset/live.py):
pages read what was stored, never computing a quarter while someone waits."""

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from cases.models import Child
from dataset import breakdown, computation, live, results, selectors
from dataset.result_models import QuarterResult, ResultAgencyCount, ResultFigure, ResultMember
from dataset.services import quarter_publish
from dataset.tasks import refresh_every_quarter, refresh_live_figures
from neglect_portal import access
from neglect_portal.quarters import Quarter
from tests.dataset.builders import chronology_entry, cp_plan, tool
from tests.factories import ChildFactory, InvolvementFactory, UserFactory
from toolkit.models import SDQ

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
SLUG = Q1.slug


@pytest.fixture
def records(health):
    """Three children on neglect plans (one known to health, with health's SDQ) and one on a
    plan for physical abuse."""
    nurse = UserFactory(agency=health)
    children = [ChildFactory(given_name=f"Zanzibarr{i}") for i in range(4)]
    for i, child in enumerate(children):
        cp_plan(child, date(2024, 1, 2 + i), initial="NEG" if i < 3 else "PHY")
    InvolvementFactory(child=children[0], agency=health, start_date=date(2024, 1, 1))
    tool(SDQ, children[0], nurse, date(2024, 5, 1), informant="parent")
    return children


@pytest.fixture
def database_queue(settings):
    # The real queue, as in production: a task waits for the worker instead of running.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _stored_members(result, code, which):
    return set(
        ResultMember.objects.filter(result=result, code=code, which=which).values_list(
            "record_id", flat=True
        )
    )


@pytest.mark.worker_idle
def test_a_stored_result_holds_the_figures_breakdowns_and_records_computed(records):
    result = results.store(Q1)

    assert results.figures(result) == computation.compute(Q1)
    for code in breakdown.BY_AGENCY:
        assert results.agency_figures(result, code) == breakdown.by_agency(code, Q1), code
    numerator, denominator = computation.members("CP_NEGLECT_SHARE", Q1)
    assert _stored_members(result, "CP_NEGLECT_SHARE", "numerator") == {
        child.pk for child in records[:3]
    }
    assert _stored_members(result, "CP_NEGLECT_SHARE", "denominator") == set(
        denominator.values_list("pk", flat=True)
    )
    assert len(_stored_members(result, "CP_NEGLECT_SHARE", "denominator")) == 4


@pytest.mark.worker_idle
def test_storing_a_quarter_again_replaces_its_live_result(records):
    first = results.store(Q1)
    cp_plan(ChildFactory(), date(2024, 2, 1))  # a fourth neglect plan
    second = results.store(Q1)

    assert second.pk == first.pk  # one live result per quarter, recalculated in place
    assert QuarterResult.objects.filter(quarter=Q1).count() == 1
    assert results.figures(second)["CP_NEGLECT_SHARE"].numerator == 4
    assert ResultFigure.objects.filter(result=second, code="CP_NEGLECT_SHARE").count() == 1
    assert len(_stored_members(second, "CP_NEGLECT_SHARE", "numerator")) == 4


@pytest.mark.worker_idle
def test_pages_read_the_stored_figures_and_never_compute(records, client, health_lead, monkeypatch):
    live.refresh(Q1.last(8))
    live.refresh([Q1.previous().previous()])  # the previous quarter's trend reaches back
    # (computation.members still names the models listed, without running a query.)
    monkeypatch.setattr(computation, "compute", _refuse)
    monkeypatch.setattr(breakdown, "by_agency", _refuse)
    monkeypatch.setattr(computation, "weekly_chronology_entries", _refuse)
    monkeypatch.setattr(computation, "toolkit_children_to_date", _refuse)
    client.force_login(health_lead)

    for url in (
        reverse("dataset:dashboard", args=[SLUG]),
        reverse("dataset:indicator", args=[SLUG, "SDQ_COMPLETED"]),
        reverse("dataset:indicator", args=[SLUG, "CHRONOLOGY_ENTRIES_WEEKLY"]),
        reverse("dataset:indicator", args=[SLUG, "TOOLKIT_CHILDREN"]),
        reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]),
    ):
        assert client.get(url).status_code == 200, url


def _refuse(*args, **kwargs):
    raise AssertionError("a page computed figures")


@pytest.mark.worker_idle
def test_the_weekly_entries_and_the_toolkits_running_total_are_those_stored(
    records, client, health, health_lead
):
    nurse = UserFactory(agency=health)
    chronology_entry(records[0], nurse, date(2024, 5, 14))
    results.store(Q1)
    chronology_entry(records[1], nurse, date(2024, 5, 15))  # after the calculation
    tool(SDQ, records[1], nurse, date(2024, 5, 16), informant="parent")
    client.force_login(health_lead)

    weekly = client.get(reverse("dataset:indicator", args=[SLUG, "CHRONOLOGY_ENTRIES_WEEKLY"]))
    assert [week.entries for week in weekly.context["weeks"] if week.entries] == [1]
    toolkit = client.get(reverse("dataset:indicator", args=[SLUG, "TOOLKIT_CHILDREN"]))
    assert (toolkit.context["to_date"], toolkit.context["to_date_as_at"]) == (1, Q1.end)

    results.store(Q1)
    weekly = client.get(reverse("dataset:indicator", args=[SLUG, "CHRONOLOGY_ENTRIES_WEEKLY"]))
    assert [week.entries for week in weekly.context["weeks"] if week.entries] == [2]
    toolkit = client.get(reverse("dataset:indicator", args=[SLUG, "TOOLKIT_CHILDREN"]))
    assert toolkit.context["to_date"] == 2


@pytest.mark.worker_idle
def test_a_result_stored_before_its_series_were_counts_them_from_the_records(
    records, client, health_lead
):
    result = results.store(Q1)
    QuarterResult.objects.filter(pk=result.pk).update(series={})
    client.force_login(health_lead)

    toolkit = client.get(reverse("dataset:indicator", args=[SLUG, "TOOLKIT_CHILDREN"]))
    assert (toolkit.context["to_date"], toolkit.context["to_date_as_at"]) == (1, Q1.end)
    weekly = client.get(reverse("dataset:indicator", args=[SLUG, "CHRONOLOGY_ENTRIES_WEEKLY"]))
    assert len(weekly.context["weeks"]) == 13


@pytest.mark.worker_idle
def test_the_drill_down_counts_and_lists_the_stored_records_the_viewer_may_see(
    records, client, health_lead, monkeypatch
):
    live.refresh([Q1])
    cp_plan(ChildFactory(), date(2024, 2, 1))  # not yet recalculated: not listed yet
    client.force_login(health_lead)

    html = client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])).content
    assert "you may see 1 of 3" in html.decode()
    listed = client.get(reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]))
    page = listed.content.decode()
    assert "Zanzibarr0" in page and "Zanzibarr1" not in page


@pytest.mark.worker_idle
def test_a_published_quarter_keeps_the_records_and_breakdowns_it_was_published_with(
    records, administrator, client, working_group_member
):
    results.store(Q1)
    quarter_publish(quarter=Q1, user=administrator, today=date(2024, 7, 1))
    cp_plan(ChildFactory(given_name="Latecomerr"), date(2024, 2, 1))  # a later correction
    live.refresh([Q1])
    client.force_login(administrator)

    listed = client.get(reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]))
    assert "Latecomerr" not in listed.content.decode()
    assert (
        "you may see 3 of 3"
        in client.get(
            reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])
        ).content.decode()
    )
    # The stored live figures show the restatement, without computing on the page.
    page = client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])).content
    assert "Published as 75.0% (3 of 4); the records now give 80.0% (4 of 5)." in page.decode()


@pytest.mark.worker_idle
def test_a_quarter_not_yet_stored_says_so_and_asks_the_worker(
    records, client, working_group_member, database_queue, django_capture_on_commit_callbacks
):
    client.force_login(working_group_member)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(reverse("dataset:dashboard", args=[SLUG])).content.decode()

    assert "The figures for this quarter are being calculated" in html
    waiting = DBTaskResult.objects.get(task_path=refresh_live_figures.module_path)
    assert waiting.status == TaskResultStatus.READY
    assert SLUG in waiting.args_kwargs["args"][0]
    assert waiting.run_after == get_date_max()  # asked for at once, not after settling


@pytest.mark.worker_idle
def test_a_stored_quarter_says_when_its_figures_were_calculated(records, client, administrator):
    result = results.store(Q1)
    QuarterResult.objects.filter(pk=result.pk).update(
        computed_at=timezone.make_aware(timezone.datetime(2024, 7, 3, 10, 42))
    )
    client.force_login(administrator)
    html = client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])).content
    assert "Figures as at 10:42 on 3 July 2024." in html.decode()
    assert "Recalculate now" in html.decode()  # administrators may ask


@pytest.mark.worker_idle
@pytest.mark.parametrize("page", ["dataset:pack", "dataset:impact"])
def test_the_pack_and_the_impact_framework_say_when_the_figures_they_show_were_calculated(
    records, client, working_group_member, database_queue, page
):
    # The as-at line comes from the stored result the page read its figures from.
    result = results.store(Q1)
    QuarterResult.objects.filter(pk=result.pk).update(
        computed_at=timezone.make_aware(timezone.datetime(2024, 7, 3, 10, 42))
    )
    client.force_login(working_group_member)
    html = client.get(reverse(page, args=[SLUG])).content.decode()
    assert "Figures as at 10:42 on 3 July 2024." in html
    assert "Recalculate now" not in html  # only those who publish may ask


@pytest.mark.worker_idle
@pytest.mark.parametrize("page", ["dataset:pack", "dataset:impact"])
def test_the_pack_and_the_impact_framework_with_nothing_stored_say_it_is_being_calculated(
    records, client, working_group_member, database_queue, page
):
    client.force_login(working_group_member)
    html = client.get(reverse(page, args=[SLUG])).content.decode()
    assert "The figures for this quarter are being calculated" in html
    assert "Figures as at" not in html


@pytest.mark.worker_idle
def test_changes_ask_the_worker_once_after_they_settle(
    db, database_queue, django_capture_on_commit_callbacks
):
    from django.db import transaction

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        child = ChildFactory()
        cp_plan(child, date(2024, 2, 1))
    with django_capture_on_commit_callbacks(execute=True):
        cp_plan(ChildFactory(), date(2024, 2, 1))  # while the first is still waiting

    waiting = DBTaskResult.objects.filter(task_path=refresh_live_figures.module_path)
    assert waiting.count() == 1
    assert waiting.get().run_after >= before + live.SETTLE
    assert waiting.get().args_kwargs["args"] == [None]  # the recent quarters


@pytest.mark.worker_idle
def test_a_census_import_asks_for_every_quarter_once_it_has_finished(
    database_queue, django_capture_on_commit_callbacks, administrator
):
    # An import writes in bulk, so no record's own signal asks: the import does.
    census = Path(__file__).parent.parent / "cases" / "census_files" / "valid.xml"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cin_census", str(census), stdout=StringIO())

    waiting = DBTaskResult.objects.filter(task_path=refresh_live_figures.module_path)
    offered = {quarter.slug for quarter in live.every_offered_quarter()}
    assert [set(row.args_kwargs["args"][0] or ()) for row in waiting] == [offered]
    assert waiting.get().priority < 0  # after any import or reminder waiting with it


@pytest.mark.worker_idle
def test_a_refused_import_asks_for_nothing(
    database_queue, django_capture_on_commit_callbacks, administrator
):
    census = Path(__file__).parent.parent / "cases" / "census_files" / "broken_after_good.xml"
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        call_command("import_cin_census", str(census), stderr=StringIO())
    assert not DBTaskResult.objects.filter(task_path=refresh_live_figures.module_path).exists()


@pytest.mark.worker_idle
def test_recalculate_now_is_for_administrators_and_asks_the_worker_at_once(
    client, administrator, working_group_member, database_queue, django_capture_on_commit_callbacks
):
    url = reverse("dataset:refresh", args=[SLUG])
    client.force_login(working_group_member)
    assert client.post(url).status_code == 403
    client.force_login(administrator)
    back = reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": back})

    assert response.status_code == 302 and response["Location"] == back
    waiting = DBTaskResult.objects.get(task_path=refresh_live_figures.module_path)
    assert waiting.args_kwargs["args"] == [[SLUG]]
    assert waiting.run_after == get_date_max()  # at once
    assert client.post(url, {"next": "https://elsewhere.example/"})["Location"] == reverse(
        "dataset:dashboard", args=[SLUG]
    )


@pytest.mark.worker_idle
def test_the_worker_stores_the_recent_quarters_and_every_night_every_offered_one(
    records, database_queue, monkeypatch
):
    monkeypatch.setattr(live, "today", lambda: date(2024, 5, 10))
    monkeypatch.setattr("dataset.tasks.today", lambda: date(2024, 5, 10))

    assert refresh_live_figures.call() == [Q1.previous().slug, SLUG]
    assert set(QuarterResult.objects.values_list("quarter", flat=True)) == {Q1.previous(), Q1}
    # The nightly run is queued by any recalculation, should a stopped worker have lost it.
    assert DBTaskResult.objects.filter(task_path=refresh_every_quarter.module_path).count() == 1

    stored = refresh_every_quarter.call()
    assert stored == [quarter.slug for quarter in live.offered_quarters(date(2024, 5, 10))]
    nightly = DBTaskResult.objects.get(task_path=refresh_every_quarter.module_path)
    assert timezone.localtime(nightly.run_after).time() == live.NIGHTLY_AT
    assert nightly.run_after - timezone.now() < timedelta(days=1)


@pytest.mark.worker_idle
def test_publishing_takes_the_figures_as_last_calculated_without_calculating(
    records, administrator, monkeypatch, database_queue, django_capture_on_commit_callbacks
):
    live_result = results.store(Q1)
    with monkeypatch.context() as refused:
        refused.setattr(computation, "compute", _refuse)
        refused.setattr(computation, "members", _refuse)
        with django_capture_on_commit_callbacks(execute=True):
            published = quarter_publish(quarter=Q1, user=administrator, today=date(2024, 7, 1))

    # The live result, with its records and breakdowns, is now the published one.
    assert published.result.pk == live_result.pk
    assert results.shown_result(Q1) == published.result
    assert _stored_members(published.result, "CP_NEGLECT_SHARE", "numerator") == {
        child.pk for child in records[:3]
    }
    row = published.figures.get(code="CP_NEGLECT_SHARE")
    assert (row.numerator, row.denominator) == (3, 4)
    # And the worker is asked for the quarter's live figures again, for restatements.
    waiting = DBTaskResult.objects.get(task_path=refresh_live_figures.module_path)
    assert waiting.args_kwargs["args"] == [[SLUG]]
    cp_plan(ChildFactory(), date(2024, 2, 1))
    live.refresh([Q1])
    assert results.shown_result(Q1) == published.result  # pages still list what was published
    assert selectors.restated(published, "CP_NEGLECT_SHARE").live.numerator == 4


@pytest.mark.worker_idle
def test_publishing_while_the_figures_are_being_calculated_is_refused_and_publishes_nothing(
    records, administrator
):
    from dataset.models import PublishedQuarter
    from dataset.services import PublishRefused

    with pytest.raises(PublishRefused, match="being calculated"):
        quarter_publish(quarter=Q1, user=administrator, today=date(2024, 7, 1))
    assert not PublishedQuarter.objects.exists()
    assert not QuarterResult.objects.exists()


@pytest.mark.worker_idle
def test_pages_of_a_quarter_not_yet_stored_say_so_and_list_nothing(
    records, client, administrator, database_queue, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    indicator = reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])
    members = reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"])
    csv = reverse("dataset:members_csv", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"])
    with django_capture_on_commit_callbacks(execute=True):
        shown = client.get(indicator).content.decode()
        listed = client.get(members).content.decode()
        assert client.get(csv).status_code == 404

    assert 'id="records-calculating"' in shown and "you may see" not in shown
    assert 'id="records-calculating"' in listed and "Zanzibarr" not in listed
    assert (
        "Being calculated"
        in client.get(reverse("dataset:dashboard_csv", args=[SLUG])).content.decode()
    )
    asked = DBTaskResult.objects.filter(task_path=refresh_live_figures.module_path)
    assert set().union(*(row.args_kwargs["args"][0] for row in asked)) == {
        quarter.slug for quarter in Q1.last(8)
    }
    # Asked again while waiting, nothing more is queued.
    before = asked.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(indicator)
        client.get(members)
    assert asked.count() == before


@pytest.mark.worker_idle
def test_the_publish_page_with_nothing_stored_says_the_figures_are_being_calculated(
    records, client, administrator, database_queue, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(reverse("dataset:publish", args=[SLUG])).content.decode()
    assert "The figures for this quarter are being calculated" in html
    assert DBTaskResult.objects.filter(task_path=refresh_live_figures.module_path).exists()


@pytest.mark.worker_idle
def test_a_failed_calculation_leaves_the_result_before_it_whole(records, monkeypatch):
    before = results.store(Q1)
    cp_plan(ChildFactory(), date(2024, 2, 1))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(computation, "members", broken)
    with pytest.raises(RuntimeError):
        results.store(Q1)

    kept = QuarterResult.objects.get(quarter=Q1)
    assert kept.computed_at == before.computed_at
    assert results.figures(kept)["CP_NEGLECT_SHARE"].numerator == 3
    assert len(_stored_members(kept, "CP_NEGLECT_SHARE", "numerator")) == 3


@pytest.mark.worker_idle
def test_a_first_calculation_that_fails_leaves_no_empty_result(records, monkeypatch):
    monkeypatch.setattr(computation, "members", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        results.store(Q1)
    assert not QuarterResult.objects.exists()


@pytest.mark.worker_idle
def test_a_result_of_earlier_definitions_is_calculated_again_rather_than_shown(
    records, database_queue, django_capture_on_commit_callbacks
):
    result = results.store(Q1)
    QuarterResult.objects.filter(pk=result.pk).update(definitions_version="1")
    with django_capture_on_commit_callbacks(execute=True):
        shown = selectors.figures_for(Q1, ["CP_NEGLECT_SHARE"])["CP_NEGLECT_SHARE"]
    assert shown.calculating and not shown.available
    assert DBTaskResult.objects.filter(task_path=refresh_live_figures.module_path).exists()


@pytest.mark.worker_idle
def test_a_calculation_overlapped_by_another_is_asked_for_again(
    records, database_queue, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(results, "store", lambda quarter: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert live.refresh([Q1]) == []
    waiting = DBTaskResult.objects.get(task_path=refresh_live_figures.module_path)
    assert waiting.args_kwargs["args"] == [[SLUG]]


@pytest.mark.worker_idle
def test_a_quarter_published_before_results_were_stored_lists_its_live_records(
    records, administrator, client
):
    results.store(Q1)
    published = quarter_publish(quarter=Q1, user=administrator, today=date(2024, 7, 1))
    QuarterResult.objects.filter(published=published).delete()  # as published before
    live.refresh([Q1])
    client.force_login(administrator)
    listed = client.get(reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]))
    assert "Zanzibarr0" in listed.content.decode()


@pytest.mark.worker_idle
def test_the_nightly_run_also_recalculates_an_older_quarter_once_stored(records, monkeypatch):
    old = Quarter(2010, 1)
    results.store(old)
    assert old in live.every_offered_quarter()


@pytest.mark.worker_idle
def test_the_records_a_viewer_may_see_are_counted_from_their_agencys_stored_count_and_their_own(
    records, health, health_lead, csc_social_worker, outsider
):
    # Health is involved with records[0]; a health visitor also holds records[1], allocated.
    visitor = UserFactory(agency=health, role="practitioner")
    records[1].allocated_worker = visitor
    records[1].save()
    result = results.store(Q1)

    def counts(user):
        return selectors.visible_counts("CP_NEGLECT_SHARE", user, result)

    assert counts(health_lead) == (1, 1)
    assert counts(visitor) == (2, 2)
    assert counts(csc_social_worker) == (3, 4)  # every child
    assert counts(outsider) == (0, 0)
    assert ResultAgencyCount.objects.filter(result=result, agency=None).count() > 0
    # The same as counting the stored records through the visibility rule itself.
    for user in (health_lead, visitor, csc_social_worker, outsider):
        visible = ResultMember.objects.filter(
            access.ids_visible_to(user, Child, "child_id"), result=result, code="CP_NEGLECT_SHARE"
        )
        assert counts(user) == (
            visible.filter(which="numerator").count(),
            visible.filter(which="denominator").count(),
        )


@pytest.mark.worker_idle
def test_a_published_quarters_counts_by_agency_are_counted_again_every_night(
    records, health, health_lead, administrator, database_queue, monkeypatch
):
    results.store(Q1)
    quarter_publish(quarter=Q1, user=administrator, today=date(2024, 7, 1))
    published = QuarterResult.objects.get(quarter=Q1, published__isnull=False)
    assert selectors.visible_counts("CP_NEGLECT_SHARE", health_lead, published) == (1, 1)
    InvolvementFactory(child=records[1], agency=health, start_date=date(2024, 1, 1))
    # A published result is not calculated again: until the night, the count stands.
    assert selectors.visible_counts("CP_NEGLECT_SHARE", health_lead, published) == (1, 1)

    monkeypatch.setattr(live, "refresh", lambda quarters: [])
    refresh_every_quarter.call()
    assert selectors.visible_counts("CP_NEGLECT_SHARE", health_lead, published) == (2, 2)
