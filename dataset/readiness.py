"""What is still missing when an administrator publishes a quarter: returns not sent and
challenges not closed. Publishing is not blocked by them (a partnership cannot wait for every
return), but the administrator sees each one and confirms."""

from __future__ import annotations

from dataclasses import dataclass

from actionplans.models import Challenge
from actionplans.selectors import challenges_for_quarter
from neglect_portal.quarters import Quarter

from . import selectors
from .selectors import ReturnGap


def _counted(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class Readiness:
    missing_returns: list[ReturnGap]
    open_challenges: list[Challenge]  # raised on this quarter or before, not yet closed

    @property
    def complete(self) -> bool:
        return not (self.missing_returns or self.open_challenges)

    @property
    def summary(self) -> str:
        parts = []
        if self.missing_returns:
            parts.append(
                _counted(len(self.missing_returns), "return", "returns") + " not submitted"
            )
        if self.open_challenges:
            parts.append(_counted(len(self.open_challenges), "challenge", "challenges") + " open")
        return " and ".join(parts)


def publication_readiness(quarter: Quarter) -> Readiness:
    missing = selectors.return_gaps(quarter)
    unclosed = challenges_for_quarter(quarter).open
    return Readiness(missing, [c for c in unclosed if c.quarter <= quarter.slug])
