"""The CLI in Chinese says things in words: Click's own errors and the help's metavars (`<int range>`,
`[OPTIONS]`), a profile's role, a voucher's status, and when a user was made (on a clock that is said, not UTC
ISO), while `--json` keeps the codes and the ISO times a script reads."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.framework_text import metavar_text, translate_error, usage_args
from o2o_tui.cli.output import zoned_time
from o2o_tui.i18n import set_language
from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli


def _o2o(lang: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_LANG": lang, "COLUMNS": "100", "O2O_HOME": str(home)}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("'abc' is not a valid int range.", "'abc' 不是有效的整数。"),
        ("'fast' is not a valid float range.", "'fast' 不是有效的数字。"),
        ("'abc' is not a valid int.", "'abc' 不是有效的整数。"),
        ("Got unexpected extra argument(s) (2)", "多余的参数（2）"),
        ("Got unexpected extra argument(s) (2 3)", "多余的参数（2 3）"),
        ("'tcsh' is not one of 'bash', 'zsh', 'fish'.", "'tcsh' 不是可选的值之一：'bash', 'zsh', 'fish'。"),
        ("Option '--json' does not take a value.", "选项 '--json' 不接受值。"),
        ("Missing argument 'SHELL'. Choose from:\n\tbash,\n\tzsh,\n\tfish", "缺少参数 'SHELL'。可选：\n\tbash,\n\tzsh,\n\tfish"),
        ("'x' is not a valid boolean. Recognized values: 0, 1", "'x' 不是有效的是/否值。可用的值：0, 1"),
    ],
)
def test_clicks_sentences_are_said_whole_in_both_languages(english: str, chinese: str) -> None:
    try:
        set_language("zh")
        assert translate_error(english) == chinese
        set_language("en")
        assert translate_error(english) == english  # English says Click's own sentence, nothing lost
    finally:
        set_language(None)


def test_the_helps_metavars_and_usage_placeholders_in_words() -> None:
    try:
        set_language("zh")
        assert metavar_text("<int range> [1<=x<=240]") == "<整数> [1<=x<=240]"
        assert metavar_text("<float range> [x>=0.01]") == "<数字> [x>=0.01]"
        assert metavar_text("<str>") == "<文本>" and metavar_text("SECONDS [x>=0.1]") == "<秒数> [x>=0.1]"
        assert metavar_text("<bash|zsh|fish>") == "<bash|zsh|fish>"  # values a person types stay as typed
        assert metavar_text("N [x>=1]") == "N [x>=1]" and metavar_text("<integer>") == "<integer>"
        assert usage_args("[OPTIONS] {order_id}") == "[选项] {order_id}"
        assert usage_args("[OPTIONS] COMMAND [ARGS]...") == "[选项] 命令 [参数]..."
        set_language("en")
        assert metavar_text("<int range> [1<=x<=240]") == "<int range> [1<=x<=240]"
        assert usage_args("[OPTIONS] COMMAND [ARGS]...") == "[OPTIONS] COMMAND [ARGS]..."
    finally:
        set_language(None)


def test_help_and_errors_of_the_real_cli_in_chinese(tmp_path: Path) -> None:
    chinese = _o2o("zh", "orders", "accept", "--help", home=tmp_path).stdout
    assert "<整数> [1<=x<=240]" in chinese and "<文本>" in chinese and "orders accept [选项] {order_id}" in chinese
    assert "int range" not in chinese and "<str>" not in chinese and "[OPTIONS]" not in chinese
    english = _o2o("en", "orders", "accept", "--help", home=tmp_path).stdout
    assert "<int range> [1<=x<=240]" in english and "orders accept [OPTIONS] {order_id}" in english

    for args, said in (
        (("orders", "accept", "7", "--prep", "abc"), "'--prep' 的值无效：'abc' 不是有效的整数。"),
        (("orders", "show", "1", "2"), "多余的参数（2）"),
        (("demo", "--speed", "fast"), "'--speed' 的值无效：'fast' 不是有效的数字。"),
    ):
        done = _o2o("zh", *args, home=tmp_path)
        assert done.returncode == Exit.USAGE and said in done.stderr, done.stderr
        assert "valid" not in done.stderr and "unexpected" not in done.stderr
    english_error = _o2o("en", "orders", "show", "1", "2", home=tmp_path).stderr
    assert "Got unexpected extra argument(s) (2)" in english_error


def test_a_stored_utc_time_is_said_on_a_named_clock() -> None:
    stored = "2026-12-06T03:15:55.728958Z"
    assert zoned_time(stored, ZoneInfo("Asia/Shanghai")) == "2026-12-06 11:15 Asia/Shanghai"
    assert zoned_time("2026-12-31T23:30:00+00:00", ZoneInfo("Asia/Shanghai")) == "2027-01-01 07:30 Asia/Shanghai"
    local = zoned_time(stored)  # no store: this machine's clock, its offset said
    assert local.startswith("2026-12-0") and (" UTC+" in local or " UTC-" in local)
    assert zoned_time("not a time") == "not a time"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def test_a_merchant_profile_on_the_handheld_is_told_its_role_in_words(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    merchant = Cli(tmp_path / "merchant-home", running.seed.tokens["merchant"])
    merchant("login", "--url", running.url, "--token", merchant.token)
    chinese = merchant("--lang", "zh", "courier", code=Exit.USAGE).stderr
    assert "是商家" in chinese and "merchant" not in chinese and "o2o console" in chinese
    assert "merchant profile" in merchant("courier", code=Exit.USAGE).stderr


def test_admin_lists_say_roles_statuses_and_times_in_words(running: RunningPlatform, tmp_path: Path) -> None:
    seed = running.seed
    assert seed is not None
    admin = Cli(tmp_path / "admin-home", "")
    db = ("--db", running.db_url)

    users = admin.json("admin", "users", *db)["users"]
    merchant = next(user for user in users if user["role"] == "merchant")
    assert merchant["created_at"].endswith("Z")  # --json: the stored UTC ISO time, the role's code
    made = datetime.fromisoformat(merchant["created_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    [line] = [line for line in admin("--lang", "zh", "admin", "users", *db).stdout.splitlines() if merchant["id"] in line]
    assert f"商家  门店 {seed.store_id}" in line and "merchant" not in line
    assert line.endswith(f"创建于 {made:%Y-%m-%d %H:%M} Asia/Shanghai")  # the store's clock, its zone said
    assert "T" not in line.split("创建于")[1] and "Z" not in line.split("创建于")[1]
    admin_line = next(line for line in admin("admin", "users", *db).stdout.splitlines() if " admin " in line)
    assert " UTC" in admin_line and "Z" not in admin_line.split("created")[1]  # no store: this machine's clock

    store = ("--store", seed.store_id)
    admin("admin", "voucher", "create", *store, "--title", "双人套餐", "--value", "88", "--expires", "30d", *db)
    assert admin.json("admin", "voucher", "list", *store, *db)["vouchers"][0]["status"] == "FOR_SALE"
    chinese = admin("--lang", "zh", "admin", "voucher", "list", *store, *db).stdout
    assert "  在售  ¥88.00  双人套餐" in chinese and "FOR_SALE" not in chinese
    assert "  FOR SALE  ¥88.00" in admin("admin", "voucher", "list", *store, *db).stdout
    helped = _o2o("zh", "admin", "voucher", "list", "--help", home=tmp_path).stdout  # help is made in its language
    assert "以一个 JSON 文档输出团购券" in helped and "令牌" not in helped  # vouchers have no tokens
