"""Text on paper: the receipt's double-size store name wrapped at 24 cells (never cut, never broken mid-word by the
printer), amounts at the paper's right edge in image mode too, one encoding rule for every ticket line whatever
its script (zero-width characters removed, "?" for what the Chinese mode cannot print), and a warning on import
for a menu name that would print as "?????"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.money import Money
from o2o_tui.domain.order import LineOption, Order, OrderLine, OrderStatus, OrderType
from o2o_tui.i18n import set_language
from o2o_tui.printing.charset import printable, unreadable
from o2o_tui.printing.decode import decode
from o2o_tui.printing.devices import parse_target, send
from o2o_tui.printing.layout import Align, kitchen_ticket, receipt
from o2o_tui.printing.render import DOTS, _line_image, cjk_font_path, render
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

needs_font = pytest.mark.skipif(cjk_font_path() is None, reason="image mode needs a CJK font (fonts-wqy-microhei)")
LONG_NAME = "老王川菜馆 Lao Wang Sichuan Kitchen and Noodle House 二号店 (Xuhui Branch)"
HOSTILE = "Family 👨‍👩‍👧‍👦 🇯🇵 👋🏿 1️⃣ e\u0301 กิ๊ 零\u200b宽\u200d字\ufeff"  # fits one line


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _cny(amount: int) -> Money:
    return Money(amount, "CNY")


def _order(note: str = "", line_note: str = "", name: str = "宫保鸡丁 Kung Pao Chicken") -> Order:
    line = OrderLine(
        item_id="x",
        name=name,
        quantity=2,
        unit_price=_cny(150),
        options=[LineOption(option_id="o", group_id="g", name="微辣 Mild", quantity=1, unit_price=_cny(0))],
        note=line_note,
        total=_cny(300),
    )
    order = sample_order(5, OrderStatus.CONFIRMED, minutes_ago=2, note=note, lines=[line])
    return msgspec.structs.replace(order, type=OrderType.TAKEOUT)


def _ink_right_edge(image: object) -> int:
    """The x of the rightmost black dot of a line image (-1: blank)."""
    from PIL import ImageOps

    box = ImageOps.invert(image.convert("L")).getbbox()  # type: ignore[attr-defined]
    return -1 if box is None else int(box[2]) - 1


def _raster_images(stream: bytes) -> list[tuple[int, list[bytes]]]:
    """Each `GS v 0` raster image of a stream: (width in dots, rows of bytes)."""
    images = []
    at = stream.find(b"\x1dv0")
    while at >= 0:
        width_bytes = stream[at + 4] + 256 * stream[at + 5]
        height = stream[at + 6] + 256 * stream[at + 7]
        data = stream[at + 8 : at + 8 + width_bytes * height]
        images.append((width_bytes * 8, [data[r * width_bytes : (r + 1) * width_bytes] for r in range(height)]))
        at = stream.find(b"\x1dv0", at + 8 + width_bytes * height)
    return images


def _rightmost_dot(rows: list[bytes]) -> int:
    right = -1
    for row in rows:
        for index in range(len(row) - 1, -1, -1):
            if row[index]:
                bit = next(b for b in range(8) if row[index] & (1 << b))  # lowest set bit: the rightmost dot
                right = max(right, index * 8 + 7 - bit)
                break
    return right


def test_the_store_name_is_wrapped_at_the_double_size_width(tmp_path: Path) -> None:
    store = msgspec.structs.replace(sample_store(), name=LONG_NAME)
    target = parse_target(f"file:{tmp_path / 'slip.bin'}")
    send(target, render(receipt(_order(), store, FROZEN_NOW)))
    printed = decode((tmp_path / "slip.bin").read_bytes())
    name_lines = printed.big
    assert all(cell_len(line) <= 24 for line in name_lines), name_lines  # 24 double-size cells = 48 normal
    assert " ".join(name_lines) == LONG_NAME  # every word, none split
    assert len(name_lines) >= 3


@needs_font
def test_in_image_mode_a_line_too_wide_is_drawn_smaller_not_cut() -> None:
    image = _line_image("老王川菜馆 Lao Wang Sichuan Kitchen", 2, Align.CENTER)  # 750 dots at its own size
    assert 0 <= _ink_right_edge(image) < DOTS - 1  # the last letter is on the paper, not at its cut edge


@needs_font
def test_in_image_mode_every_amount_ends_at_the_right_edge() -> None:
    order = _order(name="宫保鸡丁 Kung Pao Chicken")
    stream = render(receipt(order, sample_store(), FROZEN_NOW), "image")
    images = _raster_images(stream)
    assert len(images) >= 4  # the item line, subtotal, total and the name at least
    ends = [_rightmost_dot(rows) for _, rows in images[1:] if _rightmost_dot(rows) >= 0]
    amounts = [end for end in ends if end > DOTS // 2]
    assert len(amounts) >= 3, ends
    assert max(amounts) - min(amounts) <= 2 and min(amounts) >= DOTS - 4, amounts  # one column, at the edge


def test_one_encoding_rule_for_every_line_whatever_its_script(tmp_path: Path) -> None:
    """The same text prints the same on a line with Chinese ("备注：…") and on one without (the order's note)."""
    order = _order(note=HOSTILE, line_note=HOSTILE)
    stream = render(kitchen_ticket(order, sample_store(), FROZEN_NOW))
    printed = decode(stream).text()
    expected = printable(HOSTILE)
    assert expected == "Family ???? ?? ?? 1 é ? 零宽字", expected
    lines = [line.strip() for line in printed.splitlines()]
    assert expected in lines  # the order's note: no Chinese on its line
    set_language("zh")
    chinese = decode(render(kitchen_ticket(order, sample_store(), FROZEN_NOW))).text()
    assert f"! 备注：{expected}" in chinese  # the line's note, after Chinese words: printed the same
    assert f"! Note: {expected}" in printed
    for invisible in ("\u200b", "\u200d", "\ufeff", "\ufe0f"):
        assert invisible not in printed
    # only two-byte GB codes reach the printer: no GB18030 four-byte sequence for an emoji it cannot draw
    assert not any(
        0x81 <= stream[i] <= 0xFE and 0x30 <= stream[i + 1] <= 0x39 for i in range(len(stream) - 1)
    )


def test_a_name_only_unreadable_on_paper_is_told() -> None:
    assert unreadable("شوربة عربية") and printable("شوربة عربية") == "????? ?????"
    assert not unreadable("宫保鸡丁") and not unreadable("Soup 🍜") and not unreadable("--")


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner


def test_importing_an_item_that_would_print_as_question_marks_warns(cli: Cli, tmp_path: Path) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "arabic.csv"
    sheet.write_text("category_id,name_zh,price\r\nsoups,شوربة عربية,18\r\n", encoding="utf-8")
    dry = cli("menu", "import", str(sheet), "--partial", "--dry-run")
    assert '"شوربة عربية" prints as "????? ?????"' in dry.stderr  # taken (a dry run: exit 0), and told
    fine = tmp_path / "fine.csv"
    fine.write_text("category_id,name_zh,price\r\nsoups,酸辣汤,18\r\n", encoding="utf-8")
    assert "prints as" not in cli("menu", "import", str(fine), "--partial", "--dry-run").stderr


def test_a_receipt_reads_back_through_the_fake_printer() -> None:
    with FakePrinter() as printer:
        send(parse_target(printer.target), render(receipt(_order(), sample_store(), FROZEN_NOW)))
        slip = printer.wait_for_cuts(1).tickets()[0]
    assert slip[:2] == ["老王川菜馆 Lao Wang", "Sichuan Kitchen"]
    total = next(line for line in slip if line.startswith("Total"))
    assert cell_len(total) == 48 and total.endswith(".00")  # native: the amount padded to the line's last cell
