"""Server time and query count of the dataset pages for a published quarter.

Uses the data already in the database named by DATABASE_URL (make it with bench/kpis.py,
which runs generate_demo_data, toolkit records included), loads the demo sign-ins and action
plans if missing (load_demo_data), and publishes the quarter measured and the seven before
it as an administrator where they are not yet published, so the dashboard's eight-quarter
trend reads snapshots. Then times GET requests in-process through Django's full request stack
(middleware, session, queries, templates) for a Working Group member: the dashboard of the
published quarter, the same for the open quarter (computed live) for contrast, and the
indicator page and emerging themes of the published quarter. Prints the median and 95th
percentile of each and the queries one request makes. Target (issue 6): the dashboard for a
published quarter in under 100 ms server time (median) with at most 15 queries, with 500,000
children in PostgreSQL; exits 1 when missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/np_bench \\
        .venv/bin/python bench/kpis.py --children 500000 --runs 1   # data, once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/np_bench \\
        .venv/bin/python bench/dataset_dashboard.py
"""

import argparse
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neglect_portal.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Child  # noqa: E402
from dataset.models import PublishedQuarter  # noqa: E402
from dataset.selectors import TREND_LENGTH  # noqa: E402
from dataset.services import quarter_publish  # noqa: E402
from neglect_portal import dates  # noqa: E402
from neglect_portal.models import User  # noqa: E402
from neglect_portal.quarters import Quarter  # noqa: E402

TARGET_MS, TARGET_QUERIES = 100, 15


def prepare(quarter: Quarter) -> None:
    """Demo sign-ins, then the quarter and the seven before it published (once)."""
    call_command("migrate", verbosity=0)
    if not Child.objects.exists():
        sys.exit("No children here: run bench/kpis.py first to generate the data")
    if settings.DEBUG:
        # Idempotent: adds only what is missing (the sign-ins, the agencies' action plans).
        call_command("load_demo_data", stdout=StringIO())
    elif not all(
        User.objects.filter(role=role).exists()
        for role in (User.Role.ADMINISTRATOR, User.Role.WORKING_GROUP)
    ):
        sys.exit("No administrator or Working Group member: load_demo_data needs DEBUG=True")
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    done = set(PublishedQuarter.objects.values_list("quarter", flat=True))
    for each in quarter.last(TREND_LENGTH):
        if each in done:
            continue
        started = time.perf_counter()
        quarter_publish(quarter=each, user=admin)
        print(f"Published {each} in {time.perf_counter() - started:.1f} s")


def timed(client, url, runs: int, warm: int):
    """(median ms, p95 ms, queries of one more request) for GET `url`."""
    samples = []
    for i in range(runs + warm):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= warm:
            samples.append(elapsed)
    samples.sort()
    # Counted apart from the timed runs, so recording the SQL does not add to their time.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return statistics.median(samples), p95, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", help="e.g. 2025-26-Q4 (default: the latest complete one)")
    parser.add_argument(
        "--open-quarter", help="an unpublished quarter to contrast (default: the one in progress)"
    )
    parser.add_argument("--indicator", default="CP_NEGLECT_SHARE")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    args = parser.parse_args()
    today = dates.today()
    quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.latest_complete(today)
    open_quarter = (
        Quarter.parse(args.open_quarter) if args.open_quarter else Quarter.containing(today)
    )
    prepare(quarter)
    if PublishedQuarter.objects.filter(quarter=open_quarter).exists():
        sys.exit(f"{open_quarter} is published: choose an unpublished --open-quarter")

    # Measure as production runs: no query logging, plain static storage (no manifest here).
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    member = User.objects.filter(role=User.Role.WORKING_GROUP).order_by("pk").first()
    client = Client()
    client.force_login(member)

    pages = [
        (
            "dashboard",
            quarter,
            "published",
            reverse("dataset:dashboard", kwargs={"quarter": quarter}),
        ),
        (
            "dashboard",
            open_quarter,
            "open, computed live",
            reverse("dataset:dashboard", kwargs={"quarter": open_quarter}),
        ),
        (
            f"indicator {args.indicator}",
            quarter,
            "published",
            reverse("dataset:indicator", kwargs={"quarter": quarter, "code": args.indicator}),
        ),
        (
            "emerging themes",
            quarter,
            "published",
            reverse("dataset:themes", kwargs={"quarter": quarter}),
        ),
    ]
    rows = [
        (page, each, state, *timed(client, url, args.runs, args.warm))
        for page, each, state, url in pages
    ]

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"\n{Child.objects.count():,} children on {engine}; viewer {member.username} "
        f"({member.get_role_display()}); {args.runs} runs after {args.warm} warm-up; "
        "server time in ms"
    )
    print(f"{'page':<34} {'quarter':<12} {'state':<20} {'median':>8} {'p95':>8} {'queries':>8}")
    for page, each, state, median, p95, queries in rows:
        print(f"{page:<34} {each.label:<12} {state:<20} {median:>8.1f} {p95:>8.1f} {queries:>8}")
    _, _, _, median, _, queries = rows[0]
    met = median < TARGET_MS and queries <= TARGET_QUERIES
    print(
        f"\nPublished dashboard under {TARGET_MS} ms with at most {TARGET_QUERIES} queries: "
        f"{'met' if met else 'MISSED'} ({median:.1f} ms, {queries} queries)"
    )
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
