"""A courier's delivery that ended because it was taken away reads so outside the handheld too: `o2o deliveries
list` / `show` say "Reassigned" / "Taken off you" / "The order was cancelled: <reason>" in the handheld's words (en
and zh, --json carries `end_reason`), and a courier's action queued offline on such a delivery is refused in the
same words; an older server's delivery without `end_reason` keeps the old "cancelled (or given to another
courier)". Real server on loopback, real cache in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client.errors import PlatformError
from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain
from o2o_tui.sync.rejection import rejection_reason
from tests.support.platform import RunningPlatform, api, order_body, start_platform


class Courier:
    """`o2o ...` as the seeded courier, in this process, in the language asked for."""

    def __init__(self, home: Path, token: str) -> None:
        self.home, self.token = home, token

    def __call__(self, *args: str, lang: str = "en", code: int = 0) -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()
        set_language(None)


@pytest.fixture
def courier(running: RunningPlatform, tmp_path: Path) -> Courier:
    assert running.seed is not None
    runner = Courier(tmp_path / "courier-home", running.seed.tokens["courier"])
    runner("login", "--url", running.url, "--token", runner.token)
    return runner


def _offer(running: RunningPlatform) -> dict[str, Any]:
    seed = running.seed
    assert seed is not None
    order = api(running, "customer").post("/v1/orders", order_body(seed.store_id)).json()
    merchant = api(running, "merchant")
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15}).status_code == 200
    assigned = merchant.post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[0]})
    assert assigned.status_code == 200, assigned.text
    return {**order, "delivery_id": assigned.json()["id"], "ref": f"#{order['number']:04d}"}


def _take_away(running: RunningPlatform, order: dict[str, Any], how: str) -> None:
    seed = running.seed
    assert seed is not None
    path = f"/v1/orders/{order['id']}"
    if how == "reassign":
        answer = api(running, "dispatcher").post(path + "/assign", {"courier_id": seed.courier_ids[1]})
    elif how == "unassign":
        answer = api(running, "dispatcher").post(path + "/unassign")
    else:
        answer = api(running, "merchant").post(path + "/cancel", {"reason_code": "OUT_OF_STOCK"})
    assert answer.status_code == 200, answer.text


SAID = {  # how: (end_reason, list status en, show line en, list status zh, show line zh)
    "reassign": (
        "REASSIGNED",
        "Reassigned",
        "Taken off you: given to another courier. The order goes on.",
        "已改派",
        "已从您这里撤回：改派给其他骑手，订单继续。",
    ),
    "unassign": (
        "UNASSIGNED",
        "Taken off you",
        "Taken off you: back to the store's dispatcher. The order goes on.",
        "已撤回",
        "已从您这里撤回：交回门店调度员，订单继续。",
    ),
    "cancel": (
        "ORDER_CANCELLED",
        "Cancelled",
        "The order was cancelled: Items sold out.",
        "已取消",
        "订单已取消：菜品售罄。",
    ),
}


@pytest.mark.parametrize("how", list(SAID))
def test_list_and_show_say_why_an_ended_delivery_ended(
    running: RunningPlatform, courier: Courier, how: str
) -> None:
    order = _offer(running)
    ref = order["ref"]
    courier("deliveries", "accept", ref)
    _take_away(running, order, how)
    courier("sync", "--once")
    end_reason, status_en, line_en, status_zh, line_zh = SAID[how]

    [row] = courier.json("deliveries", "list", "--all")
    assert row["status"] == "CANCELLED" and row["end_reason"] == end_reason
    assert row["cancel_reason_code"] == ("OUT_OF_STOCK" if how == "cancel" else None)
    assert courier.json("deliveries", "show", ref)["end_reason"] == end_reason

    listed = courier("deliveries", "list", "--all").stdout
    assert f"{ref}  {status_en}  " in listed and "CANCELLED" not in listed, listed
    shown = courier("deliveries", "show", ref).stdout.splitlines()
    assert shown[0].startswith(f"{ref}  {status_en}  ") and line_en in shown, shown

    listed = courier("deliveries", "list", "--all", lang="zh").stdout
    assert f"{ref}  {status_zh}  " in listed, listed
    shown = courier("deliveries", "show", ref, lang="zh").stdout.splitlines()
    assert line_zh in shown, shown


def test_a_delivery_still_going_or_from_an_older_server_says_its_status_only(
    running: RunningPlatform, courier: Courier
) -> None:
    order = _offer(running)
    courier("deliveries", "accept", order["ref"])
    shown = courier("deliveries", "show", order["ref"]).stdout
    assert "TO STORE" in shown and "Taken off you" not in shown and "cancelled" not in shown.lower()


@pytest.mark.parametrize(
    ("how", "said"),
    [
        (
            "reassign",
            "was taken off you and given to another courier before your pickup reached the platform; "
            "the order goes on",
        ),
        (
            "unassign",
            "was taken off you (back to the store's dispatcher) before your pickup reached the platform; "
            "the order goes on",
        ),
        ("cancel", "was cancelled (Items sold out) before your pickup reached the platform"),
    ],
)
def test_an_action_queued_on_a_delivery_taken_away_is_refused_in_words(
    running: RunningPlatform, courier: Courier, how: str, said: str
) -> None:
    order = _offer(running)
    ref = order["ref"]
    courier("deliveries", "accept", ref)
    courier("deliveries", "arrived", ref)
    running.stop()
    courier("deliveries", "pickup", ref, "--code", order["pickup_code"])  # queued offline
    running.restart()
    _take_away(running, order, how)

    courier("login", "--url", running.url, "--token", courier.token)  # the port may have changed
    courier("sync", "--once", code=Exit.REJECTED)
    [conflict] = courier.json("conflicts", "list")
    assert conflict["reason"]["end_reason"] == SAID[how][0]
    assert conflict["explanation"] == f"order {ref} {said}"
    assert "or given to another courier" not in conflict["explanation"]


def _refusal() -> PlatformError:
    return PlatformError("illegal transition", status=409, code="illegal_transition")


def test_the_refusal_keeps_the_old_sentence_without_end_reason() -> None:
    set_language("en")
    try:
        older = {"status": "CANCELLED", "order_number": 42}  # a server from before end_reason
        reason = rejection_reason(_refusal(), None, older)
        assert "end_reason" not in reason
        said = explain(reason, action="delivery.picked_up", target="dlv_1")
        assert (
            said
            == "order #0042 was cancelled (or given to another courier) before your pickup reached the platform"
        )
        later = rejection_reason(_refusal(), None, {**older, "end_reason": "SOMETHING_NEW"})
        assert explain(later, action="delivery.picked_up", target="dlv_1") == said  # a reason added later
        set_language("zh")
        words = rejection_reason(_refusal(), None, {**older, "end_reason": "REASSIGNED"})
        assert explain(words, action="delivery.picked_up", target="dlv_1") == (
            "在您的“取餐”送达平台之前，订单 #0042 已从您这里撤回，改派给其他骑手；订单继续"
        )
    finally:
        set_language(None)
