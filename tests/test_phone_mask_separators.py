"""A phone number written with any separators between its digits reaches the courier masked: no-break and
ideographic spaces, zero-width and other format characters, slashes, underscores, commas, middle dots, tildes,
line breaks, their full-width forms and mixes of them; a number in odd groups, or one that spells no known phone,
of 7 digits or more is masked too (`o2o_tui/domain/phone_mask.py`, step 2). Prices, times, dates, order numbers and
short numbers stay. Then end to end: the real server on loopback, the order placed by the customer with such text,
the courier reading it through the API, `o2o deliveries show` (and `--json`) and its cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.domain.phone_mask import mask_phone_runs
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_cli_orders import Cli

NBSP, ZWSP, WJ, IDEO = "\u00a0", "\u200b", "\u2060", "\u3000"

MASKED = [
    (f"Li{NBSP}139{NBSP}1234{NBSP}5678", f"Li{NBSP}***{NBSP}****{NBSP}5678"),
    (f"Rm 5, call 139{ZWSP}1234{ZWSP}5678", f"Rm 5, call ***{ZWSP}****{ZWSP}5678"),
    (f"139{ZWSP * 6}1234{ZWSP}5678", f"***{ZWSP * 6}****{ZWSP}5678"),  # invisible: however many
    (f"139{WJ} 1234{WJ} 5678", f"***{WJ} ****{WJ} 5678"),
    (f"139{IDEO}1234{IDEO}5678", f"***{IDEO}****{IDEO}5678"),
    ("139/1234/5678", "***/****/5678"),
    ("139_1234_5678", "***_****_5678"),
    ("139,1234,5678", "***,****,5678"),
    ("139·1234·5678", "***·****·5678"),
    ("139~1234~5678", "***~****~5678"),
    ("139＿1234＿5678", "***＿****＿5678"),  # full-width low line
    ("１３９／１２３４／５６７８", "***／****／５６７８"),  # full-width digits and slash
    ("１３９，１２３４，５６７８", "***，****，５６７８"),
    ("139 -/ 1234 _. 5678", "*** -/ **** _. 5678"),  # mixed separators in one gap
    (f"139/1234{NBSP}5678", f"***/****{NBSP}5678"),  # mixed from gap to gap
    ("(139) 1234·5678", "(***) ****·5678"),
    ("139\n1234\n5678", "***\n****\n5678"),  # a screen may show it on one line
    ("١٣٩١٢٣٤٥٦٧٨", "*******٥٦٧٨"),  # Arabic-Indic digits
    (
        f"nbsp: 139{NBSP}1234{NBSP}5678 slash: 139/1234/5678",
        f"nbsp: ***{NBSP}****{NBSP}5678 slash: ***/****/5678",
    ),
    # step 2: no phone reading, but 7 digits or more
    ("62-34-56-78", "**-**-56-78"),
    ("6-23-4-5-6-7-8", "*-**-*-5-6-7-8"),  # a chain of one sign is no day
    ("1 3 9 1 2 3 4 5 6 7 8", "* * * * * * * 5 6 7 8"),
    ("order 20261206001", "order *******6001"),
    ("1234567", "***4567"),
    ("110101199003078888", "**************8888"),  # an ID card number
    ("139 1234 5678 62-34-56-78", "*** **** 5678 **-**-56-78"),  # a phone and another after it
    ("2026.12.06 62-34-56-78", "2026.12.06 **-**-56-78"),  # the date stays, the number after it goes
    ("#0040 13912345678", "#0040 *******5678"),
    ("¥13912345678", "¥*******5678"),  # no price has 11 digits
]

KEPT = [
    "¥25.00",
    "¥25.00 ¥30.00 ¥45.50",
    "¥1,280.00 x 3",
    "¥12,800.00",  # 7 digits, a price all the same
    "HK$ 128000.50",
    "合计 ¥ 125.50",
    "￥38",
    "12:30",
    "12:30-13:30",
    "12：30 / 13：30",
    "2026-12-06",
    "06/12/2026",
    "2026/12/6",
    "Type 2026-12-15, 12-15, 12/15 or 12月15日",  # days without their year
    "12/15 12/16 12/17",
    "#0040",
    "#0040 #0041 #0042",
    "＃0040",
    "Gate 1203, 2026-12-06 12:30",
    "3楼302室, 门禁 1203",
    "123456",
    "楼 12 03 室",
]


@pytest.mark.parametrize(("text", "shown"), MASKED)
def test_a_phone_number_with_any_separators_keeps_only_its_last_four_digits(text: str, shown: str) -> None:
    assert mask_phone_runs(text) == shown


@pytest.mark.parametrize("text", KEPT)
def test_prices_times_dates_order_and_short_numbers_stay(text: str) -> None:
    assert mask_phone_runs(text) == text


NAME = f"Li{NBSP}139{NBSP}1234{NBSP}5678"
ADDRESS = f"Rm 5, call 139{ZWSP}1234{ZWSP}5678"
NOTE = f"nbsp: 139{NBSP}1234{NBSP}5678 slash: 139/1234/5678 under: 139_1234_5678 ¥25.00 12:30"
NOTE_SHOWN = f"nbsp: ***{NBSP}****{NBSP}5678 slash: ***/****/5678 under: ***_****_5678 ¥25.00 12:30"


def _ok(response: object) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text  # type: ignore[attr-defined]
    return response.json()  # type: ignore[attr-defined, no-any-return]


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdecimal())


def test_the_courier_reads_such_text_masked_through_the_api_and_the_cli(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    token = platform.seed.courier_tokens[courier_id]
    body = order_body(platform.seed.store_id, note=NOTE, customer_name=NAME)
    body["address"] = {"text": ADDRESS, "position": {"lat": 31.2317, "lon": 121.4726}}
    order = _ok(api(platform, "customer").post("/v1/orders", body))
    _ok(api(platform, "merchant").post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
    delivery = _ok(
        api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    )
    _ok(Api(platform.url, token).post(f"/v1/deliveries/{delivery['id']}/accept"))

    seen = _ok(Api(platform.url, token).get(f"/v1/deliveries/{delivery['id']}"))
    assert seen["customer_name"] == f"Li{NBSP}***{NBSP}****{NBSP}5678"
    assert seen["dropoff"]["text"] == f"Rm 5, call ***{ZWSP}****{ZWSP}5678"
    assert seen["note"] == NOTE_SHOWN

    courier = Cli(tmp_path / "home", token)
    courier("login", "--url", platform.url, "--token", token)
    courier("sync", "--once")
    shown = courier("deliveries", "show", delivery["id"], "--json")
    assert "13912345678" not in _digits(shown.stdout)
    assert json.loads(shown.stdout)["note"] == NOTE_SHOWN
    plain = courier("deliveries", "show", delivery["id"]).stdout
    assert "13912345678" not in _digits(plain) and "5678" in plain
    held = "\n".join(
        f.read_text("utf-8", errors="replace") for f in sorted((tmp_path / "home").rglob("*")) if f.is_file()
    )
    assert "13912345678" not in _digits(held) and "1391234" not in _digits(held)
