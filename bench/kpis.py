"""Time computing every quarterly indicator, and compare with hand-written SQL.

Builds the data once (generate_demo_data) in the database named by DATABASE_URL, then times
`dataset.computation.compute()` for one quarter (every case-record indicator) and, in the same
run, the ORM against a single hand-written SQL query for CP_NEGLECT_SHARE,
CIN_NEGLECT_OVER_12M and REREFERRALS_12M, checking both give the same figures. Prints the
median and 95th percentile of each. Targets (issue 6): every indicator in under 2 seconds with
500,000 children in PostgreSQL, and the ORM within 1.5 times the hand-written query.

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

from dateutil.relativedelta import relativedelta  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cases.models import Child  # noqa: E402
from dataset.computation import compute  # noqa: E402
from neglect_portal.quarters import Quarter  # noqa: E402

# What an analyst would write by hand against the tables (PostgreSQL), one query each,
# returning (numerator, denominator).
HAND_WRITTEN = {
    "CP_NEGLECT_SHARE": """
        SELECT COUNT(DISTINCT child_id) FILTER (WHERE latest_category = 'NEG'),
               COUNT(DISTINCT child_id)
        FROM cases_childprotectionplan
        WHERE start_date <= %(end)s AND (end_date IS NULL OR end_date > %(end)s)
    """,
    "CIN_NEGLECT_OVER_12M": """
        SELECT COUNT(DISTINCT p.child_id) FILTER (WHERE p.start_date < %(end_less_12m)s),
               COUNT(DISTINCT p.child_id)
        FROM cases_childinneedplan p
        WHERE p.start_date <= %(end)s AND (p.end_date IS NULL OR p.end_date > %(end)s)
          AND EXISTS (SELECT 1 FROM cases_assessment a
                      WHERE a.referral_id = p.referral_id AND a.neglect_identified)
    """,
    "REREFERRALS_12M": """
        SELECT COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM cases_referral o
                   WHERE o.child_id = r.child_id AND o.referral_date < r.referral_date
                     AND o.referral_date >= CAST(r.referral_date - INTERVAL '12 months' AS date))),
               COUNT(*)
        FROM cases_referral r
        WHERE r.referral_date BETWEEN %(start)s AND %(end)s
    """,
}


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


def timed(run, runs: int, warm: int = 2):
    """(median ms, p95 ms, last result) of `runs` calls after `warm` untimed ones."""
    samples = []
    for i in range(runs + warm):
        started = time.perf_counter()
        result = run()
        elapsed = (time.perf_counter() - started) * 1000
        if i >= warm:
            samples.append(elapsed)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], result


def hand_written(code: str, quarter: Quarter):
    params = {
        "start": quarter.start,
        "end": quarter.end,
        "end_less_12m": quarter.end - relativedelta(months=12),
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN[code], params)
        return tuple(cursor.fetchone())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=500_000)
    parser.add_argument("--quarter", help="e.g. 2025-26-Q1 (default: the latest complete one)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL (the SQL below is PostgreSQL's)")
    build(args.children)
    settings.DEBUG = False  # no query logging, as in production
    quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.latest_complete()

    rows = []
    median, p95, figures = timed(lambda: compute(quarter), args.runs)
    rows.append(("every indicator (ORM, 8 queries)", median, p95, ""))
    total_median = median
    ratios = {}
    for code in HAND_WRITTEN:
        orm_median, orm_p95, orm = timed(
            lambda code=code: compute(quarter, codes=[code]), args.runs
        )
        sql_median, sql_p95, sql = timed(lambda code=code: hand_written(code, quarter), args.runs)
        figure = orm[code]
        if (figure.numerator, figure.denominator) != sql:
            sys.exit(
                f"{code}: the ORM gives {figure.numerator}/{figure.denominator}, "
                f"the SQL {sql[0]}/{sql[1]}"
            )
        ratios[code] = orm_median / sql_median
        rows.append(
            (f"{code} (ORM)", orm_median, orm_p95, f"{figure.numerator:,}/{figure.denominator:,}")
        )
        rows.append(
            (f"{code} (hand-written SQL)", sql_median, sql_p95, f"ORM/SQL {ratios[code]:.2f}x")
        )

    print(
        f"\n{Child.objects.count():,} children on {connection.vendor}; quarter {quarter}; "
        f"{args.runs} runs each, times in ms"
    )
    print(f"{'what':<45} {'median':>9} {'p95':>9}  note")
    for what, median, p95, note in rows:
        print(f"{what:<45} {median:>9.1f} {p95:>9.1f}  {note}")
    print("\nFigures:")
    for code, figure in figures.items():
        print(
            f"  {code:<28} {figure.numerator:>8,} / "
            f"{'' if figure.denominator is None else f'{figure.denominator:,}':>8}"
            f"  {figure.value}"
        )
    met_total = total_median < 2000
    met_ratio = all(ratio <= 1.5 for ratio in ratios.values())
    print(
        f"\nEvery indicator under 2 s: {'met' if met_total else 'MISSED'} "
        f"({total_median:.0f} ms); ORM within 1.5x of SQL: {'met' if met_ratio else 'MISSED'} "
        f"(worst {max(ratios.values()):.2f}x)"
    )


if __name__ == "__main__":
    main()
