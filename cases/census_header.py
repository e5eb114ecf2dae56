"""The census file's Header: which collection, which local authority, which census year.

Read before any Child (the DfE schema puts it first), so every child's dates can be checked
against the census period, and checked itself: a file for another collection, another local
authority or no census year at all is refused before anything is saved.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsed by census_import, never fetched
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from neglect_portal import dates

from .census_problems import Problem, quoted

COLLECTION = "CIN"
# Census dates are ISO dates in ASCII digits: `\\d` and int() would read other scripts' too.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class CensusHeader:
    collection: str | None
    year: str | None
    reference_date: date | None
    lea: str | None
    line: int | None = None
    reference_date_text: str | None = None  # as written, to quote when it is not a date

    @property
    def period_start(self) -> date | None:
        """The census year runs from the day after the previous ReferenceDate to this one
        (1 April to 31 March)."""
        if self.reference_date is None:
            return None
        return _year_before(self.reference_date) + timedelta(days=1)

    @property
    def period_end(self) -> date | None:
        return self.reference_date


def _year_before(value: date) -> date:
    try:
        return value.replace(year=value.year - 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year - 1, day=28)


def _text(elem: ET.Element | None, path: str) -> str | None:
    found = None if elem is None else elem.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def read_header(elem: ET.Element) -> CensusHeader:
    reference_date = _text(elem, "CollectionDetails/ReferenceDate")
    return CensusHeader(
        collection=_text(elem, "CollectionDetails/Collection"),
        year=_text(elem, "CollectionDetails/Year"),
        reference_date=_parse_date(reference_date),
        lea=_text(elem, "Source/LEA"),
        line=elem.get("_line"),
        reference_date_text=reference_date,
    )


def census_date(text: str) -> date:
    """A date as the census writes it, YYYY-MM-DD; ValueError for anything else."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(text)
    return date(int(text[:4]), int(text[5:7]), int(text[8:10]))


def _parse_date(text: str | None) -> date | None:
    try:
        return None if text is None else census_date(text)
    except ValueError:
        return None


def header_problems(header: CensusHeader | None) -> list[Problem]:
    """The header's own problems: the file must be this portal's CIN census, for a census year."""
    if header is None:
        return [
            Problem(
                "file",
                "Header",
                "The file has no Header before its children, so it is not a CIN census file. "
                "Export the census file again from the case management system.",
            )
        ]
    problems = []
    line = header.line
    if header.collection != COLLECTION:
        problems.append(
            Problem(
                "file",
                "Collection",
                f"The file is for the {quoted(header.collection or '')} collection, not the "
                "Children in Need census (CIN)",
                line,
            )
        )
    if header.reference_date is None:
        problems.append(
            Problem(
                "file",
                "ReferenceDate",
                "Enter a ReferenceDate"
                if header.reference_date_text is None
                else "ReferenceDate must be a real date in the format YYYY-MM-DD, not "
                f"{quoted(header.reference_date_text)}",
                line,
                rule="100",
            )
        )
    elif header.reference_date != _collection_end(header.year):
        problems.append(
            Problem(
                "file",
                "ReferenceDate",
                "ReferenceDate must be 31 March of the collection Year "
                f"({quoted(header.year or '')}), not {header.reference_date.isoformat()}",
                line,
                rule="100",
            )
        )
    expected_lea = settings.CENSUS_LA_CODE
    if header.lea != expected_lea:
        problems.append(
            Problem(
                "file",
                "LEA",
                f"The file is for local authority {quoted(header.lea or '')}, not this "
                f"portal's ({expected_lea}). Check that it is your authority's census file.",
                line,
            )
        )
    return problems


def older_than_imported(header: CensusHeader, newest: date) -> Problem:
    return Problem(
        "file",
        "ReferenceDate",
        f"This file is for the census year ending {dates.long_date(header.reference_date)}, "
        f"older than the newest file already imported ({dates.long_date(newest)}). Importing "
        "it would set records back to older values. To import it anyway, choose "
        "“Import an older file” and say why.",
        header.line,
    )


def _collection_end(year: str | None) -> date | None:
    if year is None or not re.fullmatch(r"[0-9]{4}", year):
        return None
    return date(int(year), 3, 31)
