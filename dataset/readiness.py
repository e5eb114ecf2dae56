"""What is still missing when an administrator publishes a quarter: returns not sent and
challenges not closed. Publishing is not blocked by them (a partnership cannot wait for every
return), but the administrator sees each one and confirms."""

from __future__ import annotations

from dataclasses import dataclass

from neglect_portal.quarters import Quarter

from . import selectors


@dataclass(frozen=True)
class MissingReturn:
    agency: str
    what: str  # "training return", or a submitted indicator's title


@dataclass(frozen=True)
class Readiness:
    missing_returns: list[MissingReturn]

    @property
    def complete(self) -> bool:
        return not self.missing_returns

    @property
    def summary(self) -> str:
        count = len(self.missing_returns)
        return f"{count} return{'' if count == 1 else 's'} not submitted"


def publication_readiness(quarter: Quarter) -> Readiness:
    missing = [
        MissingReturn(agency.name, "training return")
        for agency in selectors.training_coverage(quarter).gaps
    ]
    return Readiness(missing)
