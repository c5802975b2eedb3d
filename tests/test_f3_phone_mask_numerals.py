"""A phone number written to dodge a filter reaches the courier masked as well: in Chinese numerals (一三八零零一三八零零零,
幺 for one, 〇 / 零 for zero, 两 for two, the financial forms) or with letters that look like digits inside it
(O / o for 0, l / I for 1), by the same rule as digits: the last four kept, the rest starred
(`o2o_tui/domain/phone_mask.py`). Ordinary text stays: prices, "2 x 豆浆", times, dates, "#12", "两份", "一楼",
words such as "Oolong" or "COOL". Then end to end through the real server and the courier's API."""

from __future__ import annotations

from typing import Any

import pytest

from o2o_tui.domain.phone_mask import mask_phone_runs
from tests.support.platform import Api, RunningPlatform, api, order_body

MASKED = [
    ("一三八零零一三八零零零", "*******八零零零"),
    ("幺三八零零幺三八零零零", "*******八零零零"),
    ("一三八〇〇一三八〇〇〇", "*******八〇〇〇"),
    ("一三九 一二三四 五六七八", "*** **** 五六七八"),
    ("一三九-两三四五-六七八九", "***-****-六七八九"),
    ("电话：一三九一二三四五六七八，谢谢", "电话：*******五六七八，谢谢"),
    ("壹叁玖壹贰叁肆伍陆柒捌", "*******伍陆柒捌"),
    ("138零0138000", "*******8000"),  # one numeral between digits
    ("138零零138零零零", "*******8零零零"),  # digits and numerals mixed
    ("六二三四五六七八", "****五六七八"),  # a landline
    ("138OO138OOO", "*******8OOO"),
    ("138oo138ooo", "*******8ooo"),
    ("l39l2345678", "*******5678"),
    ("I39 I234 5678", "*** **** 5678"),
    ("l38 OOl3 8OOO", "*** **** 8OOO"),
    ("Call 1３８ＯＯ１３８０００", "Call *******８０００"),  # full-width
    ("lol 13912345678", "lol *******5678"),
]

KEPT = [
    "两份",
    "2 x 豆浆",
    "两份 2 x 豆浆 ¥25.00",
    "一楼 三零二室",
    "送到一号门",
    "¥25.00 x 3",
    "12:30",
    "十二点三十分",
    "2026-12-06",
    "二〇二六年十二月六日",
    "#12",
    "#0040 两杯",
    "Oolong 2杯",
    "Oolong tea x 2",
    "COOL 12:30",
    "COOL, cool, Ill, lol",
    "Room 1203 Oolong",
    "l0 IO 1O",  # short: no phone
]


@pytest.mark.parametrize(("text", "shown"), MASKED)
def test_a_phone_in_numerals_or_look_alike_letters_keeps_only_its_last_four(text: str, shown: str) -> None:
    assert mask_phone_runs(text) == shown


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_with_numerals_and_such_letters_stays(text: str) -> None:
    assert mask_phone_runs(text) == text


def test_a_numeral_glued_to_a_phone_does_not_spoil_its_reading() -> None:
    # "一定" (surely) after the number: one numeral, not between digits, stays a word
    assert mask_phone_runs("13912345678一定要打") == "*******5678一定要打"


def _ok(response: object) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text  # type: ignore[attr-defined]
    return response.json()  # type: ignore[attr-defined, no-any-return]


def test_the_courier_reads_them_masked_through_the_api(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    token = platform.seed.courier_tokens[courier_id]
    note = "电话一三八零零一三八零零零 or 138OO138OOO, Oolong x 2 ¥25.00"
    body = order_body(platform.seed.store_id, note=note, customer_name="幺三九 一二三四 五六七八")
    body["address"] = {"text": "一楼 三零二室, l39l2345678", "position": {"lat": 31.2317, "lon": 121.4726}}
    order = _ok(api(platform, "customer").post("/v1/orders", body))
    _ok(api(platform, "merchant").post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
    delivery = _ok(
        api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    )
    _ok(Api(platform.url, token).post(f"/v1/deliveries/{delivery['id']}/accept"))

    seen = _ok(Api(platform.url, token).get(f"/v1/deliveries/{delivery['id']}"))
    assert seen["note"] == "电话*******八零零零 or *******8OOO, Oolong x 2 ¥25.00"
    assert seen["customer_name"] == "*** **** 五六七八"
    assert seen["dropoff"]["text"] == "一楼 三零二室, *******5678"
