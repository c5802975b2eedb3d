"""The Chinese catalog calls each thing by one name (a courier, a dispatcher and a shop read the same words).

Chosen terms: 取餐码 (the code at the counter) and 收货码 (the code at the door), 团购券 (a voucher), 账号配置 (a
saved login profile), 商家工作台 (the console), 调度面板 (the dispatch board), 上班/下班 for a courier's duty and
在线/离线 only for the network link.
菜品 (a menu item; the food handed over as a whole is 餐品), 门店 for the store (a place a courier goes to and comes
back to, and the thing the console manages: its status, hours, menu, clock) and 商家 for the merchant (the role, and
the side that accepts, refuses or cancels an order), 暂停营业 (the store's pause), 回车 (the key), 您 (the user).
选项组 for a menu's option group and 选项 for an option, in the editor, the publish preview and `o2o menu` alike (规格,
what the delivery apps call a dish's size, is never the word for them).
English says "off duty" for a courier's duty and keeps "offline" for the link."""

from __future__ import annotations

import re

import pytest

from o2o_tui.i18n import catalog, set_language, t
from o2o_tui.ssh_gate import old_locale_note

ZH = catalog("zh")
EN = catalog("en")


def _holding(pattern: str) -> list[str]:
    found = re.compile(pattern)
    return sorted(f"{key} = {value}" for key, value in ZH.items() if found.search(value))


@pytest.mark.parametrize(
    ("banned", "why"),
    [
        ("自取码|取件码|验证码", "the pickup code is 取餐码 and the door code 收货码"),
        ("优惠券", "a voucher is a 团购券"),
        ("档案|登录配置|账户配置", "a login profile is a 账号配置"),
        ("控制台|商家终端|柜台终端|收银台|(?<!商家)工作台", "the console is the 商家工作台"),
        ("派单面板|调度板", "the dispatch board is the 调度面板"),
        ("上线|下线|在岗|上岗", "a courier goes on duty (上班) and off duty (下班)"),
        ("找不到地址|无人接收|缺少物品", "a courier's problem has the words the courier picked it with"),
        ("手持终端|手持界面", "the courier's screen is the 手持机"),
        ("商品", "a menu item is a 菜品"),
        ("(前往|返回|退回|送回|赶往|向)商家|商家柜台", "a courier goes to the 门店 and back to it"),
        ("门店(已|还未|尚未)?接(单|的)", "the 商家 accepts an order (the 门店 is where it is made)"),
        ("暂停接单", "the store's pause is 暂停营业"),
        ("(?i)enter", "the key is 回车"),
        ("你", "the user is addressed as 您"),
        ("规格", "an option group is a 选项组 and an option a 选项 (规格 is a dish's size in the delivery apps)"),
    ],
)
def test_no_chinese_text_uses_a_second_name(banned: str, why: str) -> None:
    assert not _holding(banned), why


def _words(english: str) -> str:
    """The English words of a template, its placeholders left out."""
    return re.sub(r"\{[a-z_]+\}", "", english).lower()


def test_a_profile_is_a_login_profile_wherever_one_is_named() -> None:
    named = [
        key for key, value in EN.items() if "{profile}" in value and re.search(r"\bprofile\b", _words(value))
    ]
    assert named
    assert not [key for key in named if "账号配置" not in ZH[key]]
    assert "账号配置" in ZH["login.option.profile"]  # every command's --profile help


def test_the_console_and_the_dispatch_board_have_one_name() -> None:
    assert ZH["ui.app.title"].endswith("商家工作台")
    boards = [key for key, value in EN.items() if "dispatch board" in value.lower()]
    assert boards and not [key for key in boards if "调度面板" not in ZH[key]]


def test_duty_and_the_link_never_share_a_word() -> None:
    duty = {key: ZH[key] for key in ("handheld.duty.on", "handheld.duty.off", "couriers.status.offline")}
    assert duty == {
        "handheld.duty.on": "上班中",
        "handheld.duty.off": "已下班",
        "couriers.status.offline": "已下班",
    }
    assert ZH["deliveries.duty.now_on"] == "您已上班。" and ZH["deliveries.duty.now_off"] == "您已下班。"
    link = {ZH["ui.link.state.ONLINE"], ZH["ui.link.state.OFFLINE"]}
    assert link == {"在线", "离线"}
    about_duty = [key for key, value in EN.items() if re.search(r"\b(on|off) duty\b", value)]
    assert about_duty and not [key for key in about_duty if re.search("在线|离线", ZH[key])]


def test_a_courier_problem_reads_the_same_on_the_handheld_the_queue_and_the_cli() -> None:
    for reason in (
        "NOBODY_TO_RECEIVE",
        "ADDRESS_UNKNOWN",
        "MISSING_ITEMS",
        "ORDER_NOT_READY",
        "VEHICLE_PROBLEM",
    ):
        words = ZH[f"handheld.problem.{reason}"]
        assert ZH[f"dispatch.board.problem_short.{reason}"] == words
        assert ZH[f"deliveries.reason.{reason.lower()}"] == words


def test_the_courier_stage_is_never_the_stores_accept_word() -> None:
    store_says = {ZH[f"ui.status.{status}"] for status in ("CREATED", "CONFIRMED")}  # 新订单, 已接单
    stages = {key: value for key, value in ZH.items() if key.startswith("ui.courier_stage.")}
    assert stages and not [key for key, value in stages.items() if "接单" in value or value in store_says]
    assert "骑手" in ZH["ui.courier_stage_long.PENDING"]


def test_taking_an_order_back_is_not_told_as_a_dispatch() -> None:
    # the board says this one toast after both m/Enter (assign) and u (take back)
    try:
        set_language("zh")
        said = t("dispatch.board.sent", count=1, numbers="#0007")
    finally:
        set_language(None)
    assert said == "已提交 1 单：#0007"


def test_the_reattach_note_is_a_sentence() -> None:
    try:
        set_language("zh")
        note = old_locale_note(2)
    finally:
        set_language(None)
    assert note == "2 条待发操作发出前仍使用原语言"


def test_the_pause_and_the_store_have_one_name() -> None:
    assert ZH["ui.store.state.PAUSED"] == ZH["store.state.paused"] == "暂停营业"
    assert ZH["handheld.field.store"] == ZH["dispatch.map.store"] == ZH["ui.key.store"] == "门店"
    assert ZH["handheld.status.ACCEPTED"] == ZH["deliveries.status.accepted"] == "前往门店"


def test_the_menu_names_a_group_and_an_option_alike_everywhere() -> None:
    group = {"menu_editor.kind.group", "menu_publish.entity.group", "menu_cli.entity.group", "menu_editor.add.group"}
    assert {ZH[key] for key in group} == {"选项组"}
    option = {"menu_editor.kind.option", "menu_publish.entity.option", "menu_cli.entity.option"}
    assert {ZH[key] for key in option} == {"选项"}


def test_english_keeps_offline_for_the_link() -> None:
    assert EN["couriers.status.offline"] == "off duty"  # the courier's state; "offline" is the link
    said = [key for key in EN if key.startswith(("couriers.", "handheld.duty.", "deliveries.duty."))]
    assert said and not [key for key in said if re.search(r"\boffline\b", EN[key], re.IGNORECASE)]
