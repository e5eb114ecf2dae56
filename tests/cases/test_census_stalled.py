"""A run whose worker stopped mid-import says so, and is marked failed when the next starts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import census_runs
from cases.models import CensusImportRun
from tests.cases.census_xml import census_xml, child_xml

pytestmark = pytest.mark.django_db
Status = CensusImportRun.Status


def running(minutes_silent):
    return CensusImportRun.objects.create(
        file_name="census.xml",
        status=Status.RUNNING,
        stage="checking",
        started_at=timezone.now() - timedelta(minutes=30),
        progress_at=timezone.now() - timedelta(minutes=minutes_silent),
    )


def test_a_run_silent_for_ten_minutes_warns_that_the_worker_may_have_stopped(client, administrator):
    client.force_login(administrator)
    stalled, moving = running(11), running(2)

    def page(run):
        return client.get(reverse("cases:census_run", args=[run.pk])).content.decode()

    assert "the background worker may have stopped" in page(stalled)
    assert "the background worker may have stopped" not in page(moving)


def test_the_next_import_marks_a_stalled_run_failed_and_leaves_a_moving_one(tmp_path):
    stalled, moving = running(11), running(2)
    path = tmp_path / "census.xml"
    path.write_text(census_xml(child_xml("S1")))

    run = census_runs.perform(census_runs.run_for_file(path, user=None), path)

    stalled.refresh_from_db()
    moving.refresh_from_db()
    assert run.status == Status.IMPORTED
    assert (stalled.status, stalled.failure) == (Status.FAILED, census_runs.ABANDONED_MESSAGE)
    assert moving.status == Status.RUNNING


def test_progress_is_timed_as_it_is_written(tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(census_xml(child_xml("S1")))
    before = timezone.now()

    run = census_runs.perform(census_runs.run_for_file(path, user=None), path)

    run.refresh_from_db()
    assert run.progress_at is not None and run.progress_at >= before
