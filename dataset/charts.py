"""Coordinates for the inline SVG trend lines: drawn on the server, so no script is needed.

A quarter with no value (no cases) breaks the line rather than dropping to zero.
"""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Chart:
    width: int
    height: int
    # Runs of consecutive quarters with a value, each an SVG `points` string.
    lines: list[str] = field(default_factory=list)
    dots: list[tuple[float, float]] = field(default_factory=list)
    # The value axis, bottom and top, for a label beside the chart.
    low: Decimal | int | None = None
    high: Decimal | int | None = None


def chart(
    values: list, *, width: int, height: int, pad: int = 4, from_zero: bool = False, ceiling=None
) -> Chart:
    """Plot `values` (oldest first, None for a gap) left to right across width × height."""
    result = Chart(width, height)
    present = [v for v in values if v is not None]
    if not present:
        return result
    # From zero, or from below it for a figure that can fall (a change in confidence).
    low = min(0, min(present)) if from_zero else min(present)
    high = max(present) if ceiling is None else max(ceiling, max(present))
    if high == low:
        high = low + 1
    result.low, result.high = low, high
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    run: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            if run:
                result.lines.append(" ".join(run))
            run = []
            continue
        x = round(pad + i * step, 1)
        y = round(height - pad - float(value - low) / float(high - low) * (height - 2 * pad), 1)
        run.append(f"{x},{y}")
        result.dots.append((x, y))
    if run:
        result.lines.append(" ".join(run))
    return result
