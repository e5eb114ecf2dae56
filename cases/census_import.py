"""Import a DfE Children in Need census XML file: all or nothing.

Pass 1 streams the file and validates every Child record, collecting every problem, and
spools the validated records a batch at a time to a temporary file. Only when there are no
problems does pass 2 read the batches back and write them, inside one transaction. Neither
pass holds the whole file, so memory stays flat however many children it has, and the XML is
parsed only once.

Matching, so that re-importing the same or a later overlapping file updates rather than
duplicates: children on LAchildID, referrals (CINdetails) on child and referral date, CIN and
CP plans on child and start date, assessments on referral and start date, CP reviews on plan
and review date. Records the file does not mention are left alone.
"""

from __future__ import annotations

import gc
import pickle  # noqa: S403 - only for our own spool file, never for uploaded data
import tempfile
import xml.etree.ElementTree as ET  # noqa: S405 - see _parse_census on untrusted input
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pyexpat import errors as expat_errors
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, reset_queries, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from neglect_portal import dates

from .census_copy import create_with_history
from .census_header import (
    CensusHeader,
    census_date,
    header_problems,
    older_than_imported,
    read_header,
)
from .census_problems import QUOTED_MAX, Findings, Problem, quoted
from .census_rules import (
    BASE_RULES,
    Period,
    check_child,
    la_child_id_breaks_1580,
    rules_for,
    spans_overlap,
    upn_breaks,
)
from .codes import (
    ASSESSMENT_FACTORS,
    ClosureReason,
    CPCategory,
    Disability,
    Ethnicity,
    PrimaryNeed,
    ReferralSource,
)
from .duplicates import duplicates_flag
from .import_lock import AnotherImportRunning, one_import_at_a_time
from .models import (
    Assessment,
    CensusImportRun,
    Child,
    ChildInNeedPlan,
    ChildMerge,
    ChildProtectionPlan,
    CPReview,
    Referral,
    Versioned,
    la_child_id_characters,
)

CHANGE_REASON = "CIN census import"
ANOTHER_IMPORT_RUNNING = (
    "Another census import is running, so nothing was saved. Import this file again when it "
    "has finished."
)
BATCH_SIZE = 1000
# progress(stage, children) is told at least every PROGRESS_EVERY children of each pass; the
# saving pass tells (SAVING, 0) before its transaction begins, then from inside it.
CHECKING, SAVING = "checking", "saving"
PROGRESS_EVERY = 1000
Progress = Callable[[str, int], None]
LA_CHILD_ID_MAX_LENGTH = Child._meta.get_field("la_child_id").max_length

RECORD_TYPES = {
    "children": "Children",
    "referrals": "Referrals",
    "assessments": "Assessments",
    "cin_plans": "Child in need plans",
    "cp_plans": "Child protection plans",
    "cp_reviews": "Child protection reviews",
}

# Code lists as sets: TextChoices.values builds a new list on every call.
_ETHNICITIES = frozenset(Ethnicity.values)
_DISABILITIES = frozenset(Disability.values)
_REFERRAL_SOURCES = frozenset(ReferralSource.values)
_PRIMARY_NEEDS = frozenset(PrimaryNeed.values)
_CLOSURE_REASONS = frozenset(ClosureReason.values)
_CP_CATEGORIES = frozenset(CPCategory.values)
_ASSESSMENT_FACTORS = frozenset(ASSESSMENT_FACTORS)
_SEX_CODES = {"M": "M", "F": "F", "U": "U", "1": "M", "2": "F", "0": "U", "9": "U"}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


# Results ---------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)  # errors: the first Findings.KEPT
    queries: list[Problem] = field(default_factory=list)  # DfE queries: the first KEPT
    problem_count: int = 0
    query_count: int = 0
    header: CensusHeader | None = None
    counts: dict[str, Counts] = field(
        default_factory=lambda: {kind: Counts() for kind in RECORD_TYPES}
    )

    @property
    def ok(self):
        return not self.problem_count

    @classmethod
    def refused(cls, *problems: Problem) -> ImportResult:
        return cls(problems=list(problems), problem_count=len(problems))

    def found(self, findings: Findings) -> None:
        self.problems, self.problem_count = findings.errors, findings.error_count
        self.queries, self.query_count = findings.queries, findings.query_count

    def rows(self):
        """(label, created, updated) per record type, in a fixed order for tables."""
        return [
            (label, self.counts[kind].created, self.counts[kind].updated)
            for kind, label in RECORD_TYPES.items()
        ]


# Validated records: plain values keyed by model field name, so the writer can compare them
# with existing rows directly.


@dataclass(slots=True)
class PlainRecord:
    values: dict
    line: int | None


@dataclass(slots=True)
class CPPlanRecord:
    values: dict
    reviews: list[date]
    line: int | None


@dataclass(slots=True)
class ReferralRecord:
    values: dict
    assessments: list[PlainRecord]
    cin_plans: list[PlainRecord]
    cp_plans: list[CPPlanRecord]
    line: int | None = None


@dataclass(slots=True)
class ChildRecord:
    values: dict
    referrals: list[ReferralRecord]

    @property
    def la_child_id(self):
        return self.values["la_child_id"]

    def cp_plans(self):
        return [plan for referral in self.referrals for plan in referral.cp_plans]


class ReadChild(NamedTuple):
    la_child_id: str | None
    line: int | None
    upn: str
    record: ChildRecord | None  # None when the child has errors


# Entry point -----------------------------------------------------------------------------


def import_census(
    source,
    *,
    user=None,
    progress: Progress | None = None,
    change_reason: str = CHANGE_REASON,
    allow_older: bool = False,
    on_start: Callable[[], None] | None = None,
    on_finish: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Validate the whole file, then write it only if it has no errors (DfE queries do not
    stop it); never while another import runs (cases.import_lock).

    `source` is a path, or a binary file object (e.g. an upload). `change_reason` goes into
    every history row the import writes (cases.census_runs names the run in it). A file whose
    ReferenceDate is older than the newest imported run's is refused unless `allow_older`.
    `on_start` runs once the lock is taken; `on_finish` is given the result while it is still
    held, so that the next import already sees this one's run as finished (and its
    ReferenceDate as the newest).
    """
    try:
        with one_import_at_a_time():
            if on_start is not None:
                on_start()
            result = _import_census(
                source,
                user=user,
                progress=progress,
                change_reason=change_reason,
                allow_older=allow_older,
            )
            if on_finish is not None:
                on_finish(result)
            return result
    except AnotherImportRunning:
        result = ImportResult.refused(Problem("file", "Children", ANOTHER_IMPORT_RUNNING))
        if on_finish is not None:
            on_finish(result)
        return result


def _import_census(
    source, *, user, progress: Progress | None, change_reason: str, allow_older: bool
) -> ImportResult:
    with tempfile.TemporaryFile() as spool, _no_cycle_collection():
        result = validate(source, spool=spool, progress=progress, allow_older=allow_older)
        if not result.ok:
            return result
        try:
            writer = _Writer(user=user, counts=result.counts, change_reason=change_reason)
            _write(spool, writer, progress=progress)
        except IntegrityError:
            # Validation leaves the database nothing to refuse, unless someone changed the
            # same records between the two passes.
            refused = ImportResult.refused(
                Problem(
                    "file",
                    "Children",
                    "The portal's records changed while the file was being imported, so nothing "
                    "was saved. Import the file again.",
                )
            )
            refused.header = result.header
            return refused
    return result


@contextmanager
def _no_cycle_collection():
    """The import allocates millions of short-lived objects (elements, records, rows), all
    freed by reference counting; the cyclic collector those allocations set off kept walking
    every long-lived object too: measured, 7.8 s of a 31.8 s first import of 50,000 children
    and 8.8 s of a 25.4 s re-import. Peak memory stays the same with it off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate(
    source, *, spool=None, progress: Progress | None = None, allow_older: bool = False
) -> ImportResult:
    """Every problem in the file, including clashes with records already in the portal, and
    the file's header; nothing is written.

    While there are no errors, validated records are pickled to `spool` in batches for
    writing.
    """
    findings = Findings()
    census = _Census(source, findings, allow_older=allow_older)
    # The one thing kept for the whole file: about 100 bytes a child, to find duplicates.
    seen_ids: set[str] = set()
    children = census.children()
    if progress is not None:
        children = _counted(children, lambda read: progress(CHECKING, read))
    for batch in _batches(children, seen_ids, findings):
        findings.extend(_merged_away(batch))
        findings.extend(_clashes_with_existing_cp_plans([r for r in batch if r.cp_plans()]))
        if spool is not None and not findings.error_count:
            pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
    census.finish()
    if not seen_ids and census.readable:
        findings.append(Problem("file", "Children", "The file has no Child records"))
    result = ImportResult(header=census.header)
    result.found(findings)
    return result


def _counted(items, tell):
    read = 0
    for item in items:
        yield item
        read += 1
        if read % PROGRESS_EVERY == 0:
            tell(read)
    tell(read)


_SAME_UPN = BASE_RULES["1520"]


def _batches(children, seen_ids, findings):
    """Batches of valid records; also reports LAchildIDs and UPNs seen before in the file."""
    seen_upns: set[str] = set()
    batch = []
    for la_child_id, line, upn, record in children:
        if la_child_id is None:
            continue
        if la_child_id in seen_ids:
            findings.append(
                Problem(
                    la_child_id,
                    "LAchildID",
                    "This LAchildID appears more than once in the file",
                    line,
                )
            )
            continue
        seen_ids.add(la_child_id)
        # Noted even for a child with errors, so that 1520 is reported on whichever comes next.
        if upn:
            if upn in seen_upns:
                findings.append(
                    Problem(la_child_id, "UPN", _SAME_UPN.message, line, rule=_SAME_UPN.code)
                )
                continue
            seen_upns.add(upn)
        if record is None:
            continue
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(spool, writer, *, progress: Progress | None = None):
    spool.seek(0)
    written = 0
    if progress is not None:
        # Told before the transaction, so that it can be recorded where others see it.
        progress(SAVING, 0)
    with transaction.atomic():
        while True:
            try:
                batch = pickle.load(spool)  # noqa: S301 - written by validate() just now
            except EOFError:
                break
            writer.write(batch)
            _forget_logged_queries()
            written += len(batch)
            if progress is not None:
                progress(SAVING, written)


def _forget_logged_queries():
    # With DEBUG on, Django keeps the SQL of the last 9,000 queries; each bulk insert's SQL
    # is large, so memory would grow with the file. Leave it alone while tests capture them.
    if settings.DEBUG and not connection.force_debug_cursor:
        reset_queries()


# Streaming -------------------------------------------------------------------------------

ROOT = "Message"
HEADER, CHILD = "Header", "Child"
# Message/Children/Child/CINdetails/ChildProtectionPlans/ChildProtectionPlan/Reviews/
# CPPreviewDate is the census's deepest path (with records wrapped); a little room above it.
MAX_DEPTH = 10


@contextmanager
def _opened(source):
    if hasattr(source, "read"):
        if source.seekable():
            source.seek(0)
        yield source
    else:
        with open(source, "rb") as file:
            yield file


def _lines(raw) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) pieces of the file, a line (or 64 KiB of one) at a time, so that
    fed to the parser one by one each event's line number is known."""
    readline = raw.readline
    line, at_line_start = 0, True
    while data := readline(65536):
        if at_line_start:
            line += 1
        at_line_start = data.endswith(b"\n")
        yield line, data


class _NotACensus(Exception):
    """The file is not shaped like a census: reading it further would only add noise."""

    def __init__(self, problem: Problem):
        self.problem = problem


def _local(tag, line):
    if tag[0] == "{":
        namespace, _, local = tag[1:].partition("}")
        raise _NotACensus(
            Problem(
                "file",
                local,
                f"The file uses the XML namespace {quoted(namespace)}, which the CIN census "
                "does not use: it is not a census file the portal can read",
                line,
            )
        )
    return tag


def _parse_census(raw, census: _Census) -> Iterator[tuple[str, int, ET.Element]]:
    """The Header, then each complete Child element in turn, as (kind, ordinal, element);
    frees each child once used.

    ElementTree never fetches external entities and the bundled expat (2.4.1 or later)
    refuses entity-expansion bombs, so a hostile upload cannot read files or exhaust memory.
    A file with the wrong root element, a namespace or nesting deeper than the census's is
    refused at that point; a malformed one becomes a problem, after every record before the
    fault has been read.
    """
    # ET.iterparse unrolled: its generator and a reader object cost a call per event and line.
    parser = ET.XMLPullParser(events=("start", "end"))  # noqa: S314
    pieces = _lines(raw)
    stack: list[ET.Element] = []
    ordinal = 0
    current = None
    line = 0
    try:
        while True:
            piece = next(pieces, None)
            if piece is None:
                parser.close()
            else:
                line, data = piece
                parser.feed(data)
            for event, elem in parser.read_events():
                if event == "start":
                    elem.tag = _local(elem.tag, line)
                    elem.set("_line", line)
                    if not stack and elem.tag != ROOT:
                        raise _NotACensus(
                            Problem(
                                "file",
                                elem.tag[:QUOTED_MAX],
                                f"The file's root element is {quoted(elem.tag)}, not {ROOT}: it "
                                "is not a CIN census file",
                                line,
                            )
                        )
                    if len(stack) >= MAX_DEPTH:
                        raise _NotACensus(
                            Problem(
                                "file",
                                elem.tag[:QUOTED_MAX],
                                "The file's elements are nested deeper than a CIN census file's: "
                                "it is not a census file the portal can read",
                                line,
                            )
                        )
                    if elem.tag == CHILD and len(stack) == 2 and stack[-1].tag == "Children":
                        ordinal += 1
                        current = elem
                    stack.append(elem)
                    continue
                stack.pop()
                if elem is current:
                    current = None
                    yield CHILD, ordinal, elem
                    # Drop the finished child from the tree so memory does not grow.
                    elem.clear()
                    stack[-1].clear()
                elif elem.tag == HEADER and len(stack) == 1:
                    yield HEADER, 0, elem
                    elem.clear()
            if piece is None:
                break
    except _NotACensus as refused:
        census.unreadable(refused.problem)
    except ET.ParseError as error:
        label = _child_label(current, ordinal) if current is not None else "file"
        census.unreadable(
            Problem(label, "XML", _parse_error_message(error), error.position[0] or None)
        )
    except LookupError as error:
        # The XML declaration names an encoding Python does not know.
        census.unreadable(Problem("file", "XML", _unknown_encoding_message(error), 1))


def _parse_error_message(error: ET.ParseError) -> str:
    reason = expat_errors.messages[error.code]
    if reason in _ENCODING_ERRORS:
        return (
            "The file is not in the encoding its first line declares, or in one the portal "
            f"cannot read ({reason}). Export it again as UTF-8."
        )
    if reason == expat_errors.XML_ERROR_INVALID_TOKEN:
        return (
            f"The file is not well-formed XML ({reason}). It may be damaged, or not in the "
            "encoding its first line declares: export it again as UTF-8."
        )
    return (
        f"The file is not well-formed XML ({reason}). It may be incomplete or damaged: "
        "export it again."
    )


def _unknown_encoding_message(error: LookupError) -> str:
    name = str(error).rpartition(":")[2].strip()
    return (
        f"The file's first line declares the encoding {quoted(name)}, which the portal cannot "
        "read. Export it again as UTF-8."
    )


_ENCODING_ERRORS = {
    expat_errors.XML_ERROR_UNKNOWN_ENCODING,
    expat_errors.XML_ERROR_INCORRECT_ENCODING,
}


def _child_label(elem, ordinal):
    la_child_id = _text(elem.find("ChildIdentifiers"), "LAchildID")
    return la_child_id[:QUOTED_MAX] if la_child_id else f"record {ordinal}"


class _Census:
    """Reads the file: checks its header, then reads each Child against it.

    `readable` turns false when the file proved not to be a well-formed census, so the
    checks that assume one (no children, no header) do not pile on.
    """

    def __init__(self, source, findings: Findings, *, allow_older: bool):
        self.source = source
        self.findings = findings
        self.allow_older = allow_older
        self.header: CensusHeader | None = None
        self.header_checked = False
        self.readable = True

    def children(self) -> Iterator[ReadChild]:
        """Every Child; its errors go into the findings."""
        today = dates.today()
        with _opened(self.source) as raw:
            for kind, ordinal, elem in _parse_census(raw, self):
                if kind == HEADER:
                    self.check_header(read_header(elem))
                    continue
                self.check_header(None)
                yield _ChildReader(elem, ordinal, today, self.findings, self.header).read()

    def unreadable(self, problem: Problem) -> None:
        # A file cut short or refused for its shape has told all it can: no more checks.
        self.readable = False
        self.findings.append(problem)

    def check_header(self, header: CensusHeader | None) -> None:
        if self.header_checked:
            return
        self.header_checked = True
        self.header = header
        self.findings.extend(header_problems(header))
        if header is not None and header.reference_date is not None and not self.allow_older:
            newest = _newest_imported()
            if newest is not None and header.reference_date < newest:
                self.findings.append(older_than_imported(header, newest))

    def finish(self) -> None:
        if self.readable:
            self.check_header(None)


def _newest_imported() -> date | None:
    """The latest ReferenceDate of the files imported so far."""
    return CensusImportRun.objects.filter(status=CensusImportRun.Status.IMPORTED).aggregate(
        newest=Max("reference_date")
    )["newest"]


# Reading and validating one Child --------------------------------------------------------


def _elem_text(elem):
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def _text(parent, name):
    return None if parent is None else _elem_text(parent.find(name))


def _line(elem):
    return None if elem is None else elem.get("_line")


def _a(word):
    return "an" if word[0] in "AEIOU" else "a"


def _overlap(start_a, end_a, start_b, end_b):
    """Same rule as ChildProtectionPlan.overlapping_plans: a plan is no longer open on its end
    date, so one may start the day another ends."""
    return start_a == start_b or spans_overlap(start_a, end_a, start_b, end_b)


class _ChildReader:
    """Turns one Child element into a ChildRecord, reporting every problem it finds."""

    def __init__(self, elem, ordinal, today, findings: Findings, header: CensusHeader | None):
        self.elem = elem
        self.today = today
        self.findings = findings
        # None when the file has no usable header: the checks against the census year wait
        # until it has one (the header's own problem already refuses the file).
        self.header = header
        self.label = f"record {ordinal}"
        self.found_problem = False
        self.rules = rules_for(None if header is None else header.reference_date)
        self.period = (
            None
            if header is None or header.reference_date is None or header.period_start is None
            else Period(header.period_start, header.reference_date)
        )

    def problem(self, element, message, line=None, *, rule="", query=False):
        """Report a problem; an error (not a DfE query) keeps this child out of the import."""
        if not query:
            self.found_problem = True
        self.findings.append(Problem(self.label, element, message, line, rule=rule, query=query))

    def rule(self, code: str, element: str, line: int | None = None, detail: str = "") -> None:
        """Report a breach of the DfE rule `code`, with the collection year's message; a rule
        the year does not have is not reported."""
        rule = self.rules.get(code)
        if rule is not None:
            message = f"{rule.message} ({detail})" if detail else rule.message
            self.problem(element, message, line, rule=code, query=rule.query)

    # Values ----------------------------------------------------------------------------

    def date(self, parent, name, *, required=False, future_ok=False):
        elem = None if parent is None else parent.find(name)
        return self.date_of(elem, name, parent, required=required, future_ok=future_ok)

    def date_of(self, elem, name, parent, *, required=False, future_ok=False):
        text = _elem_text(elem)
        if text is None:
            if required:
                self.problem(name, f"Enter {_a(name)} {name}", _line(elem) or _line(parent))
            return None
        try:
            value = census_date(text)
        except ValueError:
            self.problem(
                name,
                f"{name} must be a real date in the format YYYY-MM-DD, not {quoted(text)}",
                _line(elem),
            )
            return None
        if not future_ok and value > self.today:
            self.problem(name, f"{name} must be today or in the past", _line(elem))
        return value

    def code(self, parent, name, allowed, *, rule: str, required=False):
        elem = None if parent is None else parent.find(name)
        text = _elem_text(elem)
        if text is None:
            if required:
                self.rule(rule, name, _line(elem) or _line(parent))
            return ""
        if text not in allowed:
            self.rule(rule, name, _line(elem), f"not {quoted(text)}")
            return ""
        return text

    def codes(self, parent, container, name, allowed, *, rule: str, repeat_rule: str = ""):
        values = []
        group = None if parent is None else parent.find(container)
        for elem in [] if group is None else group.iter(name):
            text = _elem_text(elem)
            if text is None:
                continue
            if text not in allowed:
                if rule:
                    self.rule(rule, name, _line(elem), f"not {quoted(text)}")
                else:
                    self.problem(name, f"{name} {quoted(text)} is not a known code", _line(elem))
            elif text not in values:
                values.append(text)
            elif repeat_rule:
                self.rule(repeat_rule, name, _line(elem), quoted(text))
        return values

    def boolean(self, parent, name):
        elem = parent.find(name)
        text = _elem_text(elem)
        if text is None:
            return False
        if text.lower() not in _BOOLEANS:
            self.rule("8568", name, _line(elem), f"not {quoted(text)}")
            return False
        return _BOOLEANS[text.lower()]

    def sex(self, ids):
        for name in ("Sex", "GenderCurrent"):
            elem = None if ids is None else ids.find(name)
            text = _elem_text(elem)
            if text is None:
                continue
            if text.upper() not in _SEX_CODES:
                self.rule("4180", name, _line(elem), detail=f"not {quoted(text)}")
                return "U"
            return _SEX_CODES[text.upper()]
        self.rule("4180", "GenderCurrent", _line(ids) or _line(self.elem))
        return "U"

    # Records ---------------------------------------------------------------------------

    def read(self) -> ReadChild:
        ids = self.elem.find("ChildIdentifiers")
        la_child_id = _text(ids, "LAchildID")
        if la_child_id is None:
            self.problem("LAchildID", "Enter a LAchildID", _line(ids) or _line(self.elem))
        else:
            self.label = la_child_id[:QUOTED_MAX]
            id_line = _line(ids.find("LAchildID"))
            if len(la_child_id) > LA_CHILD_ID_MAX_LENGTH:
                # DfE rule 1570 from 2024-25; the portal's own limit before then.
                if "1570" in self.rules:
                    self.rule("1570", "LAchildID", id_line)
                else:
                    self.problem(
                        "LAchildID",
                        f"LAchildID must be {LA_CHILD_ID_MAX_LENGTH} characters or fewer",
                        id_line,
                    )
            if "1580" in self.rules:
                if la_child_id_breaks_1580(la_child_id):
                    self.rule("1580", "LAchildID", id_line)
            else:
                try:
                    la_child_id_characters(la_child_id)
                except ValidationError as refused:
                    self.problem(
                        "LAchildID",
                        refused.messages[0].replace("LA child ID", "LAchildID"),
                        id_line,
                    )
        characteristics = self.elem.find("ChildCharacteristics")
        values = {
            "la_child_id": la_child_id,
            **self.identifiers(ids),
            "ethnicity": self.code(
                characteristics, "Ethnicity", _ETHNICITIES, rule="4220", required=True
            ),
            "disabilities": self.codes(
                characteristics,
                "Disabilities",
                "Disability",
                _DISABILITIES,
                rule="8540",
                repeat_rule="8794",
            ),
        }
        referrals = self.referrals()
        id_line = _line(ids.find("LAchildID")) if la_child_id else None
        # A CINdetails with a problem of its own is not in `referrals`, but it is there.
        episodes = sum(1 for _ in self.elem.iterfind("CINdetails"))
        check_child(
            values, id_line or _line(self.elem), referrals, episodes, self.period, self.rule
        )
        record = None if self.found_problem else ChildRecord(values, referrals)
        return ReadChild(la_child_id, id_line, values["upn"], record)

    def identifiers(self, ids):
        born = self.date(ids, "PersonBirthDate")
        expected = self.date(ids, "ExpectedPersonBirthDate", future_ok=True)
        died = self.date(ids, "PersonDeathDate")
        if _text(ids, "PersonBirthDate") is None and _text(ids, "ExpectedPersonBirthDate") is None:
            self.problem(
                "PersonBirthDate",
                "Enter a PersonBirthDate or an ExpectedPersonBirthDate",
                _line(ids) or _line(self.elem),
            )
        return {
            "date_of_birth": born,
            "expected_date_of_birth": expected,
            "sex": self.sex(ids),
            "date_of_death": died,
            "upn": self.upn(ids),
        }

    def upn(self, ids):
        """The UPN, if the file has one the DfE's format rules accept; "" otherwise."""
        elem = None if ids is None else ids.find("UPN")
        text = _elem_text(elem)
        if text is None:
            return ""
        breaks = upn_breaks(text)
        for code in breaks:
            self.rule(code, "UPN", _line(elem), detail=f"not {quoted(text)}")
        return "" if breaks else text

    def referrals(self):
        referrals, referral_dates = [], set()
        for details in self.elem.iterfind("CINdetails"):
            referral = self.referral(details)
            if referral is None:
                continue
            referral_date = referral.values["referral_date"]
            if referral_date in referral_dates:
                self.problem(
                    "CINreferralDate",
                    "Another CINdetails for this child has the same CINreferralDate",
                    _line(details.find("CINreferralDate")),
                )
            referral_dates.add(referral_date)
            referrals.append(referral)
        self.check_cin_plans_unique(referrals)
        self.check_cp_plans_do_not_overlap(referrals)
        return referrals

    def referral(self, details):
        referral_date = self.date(details, "CINreferralDate", required=True)
        closure_date = self.date(details, "CINclosureDate")
        closure_reason = self.code(details, "ReasonForClosure", _CLOSURE_REASONS, rule="8640")
        if referral_date and closure_date and closure_date < referral_date:
            self.rule("8630", "CINclosureDate", _line(details.find("CINclosureDate")))
        if closure_date and _text(details, "ReasonForClosure") is None:
            self.rule("8805", "ReasonForClosure", _line(details.find("CINclosureDate")))
        if _text(details, "ReasonForClosure") is not None and closure_date is None:
            self.rule("8810", "CINclosureDate", _line(details.find("ReasonForClosure")))
        values = {
            "referral_date": referral_date,
            "source": self.code(
                details, "ReferralSource", _REFERRAL_SOURCES, rule="8866", required=True
            ),
            "primary_need": self.code(details, "PrimaryNeedCode", _PRIMARY_NEEDS, rule="8650"),
            "closure_date": closure_date,
            "closure_reason": closure_reason,
            "no_further_action": self.boolean(details, "ReferralNFA"),
        }
        assessments = [
            self.assessment(elem) for elem in _each(details, "Assessments", "Assessment")
        ]
        self.check_assessments_unique(assessments)
        cin_plans = [self.cin_plan(elem) for elem in details.iterfind("CINPlanDates")]
        cp_plans = [
            self.cp_plan(elem)
            for elem in _each(details, "ChildProtectionPlans", "ChildProtectionPlan")
        ]
        if referral_date is None:
            return None
        return ReferralRecord(values, assessments, cin_plans, cp_plans, _line(details))

    def assessment(self, elem):
        start = self.date(elem, "AssessmentActualStartDate", required=True)
        authorised = self.date(elem, "AssessmentAuthorisationDate")
        if start and authorised and authorised < start:
            self.rule(
                "8608",
                "AssessmentAuthorisationDate",
                _line(elem.find("AssessmentAuthorisationDate")),
            )
        return PlainRecord(
            {
                "start_date": start,
                "authorised_date": authorised,
                "factors": self.codes(
                    elem,
                    "FactorsIdentifiedAtAssessment",
                    "AssessmentFactors",
                    _ASSESSMENT_FACTORS,
                    rule="",  # no DfE rule for an unknown factor: the portal's own check
                    repeat_rule="8898",
                ),
            },
            _line(elem),
        )

    def cin_plan(self, elem):
        start = self.date(elem, "CINPlanStartDate", required=True)
        end = self.date(elem, "CINPlanEndDate")
        if start and end and end < start:
            self.rule("4011", "CINPlanEndDate", _line(elem.find("CINPlanEndDate")))
        return PlainRecord({"start_date": start, "end_date": end}, _line(elem))

    def cp_plan(self, elem):
        start = self.date(elem, "CPPstartDate", required=True)
        end = self.date(elem, "CPPendDate")
        if start and end and end < start:
            self.rule("8925", "CPPendDate", _line(elem.find("CPPendDate")))
        initial = self.code(
            elem, "InitialCategoryOfAbuse", _CP_CATEGORIES, rule="8905", required=True
        )
        latest = self.code(elem, "LatestCategoryOfAbuse", _CP_CATEGORIES, rule="8910") or initial
        values = {
            "start_date": start,
            "end_date": end,
            "initial_category": initial,
            "latest_category": latest,
        }
        return CPPlanRecord(values, self.reviews(elem, start), _line(elem))

    def reviews(self, plan, start):
        dates = []
        for group in plan.iterfind("Reviews"):
            if all(_elem_text(e) is None for e in group.iterfind("CPPreviewDate")):
                self.rule("8842Q", "CPPreviewDate", _line(group))
            for elem in group.iterfind("CPPreviewDate"):
                value = self.date_of(elem, "CPPreviewDate", group)
                if value is None:
                    continue
                if start and value <= start:
                    self.rule("8841", "CPPreviewDate", _line(elem))
                elif value in dates:
                    self.problem(
                        "CPPreviewDate",
                        "This CPPreviewDate appears more than once for the plan",
                        _line(elem),
                    )
                else:
                    dates.append(value)
        return dates

    # Checks across the records of one child --------------------------------------------

    def check_assessments_unique(self, assessments):
        starts = set()
        for assessment in assessments:
            start = assessment.values["start_date"]
            if start and start in starts:
                self.problem(
                    "AssessmentActualStartDate",
                    "Another assessment in this CINdetails has the same AssessmentActualStartDate",
                    assessment.line,
                )
            starts.add(start)

    def check_cin_plans_unique(self, referrals):
        starts = set()
        for plan in (plan for referral in referrals for plan in referral.cin_plans):
            start = plan.values["start_date"]
            if start and start in starts:
                self.rule(
                    "4014", "CINPlanStartDate", plan.line, "another CIN plan starts the same day"
                )
            starts.add(start)

    def check_cp_plans_do_not_overlap(self, referrals):
        plans = [
            plan
            for referral in referrals
            for plan in referral.cp_plans
            if plan.values["start_date"]
        ]
        for i, plan in enumerate(plans):
            for other in plans[:i]:
                if _overlap(
                    plan.values["start_date"],
                    plan.values["end_date"],
                    other.values["start_date"],
                    other.values["end_date"],
                ):
                    self.rule(
                        "8940",
                        "CPPstartDate",
                        plan.line,
                        f"the other starts on {other.values['start_date']}",
                    )


def _each(parent, name, item):
    """Census files repeat `name` once per record; some wrap records in `item` elements."""
    for elem in parent.iterfind(name):
        wrapped = elem.findall(item)
        yield from wrapped or [elem]


# Checks against the database -------------------------------------------------------------


def _merged_away(records: list[ChildRecord]) -> list[Problem]:
    """Children merged into another in the portal: importing them again would bring the
    merged child back with a second copy of each record, so the file must use the survivor's
    LAchildID (corrected in the case management system) before it can be imported."""
    merges = ChildMerge.objects.filter(
        merged_la_child_id__in=[r.la_child_id for r in records]
    ).select_related("survivor")
    return [
        Problem(
            merge.merged_la_child_id,
            "LAchildID",
            f"This child was merged into the child with LAchildID {merge.survivor.la_child_id} "
            f"on {dates.long_date(timezone.localdate(merge.merged_at))}: use that LAchildID",
        )
        for merge in merges
    ]


def _clashes_with_existing_cp_plans(records: list[ChildRecord]) -> list[Problem]:
    """File plans that would overlap a portal plan the file does not match (by start date)."""
    if not records:
        return []
    existing: dict[str, list[tuple[date, date | None]]] = {}
    rows = (
        ChildProtectionPlan.objects.filter(child__la_child_id__in=[r.la_child_id for r in records])
        .order_by()
        .values_list("child__la_child_id", "start_date", "end_date")
    )
    for la_child_id, start, end in rows:
        existing.setdefault(la_child_id, []).append((start, end))
    problems = []
    for record in records:
        plans = record.cp_plans()
        file_starts = {plan.values["start_date"] for plan in plans}
        others = [(s, e) for s, e in existing.get(record.la_child_id, []) if s not in file_starts]
        for plan in plans:
            start, end = plan.values["start_date"], plan.values["end_date"]
            for other_start, other_end in others:
                if _overlap(start, end, other_start, other_end):
                    problems.append(
                        Problem(
                            record.la_child_id,
                            "CPPstartDate",
                            "This child protection plan overlaps a plan already in the portal "
                            f"(from {other_start}) that is not in the file",
                            plan.line,
                        )
                    )
    return problems


# Writing ---------------------------------------------------------------------------------


class _Writer:
    """Creates or updates one batch of validated children, a few queries per record type."""

    def __init__(self, *, user, counts, change_reason=CHANGE_REASON):
        self.user = user
        self.counts = counts
        self.change_reason = change_reason

    def write(self, batch: list[ChildRecord]):
        children = self.children(batch)
        referrals = self.referrals(batch, children)
        self.assessments(referrals)
        self.cin_plans(children, referrals)
        plans = self.cp_plans(children, referrals)
        self.cp_reviews(plans)
        duplicates_flag(child_ids=[child.pk for child in children.values()])

    def children(self, batch):
        existing = {
            c.la_child_id: c
            for c in Child.objects.filter(la_child_id__in=[r.la_child_id for r in batch]).order_by()
        }
        saved = self.sync(
            Child, "children", [(existing.get(r.la_child_id), r.values) for r in batch]
        )
        return dict(zip([r.la_child_id for r in batch], saved, strict=True))

    def referrals(self, batch, children):
        """Returns (referral record, saved referral) pairs."""
        existing = {
            (r.child_id, r.referral_date): r
            for r in Referral.objects.filter(
                child__in=[c.pk for c in children.values() if not c._created]
            ).order_by()
        }
        pairs, rows = [], []
        for record in batch:
            child = children[record.la_child_id]
            for referral in record.referrals:
                key = (child.pk, referral.values["referral_date"])
                rows.append((existing.get(key), {**referral.values, "child_id": child.pk}))
                pairs.append(referral)
        saved = self.sync(Referral, "referrals", rows, on_create={"recorded_by": self.user})
        return list(zip(pairs, saved, strict=True))

    def assessments(self, referrals):
        existing = {
            (a.referral_id, a.start_date): a
            for a in Assessment.objects.filter(
                referral__in=[saved.pk for _, saved in referrals if not saved._created]
            ).order_by()
        }
        rows = []
        for record, referral in referrals:
            for assessment in record.assessments:
                values = {**assessment.values, "referral_id": referral.pk}
                rows.append((existing.get((referral.pk, values["start_date"])), values))
        self.sync(Assessment, "assessments", rows)

    def _plan_matcher(self, model, children):
        """Find an existing plan by child and start date, preferring one already under the
        file's referral (a child could hold two on one day under different referrals)."""
        plans = model.objects.filter(
            child__in=[c.pk for c in children.values() if not c._created]
        ).order_by()
        by_referral, by_child = {}, {}
        for plan in plans:
            by_referral[(plan.referral_id, plan.start_date)] = plan
            by_child.setdefault((plan.child_id, plan.start_date), plan)

        def match(referral, start):
            return by_referral.get((referral.pk, start)) or by_child.get((referral.child_id, start))

        return match

    def cin_plans(self, children, referrals):
        match = self._plan_matcher(ChildInNeedPlan, children)
        rows = []
        for record, referral in referrals:
            for plan in record.cin_plans:
                values = {**plan.values, "referral_id": referral.pk, "child_id": referral.child_id}
                rows.append((match(referral, plan.values["start_date"]), values))
        self.sync(ChildInNeedPlan, "cin_plans", rows)

    def cp_plans(self, children, referrals):
        """Returns (plan record, saved plan) pairs."""
        match = self._plan_matcher(ChildProtectionPlan, children)
        rows, records = [], []
        for record, referral in referrals:
            for plan in record.cp_plans:
                values = {**plan.values, "referral_id": referral.pk, "child_id": referral.child_id}
                rows.append((match(referral, plan.values["start_date"]), values))
                records.append(plan)
        saved = self.sync(ChildProtectionPlan, "cp_plans", rows)
        return list(zip(records, saved, strict=True))

    def cp_reviews(self, plans):
        existing = set(
            CPReview.objects.filter(plan__in=[saved.pk for _, saved in plans if not saved._created])
            .order_by()
            .values_list("plan_id", "review_date")
        )
        rows = [
            (None, {"plan_id": plan.pk, "review_date": review_date})
            for record, plan in plans
            for review_date in record.reviews
            if (plan.pk, review_date) not in existing
        ]
        self.sync(CPReview, "cp_reviews", rows)
        # A review has nothing to update: every one already there is unchanged.
        self.counts["cp_reviews"].unchanged += sum(len(r.reviews) for r, _ in plans) - len(rows)

    def sync(self, model, kind, rows, *, on_create=None):
        """Create rows with no existing object; update existing ones whose values differ.

        Unchanged rows are not written, so re-importing a file adds no history noise.
        Returns the saved objects in row order, each marked with `_created`.
        """
        saved, to_create, to_update, fields = [], [], [], set()
        for existing, values in rows:
            if existing is None:
                obj = model(**values, **(on_create or {}))
                obj._created = True
                to_create.append(obj)
            else:
                obj = existing
                obj._created = False
                changed = [k for k, v in values.items() if getattr(obj, k) != v]
                if changed:
                    for name in changed:
                        setattr(obj, name, values[name])
                    fields.update(changed)
                    to_update.append(obj)
            saved.append(obj)
        self._create(model, to_create)
        self._update(model, to_update, fields)
        self.counts[kind].created += len(to_create)
        self.counts[kind].updated += len(to_update)
        self.counts[kind].unchanged += len(rows) - len(to_create) - len(to_update)
        return saved

    def _history_options(self):
        return {
            "default_user": self.user,
            "default_change_reason": self.change_reason,
            "batch_size": BATCH_SIZE,
        }

    def _create(self, model, objs):
        if not objs:
            return
        for obj in objs:
            # Bulk inserts skip save(), which is where these flags are normally derived.
            if hasattr(obj, "derive_flags"):
                obj.derive_flags()
        create_with_history(model, objs, user=self.user, change_reason=self.change_reason)

    def _update(self, model, objs, fields):
        if not objs:
            return
        fields = set(fields)
        if issubclass(model, Versioned):
            # Forms refuse a stale save by version, so an import must move it on too.
            for obj in objs:
                obj.version += 1
            fields.add("version")
        if hasattr(model, "derive_flags"):
            for obj in objs:
                obj.derive_flags()
            fields.update(
                f.name
                for f in model._meta.fields
                if f.name.startswith("neglect_") and not f.editable
            )
        bulk_update_with_history(objs, model, sorted(fields), **self._history_options())
