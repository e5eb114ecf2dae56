"""One census import at a time (issue 12): a second import, from another process, is refused
while the first holds the lock, and nothing of it is written."""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from cases.census_import import ANOTHER_IMPORT_RUNNING, import_census
from cases.models import Child
from tests.cases.test_census_import import census

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOLD_THE_LOCK = """
import sys
import django
django.setup()
from cases.import_lock import one_import_at_a_time
with one_import_at_a_time():
    print("holding", flush=True)
    sys.stdin.readline()
"""


def this_database_url() -> str:
    """The test database, for another process: the lock lives in it (or beside it)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@contextmanager
def another_process_importing():
    holder = subprocess.Popen(  # noqa: S603 - our own code, fixed arguments
        [sys.executable, "-c", HOLD_THE_LOCK],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "neglect_portal.settings",
            "DATABASE_URL": this_database_url(),
        },
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.communicate("done\n", timeout=30)


def test_an_import_while_another_process_imports_is_refused_and_writes_nothing():
    with another_process_importing():
        result = import_census(census("valid.xml"))
    assert [problem.message for problem in result.problems] == [ANOTHER_IMPORT_RUNNING]
    assert not Child.objects.exists()


def test_once_the_other_import_ends_the_file_imports():
    with another_process_importing():
        assert not import_census(census("valid.xml")).ok
    assert import_census(census("valid.xml")).ok
    assert Child.objects.exists()


def test_a_refused_file_releases_the_lock():
    assert not import_census(census("month_13.xml")).ok
    assert import_census(census("valid.xml")).ok
