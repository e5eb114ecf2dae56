"""The seeded random draws the demo data generators make: the same seed, the same records."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import accumulate
from typing import Any


class Weights:
    """A weighted table with its cumulative weights worked out once."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cum = list(accumulate(weights.values()))


class DemoRandom(random.Random):
    """random.Random (its stream unchanged) with the draws the generators share. Made-up
    records only: never for anything secret."""

    def __init__(self, seed: Any):
        super().__init__(seed)
        self._tables: dict[int, tuple[dict, Weights]] = {}

    def chance(self, p: float) -> bool:
        return self.random() < p

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.randint(low, high))

    def day_between(self, low: date, high: date) -> date:
        return low + timedelta(days=self.randint(0, max((high - low).days, 0)))

    def _table(self, weights: dict) -> Weights:
        """For constant tables: each is worked out once and cached by identity."""
        cached = self._tables.get(id(weights))
        if cached is None or cached[0] is not weights:
            # Keeping the dict alive keeps its id from being reused by another.
            cached = self._tables[id(weights)] = (weights, Weights(weights))
        return cached[1]

    def weighted(self, weights: dict) -> Any:
        return self.weighted_k(weights, 1)[0]

    def weighted_k(self, weights: dict, k: int) -> list:
        table = self._table(weights)
        return self.choices(table.keys, cum_weights=table.cum, k=k)

    def sample_weighted(self, weights: dict, count: int) -> list:
        """`count` different keys, each drawn by weight from those not yet drawn."""
        keys, values = list(weights), list(weights.values())
        picked = []
        for _ in range(min(count, len(keys))):
            index = self.choices(range(len(keys)), weights=values)[0]
            picked.append(keys.pop(index))
            values.pop(index)
        return picked
