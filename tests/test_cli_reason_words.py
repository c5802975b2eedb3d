"""The CLI's reason options take the console's words (found by an outside tester, a dumpling-shop owner in zh):
`o2o orders refund --reason 质量问题` exited 2 with "未知退款原因 质量问题；可选 ITEM_UNAVAILABLE, QUALITY, …", as did
`orders reject|cancel --reason`, `orders cancellation deny --reason` and `chase-reply --template` (and a courier's
`deliveries problem --reason`); the Chinese help listed bare codes.

Now each takes the code in any case or the reason's words as the console shows them in either language, a prefix
only one reason starts with, full-width forms folded (`o2o_tui/cli/reason_words.py`); the help and the error list
each code with its words in the UI language ("QUALITY（质量问题）"); what is sent, and --json, keep the code.

Real platform on loopback (the module's shared one), real cache, typer's runner as test_cli_orders_cancel_requests.py
does; the help through a real `o2o` process, since help texts are read as the commands register."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.reason_words import find
from o2o_tui.client import PlatformClient
from o2o_tui.domain.requests import ConfirmBody, ReasonBody
from o2o_tui.i18n import set_language
from tests.support.platform import RunningPlatform, api
from tests.test_sync_engine import place_orders


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
def zh(shared_platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    runner = Cli(tmp_path / "home", lang="zh")
    runner("login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
    yield runner
    set_language(None)


def _client(platform: RunningPlatform, role: str) -> PlatformClient:
    assert platform.seed is not None
    return PlatformClient(platform.url, platform.seed.tokens[role])


def _confirmed(platform: RunningPlatform, count: int) -> list[str]:
    ids = place_orders(platform.url, platform.seed, count)
    with _client(platform, "merchant") as merchant:
        for order_id in ids:
            merchant.act("order.confirm", order_id, ConfirmBody(preparation_minutes=20))
    return ids


def _o2o(lang: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_LANG": lang, "COLUMNS": "200", "O2O_HOME": str(home), "NO_COLOR": "1"}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_the_reason_options_take_the_consoles_words_and_send_the_code(
    shared_platform: RunningPlatform, zh: Cli
) -> None:
    refund_id, chased, cancelled, asked = _confirmed(shared_platform, 4)
    [rejected] = place_orders(shared_platform.url, shared_platform.seed, 1)
    customer = api(shared_platform, "customer")
    customer.post(f"/v1/orders/{chased}/chase", {"note": "好了吗"})
    with _client(shared_platform, "customer") as client:
        client.act("order.cancellation.request", asked, ReasonBody(reason_code="TAKING_TOO_LONG"))
    zh("sync", "--once")

    # the tester's own words: exit 0, and --json (and the platform) say the code
    refunded = zh.json("orders", "refund", refund_id, "--line", "1:1", "--reason", "质量问题")
    assert refunded["outcome"] == "done"
    assert [r["reason_code"] for r in refunded["order"]["refunds"]] == ["QUALITY"]
    answered = zh.json("orders", "chase-reply", chased, "--template", "正在制作", "--minutes", "5")
    assert answered["outcome"] == "done" and answered["order"]["chases"][-1]["reply"] == "PREPARING"
    assert zh.json("orders", "reject", rejected, "--reason", "太忙")["outcome"] == "done"
    # full-width letters and an English prefix, in the Chinese CLI
    assert zh.json("orders", "cancel", cancelled, "--reason", "ＣＬＯＳＩＮＧ＿ＳＯＯＮ")["outcome"] == "done"
    assert zh.json("orders", "cancellation", "deny", asked, "--reason", "已在制作")["outcome"] == "done"
    with _client(shared_platform, "merchant") as merchant:
        assert merchant.get_order(rejected).cancel_reason_code == "STORE_BUSY"
        assert merchant.get_order(cancelled).cancel_reason_code == "CLOSING_SOON"
        assert merchant.get_order(asked).cancellation is None  # denied: the request is answered
        assert merchant.get_order(refund_id).refunds[0].reason_code == "QUALITY"

    # words no reason has, or a prefix of two: exit 2 listing each code with its words, nothing queued
    unknown = zh("orders", "refund", refund_id, "--all", "--reason", "不知道", code=Exit.USAGE)
    assert "“不知道”" in unknown.stderr and "QUALITY（质量问题）" in unknown.stderr, unknown.stderr
    assert "OTHER（其他）" in unknown.stderr
    both = zh("orders", "reject", refund_id, "--reason", "o", code=Exit.USAGE)  # OUT_OF_STOCK or OTHER?
    assert "OUT_OF_STOCK（菜品售罄）" in both.stderr and "STORE_BUSY（太忙）" in both.stderr, both.stderr
    denied = zh("orders", "cancellation", "deny", refund_id, "--reason", "已经在做了", code=Exit.USAGE)
    assert "ALREADY_COOKING（已在制作）" in denied.stderr, denied.stderr
    template = zh("orders", "chase-reply", chased, "--template", "马上", code=Exit.USAGE)
    assert "PREPARING（正在制作" in template.stderr and "READY（已可取餐）" in template.stderr, template.stderr
    english = Cli(zh.home)("orders", "refund", refund_id, "--all", "--reason", "dunno", code=Exit.USAGE)
    assert "QUALITY (Quality problem)" in english.stderr, english.stderr
    status = zh.json("sync", "status")
    assert status["pending"] == 0 and status["conflicts"] == 0


@pytest.mark.parametrize(
    ("choices", "text", "code"),
    [
        ("refund", "质量问题", "QUALITY"),
        ("refund", "质量", "QUALITY"),  # a prefix only one reason starts with
        ("refund", "Quality problem", "QUALITY"),
        ("refund", "ＱＵＡＬＩＴＹ", "QUALITY"),
        ("refund", "item-unavailable", "ITEM_UNAVAILABLE"),
        ("refund", "其他（请说明）", "OTHER"),  # the dialog's own words for OTHER
        ("refund", "", None),
        ("refund", "（）", None),  # nothing but punctuation: nothing named
        ("reject", "o", None),  # OUT_OF_STOCK and OTHER
        ("reject", "售罄", None),  # not how the words start
        ("reject", "即将打烊", "CLOSING_SOON"),
        ("deny", "already cooking", "ALREADY_COOKING"),
        ("template", "自己写回复", "TEXT"),
        ("template", "正在制作，N分钟后好", "PREPARING"),
        ("problem", "车辆故障", "VEHICLE_PROBLEM"),
        ("problem", "vehicle", "VEHICLE_PROBLEM"),
    ],
)
def test_which_words_name_which_code(choices: str, text: str, code: str | None) -> None:
    from o2o_tui.cli.deliveries import _problem_reasons
    from o2o_tui.cli.orders import _deny_reasons, _merchant_reasons
    from o2o_tui.cli.orders_care import _reason_choices, _template_choices

    sets = {
        "refund": _reason_choices,
        "reject": _merchant_reasons,
        "deny": _deny_reasons,
        "template": _template_choices,
        "problem": _problem_reasons,
    }
    assert find(text, sets[choices]()) == code


# each command in one language in the suite (both languages said), every combination in `python -m bench deep`
@pytest.mark.covering
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("args", "zh_words", "en_words"),
    [
        (("orders", "refund"), "QUALITY（质量问题）", "QUALITY (Quality problem)"),
        (("orders", "reject"), "STORE_BUSY（太忙）", "STORE_BUSY (Too busy)"),
        (("orders", "cancel"), "CLOSING_SOON（即将打烊）", "CLOSING_SOON (Closing soon)"),
        (("orders", "cancellation", "deny"), "ALREADY_COOKING（已在制作）", "ALREADY_COOKING (Already cooking)"),
        (("orders", "chase-reply"), "READY（已可取餐）", "READY (Ready for pickup)"),
        (("deliveries", "problem"), "VEHICLE_PROBLEM（车辆故障）", "VEHICLE_PROBLEM (Vehicle problem)"),
    ],
)
def test_the_help_lists_each_code_with_its_words(
    args: tuple[str, ...], zh_words: str, en_words: str, lang: str, tmp_path: Path
) -> None:
    words = {"zh": zh_words, "en": en_words}[lang]
    shown = _o2o(lang, *args, "--help", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert words in " ".join(shown.stdout.replace("│", " ").split()), (lang, shown.stdout)
