"""The orders CLI and cancellation requests, and every reason code in words (found by an outside tester):

- `o2o orders cancellation accept` without a pending request says so (exit 4) and queues nothing, as `deny`
  does: no refused action is left in `o2o conflicts list` for every console to show;
- every reason code the platform takes or gives (o2o_tui/domain/cancel_reasons.py, `limits.RejectReason`, the
  deadline job's ACCEPT_TIMEOUT) has words in both catalogs, and an admin's FRAUD_SUSPECTED is said in words by
  `orders show`, the queue's ended row and the printed slips, never as the code;
- `o2o orders list --status` takes the console's words for an order with an open cancellation request (Cancel?,
  CXL?, 要取消？, 退单, the list's own mark, CANCELLATION_REQUESTED) and lists those orders.

Real platform on loopback, real cache (typer's runner, as test_cli_strict_input.py does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.cancel_reasons import ADMIN_REASONS, PLATFORM_REASONS, CustomerReason, DenyReason
from o2o_tui.domain.limits import RejectReason
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.requests import ConfirmBody, ReasonBody
from o2o_tui.i18n import SUPPORTED, catalog, set_language
from o2o_tui.platform.orders import ACCEPT_TIMEOUT_REASON
from tests.support.platform import RunningPlatform, api
from tests.test_sync_engine import place_orders

# every code an order's cancel, reject or cancellation request may carry
EVERY_CODE = tuple(
    dict.fromkeys(
        (*CustomerReason, *DenyReason, *RejectReason, *PLATFORM_REASONS, *ADMIN_REASONS, ACCEPT_TIMEOUT_REASON)
    )
)


class Cli:
    def __init__(self, home: Path, lang: str = "en") -> None:
        self.home = home
        self.lang = lang

    def __call__(self, *args: str, code: int = 0) -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": self.lang, "NO_COLOR": "1"}
        env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    runner = Cli(tmp_path / "home")
    runner("login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
    yield runner


@pytest.fixture
def language() -> Iterator[None]:
    yield
    set_language(None)


def _client(platform: RunningPlatform, role: str) -> PlatformClient:
    assert platform.seed is not None
    return PlatformClient(platform.url, platform.seed.tokens[role])


def test_accept_without_a_request_says_there_is_none_and_queues_nothing(
    shared_platform: RunningPlatform, cli: Cli
) -> None:
    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    with _client(shared_platform, "merchant") as merchant:
        merchant.act("order.confirm", order_id, ConfirmBody(preparation_minutes=10))
    cli("sync", "--once")

    refused = cli("orders", "cancellation", "accept", order_id, code=Exit.REJECTED)
    assert "no pending cancellation request" in refused.stderr and "nothing was sent" in refused.stderr
    status = cli.json("sync", "status")
    assert status["pending"] == 0 and status["conflicts"] == 0  # nothing queued, nothing for a console to show
    assert cli.json("conflicts", "list") == []
    zh = Cli(cli.home, lang="zh")("orders", "cancellation", "accept", order_id, code=Exit.REJECTED)
    assert "没有待处理的取消请求" in zh.stderr

    # the customer asks after this profile last synced: the command pulls before it says no, and accepts
    with _client(shared_platform, "customer") as customer:
        customer.act("order.cancellation.request", order_id, ReasonBody(reason_code="TAKING_TOO_LONG"))
    done = cli.json("orders", "cancellation", "accept", order_id)
    assert done["outcome"] == "done" and done["order"]["status"] == "CANCELLED"
    with _client(shared_platform, "merchant") as merchant:
        assert merchant.get_order(order_id).status is OrderStatus.CANCELLED


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_reason_code_has_words_in_both_catalogs(lang: str, language: None) -> None:
    from o2o_tui.figures_text import reason_name

    words = catalog(lang)
    set_language(lang)
    for code in EVERY_CODE:
        said = reason_name(code)
        assert said and code not in said, (lang, code, said)  # never the code itself
        if code != ACCEPT_TIMEOUT_REASON:  # the queue's "no answer in time" (queue.done.timed_out)
            assert words.get(f"ui.reason.{code}") or words.get(f"reason.{code}"), (lang, code)


def test_an_admins_fraud_cancel_is_said_in_words_everywhere(
    shared_platform: RunningPlatform, cli: Cli, language: None
) -> None:
    from o2o_tui.printing.layout import cancel_reason
    from screens.widgets.order_row import ended_reason

    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    with _client(shared_platform, "merchant") as merchant:
        merchant.act("order.confirm", order_id, ConfirmBody(preparation_minutes=10))
    done = api(shared_platform, "admin").post(f"/v1/orders/{order_id}/cancel", {"reason_code": "FRAUD_SUSPECTED"})
    assert done.status_code == 200, done.text
    cli("sync", "--once")
    with _client(shared_platform, "merchant") as merchant:
        order = merchant.get_order(order_id)
    assert order.cancel_reason_code == "FRAUD_SUSPECTED"

    for lang, words in (("en", "Suspected fraud"), ("zh", "疑似欺诈")):
        shown = Cli(cli.home, lang=lang)("orders", "show", order_id).stdout
        assert words in shown and "FRAUD_SUSPECTED" not in shown, (lang, shown)
        set_language(lang)
        for said in (ended_reason(order), ended_reason(order, short=True), cancel_reason(order)):
            assert words in said and "FRAUD" not in said, (lang, said)


def test_the_list_says_who_asked_to_cancel_and_an_admins_request_is_the_platforms(
    shared_platform: RunningPlatform, cli: Cli, language: None
) -> None:
    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    with _client(shared_platform, "merchant") as merchant:
        merchant.act("order.confirm", order_id, ConfirmBody(preparation_minutes=10))
    asked = api(shared_platform, "admin").post(f"/v1/orders/{order_id}/cancellation", {"reason_code": "OTHER"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["cancellation"]["requested_by"] == "PLATFORM"
    cli("sync", "--once")
    for lang, mark in (("zh", "[平台申请取消]"), ("en", "[the platform asks to cancel]")):
        [line] = [row for row in Cli(cli.home, lang=lang)("orders", "list").stdout.splitlines() if order_id[:8] in row
                  or mark in row][:1]
        assert mark in line and "顾客" not in line, (lang, line)
        assert order_id in {row["id"] for row in cli.json("orders", "list", "--status", mark)}  # the mark selects
    cli("orders", "cancellation", "deny", order_id)  # answered: the module's platform has no request left open
    cli("sync", "--once")


def test_status_takes_the_consoles_words_for_a_cancellation_request(
    shared_platform: RunningPlatform, cli: Cli
) -> None:
    asked, plain = place_orders(shared_platform.url, shared_platform.seed, 2)
    with _client(shared_platform, "merchant") as merchant:
        for order_id in (asked, plain):
            merchant.act("order.confirm", order_id, ConfirmBody(preparation_minutes=10))
    cli("sync", "--once")
    none = cli("orders", "list", "--status", "Cancel?")
    assert "No order in the cache waits for an answer to a cancellation request." in none.stdout
    zh_none = Cli(cli.home, lang="zh")("orders", "list", "--status", "退单")
    assert "缓存中没有等待答复的取消申请。" in zh_none.stdout

    with _client(shared_platform, "customer") as customer:
        customer.act("order.cancellation.request", asked, ReasonBody(reason_code="TAKING_TOO_LONG"))
    cli("sync", "--once")

    def ids(word: str) -> list[str]:
        return [row["id"] for row in cli.json("orders", "list", "--status", word)]

    words = ("Cancel?", "cancel?", "CXL?", "要取消？", "退单", "CANCELLATION_REQUESTED", "cancellation-requested")
    for word in (*words, "[cancellation requested]", "cancellation requested", "顾客申请取消"):  # the list's mark too
        assert ids(word) == [asked], word
    assert {asked, plain} <= set(ids("CONFIRMED"))  # its status still names it, as before
    picked = cli.json("orders", "list", "--status", "CXL?", "--fields", "id,cancellation")
    assert picked == [{"id": asked, "cancellation": picked[0]["cancellation"]}] and picked[0]["cancellation"]
    for lang in ("en", "zh"):
        text = Cli(cli.home, lang=lang)("orders", "list", "--status", "要取消？").stdout.splitlines()
        assert len(text) == 1 and ("[顾客申请取消]" if lang == "zh" else "[cancellation requested]") in text[0]

    refused = cli("orders", "list", "--status", "cancel", code=Exit.USAGE)  # no guessing
    assert "CANCELLATION_REQUESTED (Cancel?)" in refused.stderr
    zh = Cli(cli.home, lang="zh")("orders", "list", "--status", "bogus", code=Exit.USAGE)
    assert "CANCELLATION_REQUESTED (要取消？)" in zh.stderr

    # answered (accepted here): the order ended, so no request waits any more
    cli("orders", "cancellation", "accept", asked)
    assert ids("Cancel?") == []
