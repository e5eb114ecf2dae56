"""Who an audit round samples: children on a neglect plan on the sample date, drawn at random
with a recorded seed (the same seed, date and method always give the same children), optionally
stratified by plan and agency involvement."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from cases.codes import CPCategory
from cases.models import Involvement
from cases.selectors import neglect_cin_plans, open_cin_plans, open_cp_plans

CP = "cp"
CIN = "cin"


@dataclass(frozen=True)
class Eligible:
    """A child who could be sampled, with what the stratified draw groups them by."""

    child_id: int
    plan: str  # CP or CIN: a child on both counts as CP, the more serious plan
    agency_ids: frozenset[int]

    @property
    def stratum(self) -> tuple[str, frozenset[int]]:
        return (self.plan, self.agency_ids)


def eligible_children(on: date) -> list[Eligible]:
    """Every child on a neglect plan at the end of `on`, in child order, in three queries."""
    cp = set(
        open_cp_plans(on).filter(latest_category=CPCategory.NEG).values_list("child_id", flat=True)
    )
    cin = set(neglect_cin_plans(open_cin_plans(on)).values_list("child_id", flat=True)) - cp
    agencies: dict[int, set[int]] = defaultdict(set)
    for child_id, agency_id in (
        Involvement.objects.open_on(on)
        .filter(child_id__in=cp | cin)
        .values_list("child_id", "agency_id")
    ):
        agencies[child_id].add(agency_id)
    return [
        Eligible(child_id, CP if child_id in cp else CIN, frozenset(agencies[child_id]))
        for child_id in sorted(cp | cin)
    ]


def draw(eligible: list[Eligible], *, size: int, seed: int, stratified: bool) -> list[Eligible]:
    """`size` of `eligible` (all of them if fewer), chosen by `seed` alone.

    Stratified: each group (plan × set of agencies involved) gets its share of the sample by
    largest remainder, ties to the bigger group then the earlier, and is drawn from at random;
    so small groups are not left out by chance more often than their size says."""
    pool = sorted(eligible, key=lambda e: e.child_id)
    if size >= len(pool):
        return pool
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw is the point; the seed is public
    if not stratified:
        return sorted(rng.sample(pool, size), key=lambda e: e.child_id)
    groups: dict[tuple[str, frozenset[int]], list[Eligible]] = defaultdict(list)
    for one in pool:
        groups[one.stratum].append(one)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], sorted(kv[0][1])))
    shares = [(len(members) * size / len(pool), key) for key, members in ordered]
    taken = {key: int(share) for share, key in shares}
    left = size - sum(taken.values())
    by_remainder = sorted(
        enumerate(shares), key=lambda item: (-(item[1][0] - int(item[1][0])), -item[1][0], item[0])
    )
    for _, (_, key) in by_remainder[:left]:
        taken[key] += 1
    chosen: list[Eligible] = []
    for key, members in ordered:
        chosen.extend(rng.sample(members, taken[key]))
    return sorted(chosen, key=lambda e: e.child_id)
