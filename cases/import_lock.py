"""One census import at a time, across every web worker, background worker and command.

An import checks the file against the records (CP plans that would overlap, children it would
update) and then writes: two at once would each check against the records before the other's
write, and could both write, one child getting two open CP plans. So the whole import, checks
and write, holds a lock. On PostgreSQL it is an advisory lock, on SQLite (one machine, by
nature) a lock on a file beside the database; both are released by the operating system or the
database if the process dies, so a crashed import never leaves the portal unable to import.
"""

from __future__ import annotations

import fcntl
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

# Advisory locks are named by a number; this one is the name's checksum, fixed for good.
_ADVISORY_KEY = zlib.crc32(b"neglect_portal.census_import")


class AnotherImportRunning(Exception):
    pass


@contextmanager
def one_import_at_a_time() -> Iterator[None]:
    """Hold the import lock for the block, or raise AnotherImportRunning at once."""
    if connection.vendor == "postgresql":
        with _advisory_lock():
            yield
    else:
        with _file_lock():
            yield


@contextmanager
def _advisory_lock() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_ADVISORY_KEY])
        if not cursor.fetchone()[0]:
            raise AnotherImportRunning
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_KEY])


def _lock_file() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        return Path(tempfile.gettempdir()) / "neglect-portal-census-import.lock"
    return Path(f"{name}.census-import.lock")


@contextmanager
def _file_lock() -> Iterator[None]:
    with _lock_file().open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherImportRunning from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
