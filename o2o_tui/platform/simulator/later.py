"""Simulated customers who order for later (a scheduled window): the third order of a run, then about one in ten.

Only while a person runs the counter (not with `--auto-merchant`, whose runs wait for their orders to end). The
window is in real time (the platform's clock, not the simulated one), so the demo shows the order held out of
the queue and then ringing when its prep start comes, 2-4 wall minutes after it was placed: the promised time is
the prep time the platform will count (the largest item prep time, else the store's default) plus that lead.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import msgspec

from o2o_tui.domain.order import TimingIn, TimingType
from o2o_tui.domain.requests import CreateOrderBody
from o2o_tui.domain.schedule import prep_minutes_for
from o2o_tui.platform.simulator.state import SimContext

FIRST_INDEX = 2  # the third order of a run is for later: the demo shows one early
SHARE = 0.10  # of the later ones
LEAD_MINUTES = (2.0, 4.0)  # wall minutes from placing to the prep start
WINDOW_MINUTES = 15


class Later:
    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx

    def wants_later(self, index: int) -> bool:
        if index < FIRST_INDEX:
            return False
        return index == FIRST_INDEX or self.ctx.rng("later", index).random() < SHARE

    def apply(self, index: int, body: CreateOrderBody, now_real: datetime) -> CreateOrderBody:
        """`body` for later when this customer wants it so (its own random stream: other choices do not
        shift), else unchanged."""
        if not self.wants_later(index):
            return body
        rng = random.Random(f"{self.ctx.seed}:later-lead:{index}")
        own = {item.id: item.prep_minutes for category in self.ctx.menu.categories for item in category.items}
        prep = prep_minutes_for(
            (own.get(line.item_id) for line in body.lines), self.ctx.store.default_prep_minutes
        )
        start = (now_real + timedelta(minutes=prep + rng.uniform(*LEAD_MINUTES))).replace(microsecond=0)
        timing = TimingIn(TimingType.SCHEDULED, start, start + timedelta(minutes=WINDOW_MINUTES))
        return msgspec.structs.replace(body, timing=timing)
