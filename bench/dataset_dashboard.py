"""Server time and query count of the dataset pages, published and live (issue 16).

Uses the data already in the database named by DATABASE_URL (make it with bench/kpis.py,
which runs generate_demo_data, toolkit records included), loads the demo sign-ins and action
plans if missing (load_demo_data), stores the live figures of every quarter the pages offer,
as the background worker does (timed and printed), and publishes the quarter measured and
the seven before it as an administrator where they are not yet published (each timed), so
the dashboard's eight-quarter trend reads snapshots. Then times GET requests in-process through
Django's full request stack (middleware, session, queries, templates): the dashboard, an
indicator page (for a Working Group member, who sees no child, and for a health agency lead,
whose page counts the records behind the figure they may see) and its drill-down for the
published quarter and for the open one, and emerging themes; with --every-indicator, every
other indicator's page and drill-down of the published quarter too. Prints the median and
95th percentile of each, the queries one request makes and the load average. Target
(issue 16): every dataset page, the open quarter's included, in under 100 ms server time
(median) with at most 15 queries, with 500,000 children in PostgreSQL; exits 1 when any is
missed. --keep-stored times the figures an earlier run stored, without recalculating them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/np_bench \\
        .venv/bin/python bench/kpis.py --children 500000 --runs 1   # data, once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/np_bench \\
        .venv/bin/python bench/dataset_dashboard.py [--every-indicator]
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
from dataset import live  # noqa: E402
from dataset.indicators import INDICATORS  # noqa: E402
from dataset.models import PublishedQuarter  # noqa: E402
from dataset.quarters_shown import TREND_LENGTH  # noqa: E402
from dataset.result_models import QuarterResult, ResultFigure, ResultMember  # noqa: E402
from dataset.services import quarter_publish  # noqa: E402
from neglect_portal import dates  # noqa: E402
from neglect_portal.models import Agency, User  # noqa: E402
from neglect_portal.quarters import Quarter  # noqa: E402

TARGET_MS, TARGET_QUERIES = 100, 15


def prepare(quarter: Quarter, recalculate: bool) -> None:
    """Demo sign-ins, the live figures stored (unless told not to recalculate them), then the
    quarter and the seven before it published (once)."""
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
    if recalculate or not QuarterResult.objects.exists():
        started = time.perf_counter()
        stored = live.refresh(live.every_offered_quarter())
        took = time.perf_counter() - started
        print(f"Live figures of {len(stored)} quarters stored in {took:.1f} s (the worker's job)")
    done = set(PublishedQuarter.objects.values_list("quarter", flat=True))
    for each in quarter.last(TREND_LENGTH):
        if each in done:
            continue
        started = time.perf_counter()
        quarter_publish(quarter=each, user=admin)
        print(f"Published {each} in {time.perf_counter() - started:.2f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after the worker's writes: without it the first reads
        # of freshly stored rows visit the table as well as the index.
        with connection.cursor() as cursor:
            for model in (QuarterResult, ResultFigure, ResultMember):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


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
    parser.add_argument(
        "--every-indicator",
        action="store_true",
        help="also every other indicator's page and drill-down of the published quarter",
    )
    parser.add_argument(
        "--keep-stored",
        action="store_true",
        help="time the figures an earlier run stored, without recalculating them first",
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    args = parser.parse_args()
    today = dates.today()
    quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.latest_complete(today)
    open_quarter = (
        Quarter.parse(args.open_quarter) if args.open_quarter else Quarter.containing(today)
    )
    prepare(quarter, recalculate=not args.keep_stored)
    if PublishedQuarter.objects.filter(quarter=open_quarter).exists():
        sys.exit(f"{open_quarter} is published: choose an unpublished --open-quarter")

    # Measure as production runs: no query logging, plain static storage (no manifest here).
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    member = User.objects.filter(role=User.Role.WORKING_GROUP).order_by("pk").first()
    reader = Client()
    reader.force_login(member)
    # The drill-downs list records, which only those who may see children get.
    admin = Client()
    admin.force_login(User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first())
    # A partner agency's lead sees some children: the page counts those behind the figure.
    lead = Client()
    lead.force_login(
        User.objects.filter(role=User.Role.AGENCY_LEAD, agency__kind=Agency.Kind.HEALTH)
        .order_by("pk")
        .first()
    )

    def dataset_pages(each, state):
        code = args.indicator
        return [
            ("dashboard", each, state, reader, reverse("dataset:dashboard", args=[each])),
            (
                f"indicator {code}",
                each,
                state,
                reader,
                reverse("dataset:indicator", args=[each, code]),
            ),
            (
                f"indicator {code} (partner lead)",
                each,
                state,
                lead,
                reverse("dataset:indicator", args=[each, code]),
            ),
            (
                f"drill-down {code}",
                each,
                state,
                admin,
                reverse("dataset:members", args=[each, code, "denominator"]),
            ),
        ]

    def other_indicators(each):
        for indicator in INDICATORS:
            if indicator.code == args.indicator:
                continue
            url = reverse("dataset:indicator", args=[each, indicator.code])
            yield (f"indicator {indicator.code}", each, "published", reader, url)
            if indicator.lists_records:
                which = "denominator" if indicator.has_denominator else "numerator"
                url = reverse("dataset:members", args=[each, indicator.code, which])
                yield (f"drill-down {indicator.code}", each, "published", admin, url)

    pages = [
        *dataset_pages(quarter, "published"),
        *dataset_pages(open_quarter, "open, stored"),
        (
            "emerging themes",
            quarter,
            "published",
            reader,
            reverse("dataset:themes", args=[quarter]),
        ),
        *(other_indicators(quarter) if args.every_indicator else ()),
    ]
    rows = [
        (page, each, state, *timed(client, url, args.runs, args.warm))
        for page, each, state, client, url in pages
    ]

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"\n{Child.objects.count():,} children on {engine}; viewer {member.username} "
        f"({member.get_role_display()}); {args.runs} runs after {args.warm} warm-up; "
        "server time in ms"
    )
    print(f"{'page':<48} {'quarter':<12} {'state':<14} {'median':>8} {'p95':>8} {'queries':>8}")
    for page, each, state, median, p95, queries in rows:
        print(f"{page:<48} {each.label:<12} {state:<14} {median:>8.1f} {p95:>8.1f} {queries:>8}")
    print(f"load average (1, 5, 15 min): {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    missed = [
        f"{page} ({each.label})"
        for page, each, _, median, _, queries in rows
        if median >= TARGET_MS or queries > TARGET_QUERIES
    ]
    print(
        f"\nEvery page under {TARGET_MS} ms with at most {TARGET_QUERIES} queries: "
        f"{'MISSED by ' + ', '.join(missed) if missed else 'met'}"
    )
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
