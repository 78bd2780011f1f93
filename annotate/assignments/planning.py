"""The arithmetic of an assignment plan, as pure functions (no database): fair shares, the stratified
reliability sample, and the balanced distribution of unit slots to coders.

Everything random draws from ``random.Random(seed)`` over inputs sorted by key, so the same inputs and
seed give the same plan.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)  # a unit's key (a segment or document id)


def apportion(total: int, weights: Sequence[float], floors: Sequence[int] | None = None) -> list[int]:
    """Integer shares of ``total`` proportional to ``weights`` (largest remainder), each at least its floor.

    Without floors every share is within one of its fair share ``total * w / sum(w)``. A floor above the
    fair share (work already done, which never moves) is kept, and the rest is shared among the others.
    """
    n = len(weights)
    floors = list(floors) if floors is not None else [0] * n
    if n == 0:
        return []
    fixed: set[int] = set()
    while True:
        free = [i for i in range(n) if i not in fixed]
        rest = total - sum(floors[i] for i in fixed)
        weight = sum(weights[i] for i in free)
        fair = {i: (rest * weights[i] / weight if weight > 0 else 0.0) for i in free}
        over = {i for i in free if floors[i] > fair[i]}
        if not over or not free:
            break
        fixed |= over
    shares = list(floors)
    if free:
        base = {i: math.floor(fair[i]) for i in free}
        leftover = rest - sum(base.values())
        by_remainder = sorted(free, key=lambda i: (-(fair[i] - base[i]), i))
        for rank, i in enumerate(by_remainder):
            shares[i] = base[i] + (1 if rank < leftover else 0)
    return shares


def stratified_sample(
    units: Sequence[tuple[K, str]], fraction: float, seed: int
) -> tuple[set[K], dict[str, tuple[int, int]]]:
    """Choose ``round(fraction * N)`` units (at least one), spread over the strata proportionally with
    every stratum represented when there are at least as many sampled units as strata.

    ``units``: (key, stratum) pairs. Returns the sampled keys and, per stratum, (units, sampled).
    """
    by_stratum: dict[str, list[K]] = defaultdict(list)
    for key, stratum in units:
        by_stratum[stratum].append(key)
    strata = sorted(by_stratum)
    n = len(units)
    if n == 0:
        return set(), {}
    target = min(n, max(1, round(fraction * n)))
    sizes = [len(by_stratum[s]) for s in strata]
    if target >= len(strata):
        # One per stratum first, then the rest in proportion to what is left in each stratum (when
        # target > strata, n - strata >= target - strata > 0, so the weights are not all zero).
        extra = apportion(target - len(strata), [size - 1 for size in sizes])
        counts = [1 + e for e in extra]
    else:
        counts = apportion(target, sizes)
    counts = [min(c, size) for c, size in zip(counts, sizes, strict=True)]
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    chosen: set[K] = set()
    summary: dict[str, tuple[int, int]] = {}
    for stratum, count in zip(strata, counts, strict=True):
        keys = sorted(by_stratum[stratum], key=repr)
        picked = rng.sample(keys, count)
        chosen.update(picked)
        summary[stratum] = (len(keys), count)
    return chosen, summary


def distribute(
    slots: Sequence[tuple[K, int]],
    targets: Mapping[int, int],
    *,
    taken: Mapping[K, set[int]] | None = None,
    keep: Mapping[tuple[K, int], int] | None = None,
    seed: int = 0,
) -> dict[tuple[K, int], int]:
    """Give each (unit, slot) a coder, balanced against ``targets`` (coder → number of slots).

    ``taken``: coders already holding another slot of a unit (they cannot take a second one). ``keep``:
    the slot's current coder, kept while their target allows (so a re-plan moves as little as it can).
    Units with more slots are placed first (they are the most constrained), then in the given order; each
    slot goes to the eligible coder with the most target left, ties broken by a seeded shuffle.
    """
    remaining = dict(targets)
    holders: dict[K, set[int]] = defaultdict(set)
    for unit, coders in (taken or {}).items():
        holders[unit] |= set(coders)
    rank = {coder: i for i, coder in enumerate(random.Random(seed).sample(sorted(targets), len(targets)))}  # noqa: S311
    result: dict[tuple[K, int], int] = {}
    pending: list[tuple[K, int]] = []
    for unit, slot in slots:
        current = (keep or {}).get((unit, slot))
        if current is not None and remaining.get(current, 0) > 0 and current not in holders[unit]:
            result[(unit, slot)] = current
            remaining[current] -= 1
            holders[unit].add(current)
        else:
            pending.append((unit, slot))
    width: dict[K, int] = defaultdict(int)
    for unit, _ in slots:
        width[unit] += 1
    position = {key: i for i, key in enumerate(pending)}
    for unit, slot in sorted(pending, key=lambda key: (-width[key[0]], position[key])):
        eligible = [coder for coder in remaining if coder not in holders[unit]]
        if not eligible:
            raise ValueError(f"unit {unit!r} needs more distinct coders than the plan has")
        coder = max(eligible, key=lambda c: (remaining[c], -rank[c]))
        result[(unit, slot)] = coder
        remaining[coder] -= 1
        holders[unit].add(coder)
    return result


def extend_sample(
    new_units: Sequence[tuple[K, str]],
    existing: Mapping[str, tuple[int, int]],
    fraction: float,
    seed: int,
) -> set[K]:
    """Which of ``new_units`` join the reliability sample, so that each stratum's sampled share stays at
    ``fraction`` as the study grows: a stratum with ``n`` units of which ``k`` are sampled, given ``m``
    new ones, samples ``round(fraction * (n + m)) - k`` of them (none if it is already at or over its
    share; at least one unit of a stratum that had none sampled, like ``stratified_sample``).

    ``new_units``: (key, stratum) pairs; ``existing``: stratum → (units, sampled) before the new ones.
    """
    by_stratum: dict[str, list[K]] = defaultdict(list)
    for key, stratum in new_units:
        by_stratum[stratum].append(key)
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    chosen: set[K] = set()
    for stratum in sorted(by_stratum):
        keys = sorted(by_stratum[stratum], key=repr)
        units, sampled = existing.get(stratum, (0, 0))
        target = round(fraction * (units + len(keys)))
        if sampled == 0:
            target = max(target, 1)
        count = max(0, min(len(keys), target - sampled))
        chosen.update(rng.sample(keys, count))
    return chosen
