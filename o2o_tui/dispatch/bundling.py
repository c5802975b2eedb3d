"""Bundles for one epoch: cheapest insertion at one restaurant, then joins of nearby restaurants by savings."""

from __future__ import annotations

import math

import numpy as np

from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.timing import RouteTiming


def same_place_bundles(orders: list[int], size: int, timing: RouteTiming) -> list[list[int]]:
    """Cheapest insertion at one pickup place: the earliest-ready orders open the bundles, later ones join
    where they add the least to the sum of drop-off times."""
    count = math.ceil(len(orders) / size)
    bundles: list[list[int]] = []
    for order in orders:
        if len(bundles) < count:
            bundles.append([order])
            continue
        best: tuple[float, int, list[int]] | None = None
        for index, bundle in enumerate(bundles):
            if len(bundle) >= size:
                continue
            before = sum(timing.standalone(bundle)[1])
            for position in range(len(bundle) + 1):
                sequence = bundle[:position] + [order] + bundle[position:]
                added = sum(timing.standalone(sequence)[1]) - before
                if best is None or added < best[0]:
                    best = (added, index, sequence)
        if best is None:
            bundles.append([order])
        else:
            bundles[best[1]] = best[2]
    return bundles


def merge_nearby(bundles: list[list[int]], merges: int, size: int, timing: RouteTiming, params: DispatchParams) -> list[list[int]]:
    """Join bundles of nearby pickup places, best saving of courier time first, at most `merges` joins."""
    if merges <= 0 or len(bundles) < 2:
        return bundles
    p = timing.problem
    first_xy = np.array([p.restaurant_xy[b[0]] for b in bundles])
    ready = np.array([max(float(p.ready_at[o]) for o in b) for b in bundles])
    sizes = np.array([len(b) for b in bundles])
    delta = first_xy[:, None, :] - first_xy[None, :, :]
    close = np.sqrt((delta * delta).sum(axis=-1)) <= params.bundle_radius_m
    close &= np.abs(ready[:, None] - ready[None, :]) <= params.bundle_ready_gap
    close &= (sizes[:, None] + sizes[None, :]) <= size
    close = np.triu(close, 1)
    pairs = np.argwhere(close)
    if pairs.size == 0:
        return bundles
    alone = [timing.standalone(b) for b in bundles]
    scored: list[tuple[float, int, int, list[int]]] = []
    for a, b in pairs.tolist():
        base_time = alone[a][0] + alone[b][0] + params.bundle_deadhead
        for sequence in (bundles[a] + bundles[b], bundles[b] + bundles[a]):
            courier_time, drops = timing.standalone(sequence)
            before = dict(zip(bundles[a] + bundles[b], alone[a][1] + alone[b][1], strict=True))
            added = [drop - before[o] for o, drop in zip(sequence, drops, strict=True)]
            if max(added) > params.bundle_max_delay:
                continue
            score = base_time - courier_time - params.bundle_delay_weight * sum(added)
            if score > 0:
                scored.append((-score, a, b, sequence))
    scored.sort(key=lambda item: (item[0], item[1], item[2]))
    used: set[int] = set()
    merged: list[list[int]] = []
    for _, a, b, sequence in scored:
        if a in used or b in used:
            continue
        used.update((a, b))
        merged.append(sequence)
        if len(merged) >= merges:
            break
    return merged + [bundle for i, bundle in enumerate(bundles) if i not in used]
