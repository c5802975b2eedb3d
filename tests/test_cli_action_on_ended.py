"""Every `o2o orders` step on an order the cache already knows ended (cancelled, handed over) is refused here,
in the console's words, exit 4 (an illegal transition), with nothing queued: no conflict filed, no "actions
refused" in the console. A Ready typed behind a cancel this device queued offline is the tester's case: it went
to the platform and came back as a refused action. The real `o2o` commands against the real platform on loopback
(through a proxy that can drop the link)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.requests import ConfirmBody, ReasonBody
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import place_orders
from tests.test_ui_live import _server_order


class LangCli:
    """`o2o ARGS` in this process, in one language, on its own O2O_HOME."""

    def __init__(self, home: Path, lang: str) -> None:
        self.home, self.lang = home, lang

    def __call__(self, *args: str, code: int = 0) -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": self.lang, "NO_COLOR": "1"}
        env["COLUMNS"] = "200"
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def proxy(platform: RunningPlatform) -> Iterator[FaultProxy]:
    with FaultProxy(platform.port) as running:
        yield running


def _login(platform: RunningPlatform, proxy: FaultProxy, home: Path, lang: str) -> LangCli:
    assert platform.seed is not None
    cli = LangCli(home, lang)
    cli("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", platform.seed.tokens["merchant"])
    return cli


def _nothing_queued_nor_refused(cli: LangCli) -> None:
    status = cli.json("sync", "status")
    assert status["conflicts"] == 0 and cli.json("conflicts", "list") == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_ready_behind_a_cancel_queued_here_is_refused_here(
    platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path, lang: str
) -> None:
    """The tester's steps: accepted, cancelled on this device while the link was down, then Ready."""
    assert platform.seed is not None
    cli = _login(platform, proxy, tmp_path / "home", lang)
    [order_id] = place_orders(platform.url, platform.seed, 1)
    cli("orders", "accept", order_id, "--no-print")
    number = f"#{_server_order(platform, order_id)['number']:04d}"
    proxy.drop()
    cli("orders", "cancel", order_id, "--reason", "OUT_OF_STOCK")  # queued: the order shows cancelled here
    assert cli.json("sync", "status")["pending"] == 1

    refused = cli("orders", "ready", number, code=Exit.REJECTED)
    words = (
        f"Cannot mark ready {number}: it is Cancelled." if lang == "en" else f"{number} 当前为已取消，不能出餐。"
    )
    assert words in refused.stderr, refused.stderr
    cli("orders", "preparing", order_id, code=Exit.REJECTED)
    assert cli.json("sync", "status")["pending"] == 1  # only the cancel waits: nothing queued behind it

    proxy.pass_through()
    cli("sync", "--once")
    assert _server_order(platform, order_id)["status"] == "CANCELLED"
    _nothing_queued_nor_refused(cli)
    assert cli.json("sync", "status")["pending"] == 0
    again = cli("orders", "ready", order_id, code=Exit.REJECTED)  # ended on the platform too: the same words
    assert words in again.stderr
    _nothing_queued_nor_refused(cli)


def test_every_step_on_an_order_that_ended_is_refused_with_nothing_queued(
    platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path
) -> None:
    assert platform.seed is not None
    cli = _login(platform, proxy, tmp_path / "home", "en")
    cancelled, handed = place_orders(platform.url, platform.seed, 2)
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:  # another counter's steps
        merchant.act("order.confirm", cancelled, ConfirmBody(preparation_minutes=15))
        merchant.act("order.cancel", cancelled, ReasonBody(reason_code="OUT_OF_STOCK"))
    cli("sync", "--once")
    c = f"#{_server_order(platform, cancelled)['number']:04d}"
    for args, words in [
        (("ready",), f"Cannot mark ready {c}: it is Cancelled."),
        (("preparing",), f"Cannot start preparing {c}: it is Cancelled."),
        (("handoff", "--code", "1234"), f"Cannot hand over {c}: it is Cancelled."),
        (("cancel", "--reason", "OUT_OF_STOCK"), f"{c} is already Cancelled: nothing to cancel."),
        (("accept",), f"Cannot accept {c}: it is Cancelled."),
        (("reject", "--reason", "STORE_BUSY"), f"{c} is already Cancelled: nothing to reject."),
    ]:
        refused = cli("orders", args[0], c, *args[1:], code=Exit.REJECTED)
        assert words in refused.stderr, (args, refused.stderr)
        assert cli.json("sync", "status")["pending"] == 0, args
    _nothing_queued_nor_refused(cli)

    # picked up: cancel and ready are refused here too; a second handoff is done already (a retry), as redeem says
    cli("orders", "accept", handed, "--no-print")
    cli("orders", "ready", handed)
    code = _server_order(platform, handed)["pickup_code"]
    cli("orders", "handoff", handed, "--code", code)
    h = f"#{_server_order(platform, handed)['number']:04d}"
    for args, words in [
        (("cancel", "--reason", "OUT_OF_STOCK"), f"Cannot cancel {h}: it is Picked up."),
        (("ready",), f"Cannot mark ready {h}: it is Picked up."),
    ]:
        refused = cli("orders", args[0], handed, *args[1:], code=Exit.REJECTED)
        assert words in refused.stderr, (args, refused.stderr)
        assert cli.json("sync", "status")["pending"] == 0, args
    assert cli.json("orders", "handoff", handed, "--code", code)["outcome"] == "done"  # test_cli_redeem_retry
    assert cli.json("sync", "status")["pending"] == 0
    _nothing_queued_nor_refused(cli)
    assert _server_order(platform, handed)["status"] == "DELIVERED"
