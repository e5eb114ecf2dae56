"""Server time and queries of the case pages with generated data.

Builds the data once (generate_demo_data) in the database named by DATABASE_URL, then times
each page in-process through Django's full request stack (middleware, queries, templates) and
prints the median and 95th percentile per scenario, the queries per request (the fewest and
the most, when they differ between children) and the load average of the machine when the
scenario ended (a busy machine makes every figure slower). Pages: the children list and search,
the child page, the chronology, *My children* and *My tasks*, for a practitioner of children's
social care and a partner (health) practitioner, the health agency lead's list, and a team
manager's *My children* (their agency's), *My tasks* and caseload (their team's, and every
team's). Targets
(issues 3 and 16): p95 under 150 ms with 100,000 children in PostgreSQL, at most 10 queries
(*My tasks* at most 12).

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE np_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/np_bench \\
        .venv/bin/python bench/case_pages.py --children 100000
"""

import argparse
import os
import random
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Child  # noqa: E402
from neglect_portal.models import Agency, User  # noqa: E402


def build(children: int) -> None:
    call_command("migrate", verbosity=0)
    have = Child.objects.count()
    if have >= children:
        print(f"Using the {have:,} children already in the database")
        return
    started = time.perf_counter()
    call_command("generate_demo_data", "--no-history", children=children - have, verbosity=0)
    print(f"Generated {children - have:,} children in {time.perf_counter() - started:.0f} s")
    # Fresh planner statistics, as autovacuum would give a production database.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


class Counted:
    """Counts the queries of each request (connection.execute_wrapper: no query logging)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def _figures(samples, queries):
    samples = sorted(samples)
    return (
        statistics.median(samples),
        samples[int(len(samples) * 0.95) - 1],
        min(queries),
        max(queries),
        os.getloadavg()[0],
    )


def timed_urls(client, urls, runs=60, warm=5):
    """Each request of `urls` in turn (cycled), after `warm` unmeasured ones."""
    samples, queries = [], []
    for i in range(runs + warm):
        counted = Counted()
        url = urls[i % len(urls)]
        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= warm:
            samples.append(elapsed)
            queries.append(counted.queries)
    return _figures(samples, queries)


def timed(client, url, runs=60, warm=5):
    return timed_urls(client, [url], runs, warm)


def search_then_list(client, criteria):
    """The list as a user sees it after searching (criteria held in the session)."""
    client.post(reverse("cases:child_list"), criteria)
    return timed(client, reverse("cases:child_list"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    build(args.children)
    # Measure as production runs: no query logging, plain static storage (no manifest here).
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    rng = random.Random(args.seed)  # noqa: S311 - picks pages to time, not a secret
    sample_name = Child.objects.exclude(family_name="").values_list("family_name", flat=True)[1000]
    health = Agency.objects.get(name="Community Health Trust")
    ids = list(Child.objects.values_list("pk", flat=True).order_by("?")[:200])
    rows = []
    for username in ("practitioner", "health-practitioner", "lead"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        who = f"{username} ({user.agency})"
        rows.append((who, "children list", timed(client, reverse("cases:child_list"))))
        rows.append((who, "list, page 40", timed(client, reverse("cases:child_list") + "?page=40")))
        rows.append(
            (
                who,
                f"search '{sample_name[:3]}'",
                search_then_list(client, {"query": sample_name[:3]}),
            )
        )
        rows.append((who, "filter: on CP plan", search_then_list(client, {"on_cp_plan": "on"})))
        rows.append(
            (
                who,
                "filter: neglect plan + health",
                search_then_list(client, {"on_neglect_plan": "on", "agency": health.pk}),
            )
        )
        client.post(reverse("cases:child_list"), {"clear": "1"})
        visible = (
            ids
            if user.agency.is_childrens_social_care
            else list(
                Child.objects.filter(
                    involvements__agency=user.agency, involvements__end_date__isnull=True
                )
                .values_list("pk", flat=True)
                .distinct()[:200]
            )
        )
        if username == "lead":
            continue  # an agency lead reads lists, not caseloads
        for page, name in (
            ("child page", "cases:child_detail"),
            ("chronology", "toolkit:chronology"),
        ):
            urls = [reverse(name, args=[pk]) for pk in rng.choices(visible, k=120)]
            rows.append((who, page, timed_urls(client, urls, runs=110, warm=10)))
        rows.append((who, "My children", timed(client, reverse("toolkit:my_children"))))
        rows.append((who, "My tasks", timed(client, reverse("toolkit:my_tasks"))))

    # A team manager of children's social care: My children is the agency's (every child on a
    # neglect plan it works with); My tasks and the caseload are their team's unless they ask
    # for every team.
    manager = User.objects.get(username="manager")
    client = Client()
    client.force_login(manager)
    who = f"manager ({manager.agency})"
    my_children, tasks, caseload = (
        reverse(name) for name in ("toolkit:my_children", "toolkit:my_tasks", "toolkit:caseload")
    )
    for page, url in (
        ("My children (agency's)", my_children),
        ("My children, page 40", my_children + "?page=40"),
        ("My tasks (own team)", tasks),
        ("caseload (own team)", caseload),
        ("My tasks, every team", tasks + "?team=all"),
        ("caseload, every team", caseload + "?team=all"),
    ):
        rows.append((who, page, timed(client, url, runs=30)))

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\n{Child.objects.count():,} children on {engine}; server time in ms")
    print(f"{'viewer':<48} {'page':<30} {'median':>8} {'p95':>8} {'queries':>8} {'load':>6}")
    for who, page, (median, p95, fewest, most, load) in rows:
        queries = str(most) if fewest == most else f"{fewest}-{most}"
        print(f"{who:<48} {page:<30} {median:>8.1f} {p95:>8.1f} {queries:>8} {load:>6.2f}")


if __name__ == "__main__":
    main()
