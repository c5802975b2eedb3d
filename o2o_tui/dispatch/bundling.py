"""Bundles for one epoch: cheapest insertion at one restaurant, then joins of nearby restaurants by savings."""

from __future__ import annotations

import math

import numpy as np

from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.timing import RouteTiming


def same_place_bundles(
    orders: list[int], size: int, timing: RouteTiming, join_weight: float = 0.0, deadhead: float = 0.0
) -> list[list[int]]:
    """Cheapest insertion at one pickup place: the earliest-ready orders open the bundles, later ones join
    where they add the least to the sum of drop-off times. With `join_weight` > 0 an order joins only where the
    courier minutes the join saves (its own trip, `deadhead` to get there included) beat `join_weight` x the
    minutes it adds to the others' drop-offs and its own; otherwise it opens a bundle of its own."""
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
        if best is not None and join_weight > 0 and not _join_pays(bundles[best[1]], order, best[2], timing,
                                                                       join_weight, deadhead):
            best = None
        if best is None:
            bundles.append([order])
        else:
            bundles[best[1]] = best[2]
    return bundles


def _join_pays(
    bundle: list[int], order: int, joined: list[int], timing: RouteTiming, weight: float, deadhead: float
) -> bool:
    bundle_time, bundle_drops = timing.standalone(bundle)
    order_time, order_drops = timing.standalone([order])
    joined_time, joined_drops = timing.standalone(joined)
    saved = bundle_time + order_time + deadhead - joined_time
    added = sum(joined_drops) - sum(bundle_drops) - order_drops[0]
    return saved - weight * added > 0


def merge_nearby(
    bundles: list[list[int]],
    merges: int,
    size: int,
    timing: RouteTiming,
    params: DispatchParams,
    deadhead: float,
    delay_weight: float,
) -> list[list[int]]:
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
        base_time = alone[a][0] + alone[b][0] + deadhead
        for sequence in (bundles[a] + bundles[b], bundles[b] + bundles[a]):
            courier_time, drops = timing.standalone(sequence)
            before = dict(zip(bundles[a] + bundles[b], alone[a][1] + alone[b][1], strict=True))
            added = [drop - before[o] for o, drop in zip(sequence, drops, strict=True)]
            if max(added) > params.bundle_max_delay:
                continue
            score = base_time - courier_time - delay_weight * sum(added)
            if score > 0:
                scored.append((-score, a, b, sequence))
    return take_best_pairs(scored, bundles, merges)


def take_best_pairs(
    scored: list[tuple[float, int, int, list[int]]], bundles: list[list[int]], limit: int | None = None
) -> list[list[int]]:
    """`scored`: (-score, bundle a, bundle b, their joined sequence). The best joins first, each bundle in at most
    one, at most `limit` of them; the bundles not joined stay as they are."""
    used: set[int] = set()
    merged: list[list[int]] = []
    for _, a, b, sequence in sorted(scored, key=lambda item: (item[0], item[1], item[2])):
        if a in used or b in used:
            continue
        used.update((a, b))
        merged.append(sequence)
        if limit is not None and len(merged) >= limit:
            break
    return merged + [bundle for i, bundle in enumerate(bundles) if i not in used]
