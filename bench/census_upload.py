"""Benchmark a census upload end to end: the upload's answer, then the background worker.

Posts a census file to the upload page as an administrator (Django's test client, through
the real view and middleware), times the answer, then starts the worker
(`manage.py db_worker --batch`, as `make run` does without --batch) and follows the run as the
progress page does, printing children read every second until it has finished. Last,
times the finished run page and counts its queries.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/census_import.py --children 50000 --keep --no-reimport  # or any file
    .venv/bin/python bench/census_upload.py /tmp/census-….xml
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neglect_portal.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from cases.models import CensusImportRun
    from neglect_portal.models import Agency, User

    settings.ALLOWED_HOSTS = ["*"]
    # The second sign-in step is not what is measured: the client signs in directly.
    settings.MFA_REQUIRED = False
    agency = Agency.objects.filter(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE).first()
    if agency is None:
        agency = Agency.objects.create(
            name="Children's social care", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE
        )
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": User.Role.ADMINISTRATOR, "agency": agency}
    )
    client = Client()
    client.force_login(admin)
    size = args.file.stat().st_size
    print(f"Database: {connection.vendor}; file {args.file.name}, {size / 1e6:.0f} MB")

    started = time.perf_counter()
    with open(args.file, "rb") as file:
        response = client.post(reverse("cases:census_upload"), {"census_file": file})
    answered = time.perf_counter() - started
    run = CensusImportRun.objects.order_by("-pk").first()
    print(f"Upload answered {response.status_code} in {answered:.2f} s; run {run.pk} {run.status}")

    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        # As in production: with DEBUG on, Django also formats and keeps every query's SQL.
        env={**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only", "MFA_REQUIRED": "true"},
    )
    began = time.perf_counter()
    while True:
        run.refresh_from_db()
        print(
            f"  {time.perf_counter() - began:6.1f} s  {run.status:<8} {run.stage:<9} "
            f"{run.children_read} of {run.children_total}"
        )
        if run.is_finished:
            break
        time.sleep(1)
    worker.wait(timeout=60)
    print(f"Run {run.pk} {run.status} {time.perf_counter() - began:.1f} s after the upload")
    print(f"  problems {run.problem_count}, queries {run.query_count}, counts {run.counts}")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        page = client.get(reverse("cases:census_run", args=[run.pk]))
        took = time.perf_counter() - started
    print(f"Run page: {page.status_code} in {took * 1000:.0f} ms, {len(queries)} queries")


if __name__ == "__main__":
    main()
