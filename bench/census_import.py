"""Benchmark the CIN census import: time and peak memory for an N-children file.

Writes a synthetic census file (streamed, so the generator itself stays small), then runs
`manage.py import_cin_census` on it twice, first import and re-import, and prints the seconds
each took and the process's peak resident memory after each.

Run it against a fresh database, from the project folder:

    # SQLite
    rm -f /tmp/bench_import.sqlite3
    export DATABASE_URL=sqlite:////tmp/bench_import.sqlite3
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/census_import.py --children 50000

    # PostgreSQL
    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS bench_import'
    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_import'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/census_import.py --children 50000

Peak memory is for the whole process and only ever rises, so compare runs of different sizes
(e.g. 5,000 and 50,000 children) to see whether it grows with the file. `--file` reuses a
file written earlier with `--keep`.
"""

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neglect_portal.settings")

ETHNICITIES = ["WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "NOBT"]
SOURCES = ["1A", "2A", "3A", "3B", "5A", "5D", "6", "8"]
NEEDS = ["N1", "N1", "N2", "N3", "N4", "N5", "N6", "N8"]
FACTORS = ["16A", "3B", "4B", "2B", "1B", "17A", "18B", "21", "6A", "11A"]
CATEGORIES = ["NEG", "NEG", "NEG", "EMO", "PHY", "SAB", "MUL"]
CLOSURES = ["RC1", "RC3", "RC5", "RC7", "RC8", "RC9"]


# The census year the file is for: what the DfE rules check its dates against.
REFERENCE_DATE = date(2025, 3, 31)
PERIOD_START = date(2024, 4, 1)


def write_census(path, children, *, seed=2024, lea="201"):
    """A realistic file the DfE rules accept: each child 1-3 episodes of need in the census
    year with assessments, some CIN plans and occasional CP plans with reviews, never
    overlapping."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    today = REFERENCE_DATE
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<Message>\n  <Header>\n'
            f"    <CollectionDetails><Collection>CIN</Collection><Year>{today.year}</Year>"
            f"<ReferenceDate>{today}</ReferenceDate></CollectionDetails>\n"
            f"    <Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source>\n"
            "  </Header>\n  <Children>\n"
        )
        for n in range(1, children + 1):
            out.write(_child(rng, n, today))
        out.write("  </Children>\n</Message>\n")


def _day(rng, start, end):
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _child(rng, n, today):
    lines = ["    <Child>", "      <ChildIdentifiers>", f"        <LAchildID>BX{n:08d}</LAchildID>"]
    unborn = rng.random() < 0.03
    if unborn:
        expected = today + timedelta(days=rng.randint(1, 200))
        lines.append(f"        <ExpectedPersonBirthDate>{expected}</ExpectedPersonBirthDate>")
        # Work before birth starts within 40 weeks of it (DfE rule 8606).
        earliest = max(PERIOD_START, expected - timedelta(days=270))
    else:
        born = _day(rng, today - timedelta(days=17 * 365), PERIOD_START - timedelta(days=30))
        lines.append(f"        <PersonBirthDate>{born}</PersonBirthDate>")
        earliest = PERIOD_START
    lines += [
        # An unborn child's sex is not known (DfE rule 8750).
        f"        <Sex>{'U' if unborn else rng.choice('MFMFU')}</Sex>",
        "      </ChildIdentifiers>",
        "      <ChildCharacteristics>",
        f"        <Ethnicity>{rng.choice(ETHNICITIES)}</Ethnicity>",
        "        <Disabilities><Disability>"
        f"{'NONE' if rng.random() < 0.85 else rng.choice(['LD', 'AUT', 'COMM'])}"
        "</Disability></Disabilities>",
        "      </ChildCharacteristics>",
    ]
    cursor = earliest
    episodes = rng.choice([1, 1, 1, 2, 2, 3])
    for i in range(episodes):
        last = i == episodes - 1
        if cursor >= today:
            break
        start = _day(rng, cursor, min(cursor + timedelta(days=120), today - timedelta(days=1)))
        end = start + timedelta(days=rng.randint(30, 200))
        if end >= today or (last and rng.random() < 0.6):
            end = None  # still open
        lines += _episode(rng, start, end, today)
        cursor = (end or today) + timedelta(days=1)
        if end is None:
            break
    lines.append("    </Child>\n")
    return "\n".join(lines)


def _episode(rng, start, end, today):
    limit = end or today
    cin_plan, cp_plan = rng.random() < 0.6, rng.random() < 0.15
    # Closed after assessment (RC8, RC9) only where no plan followed (DfE rule 2990).
    closures = [c for c in CLOSURES if not (cin_plan or cp_plan) or c not in ("RC8", "RC9")]
    lines = [
        "      <CINdetails>",
        f"        <CINreferralDate>{start}</CINreferralDate>",
        f"        <ReferralSource>{rng.choice(SOURCES)}</ReferralSource>",
        f"        <PrimaryNeedCode>{rng.choice(NEEDS)}</PrimaryNeedCode>",
    ]
    if end:
        lines += [
            f"        <CINclosureDate>{end}</CINclosureDate>",
            f"        <ReasonForClosure>{rng.choice(closures)}</ReasonForClosure>",
        ]
    # No further action only where nothing followed (DfE rules 4000, 8831, 8832).
    nfa = not (cin_plan or cp_plan) and rng.random() < 0.3
    cp_start = _cp_start(rng, start, end, limit) if cp_plan else None
    assessment_start = start
    for _ in range(0 if nfa else rng.choice([1, 1, 2])):
        if assessment_start > limit:
            break
        assessment_start = _day(
            rng, assessment_start, min(limit, assessment_start + timedelta(days=20))
        )
        authorised = _day(rng, assessment_start, min(limit, assessment_start + timedelta(days=45)))
        factors = rng.sample(FACTORS, rng.randint(1, 3))
        if "21" in factors:  # "no factors identified" stands alone (DfE rule 8869)
            factors = ["21"]
        lines += [
            "        <Assessments>",
            f"          <AssessmentActualStartDate>{assessment_start}</AssessmentActualStartDate>",
            f"          <AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>",
            "          <FactorsIdentifiedAtAssessment>",
            *[f"            <AssessmentFactors>{f}</AssessmentFactors>" for f in factors],
            "          </FactorsIdentifiedAtAssessment>",
            "        </Assessments>",
        ]
        # The next starts once this one is authorised (DfE query 8863Q).
        assessment_start = authorised + timedelta(days=1)
    # Beside a CP plan, the CIN plan is a step up: it ends the day the CP plan starts
    # (DfE rules 4001, 4016, 4017).
    if cin_plan and cp_start is not None and cp_start > start:
        lines += _cin_plan(_day(rng, start, cp_start - timedelta(days=1)), cp_start)
    elif cin_plan and cp_start is None:
        lines += _cin_plan(_day(rng, start, limit), end)
    lines.append(f"        <ReferralNFA>{'true' if nfa else 'false'}</ReferralNFA>")
    if cp_start is not None:
        lines += _cp_plan(rng, cp_start, end, limit)
    lines.append("      </CINdetails>")
    return lines


def _cin_plan(plan_start, end):
    return [
        "        <CINPlanDates>",
        f"          <CINPlanStartDate>{plan_start}</CINPlanStartDate>",
        *([f"          <CINPlanEndDate>{end}</CINPlanEndDate>"] if end else []),
        "        </CINPlanDates>",
    ]


def _cp_start(rng, start, end, limit):
    # A plan ends after the day it starts (DfE rule 8840).
    return _day(rng, start, limit - timedelta(days=1)) if end else _day(rng, start, limit)


def _cp_plan(rng, plan_start, end, limit):
    category = rng.choice(CATEGORIES)
    lines = [
        "        <ChildProtectionPlans>",
        f"          <CPPstartDate>{plan_start}</CPPstartDate>",
        *([f"          <CPPendDate>{end}</CPPendDate>"] if end else []),
        f"          <InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>",
        f"          <LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>",
        "          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>",
        "          <Reviews>",
    ]
    review = plan_start
    for _ in range(rng.randint(0, 3)):
        review += timedelta(days=rng.randint(10, 90))
        if review > limit:
            break
        lines.append(f"            <CPPreviewDate>{review}</CPPreviewDate>")
    return [*lines, "          </Reviews>", "        </ChildProtectionPlans>"]


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed_import(path, label):
    from django.core.management import call_command

    out = io.StringIO()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    call_command("import_cin_census", str(path), stdout=out)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    # CPU time is this process only: on a busy machine it is the steadier figure.
    print(
        f"{label}: {seconds:.1f} s elapsed ({cpu:.1f} s CPU in this process), "
        f"peak RSS {_peak_rss_mb():.0f} MB"
    )
    print("\n".join("    " + line for line in out.getvalue().splitlines()[1:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--file", type=Path, help="import this file instead of writing one")
    parser.add_argument("--keep", action="store_true", help="keep the written file")
    parser.add_argument("--no-reimport", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # As in production: with DEBUG on, Django also formats and keeps the SQL of every query.
    settings.DEBUG = False

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    path = args.file
    if path is None:
        handle, name = tempfile.mkstemp(prefix="census-", suffix=".xml")
        os.close(handle)
        path = Path(name)
        started = time.perf_counter()
        write_census(path, args.children)
        print(
            f"Wrote {args.children} children ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s to {path}"
        )
    print(f"Peak RSS before import: {_peak_rss_mb():.0f} MB")
    try:
        _timed_import(path, "Import")
        if not args.no_reimport:
            _timed_import(path, "Re-import")
    finally:
        if args.file is None and not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
