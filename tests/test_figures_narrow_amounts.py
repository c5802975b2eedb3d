"""The day's figures on a narrow terminal: the tables' names (items, reasons) are clipped to fit, never the amounts,
counts or who cancelled: the console's figures screen at 40x15 (its text 35 cells) and 80x24, and `o2o report
day` at 40 columns against the real server, in English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.domain.money import Money, format_money
from o2o_tui.domain.report import CancelFigures, DayReport, ItemFigures
from o2o_tui.figures import Figures
from o2o_tui.figures_text import cells
from o2o_tui.i18n import set_language, t
from screens.figures_screen import FiguresScreen
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_figures import _app, fixed_report, until
from tests.test_ui_samples import FROZEN_NOW

CNY = "CNY"
LONG_CODE = "A_REASON_CODE_NOBODY_NAMED_AT_ALL"


def _report() -> DayReport:
    """The testers' day: short amounts beside long names, every party cancelling, a long unknown reason."""
    return msgspec.structs.replace(
        fixed_report(),
        top_items=[
            ItemFigures("kung-pao", "宫保鸡丁 Kung Pao Chicken", 96, Money(1_364_800, CNY)),
            ItemFigures("soup", "酸辣汤 Hot and Sour Soup", 3, Money(5_400, CNY)),
            ItemFigures("rice", "米饭 Steamed Rice", 4, Money(1_200, CNY)),
        ],
        cancellations=[
            CancelFigures("CHANGED_MIND", "CUSTOMER", 3),
            CancelFigures("ACCEPT_TIMEOUT", "PLATFORM", 1),
            CancelFigures(LONG_CODE, "MERCHANT", 12),
        ],
    )


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _whole(lines: list[str], width: int, report: DayReport) -> None:
    """Every line within `width` cells; every amount, count and party whole on the line of its name."""
    assert all(cells(line) <= width for line in lines), [line for line in lines if cells(line) > width]
    text = "\n".join(lines)
    for item in report.top_items:
        assert _row(lines, str(item.quantity), format_money(item.revenue)), text
    for cancel in report.cancellations:
        assert _row(lines, t("figures.by." + cancel.by.lower()), str(cancel.count)), text


def _row(lines: list[str], before: str, last: str) -> bool:
    """A line ending in `before`, spaces, `last`: a figure and what is beside it, whole."""
    pattern = re.compile(rf"(^|\s){re.escape(before)}\s+{re.escape(last)}$")
    return any(pattern.search(line.rstrip()) for line in lines)


@pytest.mark.parametrize("size", [(40, 15), (80, 24)], ids=["40x15", "80x24"])
async def test_the_figures_screen_clips_names_not_amounts(lang: str, size: tuple[int, int]) -> None:
    report = _report()
    app = _app()
    async with app.run_test(size=size) as pilot:
        screen = FiguresScreen(lambda day: Figures(report, FROZEN_NOW), figures=Figures(report, FROZEN_NOW))
        await app.push_screen(screen)
        await until(pilot, lambda: "…" in str(screen.query_one("#figures-text").render()) or size[0] > 40)
        text = str(screen.query_one("#figures-text").render())
        _whole(text.splitlines(), size[0] - 5, report)
        if size[0] == 40:
            assert "宫保鸡丁 Kung" in text and "Chicken" not in text  # the name gave way
            assert LONG_CODE not in text and LONG_CODE[:8] in text


def test_report_day_fits_40_columns(platform: RunningPlatform, tmp_path: Path, lang: str) -> None:
    seed = platform.seed
    assert seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    gone = customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
    said = customer.post(f"/v1/orders/{gone['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    assert said.status_code == 200, said.text  # "Customer changed their mind": wider than 40 with who and count
    dropped = customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{dropped['id']}/confirm", {"preparation_minutes": 10})
    assert merchant.post(f"/v1/orders/{dropped['id']}/cancel", {"reason_code": "OUT_OF_STOCK"}).status_code == 200
    home = tmp_path / "home"
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "O2O_PROFILE": None, "O2O_TOKEN": None}
    runner = CliRunner()
    login = ["login", "--url", platform.url, "--token", seed.tokens["merchant"]]
    assert runner.invoke(cli_app, login, env=env | {"COLUMNS": "200"}).exit_code == 0
    wide = runner.invoke(cli_app, ["report", "day", "--json"], env=env | {"COLUMNS": "200"}).stdout
    report = msgspec.json.decode(wide.encode(), type=dict)["report"]
    assert {c["by"] for c in report["cancellations"]} >= {"CUSTOMER", "MERCHANT"}
    got = runner.invoke(cli_app, ["report", "day"], env=env | {"COLUMNS": "40"})
    assert got.exit_code == 0, got.output
    lines = got.stdout.splitlines()
    assert all(cells(line) <= 40 for line in lines), [line for line in lines if cells(line) > 40]
    text = got.stdout
    for cancel in report["cancellations"]:  # each count on the line of its reason and who
        assert _row(lines, t("figures.by." + cancel["by"].lower()), str(cancel["count"])), text
    for item in report["top_items"]:
        money = format_money(Money(item["revenue"]["amount"], item["revenue"]["currency"]))
        assert _row(lines, str(item["quantity"]), money), text
