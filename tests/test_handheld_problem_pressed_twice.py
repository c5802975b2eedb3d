"""A problem report pressed twice online (a laggy link: the courier does not yet see the first went through) is one
report on the platform: the handheld says when it was reported and sends nothing; another reason, or the same one
reported again later (`SAME_REPORT_S`), is a new report. The real server on loopback, a real cache in tmp_path,
the handheld in a Textual pilot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from o2o_tui.courier_tasks import SAME_REPORT_S, reported_before
from o2o_tui.domain.fleet import Delivery, DeliveryProblem, ProblemReason
from o2o_tui.i18n import set_language
from screens.courier_widgets import Line
from tests.support.handheld import first_courier_id, handheld_home, message
from tests.support.platform import Api, RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    server_delivery,
    settled,
    wait_until,
)

ORDER_NOT_READY = ("3", "4", "1")  # report a problem, "Order not ready", yes
OTHER_REASON = ("3", "1", "1")


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    return first_courier_id(platform)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


def problems(platform: RunningPlatform, order_id: str) -> list[str]:
    return [p["reason"] for p in server_delivery(platform, order_id)["problems"]]


async def _report(pilot, keys: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        await pilot.press(key)
        await settled(pilot)


async def test_the_same_problem_pressed_twice_online_is_reported_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await settled(pilot)
        await _report(pilot, ORDER_NOT_READY)
        await wait_until(pilot, lambda: len(problems(platform, order["id"])) == 1)
        await wait_until(pilot, lambda: not app.source.link().pending)
        await _report(pilot, ORDER_NOT_READY)  # pressed again: the first has gone through already
        await wait_until(pilot, lambda: "already reported at" in message(app))
        assert message(app).startswith(f"{number}: Order not ready already reported at ")  # 40 columns: whole
        assert message(app).endswith("; not sent again")
        await pilot.pause(0.5)
        assert problems(platform, order["id"]) == ["ORDER_NOT_READY"]
        assert not app.source.link().pending
        await _report(pilot, OTHER_REASON)  # another reason is another report
        await wait_until(pilot, lambda: len(problems(platform, order["id"])) == 2)
        assert problems(platform, order["id"])[0] == "ORDER_NOT_READY"
        assert problems(platform, order["id"])[1] != "ORDER_NOT_READY"


async def test_a_then_b_then_a_again_is_the_first_a(platform: RunningPlatform, courier_id: str, home: Path) -> None:
    """Not only the latest problem: A, B, then A again within `SAME_REPORT_S` is the A on record."""
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await settled(pilot)
        delivery_id = server_delivery(platform, order["id"])["id"]
        await _report(pilot, ORDER_NOT_READY)
        await wait_until(pilot, lambda: _held_problems(app, delivery_id) == 1 and not app.source.link().pending)
        await _report(pilot, OTHER_REASON)
        await wait_until(pilot, lambda: _held_problems(app, delivery_id) == 2 and not app.source.link().pending)
        assert problems(platform, order["id"])[0] == "ORDER_NOT_READY"
        await _report(pilot, ORDER_NOT_READY)
        await wait_until(pilot, lambda: "already reported at" in message(app))
        assert message(app).startswith(f"{number}: Order not ready already reported at ")
        await pilot.pause(0.5)
        assert len(problems(platform, order["id"])) == 2 and not app.source.link().pending


@pytest.mark.parametrize(
    ("language", "short"),
    [pytest.param("en", "#{} already sent", id="en", marks=pytest.mark.deep), pytest.param("zh", "#{}：已上报过", id="zh")],
)
async def test_at_twenty_by_ten_the_second_press_says_it_short(
    platform: RunningPlatform, courier_id: str, home: Path, language: str, short: str
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(20, 10)) as pilot:
        await open_first_task(pilot, app, number)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await settled(pilot)
        set_language(language)  # the words from here on
        await _report(pilot, ORDER_NOT_READY)
        await wait_until(pilot, lambda: len(problems(platform, order["id"])) == 1)
        await wait_until(pilot, lambda: not app.source.link().pending)
        await _report(pilot, ORDER_NOT_READY)
        line = app.screen.query_one("#message", Line)
        await wait_until(pilot, lambda: line.fitted(line.content_size.width) == [short.format(number[1:])])
        assert problems(platform, order["id"]) == ["ORDER_NOT_READY"]


async def test_the_same_problem_reported_again_later_is_a_new_report(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """Later: the first report tapped more than `SAME_REPORT_S` ago (its X-Occurred-At), which the handheld holds;
    the platform applies the same window to the tap times, so it records the second too."""
    order = offer(platform, courier_id)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await settled(pilot)
        delivery_id = server_delivery(platform, order["id"])["id"]
        long_ago = datetime.now(UTC) - timedelta(seconds=SAME_REPORT_S + 5)
        assert platform.seed is not None
        first = Api(platform.url, platform.seed.courier_tokens[courier_id]).post(
            f"/v1/deliveries/{delivery_id}/problem",
            {"reason": "ORDER_NOT_READY"},
            headers={"X-Occurred-At": long_ago.isoformat()},
        )
        assert first.status_code == 200, first.text
        await wait_until(pilot, lambda: _held_problems(app, delivery_id) == 1)  # the handheld heard of it
        await _report(pilot, ORDER_NOT_READY)
        await wait_until(pilot, lambda: len(problems(platform, order["id"])) == 2)
        assert "already" not in message(app)


def _held_problems(app: CountingApp, delivery_id: str) -> int:
    view = app.source.task(delivery_id)
    return len(view.delivery.problems) if view is not None else 0


def _delivery(*reported: DeliveryProblem) -> Delivery:
    raw = {
        "id": "dl_1",
        "order_id": "ord_1",
        "order_number": 7,
        "store_id": "st_1",
        "courier_id": "cr_1",
        "status": "ARRIVED_AT_CUSTOMER",
        "pickup": {"text": "Store", "position": {"lat": 31.2, "lon": 121.4}},
        "dropoff": {"text": "Home", "position": {"lat": 31.21, "lon": 121.41}},
        "customer_name": "A",
        "customer_phone": "138****0000",
        "version": 3,
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:00Z",
        "problems": [msgspec.to_builtins(p) for p in reported],
    }
    return msgspec.convert(raw, Delivery)


def test_any_problem_a_moment_ago_is_the_same_report_not_only_the_latest() -> None:
    at = datetime(2026, 1, 1, 10, 5, tzinfo=UTC)
    nobody = DeliveryProblem(reason=ProblemReason.NOBODY_TO_RECEIVE, occurred_at=at)
    soon = at + timedelta(seconds=SAME_REPORT_S - 1)
    assert reported_before(_delivery(nobody), ProblemReason.NOBODY_TO_RECEIVE, "", soon) == at
    assert reported_before(_delivery(nobody), ProblemReason.NOBODY_TO_RECEIVE, "", at - timedelta(seconds=5)) == at
    later = at + timedelta(seconds=SAME_REPORT_S)
    assert reported_before(_delivery(nobody), ProblemReason.NOBODY_TO_RECEIVE, "", later) is None
    assert reported_before(_delivery(nobody), ProblemReason.ADDRESS_UNKNOWN, "", soon) is None
    assert reported_before(_delivery(nobody), ProblemReason.NOBODY_TO_RECEIVE, "gate 3", soon) is None
    other = DeliveryProblem(reason=ProblemReason.ADDRESS_UNKNOWN, occurred_at=at)
    assert reported_before(_delivery(nobody, other), ProblemReason.NOBODY_TO_RECEIVE, "", soon) == at  # A, B, A
    assert reported_before(_delivery(), ProblemReason.NOBODY_TO_RECEIVE, "", soon) is None
