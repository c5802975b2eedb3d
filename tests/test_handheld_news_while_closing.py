"""News that reaches the handheld's task list while the list is being taken down (the handheld quitting, the SSH
link closing) does not crash it: a new task's line cannot be mounted then (Textual refuses mounts on a widget being
removed, silently), and the list used to move that line into place anyway (`WidgetError: ... is not a child`), a
traceback instead of a quiet exit. Seen under load in the suite's full-disk handheld test, at its end."""

from __future__ import annotations

from o2o_tui.domain.transitions import DeliveryStatus
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import TaskListScreen
from screens.courier_source import TaskView
from screens.courier_widgets import Scroll
from tests.test_ui_courier_snapshots import courier, delivery


async def test_a_new_task_while_the_list_is_taken_down_is_left_out_quietly() -> None:
    source = MemoryCourierSource([TaskView(delivery(7, DeliveryStatus.ACCEPTED))], courier=courier())
    app = CourierApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        await pilot.pause()
        source.put(TaskView(delivery(3, DeliveryStatus.PENDING)))  # a new offer
        rows = screen.query_one("#rows", Scroll)
        rows.remove()  # the list being taken down, as when the app closes: its lines take no new mounts
        screen.refresh_data()  # the news arriving meanwhile: no WidgetError
        assert [line.id for line in rows.children if line.id and line.id.startswith("task-")] == ["task-dl_0007"]
        await pilot.pause()
