"""58 mm paper (32 columns, 16 at double size), an outside tester's second look (2026-12-06): the double-size
banners lost their stars ("** CANCELLED **", "ACCEPT REFUSED", "DUPLICATE TICKET") or broke over two lines ("Do
not prepare" / "twice") where 80 mm prints them whole; they now take the catalog's short form (`<key>.short`),
whole, stars and all. A long item name on a 58 mm receipt wrapped short on every line (room kept for the amount
on each): it now fills the lines and the amount ends its last one, at the right edge. 80 mm prints byte for byte
as before wherever nothing wraps. Layouts read back from their ESC/POS bytes (o2o_tui/printing/decode.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.order import Order, OrderLine, OrderStatus
from o2o_tui.i18n import SUPPORTED, catalog, set_language, t
from o2o_tui.printing.decode import Printed, decode
from o2o_tui.printing.layout import cancel_slip, duplicate_slip, kitchen_ticket, receipt
from o2o_tui.printing.layout import test_page as page_layout
from o2o_tui.printing.render import render
from tests.test_print_58mm_tickets import _beans_order, _cancelled_paid
from tests.test_ui_samples import FROZEN_NOW, cny, sample_order, sample_store

# the double-size banners said in the catalog with a short form for 58 mm (the full one wider than 16 cells)
BANNERS = ("printing.cancelled.mark", "printing.slip.refused", "printing.slip.duplicate", "printing.slip.not_twice")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _paper(ops: list, width: int = 32) -> Printed:
    return decode(render(ops, "native", width))


def _stars(text: str) -> tuple[int, int]:
    return len(text) - len(text.lstrip("*")), len(text) - len(text.rstrip("*"))


def test_every_banners_short_form_fits_16_cells_with_the_stars_of_the_full_one() -> None:
    for lang in SUPPORTED:
        words = catalog(lang)
        assert {key.removesuffix(".short") for key in words if key.endswith(".short")} >= set(BANNERS)
        for key in BANNERS:
            full, short = words[key], words[f"{key}.short"]
            assert cell_len(short) <= 16, (lang, key, short)  # CJK two cells each
            assert _stars(short) == _stars(full), (lang, key, short)  # a mark stays a mark
            assert short.strip("* "), (lang, key)
            if cell_len(full) <= 16:  # fits already: the short form is the full one
                assert short == full, (lang, key)


def _slips(width: int) -> dict[str, list]:
    store = sample_store()
    return {
        "ticket": kitchen_ticket(_cancelled_paid(), store, FROZEN_NOW, reprint=True, width=width),
        "receipt": receipt(_cancelled_paid(), store, FROZEN_NOW, width=width),
        "cancelled": cancel_slip(_cancelled_paid(), store, FROZEN_NOW, reason="x", width=width),
        "refused": cancel_slip(_beans_order(), store, FROZEN_NOW, reason="x", refused=True, width=width),
        "duplicate": duplicate_slip(_beans_order(), store, FROZEN_NOW, width=width),
        "test": page_layout(FROZEN_NOW, "tcp://192.168.100.200:9100", store, width=width),
    }


SAID = {
    "ticket": ["printing.cancelled.mark"],
    "receipt": ["printing.cancelled.mark"],
    "cancelled": ["printing.cancelled.mark"],
    "refused": ["printing.slip.refused"],
    "duplicate": ["printing.slip.duplicate", "printing.slip.not_twice"],
    "test": [],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_double_size_banner_prints_whole_on_58mm_and_in_full_on_80mm(lang: str) -> None:
    set_language(lang)
    for kind, ops in _slips(32).items():
        printed = _paper(ops)
        assert printed.too_wide(32) == [], (kind, printed.too_wide(32))
        assert all(cell_len(line) <= 16 for line in printed.big if not line.startswith("#")), (kind, printed.big)
        for key in SAID[kind]:
            full, short = t(key), t(f"{key}.short")
            said = full if cell_len(full) <= 16 else short
            assert said in printed.big, (kind, key, printed.big)  # whole, on one double-size line
            if _stars(full) != (0, 0):  # a mark: as many stars as on 80 mm, on every line it is printed
                marks = [line for line in printed.big if line.strip("* ") == said.strip("* ")]
                assert marks and all(_stars(line) == _stars(full) for line in marks), (kind, marks)
            # and no double-size line is a piece of it ("Do not prepare" / "twice", "ACCEPT REFUSED" without stars)
            pieces = [line for line in printed.big if line != said and line.strip("* ") in (full + short)]
            assert not pieces, (kind, key, pieces)
    for kind, ops in _slips(48).items():  # 80 mm: the full forms, as before
        printed = _paper(ops, 48)
        for key in SAID[kind]:
            assert t(key) in printed.big, (kind, key, printed.big)


def _item(name: str, quantity: int = 3, total: int = 1234500) -> Order:
    line = OrderLine(item_id="x", name=name, quantity=quantity, unit_price=cny(12345), total=cny(total))
    return sample_order(5, OrderStatus.CONFIRMED, minutes_ago=2, lines=[line])


def _item_lines(printed: Printed, width: int) -> list[str]:
    """The item's lines on the receipt: from the first rule to the second."""
    rule = "-" * width
    first = printed.lines.index(rule)
    return printed.lines[first + 1 : printed.lines.index(rule, first + 1)]


LONG_NAMES = [
    ("Extra large family bucket of crispy fried chicken with two dips", "en"),
    ("宫保鸡丁 Kung Pao Chicken with peanuts and", "en"),
    ("超长的菜名超长的菜名超长的菜名超长的菜名超长的菜名", "zh"),
    ("干煸四季豆 Dry-Fried Green Beans", "zh"),
]


@pytest.mark.parametrize(("name", "lang"), LONG_NAMES)
def test_a_long_item_name_on_a_58mm_receipt_fills_its_lines_and_ends_with_the_amount(name: str, lang: str) -> None:
    set_language(lang)
    amount = "￥12345.00"
    lines = _item_lines(_paper(receipt(_item(name), sample_store(), FROZEN_NOW, width=32)), 32)
    assert len(lines) >= 2, lines
    *head, last = lines
    assert last.endswith(amount) and cell_len(last) == 32, lines  # at the right edge of the name's last line
    assert all(amount not in line for line in head) and all(line.startswith("    ") for line in lines[1:])
    # the earlier lines take the full width: the next line's first word (or Chinese character) would not have
    # fit on them; the name's last line but one gives up only what the amount's line needs (one word at least)
    for index, (line, after) in enumerate(zip(head, lines[1:], strict=False)):
        words = after.split("￥")[0].strip()
        next_piece = words.split()[0] if words.split()[0].isascii() else words[0]
        gap = " " if line[-1].isascii() and next_piece.isascii() else ""
        full = cell_len(line + gap + next_piece) > 32
        assert full or (index == len(head) - 1 and words == next_piece), (line, after, lines)
    # every word whole: the lines joined again say the name
    text = " ".join(line.split("￥")[0].strip() for line in lines)
    assert text.replace(" ", "") == f"3 x {name}".replace(" ", ""), text
    assert all(word in text.split() for word in name.split() if word.isascii()), text


def test_an_item_name_with_no_break_leaving_room_puts_the_amount_on_a_line_of_its_own() -> None:
    lines = _item_lines(_paper(receipt(_item("A" * 40), sample_store(), FROZEN_NOW, width=48), 48), 48)
    assert lines == ["3 x " + "A" * 40, " " * 38 + "￥12345.00"], lines  # the word never cut to make room


# sha256 of the 80 mm bytes of layouts where no line with an amount wraps, made by the code before this change
# (commit b3bb08f's layout.py, rendered by render.py): the short banners and the new wrap change nothing on 80 mm
BEFORE_80MM = {
    ("en", "ticket"): "b3d2333f8dc8b7fac12157bc5d97356e038a7b3713f68506e72f9ca0f4c17df1",
    ("en", "receipt"): "3392a0fe631b147e8cd4b4440b5b7b0519026da8b0f4bdc9249ecf46b58369d3",
    ("en", "cancelled"): "86404068499e7feef426ced2759a66a92c6d850e07e5f84812854f44417c11aa",
    ("en", "refused"): "b721febace63dfec2fff50f4c3836f1009949d43b9b6b5fc304e2046527bd755",
    ("en", "duplicate"): "4afdc14e25e969d141f37adfedd67f0bb166e09d9513cbc2b568e8de2facba51",
    ("en", "test"): "eda4155d4175ed8fdc84e3d0946caabb2b83d7d7b63cfabecfb1e9fd913e05f0",
    ("en", "receipt_live"): "92411ccb923fa98a8a7aa168391a0767a8fb500efa3302f3c3d0b471839189b7",
    ("en", "receipt_cancelled"): "4dc8b6cca8c42cbb8a902161c3127ba563e92924c9322535a28cde30af09f13e",
    ("zh", "ticket"): "dff46300ab4b3392c2697c66943ecab3e965315288d57f231a36b3a3d6b8068c",
    ("zh", "receipt"): "4b2b4caaff8638aba2c0c15a5137c60ee1585d3b84f1107ffdc140940a73e192",
    ("zh", "cancelled"): "fa87d0e72a9975bc3b8abd26e996546830da39103338b22a14de0425151ae875",
    ("zh", "refused"): "e89de2a7d1c5bd71a46686b2a423ea1584a9b29ead6c2b502fbee31b64504cd2",
    ("zh", "duplicate"): "77781856c111f54bd7b5556970d0057a5ab40bf7b6dc1242c566e9e15cfbcf88",
    ("zh", "test"): "ad3fc2087e4e8aa74a82dd2b9d7278485bfec9915bf92d56e007c307cc01cc86",
    ("zh", "receipt_live"): "7e0e4202007a125a3a6c127c7cb6b303628c8605f3d88dbd7a68c217c273d6ea",
    ("zh", "receipt_cancelled"): "3aa742ca595b80fac9dad1b0e310a5eee05afe23c8eae49d186f8c9f2651b6e1",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_80mm_is_byte_for_byte_as_before_where_nothing_wraps(lang: str) -> None:
    set_language(lang)
    store = sample_store()
    short = _item("宫保鸡丁 Kung Pao Chicken", 2, 7600)
    layouts = {
        **_slips(48),
        "receipt_live": receipt(short, store, FROZEN_NOW),  # the default width: 80 mm's
        "receipt_cancelled": receipt(msgspec.structs.replace(_cancelled_paid(), lines=short.lines), store, FROZEN_NOW),
    }
    for kind, ops in layouts.items():
        assert hashlib.sha256(render(ops, "native", 48)).hexdigest() == BEFORE_80MM[lang, kind], (lang, kind)
