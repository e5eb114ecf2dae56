"""Time computing every quarterly indicator, and compare each with hand-written SQL.

Builds the data once (generate_demo_data) in the database named by DATABASE_URL, then times
`dataset.computation.compute()` for one quarter (every computed indicator) and, for every
indicator computed from records, the ORM (`compute(quarter, codes=[code])`) against one
hand-written PostgreSQL query (bench/hand_sql.py), checking both give the same numerator and
denominator. The two are timed in turns, run by run, so load from others on the machine falls
on both alike. Prints the median and 95th percentile of each, their ratio, and the median of
the ORM's own SQL run alone (without the Python that builds it), to tell the query's cost from
the ORM's. Targets (issues 6 and 16): every indicator in under 2 seconds with 500,000 children
in PostgreSQL, and the ORM within 1.2 times the hand-written query for every indicator; exits
1 when either is missed.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE np_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/np_bench \\
        .venv/bin/python bench/kpis.py --children 500000
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neglect_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.hand_sql import HAND_WRITTEN, hand_written  # noqa: E402
from cases.models import Child  # noqa: E402
from dataset.computation import compute  # noqa: E402
from neglect_portal.quarters import Quarter  # noqa: E402

TOTAL_TARGET_MS = 2000
RATIO_TARGET = 1.2


def build(children: int) -> None:
    call_command("migrate", verbosity=0)
    have = Child.objects.count()
    if have >= children:
        print(f"Using the {have:,} children already in the database")
        return
    started = time.perf_counter()
    call_command("generate_demo_data", "--no-history", children=children - have, verbosity=0)
    print(f"Generated {children - have:,} children in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _summary(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def timed(run, runs: int, warm: int = 2):
    """(median ms, p95 ms, last result) of `runs` calls after `warm` untimed ones."""
    [(median, p95)], [result] = timed_in_turns([run], runs, warm)
    return median, p95, result


def timed_in_turns(calls, runs: int, warm: int = 2):
    """([(median ms, p95 ms) of each call], [last result of each]): every call once per run,
    in turn, `runs` times after `warm` untimed rounds."""
    samples = [[] for _ in calls]
    results = [None] * len(calls)
    for i in range(runs + warm):
        for n, run in enumerate(calls):
            started = time.perf_counter()
            results[n] = run()
            elapsed = (time.perf_counter() - started) * 1000
            if i >= warm:
                samples[n].append(elapsed)
    return [_summary(each) for each in samples], results


def orms_sql(code: str, quarter: Quarter):
    """A call running the queries compute() sends for `code`, as sent: the ORM's SQL without
    the Python that builds it, to tell the two costs apart."""
    with CaptureQueriesContext(connection) as captured:
        compute(quarter, codes=[code])
    queries = [query["sql"] for query in captured.captured_queries]

    def run():
        with connection.cursor() as cursor:
            for sql in queries:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=500_000)
    parser.add_argument("--quarter", help="e.g. 2025-26-Q1 (default: the latest complete one)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="turn PostgreSQL's JIT compilation off for this session (SET jit = off), to see "
        "what it costs: it compiles any query estimated over jit_above_cost first",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL (bench/hand_sql.py is PostgreSQL's)")
    build(args.children)
    settings.DEBUG = False  # no query logging, as in production
    if args.no_jit:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.latest_complete()

    total_median, total_p95, figures = timed(lambda: compute(quarter), args.runs)
    rows = []
    ratios = {}
    for code in HAND_WRITTEN:
        [(orm_median, orm_p95), (sql_median, sql_p95), (alone, _)], [orm, sql, _] = timed_in_turns(
            [
                lambda code=code: compute(quarter, codes=[code]),
                lambda code=code: hand_written(code, quarter),
                orms_sql(code, quarter),
            ],
            args.runs,
        )
        figure = orm[code]
        if (figure.numerator, figure.denominator) != sql:
            sys.exit(
                f"{code}: the ORM gives {figure.numerator}/{figure.denominator}, "
                f"the SQL {sql[0]}/{sql[1]}"
            )
        ratios[code] = orm_median / sql_median
        rows.append((code, orm_median, orm_p95, sql_median, sql_p95, ratios[code], alone))

    print(
        f"\n{Child.objects.count():,} children on {connection.vendor}; quarter {quarter}; "
        f"{args.runs} runs each, times in ms; JIT {'off' if args.no_jit else 'as configured'}; "
        f"load average {_load_average()}"
    )
    print(f"every computed indicator (compute()): median {total_median:.1f}, p95 {total_p95:.1f}")
    # "ORM's SQL": the median of running the queries compute() sends, without building them.
    print(
        f"\n{'indicator':<28} {'ORM med':>9} {'ORM p95':>9} {'SQL med':>9} {'SQL p95':>9}"
        f" {'ORM/SQL':>8} {'ORM SQL':>9} {'ORMSQL/SQL':>10}"
    )
    for code, orm_median, orm_p95, sql_median, sql_p95, ratio, alone in rows:
        missed = "" if ratio <= RATIO_TARGET else "  over"
        print(
            f"{code:<28} {orm_median:>9.1f} {orm_p95:>9.1f} {sql_median:>9.1f} {sql_p95:>9.1f}"
            f" {ratio:>7.2f}x {alone:>9.1f} {alone / sql_median:>9.2f}x{missed}"
        )
    print("\nFigures:")
    for code, figure in figures.items():
        print(
            f"  {code:<28} {'' if figure.numerator is None else f'{figure.numerator:,}':>8} / "
            f"{'' if figure.denominator is None else f'{figure.denominator:,}':>8}"
            f"  {figure.value}"
        )
    met_total = total_median < TOTAL_TARGET_MS
    worst = max(ratios, key=ratios.get)
    met_ratio = ratios[worst] <= RATIO_TARGET
    print(
        f"\nEvery indicator under {TOTAL_TARGET_MS / 1000:g} s: "
        f"{'met' if met_total else 'MISSED'} ({total_median:.0f} ms); "
        f"ORM within {RATIO_TARGET}x of SQL for every indicator: "
        f"{'met' if met_ratio else 'MISSED'} (worst {ratios[worst]:.2f}x, {worst})"
    )
    if not (met_total and met_ratio):
        sys.exit(1)


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
