"""Server time and queries of *My tasks* (/tasks/) for a worker with 200 children among 100,000.

Uses the children already in the database named by DATABASE_URL (made once with
generate_demo_data; nothing is regenerated when they are there, so fill it first). Then makes,
once, a practitioner of children's social care ("bench-practitioner") with 200 children on
neglect plans allocated to them through cases.services.allocation_change, and the tasks a
caseload like that carries: drafts left untouched, a tool reopened to them, next steps they
own (due and overdue), SDQs recorded as needed, besides the mandatory tools and child
protection reviews the generated records make due. Their team manager ("bench-manager") is in
the same team of the same agency. Running it again reuses them.

It then times GET /tasks/ in-process through Django's full request stack (the real
middleware, DEBUG off, signed in with force_login): for the practitioner, and for the
manager with their own team and with `?team=all`. Each page is warmed up, then requested N
times (50 by default); it prints the median, p95 and maximum in ms, the queries per request,
the tasks listed and the children read. Also the manager's caseload page and the total time
of `send_reminders --dry-run`. Target (issue 13): p95 under 150 ms and at most 12 queries for
the practitioner. `--explain` prints EXPLAIN ANALYZE of each page's slowest query.

PostgreSQL (what the target is measured on):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_tasks"
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tasks
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_demo_data --children 100000
    .venv/bin/python bench/my_tasks.py [--runs 50] [--explain] [--no-reminders] \\
        [--practitioner-only]

SQLite works the same without DATABASE_URL (db.sqlite3), but proves nothing about the target.
"""

import argparse
import io
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neglect_portal.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Allocation, Child  # noqa: E402
from cases.selectors import on_neglect_plan, open_cp_plans  # noqa: E402
from cases.services import allocation_change  # noqa: E402
from neglect_portal.dates import today  # noqa: E402
from neglect_portal.demo import CSC  # noqa: E402
from neglect_portal.models import Agency, User  # noqa: E402
from toolkit.models import (  # noqa: E402
    AssessmentChecklist,
    NextStep,
    NextSteps,
    ParentChildObservation,
    SDQNeed,
    Tool,
)
from toolkit.my_tasks import team_workers, workload  # noqa: E402

PRACTITIONER = "bench-practitioner"
MANAGER = "bench-manager"
CASELOAD = 200


def check_data(wanted: int) -> None:
    have = Child.objects.count()
    if have < wanted:
        sys.exit(
            f"{have:,} children in the database, {wanted:,} wanted: fill it first with\n"
            f"    .venv/bin/python manage.py generate_demo_data --children {wanted - have}"
        )
    print(f"Using the {have:,} children already in the database")


def people() -> tuple[User, User]:
    """The bench's practitioner and their team manager, made once."""
    csc = Agency.objects.get(name=CSC)
    team = User.objects.get(username="practitioner").team
    made = []
    for username, role, first, last in (
        (PRACTITIONER, User.Role.PRACTITIONER, "Bench", "Practitioner"),
        (MANAGER, User.Role.TEAM_MANAGER, "Bench", "Manager"),
    ):
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "agency": csc,
                "team": team,
                "role": role,
                "password": make_password(None),
            },
        )
        made.append(user)
    return made[0], made[1]


def allocate(worker: User, manager: User) -> None:
    """Allocate children on neglect plans to `worker` until they hold CASELOAD, through the
    one service that changes an allocation (it ends the generated worker's)."""
    on = today()
    held = Child.objects.filter(allocated_worker=worker).count()
    if held >= CASELOAD:
        return
    # Half on child protection plans, so reviews fall due, half on neglect CIN plans.
    cp = open_cp_plans(on).values("child_id")
    pool = Child.objects.filter(on_neglect_plan(on)).exclude(allocated_worker=worker)
    wanted = CASELOAD - held
    chosen = list(pool.filter(pk__in=cp).order_by("pk")[: wanted // 2])
    chosen += list(
        pool.exclude(pk__in=cp)
        .exclude(pk__in=[c.pk for c in chosen])
        .order_by("pk")[: wanted - len(chosen)]
    )
    started = time.perf_counter()
    for child in chosen:
        allocation_change(
            child=child,
            worker=worker,
            started_on=on,
            reason=Allocation.Reason.TRANSFERRED,
            by=manager,
            note="Benchmark caseload",
        )
    seconds = time.perf_counter() - started
    print(f"Allocated {len(chosen)} children to {worker.username} in {seconds:.1f} s")


def _save(record, user: User) -> None:
    record._history_user = user
    record.save()


def _age_history(record, days: int) -> None:
    """Make a record look last saved `days` ago (its history rows are what My tasks reads)."""
    when = record.history.model.objects.filter(id=record.pk)
    when.update(history_date=timezone.now() - timedelta(days=days))


@transaction.atomic
def tasks(worker: User, manager: User) -> None:
    """The toolkit tasks of a caseload of CASELOAD, made once: 20 drafts (15 untouched for
    3 weeks), a reopened checklist, 30 completed analyses with 3 steps each owned by the
    worker (due from 30 days ago to 30 days on), and 15 SDQ needs."""
    if NextSteps.objects.filter(author=worker).exists():
        return
    on = today()
    children = list(Child.objects.filter(allocated_worker=worker).order_by("pk")[:CASELOAD])
    agency = worker.agency_id
    for i, child in enumerate(children[:20]):
        model = AssessmentChecklist if i % 2 else ParentChildObservation
        draft = model(child=child, author=worker, author_agency_id=agency, started_on=on)
        _save(draft, worker)
        if i < 15:
            _age_history(draft, 21 + i)
    reopened = AssessmentChecklist(
        child=children[20],
        author=worker,
        author_agency_id=agency,
        started_on=on - timedelta(days=40),
        status=Tool.Status.DRAFT,
        previous_completed_on=on - timedelta(days=30),
        reopened_on=on - timedelta(days=2),
        reopened_by=manager,
        reopen_reason="The evidence for physical care needs the health visitor's view",
    )
    _save(reopened, manager)
    for i, child in enumerate(children[30:60]):
        analysis = NextSteps(
            child=child,
            author=worker,
            author_agency_id=agency,
            status=Tool.Status.COMPLETED,
            started_on=on - timedelta(days=70),
            completed_on=on - timedelta(days=60),
            strengths="Mum engages with the health visitor",
            needs="A bedtime routine",
            risks="Missed health appointments",
            impact_on_child="Tired at school",
            still_unknown="Dad's role",
        )
        _save(analysis, worker)
        for position in range(1, 4):
            step = NextStep(
                analysis=analysis,
                position=position,
                what="Book a GP check",
                owner=worker,
                due_on=on + timedelta(days=(i * 3 + position * 7) % 61 - 30),
            )
            _save(step, worker)
    for child in children[60:75]:
        _save(
            SDQNeed(
                child=child,
                reason="Behaviour at school has changed",
                recorded_by=worker,
                recorded_on=on - timedelta(days=10),
            ),
            worker,
        )
    print("Made the caseload's drafts, reopened tool, next steps and SDQ needs")


def measure(client: Client, url: str, runs: int, warm: int = 5, explain: bool = False) -> dict:
    for _ in range(warm):
        assert client.get(url).status_code == 200, url
    # Each request empties the query log it starts with: start the capture from an empty one.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    # Read now: captured_queries slices the log, which the next request empties.
    captured = list(queries.captured_queries)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    samples.sort()
    if explain:
        slowest = max(captured, key=lambda q: float(q["time"]))
        print(f"\nSlowest query of {url} ({float(slowest['time']) * 1000:.1f} ms):")
        print(slowest["sql"][:3000])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))
    return {
        "p50": statistics.median(samples),
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
        "max": samples[-1],
        "queries": len(captured),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query")
    parser.add_argument("--no-reminders", action="store_true", help="skip send_reminders")
    parser.add_argument(
        "--practitioner-only", action="store_true", help="time only the practitioner's page"
    )
    args = parser.parse_args()
    check_data(args.children)
    worker, manager = people()
    allocate(worker, manager)
    tasks(worker, manager)
    # Fresh planner statistics after the changes above, as autovacuum would give.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Measure as production runs: no query logging, plain static storage (no manifest here).
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    on = today()
    tasks_url = reverse("toolkit:my_tasks")
    scenarios = [
        (worker, "my tasks", tasks_url, [worker]),
        (manager, "my tasks (own team)", tasks_url, None),
        (manager, "my tasks ?team=all", tasks_url + "?team=all", list(team_workers(manager))),
        (manager, "caseload (own team)", reverse("toolkit:caseload"), None),
    ]
    if args.practitioner_only:
        scenarios = scenarios[:1]
    rows = []
    for user, page, url, workers in scenarios:
        if workers is None:
            workers = [w for w in team_workers(user) if w.team_id == user.team_id]
        work = workload(workers, viewer=user, on=on)
        children = sum(load.children for load in work.loads)
        client = Client()
        client.force_login(user)
        figures = measure(client, url, args.runs, explain=args.explain)
        rows.append((user.username, page, len(workers), children, len(work.tasks), figures))

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"\n{Child.objects.count():,} children on {engine}, {os.cpu_count()} CPUs, {on}; "
        f"server time in ms over {args.runs} requests after 5 to warm up"
    )
    print(
        f"{'viewer':<20} {'page':<22} {'workers':>7} {'children':>8} {'tasks':>6} "
        f"{'p50':>7} {'p95':>7} {'max':>7} {'queries':>7}"
    )
    for username, page, workers, children, count, f in rows:
        print(
            f"{username:<20} {page:<22} {workers:>7} {children:>8} {count:>6} "
            f"{f['p50']:>7.1f} {f['p95']:>7.1f} {f['max']:>7.1f} {f['queries']:>7}"
        )
    if not args.no_reminders:
        started = time.perf_counter()
        out = io.StringIO()
        call_command("send_reminders", "--dry-run", stdout=out)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        print(
            f"send_reminders --dry-run: {len(lines)} lines in {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
