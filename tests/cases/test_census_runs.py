"""Census import runs: the upload queues one for the background worker, which records its
progress and result; the run page shows what it changed; the command records one too."""

import signal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases import census_runs
from cases.census_import import ImportResult, Problem
from cases.census_problems import Findings
from cases.models import CensusImportRun, Child
from tests.cases.census_xml import census_xml, child_xml

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "census_files"
UPLOAD = "/census/import/"
Status = CensusImportRun.Status
NAMESPACED_CHILDREN = 1


def upload(name):
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/xml")


def post(client, name, **kwargs):
    return client.post(UPLOAD, {"census_file": upload(name)}, **kwargs)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_the_worker_once():
    # The worker sets its own Ctrl+C handling; the test run keeps pytest's.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


# The upload and the background worker -----------------------------------------------------


# The worker checks its database connection as a request would, and closes one left inside a
# transaction: this test commits.
@pytest.mark.django_db(transaction=True)
def test_the_upload_queues_a_run_and_answers_with_its_progress_page(
    admin_client, administrator, database_backend, settings
):
    response = post(admin_client, "valid.xml")

    run = CensusImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:census_run", args=[run.pk])
    assert (run.status, run.file_name, run.run_by) == (Status.QUEUED, "valid.xml", administrator)
    kept = Path(run.upload_path)
    assert kept.parent == Path(settings.CENSUS_UPLOAD_DIR)
    assert kept.read_bytes() == (FILES / "valid.xml").read_bytes()
    assert "valid" not in kept.name  # the file's own name is not used on disk
    assert not Child.objects.exists()

    html = admin_client.get(response["Location"]).content.decode()
    assert f"Census import run {run.pk}: queued" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "<progress" in html and reverse("cases:census_runs") in html

    run_the_worker_once()

    run.refresh_from_db()
    assert run.status == Status.IMPORTED
    assert (run.children_read, run.children_total) == (3, 3)
    assert Child.objects.count() == 3
    assert not kept.exists() and run.upload_path == ""
    html = admin_client.get(response["Location"]).content.decode()
    assert "Census imported" in html and 'http-equiv="refresh"' not in html


def test_progress_is_written_at_least_every_thousand_children(tmp_path, monkeypatch):
    children = "".join(child_xml(f"C{n}") for n in range(2500))
    path = tmp_path / "big.xml"
    path.write_text(census_xml(children))
    seen = []
    run = census_runs.run_for_file(path, user=None)

    census_runs.perform(run, path, tell=lambda r: seen.append((r.stage, r.children_read)))

    assert run.status == Status.IMPORTED and run.children_total == 2500
    assert seen == [
        ("checking", 1000),
        ("checking", 2000),
        ("checking", 2500),
        ("saving", 0),
        ("saving", 1000),
        ("saving", 2000),
        ("saving", 2500),
    ]
    assert CensusImportRun.objects.get().children_read == 2500


def test_a_run_page_refreshes_while_running_and_shows_children_read(admin_client):
    run = CensusImportRun.objects.create(
        file_name="census.xml",
        status=Status.RUNNING,
        stage="checking",
        children_total=4000,
        children_read=2000,
    )

    html = admin_client.get(reverse("cases:census_run", args=[run.pk])).content.decode()

    assert "Checking the file: 2000 of 4000 children" in html
    assert 'value="25"' in html and 'http-equiv="refresh"' in html
    stopped = admin_client.get(reverse("cases:census_run", args=[run.pk]), {"updates": "off"})
    assert 'http-equiv="refresh"' not in stopped.content.decode()


def test_an_upload_too_large_is_refused_before_it_is_read(admin_client, settings):
    settings.CENSUS_UPLOAD_MAX_MB = 1
    response = admin_client.post(
        UPLOAD, b"x", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=3 * 2**20
    )

    assert response.status_code == 413
    assert "The selected file must be smaller than 1 MB" in response.content.decode()
    assert not CensusImportRun.objects.exists()


def test_a_failing_import_marks_the_run_failed_without_quoting_the_file(
    admin_client, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise ValueError("DfEX0000001 born 2015-02-28")

    monkeypatch.setattr("cases.census_runs.import_census", broken)

    response = post(admin_client, "valid.xml", follow=True)

    run = CensusImportRun.objects.get()
    assert run.status == Status.FAILED and run.finished_at is not None
    html = response.content.decode()
    assert "The import stopped because of an unexpected error" in html
    assert "DfEX0000001" not in html and "DfEX0000001" not in caplog.text
    assert not Path(run.upload_path or "/nonexistent").exists()


# The run page ------------------------------------------------------------------------------


def test_the_run_page_shows_the_counts_and_each_changed_field(admin_client):
    post(admin_client, "valid.xml")
    response = post(admin_client, "later.xml", follow=True)

    run = CensusImportRun.objects.order_by("pk").last()
    # DfEX0000002's episode closed in the earlier census year: the later file leaves it out.
    assert run.counts["children"] == {"created": 1, "updated": 0, "unchanged": 2}
    assert run.counts["cp_reviews"] == {"created": 1, "updated": 0, "unchanged": 2}
    html = response.content.decode()
    assert "Unchanged" in html
    changed = Child.objects.get(la_child_id="DfEX0000001")
    assert reverse("cases:child_detail", args=[changed.pk]) in html
    # The CP plan's latest category, old → new, and the new child (DfEX0000004) created.
    assert "Child protection plan: changed" in html
    assert "Multiple" in html or "MUL" in html
    assert "DfEX0000004" in html
    unchanged = Child.objects.get(la_child_id="DfEX0000002")
    assert reverse("cases:child_detail", args=[unchanged.pk]) not in html


def test_history_rows_name_their_run(admin_client):
    post(admin_client, "valid.xml")

    run = CensusImportRun.objects.get()
    reasons = set(Child.history.values_list("history_change_reason", flat=True))
    assert reasons == {f"CIN census import, run {run.pk}"}


def test_a_refused_file_lists_its_problems_paged(admin_client, monkeypatch):
    monkeypatch.setattr("cases.import_views.PROBLEMS_PER_PAGE", 1)

    response = post(admin_client, "broken_after_good.xml", follow=True)

    run = CensusImportRun.objects.get()
    assert run.status == Status.REFUSED and run.problem_count == 2
    html = response.content.decode()
    assert "The file was not imported" in html and "Ethnicity" in html
    assert "AssessmentAuthorisationDate" not in html
    second = admin_client.get(reverse("cases:census_run", args=[run.pk]), {"problems": 2})
    assert "AssessmentAuthorisationDate" in second.content.decode()


def test_only_the_first_thousand_problems_are_kept_and_all_are_counted():
    run = CensusImportRun.objects.create(file_name="census.xml")
    findings = Findings()
    findings.extend(Problem(f"C{n}", "Ethnicity", "unknown") for n in range(1500))
    findings.extend(Problem(f"C{n}", "UPN", "check", query=True) for n in range(1200))
    result = ImportResult()
    result.found(findings)

    census_runs._record_result(run, result)

    run.refresh_from_db()
    assert (run.status, run.problem_count, len(run.problems)) == (Status.REFUSED, 1500, 1000)
    assert (run.query_count, len(run.queries)) == (1200, 1000)


def test_the_same_file_again_is_identical_to_the_earlier_run(admin_client):
    post(admin_client, "valid.xml")
    first = CensusImportRun.objects.get()

    response = post(admin_client, "valid.xml", follow=True)

    second = CensusImportRun.objects.exclude(pk=first.pk).get()
    assert second.identical_to == first and second.sha256 == first.sha256
    assert "This file is identical to" in response.content.decode()
    assert f"run {first.pk}</a>" in response.content.decode()


def test_a_file_with_the_same_content_only_as_a_refused_run_is_not_called_identical(
    admin_client,
):
    post(admin_client, "broken_after_good.xml")
    post(admin_client, "broken_after_good.xml")

    assert not CensusImportRun.objects.filter(identical_to__isnull=False).exists()


def test_the_byte_scan_counts_children_with_or_without_a_namespace(tmp_path):
    assert census_runs.scan(FILES / "valid.xml").children == 3
    assert census_runs.scan(FILES / "wrapped_records.xml").children == NAMESPACED_CHILDREN
    path = tmp_path / "cut.xml"
    # A tag across the scan's chunk boundary is counted once.
    path.write_bytes(b" " * (1024 * 1024 - 3) + b"<Child><Child/>")
    assert census_runs.scan(path).children == 2


# Pages' queries ----------------------------------------------------------------------------


def test_the_runs_list_is_paged_in_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for _ in range(30):
        CensusImportRun.objects.create(file_name="census.xml")

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("cases:census_runs"))

    assert response.content.decode().count("Run ") >= 25


@pytest.mark.parametrize("files", [["valid.xml"], ["valid.xml", "later.xml"]])
def test_the_run_page_takes_a_fixed_number_of_queries(
    admin_client, files, django_assert_max_num_queries
):
    for name in files:
        post(admin_client, name)
    run = CensusImportRun.objects.order_by("pk").last()

    with django_assert_max_num_queries(30):
        admin_client.get(reverse("cases:census_run", args=[run.pk]))


# The command -------------------------------------------------------------------------------


def test_the_command_records_a_run_and_prints_progress(administrator):
    out = StringIO()

    call_command(
        "import_cin_census", str(FILES / "valid.xml"), "--user", "administrator", stdout=out
    )

    run = CensusImportRun.objects.get()
    assert (run.status, run.run_by, run.file_name) == (Status.IMPORTED, administrator, "valid.xml")
    output = out.getvalue()
    assert f"Import run {run.pk}" in output
    assert "Checking the file: 3 of 3 children" in output
    assert "Saving the records: 3 of 3 children" in output
    assert (FILES / "valid.xml").exists()  # the command's own file is never deleted


def test_the_command_says_when_a_file_is_identical_and_records_a_refusal():
    call_command("import_cin_census", str(FILES / "valid.xml"), stdout=StringIO())
    out = StringIO()
    call_command("import_cin_census", str(FILES / "valid.xml"), stdout=out)
    first = CensusImportRun.objects.order_by("pk").first()
    assert f"The file is identical to run {first.pk}." in out.getvalue()

    with pytest.raises(CommandError, match="not imported"):
        call_command("import_cin_census", str(FILES / "broken_after_good.xml"), stderr=StringIO())
    assert CensusImportRun.objects.order_by("pk").last().status == Status.REFUSED
