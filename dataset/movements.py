"""How a figure is written, how it moved between two quarters, and where it stands against
its target: the words the dashboard, the indicator page and emerging themes share.

Emerging themes: an indicator is a theme for a quarter when it moved by MORE than a set
threshold against the previous quarter, or crossed its target (met it after missing it, or
the other way, each quarter against the target in force in it). The thresholds:

- percentages: more than `POINTS_THRESHOLD` percentage points (5.0: "up 5.1 points" is a
  theme, "up 5.0 points" is not);
- counts and means: more than `RELATIVE_THRESHOLD` per cent of the previous quarter's value
  (10%), or any rise from zero.

A figure with no value on either side (a zero denominator: "no cases") has no movement.
A percentage of fewer than `SMALL_BASE` is marked "read with care" wherever it is shown.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from neglect_portal.confidence import FEWEST_SHOWN

from .indicators import Indicator, Unit
from .targets import target_met

POINTS_THRESHOLD = Decimal("5.0")
TOO_FEW_PRACTITIONERS = f"fewer than {FEWEST_SHOWN} practitioners, to keep answers anonymous"
RELATIVE_THRESHOLD = Decimal("10")
NO_CASES = "no cases"


def format_value(value, unit: str) -> str:
    """62.5% / "no cases" for a percentage; 12.5 a week for a mean; 1,234 for a count."""
    if unit == Unit.PERCENTAGE:
        return NO_CASES if value is None else f"{Decimal(value):.1f}%"
    if unit == Unit.MEAN_CHANGE:
        return confidence_change_text(value)
    if value is None:
        return "none"
    if unit == Unit.MEAN:
        return f"{Decimal(value):.1f} a week"
    if unit == Unit.AVERAGE:
        return f"{Decimal(value):.1f}"
    return f"{value:,}"


def confidence_change_text(value) -> str:
    """ "+1.5 points", "-0.3 points", "0.0 points"; empty (too few to show) says why."""
    if value is None:
        return f"not shown ({TOO_FEW_PRACTITIONERS})"
    if value == 0:
        return "0.0 points"
    return f"{Decimal(value):+.1f} points"


def _number(value, unit: str) -> str:
    """A difference as a bare number: 4.2 points, 1.5 a week, 12."""
    if unit in (Unit.PERCENTAGE, Unit.MEAN, Unit.AVERAGE, Unit.MEAN_CHANGE):
        return f"{Decimal(value):.1f}"
    return f"{value:,}"


@dataclass(frozen=True)
class Change:
    indicator: Indicator
    before: Decimal | int | None
    after: Decimal | int | None
    before_label: str  # the earlier quarter, "2023-24 Q4"

    @property
    def comparable(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def difference(self):
        return self.after - self.before if self.comparable else None

    @property
    def relative(self) -> Decimal | None:
        """Per cent of the earlier value (counts and means); None from zero."""
        if not self.comparable or not self.before:
            return None
        return (Decimal(self.after - self.before) * 100 / Decimal(self.before)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def direction(self) -> str:
        if not self.comparable or self.difference == 0:
            return "same"
        return "up" if self.difference > 0 else "down"

    @property
    def better(self) -> bool | None:
        """Whether the move is an improvement; None when unknown or no move."""
        if self.direction == "same" or self.indicator.higher_is_better is None:
            return None
        return (self.direction == "up") == self.indicator.higher_is_better

    @property
    def beyond_threshold(self) -> bool:
        if not self.comparable or self.difference == 0:
            return False
        if self.indicator.unit == Unit.PERCENTAGE:
            return abs(self.difference) > POINTS_THRESHOLD
        if not self.before:
            return True
        return abs(self.relative) > RELATIVE_THRESHOLD

    @property
    def words(self) -> str:
        """ "up 4.2 points from 18.0% to 22.2%", "no change from 12", ..."""
        unit = self.indicator.unit
        if not self.comparable:
            if self.before is None and self.after is None:
                return "no cases in either quarter"
            if self.before is None:
                return f"not comparable: no cases in {self.before_label}"
            return "not comparable: no cases this quarter"
        before, after = format_value(self.before, unit), format_value(self.after, unit)
        if self.direction == "same":
            return f"no change from {before}"
        size = _number(abs(self.difference), unit)
        if unit == Unit.PERCENTAGE:
            points = "point" if abs(self.difference) == 1 else "points"
            return f"{self.direction} {size} {points} from {before} to {after}"
        # A change of a change in points is read in points: a percentage of it says nothing.
        relative = (
            f" ({abs(self.relative)}%)"
            if self.relative is not None and unit != Unit.MEAN_CHANGE
            else ""
        )
        return f"{self.direction} {size}{relative} from {before} to {after}"


def change(indicator: Indicator, before, after, before_label: str) -> Change:
    return Change(indicator, before, after, before_label)


# Targets -----------------------------------------------------------------------------------
# Which target is in force, and the rule for met / not met, are dataset/targets.py's.


@dataclass(frozen=True)
class TargetStatus:
    met: bool | None  # None: no figure to judge
    label: str  # the words on the tag: the status is never told by colour alone
    colour: str  # GOV.UK tag modifier


def target_status(indicator: Indicator, value, target: Decimal | None) -> TargetStatus | None:
    """ "Met target of 60.0%", "Not met: target 60.0%", or "No figure: target 60.0%" when
    there is no value to judge; None without a target."""
    if target is None:
        return None
    written = format_value(target, indicator.unit)
    met = target_met(indicator, value, target)
    if met is None:
        return TargetStatus(None, f"No figure: target {written}", "grey")
    if met:
        return TargetStatus(True, f"Met target of {written}", "green")
    return TargetStatus(False, f"Not met: target {written}", "red")


def format_target(indicator: Indicator, target: Decimal | None) -> str | None:
    """ "at most 20.0%": the target with the side of it that meets it."""
    if target is None:
        return None
    direction = {True: "at least ", False: "at most "}.get(indicator.higher_is_better, "")
    return direction + format_value(target, indicator.unit)


# Small bases -------------------------------------------------------------------------------

# A percentage of fewer than this many is marked: one child more or less moves it by over
# ten points, so 1 of 3 becoming 2 of 3 must not read like a crisis.
SMALL_BASE = 10


def small_base(indicator: Indicator, denominator: int | None) -> str | None:
    """ "fewer than 10 children: read with care" for a percentage of fewer than SMALL_BASE
    (and more than none: a zero denominator is "no cases", with nothing to read)."""
    if not indicator.has_denominator or not denominator or denominator >= SMALL_BASE:
        return None
    return f"fewer than {SMALL_BASE} {indicator.counts}: read with care"


# Emerging themes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    change: Change
    reasons: tuple[str, ...]

    @property
    def indicator(self) -> Indicator:
        return self.change.indicator


def theme(
    indicator: Indicator,
    before,
    after,
    before_label: str,
    *,
    before_target: Decimal | None = None,
    after_target: Decimal | None = None,
) -> Theme | None:
    """Why this move is a theme, or None when it is not one. Each side is judged against the
    target in force in its own quarter."""
    moved = change(indicator, before, after, before_label)
    reasons = []
    if moved.beyond_threshold:
        if indicator.unit == Unit.PERCENTAGE:
            reasons.append(f"moved more than {POINTS_THRESHOLD} percentage points")
        else:
            reasons.append(f"moved more than {RELATIVE_THRESHOLD}%")
    was = target_met(indicator, before, before_target)
    now = target_met(indicator, after, after_target)
    if was is not None and now is not None and was != now:
        target = format_target(indicator, after_target)
        reasons.append(
            f"now meets its target ({target})" if now else f"no longer meets its target ({target})"
        )
    return Theme(moved, tuple(reasons)) if reasons else None
