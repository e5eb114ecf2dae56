"""Problems found in a census file, and how they are collected and quoted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

QUOTED_MAX = 100


@dataclass(frozen=True)
class Problem:
    child: str  # LAchildID, "record N" when it has none, or "file"
    element: str
    message: str
    line: int | None = None
    rule: str = ""  # the DfE validation rule's code, e.g. "8520"; "" for the portal's own checks
    query: bool = False  # a DfE query: listed in the report, but the file is still imported

    def __str__(self):
        where = f" (line {self.line})" if self.line else ""
        code = f"[{self.rule}] " if self.rule else ""
        return f"{self.child} / {self.element}: {code}{self.message}{where}"


class Findings:
    """The problems found so far: errors, which refuse the file, and DfE queries, which do not.

    Every one is counted, but only the first KEPT of each are kept, so a file with a problem
    in every record makes neither a huge report nor a huge memory footprint.
    """

    KEPT = 1000

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.queries: list[Problem] = []
        self.error_count = 0
        self.query_count = 0

    def append(self, problem: Problem) -> None:
        if problem.query:
            self.query_count += 1
            if len(self.queries) < self.KEPT:
                self.queries.append(problem)
        else:
            self.error_count += 1
            if len(self.errors) < self.KEPT:
                self.errors.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)


def quoted(value: str) -> str:
    """A value from the file, quoted in a problem: cut short, so that a huge value cannot make
    a huge report."""
    if len(value) > QUOTED_MAX:
        value = value[: QUOTED_MAX - 1] + "…"
    return f"'{value}'"
