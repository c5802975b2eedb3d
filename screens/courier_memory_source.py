"""A courier source held in memory: fixed tasks for snapshot tests, screenshots and layout work.

Submitted actions are recorded in `submitted` and not applied (no platform behind it decides).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import msgspec

from o2o_tui.domain.fleet import Courier, CourierStatus
from screens.courier_source import CourierChange, TaskView
from screens.source import LinkState, LinkStatus, Subscribers


class MemoryCourierSource(Subscribers[CourierChange]):
    def __init__(
        self,
        tasks: Iterable[TaskView] = (),
        *,
        courier: Courier | None = None,
        link: LinkStatus | None = None,
        courier_id: str = "cr_1",
    ) -> None:
        super().__init__()
        self._tasks = {view.delivery.id: view for view in tasks}
        self._courier = courier
        self._link = link or LinkStatus(LinkState.ONLINE)
        self.courier_id = courier_id
        self.submitted: list[tuple[str, str, msgspec.Struct]] = []

    def tasks(self) -> list[TaskView]:
        return list(self._tasks.values())

    def task(self, delivery_id: str) -> TaskView | None:
        return self._tasks.get(delivery_id)

    def courier(self) -> Courier | None:
        return self._courier

    def on_duty(self) -> bool | None:
        return None if self._courier is None else self._courier.status is not CourierStatus.OFFLINE

    def link(self) -> LinkStatus:
        return self._link

    def put(self, view: TaskView) -> None:
        self._tasks[view.delivery.id] = view
        self._emit(CourierChange(delivery_ids=frozenset({view.delivery.id})))

    async def run(self) -> None:
        await asyncio.Event().wait()  # nothing to follow: runs until cancelled

    async def submit(self, action: str, target: str, body: msgspec.Struct) -> None:
        self.submitted.append((action, target, body))

    async def dismiss(self, delivery_id: str) -> None:
        view = self._tasks.get(delivery_id)
        if view is not None:
            self.put(TaskView(view.delivery, view.pending))

    async def close(self) -> None:
        self._listeners.clear()
