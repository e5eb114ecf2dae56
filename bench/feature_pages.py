"""Server time and queries of the feature pages, each for a demo sign-in who uses it.

The pages of the feature issues: My tasks (/tasks/, a practitioner and a team manager), the
challenges list, the Working Group meeting page, the meeting pack of the latest complete
quarter, the audit rounds list, a closed round's and the running round's results, My audits
and one child's audit form (the lead auditor), and the Impact Framework of the latest
complete quarter. Each is timed in-process through Django's full request stack (the real
middleware, DEBUG off, signed in with force_login): warmed up, then requested N times (30
by default). Prints, per page and viewer, the median, p95 and maximum in ms and the queries
one request makes, with the machine's load average (1, 5 and 15 minutes) as the row was
measured: the machine may be shared, and a busy one shows here first.

Uses the demo in the database named by DATABASE_URL, as `make run` fills it (nothing here
changes data, apart from the access log each opening of an audit form writes), and refuses
when it is not loaded:

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_features"
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_features
    .venv/bin/python manage.py migrate --no-input
    .venv/bin/python manage.py load_demo_data
    .venv/bin/python manage.py generate_demo_data --children 2000
    .venv/bin/python manage.py load_demo_audits
    .venv/bin/python manage.py publish_demo_quarter
    .venv/bin/python bench/feature_pages.py [--runs 30] [--warm 5]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neglect_portal.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Child  # noqa: E402
from dataset.audit_models import AuditRound, AuditSample  # noqa: E402
from dataset.models import PublishedQuarter  # noqa: E402
from neglect_portal import access  # noqa: E402
from neglect_portal.demo import USERS  # noqa: E402
from neglect_portal.models import User  # noqa: E402
from neglect_portal.quarters import Quarter  # noqa: E402

DEMO_STEPS = (
    "    .venv/bin/python manage.py migrate --no-input\n"
    "    .venv/bin/python manage.py load_demo_data\n"
    "    .venv/bin/python manage.py generate_demo_data --children 2000\n"
    "    .venv/bin/python manage.py load_demo_audits\n"
    "    .venv/bin/python manage.py publish_demo_quarter"
)


def refuse(missing: str) -> None:
    name = connection.settings_dict["NAME"]
    sys.exit(f"The demo is not loaded in {name} ({missing}). Fill it first:\n{DEMO_STEPS}")


def check_demo() -> dict[str, User]:
    """The demo sign-ins, children, audit rounds and a published quarter, or refuse."""
    names = [username for username, *_ in USERS]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names):
        refuse("no demo sign-ins: load_demo_data")
    if not Child.objects.exists():
        refuse("no children: generate_demo_data")
    if not AuditRound.objects.filter(status=AuditRound.Status.CLOSED).exists():
        refuse("no closed audit round: load_demo_audits")
    if not PublishedQuarter.objects.exists():
        refuse("no published quarter: publish_demo_quarter")
    return users


def measure(client: Client, url: str, runs: int, warm: int) -> dict:
    for _ in range(warm):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    # Each request empties the query log it starts with: start the capture from an empty one.
    reset_queries()
    # Counted apart from the timed runs, so recording the SQL does not add to their time.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    count = len(queries.captured_queries)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
        "max": samples[-1],
        "queries": count,
        "load": os.getloadavg(),
    }


def pages(users: dict[str, User]) -> list[tuple[str, str, str]]:
    """(page, viewer's username, URL) for every page timed."""
    quarter = Quarter.latest_complete()
    closed = AuditRound.objects.filter(status=AuditRound.Status.CLOSED).order_by("-ends_on").first()
    running = (
        AuditRound.objects.filter(status=AuditRound.Status.IN_PROGRESS).order_by("-ends_on").first()
    )
    lead = users["practitioner"]
    # A draft if there is one: the form being filled in, the page an auditor spends time on.
    mine = access.audit_samples_visible_to(lead).filter(lead_auditor=lead).order_by("pk")
    sample = mine.filter(status=AuditSample.Status.DRAFT).first() or mine.first()
    listed = [
        ("my tasks", "practitioner", reverse("toolkit:my_tasks")),
        ("my tasks (own team)", "manager", reverse("toolkit:my_tasks")),
        ("challenges list", "lead", reverse("actionplans:challenge_list")),
        ("challenges list", "chair", reverse("actionplans:challenge_list")),
        (
            f"meeting {quarter.label}",
            "chair",
            reverse("actionplans:meeting", kwargs={"quarter": quarter}),
        ),
        (
            f"pack {quarter.label}",
            "working-group",
            reverse("dataset:pack", kwargs={"quarter": quarter}),
        ),
        ("audit rounds", "working-group", reverse("dataset:audit_rounds")),
        (
            "audit results (closed)",
            "working-group",
            reverse("dataset:audit_results", kwargs={"pk": closed.pk}),
        ),
    ]
    if running is not None:
        listed.append(
            (
                "audit results (running)",
                "working-group",
                reverse("dataset:audit_results", kwargs={"pk": running.pk}),
            )
        )
    listed.append(("my audits", "practitioner", reverse("dataset:my_audits")))
    if running is not None and sample is not None:
        listed.append(
            (
                f"audit form ({sample.get_status_display().lower()})",
                "practitioner",
                reverse("dataset:audit_form", kwargs={"pk": running.pk, "sample": sample.pk}),
            )
        )
    else:
        print("No audit of the practitioner's in a running round: the audit form is left out")
    listed.append(
        (
            f"impact {quarter.label}",
            "working-group",
            reverse("dataset:impact", kwargs={"quarter": quarter}),
        )
    )
    return listed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warm", type=int, default=5)
    args = parser.parse_args()
    users = check_demo()
    listed = pages(users)

    # Measure as production runs: no query logging, plain static storage (no manifest here).
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    clients: dict[str, Client] = {}
    rows = []
    for page, username, url in listed:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(users[username])
        rows.append((page, username, measure(clients[username], url, args.runs, args.warm)))

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"\n{Child.objects.count():,} children on {engine}, {os.cpu_count()} CPUs; "
        f"server time in ms over {args.runs} requests after {args.warm} to warm up"
    )
    print(
        f"{'page':<30} {'viewer':<14} {'median':>7} {'p95':>7} {'max':>7} {'queries':>7}"
        "  load average"
    )
    for page, username, f in rows:
        load = " ".join(f"{each:.2f}" for each in f["load"])
        print(
            f"{page:<30} {username:<14} {f['p50']:>7.1f} {f['p95']:>7.1f} {f['max']:>7.1f} "
            f"{f['queries']:>7}  {load}"
        )


if __name__ == "__main__":
    main()
