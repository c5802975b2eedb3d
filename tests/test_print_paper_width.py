"""58 mm paper (`printer_paper`): tickets laid out for 32 columns of font A (a CJK character takes two), images 384
dots wide; 80 mm (the default, 48 columns) printed byte for byte as before. Read back as the paper shows it
(o2o_tui/printing/decode.py: each line's width in columns, a double-size character counting double)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import LineOption, Order, OrderLine, OrderStatus, OrderType
from o2o_tui.i18n import set_language
from o2o_tui.printing.decode import Printed, decode
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, cancel_slip, duplicate_slip, kitchen_ticket, receipt
from o2o_tui.printing.layout import test_page as page_layout
from o2o_tui.printing.render import cjk_font_path, render
from o2o_tui.printing.spool import PrintQueue
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import place_orders
from tests.test_ui_samples import FROZEN_NOW, cny, sample_order, sample_store

LONG_NAME = "招牌秘制酸菜鱼（大份，配米饭两碗和时令青菜一份）Signature pickled fish"
OPTION = "特辣 加麻 加香菜 Extra hot numbing"
LINE_NOTE = "鱼片要嫩，汤多一点，不要葱，谢谢！Please no scallions"
ORDER_NOTE = "门口放下就好，打电话 13800000000 No need to knock"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _long_order() -> Order:
    fish = OrderLine(
        item_id="fish",
        name=LONG_NAME,
        quantity=3,
        unit_price=cny(12800),
        options=[LineOption(option_id="hot", group_id="spice", name=OPTION, quantity=2, unit_price=cny(100))],
        note=LINE_NOTE,
        total=cny(38600),
    )
    rice = OrderLine(item_id="rice", name="米饭 Rice", quantity=2, unit_price=cny(200), total=cny(400))
    order = sample_order(7, OrderStatus.CONFIRMED, minutes_ago=5, note=ORDER_NOTE, lines=[fish, rice])
    return msgspec.structs.replace(order, type=OrderType.DELIVERY)


def _joined(lines: list[str]) -> str:
    """The printed lines as one text without the breaks (a wrapped name reads whole again)."""
    return "".join(line.strip() for line in lines).replace(" ", "")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_58mm_kitchen_ticket_and_receipt_fit_32_columns_with_every_item_and_the_total(lang: str) -> None:
    set_language(lang)
    order = _long_order()
    store = sample_store()
    for ops in (kitchen_ticket(order, store, FROZEN_NOW, width=32), receipt(order, store, FROZEN_NOW, width=32)):
        printed = decode(render(ops, "native", 32))
        assert printed.chinese_mode and printed.cuts == 1
        assert printed.too_wide(32) == [], printed.too_wide(32)  # no line the printer would fold
        assert max(printed.widths) == 32  # the rules span the paper
        text = _joined(printed.lines)
        for part in (LONG_NAME, "米饭Rice"):  # every item, whole once its lines are read together
            assert part.replace(" ", "") in text, (part, printed.lines)
    ticket = decode(render(kitchen_ticket(order, store, FROZEN_NOW, width=32), "native", 32))
    text = _joined(ticket.lines)
    assert OPTION.replace(" ", "") in text and LINE_NOTE.replace(" ", "") in text and "13800000000" in text
    assert "#0007" in ticket.big and "4821" in " ".join(ticket.lines) and ticket.qr == ["4821"]
    assert ticket.widths[ticket.lines.index("#0007")] == 15  # measured at its size: three columns a character
    assert any(line.strip().endswith("4821") for line in ticket.lines)  # the pickup code whole on its line
    paper = decode(render(receipt(order, store, FROZEN_NOW, width=32), "native", 32))
    total = next(line for line in paper.lines if line.startswith(("Total", "合计", "总计")))
    assert total.endswith("￥395.00") and cell_len(total) == 32, total  # whole, at the right edge
    assert any(line.endswith("￥386.00") for line in paper.lines)  # each item's amount at the right edge too


def test_58mm_slips_and_the_test_page_fit_32_columns() -> None:
    order = _long_order()
    store = sample_store()
    cancelled = msgspec.structs.replace(order, status=OrderStatus.CANCELLED, cancel_reason_code="OUT_OF_STOCK")
    for lang in ("en", "zh"):
        set_language(lang)
        for ops in (
            cancel_slip(cancelled, store, FROZEN_NOW, reason="Out of stock", ticket_printed_at=FROZEN_NOW, width=32),
            duplicate_slip(order, store, FROZEN_NOW, ticket_printed_at=FROZEN_NOW, width=32),
            kitchen_ticket(cancelled, store, FROZEN_NOW, reprint=True, width=32),
            page_layout(FROZEN_NOW, "tcp://192.168.100.200:9100", store, width=32),
        ):
            printed = decode(render(ops, "native", 32))
            assert printed.too_wide(32) == [], (lang, printed.too_wide(32))
    page = decode(render(page_layout(FROZEN_NOW, "tcp://x:9100", store, width=32), "native", 32))
    assert "12345678901234567890123456789012" in page.lines  # the paper's width in digits, exactly


@pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (apt-get install fonts-wqy-microhei)")
def test_on_58mm_without_a_chinese_mode_the_images_are_384_dots_wide() -> None:
    set_language("zh")
    printed = decode(render(kitchen_ticket(_long_order(), sample_store(), FROZEN_NOW, width=32), "image", 32))
    images = [line for line in printed.lines if line.startswith("[image ")]
    assert images and all(line.startswith("[image 384x") for line in images), images
    assert printed.too_wide(32) == []
    wide = decode(render(kitchen_ticket(_long_order(), sample_store(), FROZEN_NOW), "image"))
    assert all(line.startswith("[image 576x") for line in wide.lines if line.startswith("[image "))


# sha256 of the 80 mm bytes as they were before the paper setting (commit e68d2d9), English, the sample order of
# tests/test_ui_samples.py: the default and an explicit 48 columns both give them, byte for byte
BEFORE_80MM = {
    "ticket": "3e318239e0a18d0503cc45a85652b973572ba3dfb5f189e4305eebcae1b601a4",
    "receipt": "f2e42dce44cd421f81042917cadd649831c58dd8deb5a73b85e02abeeaf4963e",
}


def _bytes_80mm(kind: str, **width: int) -> bytes:
    order = sample_order(42, OrderStatus.CONFIRMED, minutes_ago=2, note="多放葱 extra scallions \x1b@\x1bp")
    made = kitchen_ticket if kind == "ticket" else receipt
    return render(made(order, sample_store(), FROZEN_NOW, **width), "native", *width.values())


@pytest.mark.parametrize("kind", ["ticket", "receipt"])
def test_80mm_prints_byte_for_byte_as_before(kind: str) -> None:
    default = _bytes_80mm(kind)
    assert _bytes_80mm(kind, width=48) == default
    assert hashlib.sha256(default).hexdigest() == BEFORE_80MM[kind]
    long = decode(render(kitchen_ticket(_long_order(), sample_store(), FROZEN_NOW), "native"))
    assert max(long.widths) == 48 and long.too_wide(48) == []
    assert long.too_wide(32)  # laid out for 80 mm, a 58 mm printer would fold it: what the setting is for


def test_the_paper_setting_from_the_environment_or_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from o2o_tui import settings
    from o2o_tui.printing import printer_config

    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    monkeypatch.setenv("O2O_PRINTER", "tcp://127.0.0.1:21201")
    monkeypatch.delenv("O2O_PRINTER_PAPER", raising=False)
    config = printer_config()
    assert config is not None and (config.paper_mm, config.columns) == (80, 48)  # unset: 80 mm, as before
    from o2o_tui.paths import config_dir

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / settings.SETTINGS_FILE).write_text(json.dumps({"printer_paper": "58mm"}), encoding="utf-8")
    config = printer_config()
    assert config is not None and (config.paper_mm, config.columns) == (58, 32)
    monkeypatch.setenv("O2O_PRINTER_PAPER", "80")
    assert (printer_config() or config).columns == 48  # the environment over the file
    assert (printer_config(58) or config).columns == 32  # a command's --paper over both
    monkeypatch.setenv("O2O_PRINTER_PAPER", "57")
    assert (printer_config() or config).paper_mm == 80  # a width not known: 80 mm, said once
    assert "57" in capsys.readouterr().err


def _last_ticket_widest(printed: Printed) -> int:
    """The widest line of the last ticket (between the last two cuts)."""
    cuts = [index for index, line in enumerate(printed.lines) if line == "[cut]"]
    return max(printed.widths[cuts[-2] + 1 : cuts[-1]])


def _o2o(home: Path, *args: str, printer: str, paper: str | None = "58", code: int = 0) -> dict:
    env = {
        "O2O_HOME": str(home),
        "O2O_LANG": "en",
        "O2O_PRINTER": printer,
        "O2O_PRINTER_PAPER": paper,
        "O2O_PROFILE": None,
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(app, [*args, "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_o2o_print_says_the_paper_and_lays_out_for_it(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert shared_platform.seed is not None
    first, second = place_orders(shared_platform.url, shared_platform.seed, 2)
    with FakePrinter() as printer:
        token = shared_platform.seed.tokens["merchant"]
        _o2o(home, "login", "--url", shared_platform.url, "--token", token, printer=printer.target)
        _o2o(home, "sync", "--once", printer=printer.target)

        done = _o2o(home, "print", "ticket", first, printer=printer.target)
        assert done["printed"] is True and (done["paper_mm"], done["columns"]) == (58, 32)
        printed = printer.wait_for_cuts(1)
        assert printed.too_wide(32) == [] and max(printed.widths) == 32
        wide = _o2o(home, "print", "ticket", second, "--receipt", "--paper", "80", printer=printer.target)
        assert (wide["paper_mm"], wide["columns"]) == (80, 48)
        assert max(printer.wait_for_cuts(2).widths) == 48
        status = _o2o(home, "print", "status", printer=printer.target)
        assert (status["paper_mm"], status["columns"]) == (58, 32)
        test = _o2o(home, "print", "test", printer=printer.target)
        assert test["printed"] is True and (test["paper_mm"], test["columns"]) == (58, 32)
        assert _last_ticket_widest(printer.wait_for_cuts(3)) == 32  # the test page: 58 mm's, after the receipt
        _o2o(home, "print", "test", "--paper", "57", printer=printer.target, code=2)  # a usage error

        env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PRINTER": printer.target, "O2O_PRINTER_PAPER": "58"}
        said = CliRunner().invoke(app, ["print", "status"], env=env, catch_exceptions=False).stdout
        assert "(58 mm paper): nothing waiting." in said, said
        env["O2O_LANG"] = "zh"
        said = CliRunner().invoke(app, ["print", "status"], env=env, catch_exceptions=False).stdout
        assert "（58mm 纸）：" in said, said


def test_o2o_print_show_says_what_a_58mm_printer_would_fold(tmp_path: Path) -> None:
    paper = tmp_path / "tickets.bin"
    queue = PrintQueue(tmp_path)
    try:
        queue.add(JobKind.TICKET, kitchen_ticket(_long_order(), sample_store(), FROZEN_NOW))  # laid out for 80 mm
        queue.drain(parse_target(f"file:{paper}"))
    finally:
        queue.close()
    env = {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "COLUMNS": "200"}
    shown = json.loads(CliRunner().invoke(app, ["print", "show", str(paper), "--paper", "58", "--json"], env=env).stdout)
    assert shown["widest"] == 48 and (shown["paper_mm"], shown["columns"]) == (58, 32)
    assert shown["too_wide"] and all(row["columns"] > 32 for row in shown["too_wide"])
    said = CliRunner().invoke(app, ["print", "show", str(paper), "--paper", "58"], env=env)
    assert "wider than 58 mm paper" in said.stderr and "✂" + "-" * 31 in said.stdout
    plain = json.loads(CliRunner().invoke(app, ["print", "show", str(paper), "--json"], env=env).stdout)
    assert plain["too_wide"] == [] and plain["columns"] is None and plain["widest"] == 48


def _tickets_widest(printed: Printed) -> list[int]:
    """The widest line of each ticket (between cuts)."""
    widest, current = [], 0
    for line, width in zip(printed.lines, printed.widths, strict=True):
        if line == "[cut]":
            widest.append(current)
            current = 0
        else:
            current = max(current, width)
    return widest


async def test_the_console_lays_its_tickets_out_for_58mm_paper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from o2o_tui.config import Profile
    from screens import printing
    from screens.app import MerchantApp
    from screens.memory_source import MemoryOrderSource
    from screens.source import QueueEntry

    with FakePrinter() as printer:
        monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("O2O_PRINTER", printer.target)
        monkeypatch.setenv("O2O_PRINTER_PAPER", "58")
        monkeypatch.setattr(printing, "RETRY_S", 0.2)
        order = msgspec.structs.replace(_long_order(), status=OrderStatus.CREATED)
        profile = Profile(name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1")
        source = MemoryOrderSource([QueueEntry(order)], store=sample_store())
        app = MerchantApp(source, clock=lambda: FROZEN_NOW, profile=profile)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("a", "enter")  # the kitchen ticket on accept
            ticket = printer.wait_for_cuts(1)
            assert ticket.too_wide(32) == [] and _tickets_widest(ticket) == [32]
            assert LONG_NAME.replace(" ", "") in _joined(ticket.tickets()[0])
            await pilot.press("enter", "R")  # the detail: its receipt
            both = printer.wait_for_cuts(2)
            assert both.too_wide(32) == [] and _tickets_widest(both) == [32, 32]
            assert any(line.startswith("Total") and line.endswith("￥395.00") for line in both.tickets()[1])
