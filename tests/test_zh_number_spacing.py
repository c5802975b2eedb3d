"""Chinese sentences keep a space on both sides of a number or Latin run inside CJK text, as the rest of the catalog
does: "已发送 1 个规格的供应状态。", "订单 #0003 已被平台取消"; it said "已发送1 个规格…" and "订单 #0003已被平台取消".
The compact column forms ("5分", "位置3分钟前", "第2页") stay tight on purpose."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language, t
from o2o_tui.sync.explain import explain

ZH = Path(__file__).resolve().parents[1] / "o2o_tui" / "i18n" / "zh"
CJK = "\u4e00-\u9fff"
# placeholders that stand for a number, a time or an order/delivery number (a Latin or digit run)
LATIN = ("count", "number", "minutes", "subject", "at", "clock", "total", "prep", "extra")
COMPACT = {"ui.age.minutes", "ui.age.hours", "ui.age.whole_hours", "ui.age.days"}  # the queue's age column


@pytest.fixture
def zh() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def test_no_number_placeholder_touches_chinese_text() -> None:
    tight = []
    for path in sorted(ZH.glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in COMPACT:
                continue
            for name in LATIN:
                if re.search(rf"[{CJK}]\{{{name}\}}|\{{{name}\}}[{CJK}]", text):
                    tight.append(f"{path.name} {key}: {text}")
    assert not tight, "\n".join(tight)


def test_the_reported_sentences(zh: None) -> None:
    what = t("menu_editor.count.options", count=1)
    assert t("menu_editor.availability.sent", what=what).startswith("已发送 1 ")
    reason = {"code": "illegal_transition", "current_status": "CANCELLED", "order_number": 3, "cancelled_by": "PLATFORM"}
    said = explain(reason, action="order.confirm", target="o")
    assert "订单 #0003 已" in said, said
