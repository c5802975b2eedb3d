"""The marks the core puts in text it builds, as the terminal can show them (`o2o_tui/text_marks.py`): under the
console's ASCII glyph set (vt100, a locale that is not UTF-8) the figures screen's cut title ends in "..." (not "…"),
and the queue's sold-out line and a refund's reason in the order detail join their parts with " | " (not " · ");
`o2o orders show` on LANG=C says a refund's reason and a cancellation request's words with " | "; a UTF-8 terminal
keeps "…" and " · ". Also the English refund reason hint says "Esc cancel" as the Chinese one does, and `o2o
console`'s quick path says Ctrl-C's "Aborted." in the current language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.app import App
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.domain.money import Money
from o2o_tui.domain.refunds import Refund, reason_text
from o2o_tui.figures_text import clip
from o2o_tui.i18n import catalog, set_language, t
from screens.app import MerchantApp
from screens.care_detail import care_parts
from screens.figures_screen import FiguresScreen
from screens.memory_source import MemoryOrderSource
from screens.terminal import ASCII, FULL, Glyphs
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli
from tests.test_ui_figures import fixed
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store
from tests.test_ui_store_snapshots import sold_out_menu


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


def _screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


LONG_STORE = "Lao Wang's Noodle House on West Nanjing Road, second floor"


@pytest.mark.parametrize(("glyphs", "cut", "other"), [(ASCII, "...", "…"), (FULL, "…", "...")], ids=["ascii", "full"])
async def test_the_figures_title_is_cut_with_the_terminals_ellipsis(
    lang: str, glyphs: Glyphs, cut: str, other: str
) -> None:
    source = MemoryOrderSource(store=sample_store())
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    async with app.run_test(size=(40, 15)) as pilot:
        await app.push_screen(FiguresScreen(lambda day: fixed(day or "2026-12-02"), figures=fixed(),
                                            store_name=f"{LONG_STORE}, {LONG_STORE}"))  # fmt: skip
        await pilot.pause(0.2)
        lines = _screen_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if "2026-12-02" in line)
        title = lines[at + 2]  # the title folds: the day, then the name on two lines, the second cut
    assert title.rstrip().endswith(cut), title
    assert other not in title, title


@pytest.mark.parametrize(("glyphs", "dot"), [(ASCII, " | "), (FULL, " · ")], ids=["ascii", "full"])
async def test_the_sold_out_line_and_a_refunds_reason_use_the_terminals_dot(
    lang: str, glyphs: Glyphs, dot: str
) -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store(), menu=sold_out_menu())
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        shown = _screen_text(app)
        sold = next(line for line in shown.splitlines() if t("store.sold_out.line", count=2, names="")[:4] in line)
        order = msgspec.structs.replace(
            sample_entries()[0].order,
            refunds=[Refund(id="r1", amount=Money(400, "CNY"), reason_code="LATE", note="40 minutes")],
        )
        care = "".join(part if isinstance(part, str) else part[0] for part in care_parts(order, FROZEN_NOW))
    assert dot in sold, shown  # "Kung Pao Chicken until 14:30 | Rice"
    assert f"{t('care.reason.LATE')}{dot}40 minutes" in care, care
    if glyphs is ASCII:
        assert "·" not in sold and "·" not in care, (sold, care)


def test_clip_outside_the_console_follows_the_terminals_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_CTYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    assert clip("Kung Pao Chicken", 8) == "Kung ..."
    assert reason_text(Refund(id="r", amount=Money(1, "CNY"), reason_code="LATE", note="x")).endswith(" | x")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert clip("Kung Pao Chicken", 8) == "Kung Pa…"
    assert clip("Kung Pao Chicken", 8, "...") == "Kung ..."


# --- `o2o orders show` on LANG=C against the real platform ------------------------------------------------------


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _show(home: Path, order_id: str, lang_env: str) -> str:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200", "O2O_PROFILE": None,
           "O2O_TOKEN": None, "LANG": lang_env, "LC_ALL": None, "LC_CTYPE": None}  # fmt: skip
    result = CliRunner().invoke(cli_app, ["orders", "show", order_id], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return str(result.stdout)


def test_orders_show_on_a_c_locale_says_the_separators_in_ascii(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    placed = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    path = f"/v1/orders/{placed['id']}"
    merchant.post(path + "/confirm", {"preparation_minutes": 20})
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    cli("orders", "refund", placed["id"], "--line", "1:1", "--reason", "LATE", "--note", "forty minutes")
    asked = customer.post(path + "/cancellation", {"reason_code": "TAKING_TOO_LONG", "reason": "ordered twice"})
    assert asked.status_code == 200, asked.text
    cli("sync", "--once")

    plain = _show(tmp_path / "home", placed["id"], "C")
    late = t("care.reason.LATE")
    assert f"{late} | forty minutes" in plain, plain  # the refund's reason
    assert " | ordered twice" in plain, plain  # the customer's cancellation request
    assert "·" not in plain and "…" not in plain, plain
    utf8 = _show(tmp_path / "home", placed["id"], "C.UTF-8")
    assert f"{late} · forty minutes" in utf8, utf8


# --- the catalogs -----------------------------------------------------------------------------------------------


def test_both_refund_reason_hints_say_esc() -> None:
    for lang_code in ("en", "zh"):
        hint = catalog(lang_code)["care.refund.hint_reason"]
        assert "Esc" in hint, (lang_code, hint)


# --- `o2o console`'s quick path: Ctrl-C before the screen opened -------------------------------------------------


@pytest.mark.parametrize(("lang_code", "said"), [("en", "Aborted."), ("zh", "已中止。")])
def test_ctrl_c_before_the_console_opens_says_aborted_in_the_language(
    running: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    lang_code: str, said: str,
) -> None:  # fmt: skip
    import screens.launch
    from o2o_tui.cli import console_quick

    assert running.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)

    def interrupted(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the console was still loading

    monkeypatch.setattr(screens.launch, "run_merchant_console", interrupted)
    monkeypatch.setattr(console_quick, "_is_terminal", lambda: True)
    try:
        with pytest.raises(SystemExit) as done:
            console_quick.run(["console"], lang_code)
    finally:
        set_language(None)
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert said in err and "Aborted!" not in err, err
