"""Practitioner confidence before and after neglect training (domain.md §9): the questions,
the 1–10 scale, the one rule for a survey's mean score, and the smallest group an aggregate
may show.

Pure values and arithmetic, shared by the survey model (its `mean_score`) and the dataset's
CONFIDENCE_CHANGE measure, so a survey's mean and the partnership's mean of changes cannot be
worked out two ways.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F
from django.db.models.expressions import Combinable

# field → the question, as the survey asks it (report 5.3: recognising neglect, responding to
# it, using the tools).
QUESTIONS: dict[str, str] = {
    "recognising": "How confident are you in recognising neglect?",
    "responding": "How confident are you in responding to neglect?",
    "using_tools": "How confident are you in using the neglect toolkit?",
}
SCORE_FIELDS: tuple[str, ...] = tuple(QUESTIONS)
LOWEST, HIGHEST = 1, 10
SCALE_HINT = f"{LOWEST} is not at all confident and {HIGHEST} is very confident"

# An aggregate of fewer respondents than this is not shown: with so few, answers could be
# told apart, and the survey is anonymous in every aggregate.
FEWEST_SHOWN = 5
TOO_FEW = f"fewer than {FEWEST_SHOWN} responses: not shown, to keep answers anonymous"


def score_total() -> Combinable:
    """A survey's scores added up, as a database expression (the measure's one query)."""
    first, *rest = (F(name) for name in SCORE_FIELDS)
    total: Combinable = first
    for each in rest:
        total = total + each
    return total


def mean_score(total: int, surveys: int = 1) -> Decimal:
    """The mean score of `surveys` surveys whose scores add up to `total` (a difference of
    totals for a change), to one decimal place with halves rounded away from zero, so a fall
    rounds as the same rise would. Exact: integers to the last step.

    A survey's mean is its total over the number of questions; a group's mean of survey means
    (or of changes in them) is the group's total over questions × surveys, which is the same.
    """
    if surveys < 1:
        raise ValueError("A mean needs at least one survey")
    divisor = len(SCORE_FIELDS) * surveys
    tenths = (2 * abs(total) * 10 + divisor) // (2 * divisor)
    return Decimal(tenths if total >= 0 else -tenths).scaleb(-1)
