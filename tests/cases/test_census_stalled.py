"""A run whose worker stopped mid-import says so, and is marked failed by the next import to
take the lock; saving, one transaction, records only that it has begun."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import census_runs
from cases.models import CensusImportRun
from tests.cases.census_xml import census_xml, child_xml

pytestmark = pytest.mark.django_db
Status = CensusImportRun.Status


def running(minutes_silent, stage="checking"):
    return CensusImportRun.objects.create(
        file_name="census.xml",
        status=Status.RUNNING,
        stage=stage,
        started_at=timezone.now() - timedelta(minutes=30),
        progress_at=timezone.now() - timedelta(minutes=minutes_silent),
    )


def test_a_run_silent_for_ten_minutes_warns_that_the_worker_may_have_stopped(client, administrator):
    client.force_login(administrator)
    stalled, moving, saving = running(11), running(2), running(30, stage="saving")

    def page(run):
        return client.get(reverse("cases:census_run", args=[run.pk])).content.decode()

    assert "the background worker may have stopped" in page(stalled)
    assert "the background worker may have stopped" not in page(moving)
    assert "the background worker may have stopped" not in page(saving)
    assert "Saving the records" in page(saving)


def test_the_next_import_to_hold_the_lock_marks_abandoned_runs_failed(tmp_path):
    checking, saving, scanning = running(1), running(1, "saving"), running(0, "scanning")
    path = tmp_path / "census.xml"
    path.write_text(census_xml(child_xml("S1")))

    run = census_runs.perform(census_runs.run_for_file(path, user=None), path)

    assert run.status == Status.IMPORTED
    for abandoned in (checking, saving):
        abandoned.refresh_from_db()
        assert (abandoned.status, abandoned.failure) == (
            Status.FAILED,
            census_runs.ABANDONED_MESSAGE,
        )
    scanning.refresh_from_db()
    assert scanning.status == Status.RUNNING  # not yet at the lock: it may be alive


def test_saving_is_announced_before_its_transaction_begins(tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(census_xml("".join(child_xml(f"S{n}") for n in range(3))))
    seen = []
    run = census_runs.run_for_file(path, user=None)

    census_runs.perform(run, path, tell=lambda r: seen.append((r.stage, r.children_read)))

    assert ("saving", 0) in seen and ("saving", 3) in seen
    run.refresh_from_db()
    assert run.status == Status.IMPORTED


def test_progress_is_timed_as_it_is_written(tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(census_xml(child_xml("S1")))
    before = timezone.now()

    run = census_runs.perform(census_runs.run_for_file(path, user=None), path)

    run.refresh_from_db()
    assert run.progress_at is not None and run.progress_at >= before
