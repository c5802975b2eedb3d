"""`f`: the store's day in figures: orders per hour as a bar chart (block characters), accept and prep times,
cancellations and refusals by reason, revenue and the top items. Left/right (or [ ]) change the day (never past
the store's today: a later day has no figures), F5 (or r) refreshes, Esc goes back.

The chart and tables come from `o2o_tui.figures_text` (shared with `o2o report day`) and are shown as plain
`Content` (item names and reason codes are untrusted). The figures come from a `load(day)` function run on a
worker thread (`o2o_tui.figures.day_figures`: the platform, else the copy kept on the device, "as of HH:MM").
Why not textual-plotext: it runs on Textual 8.2.8, but it is a second chart library for one bar chart, its
axes and frame take a quarter of a 40-column screen, and the CLI needs the same chart without Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from o2o_tui import figures_text as ft
from o2o_tui.domain.clock import zone_named
from o2o_tui.domain.report import DayReport
from o2o_tui.figures import Figures, is_today, store_today
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens.keys import localize_bindings
from screens.terminal import Glyphs, decorated, glyphs_of
from screens.widgets.footer import KeyFooter

Loader = Callable[[str | None], Figures]


def title_text(day: str, short_day: str, store: str, width: int, glyphs: Glyphs) -> str:
    """The screen's title in `width` cells: "Figures <day> · <store>" on one line when it fits, else with the day
    short (`short_day`, its ISO date: "Sun 6 Dec, until 03:00 Mon" goes first); else folded, the day on its line
    and the store's name on the next (on two when it needs them, cut only past that), so a narrow screen never
    cuts the name to a few letters. `store` is display-safe already."""
    from o2o_tui.text_fold import fold

    def line(shown_day: str, name: str) -> str:
        text = t("figures.title", date=shown_day, store=name)
        return decorated(text.rstrip(" ·") if name else text.strip(" ·"), glyphs)  # " | " in ASCII

    for shown_day in dict.fromkeys((day, short_day)):
        one = line(shown_day, store)
        if ft.cells(one) <= width:
            return one
    head = line(day, "")
    if ft.cells(head) > width:
        head = line(short_day, "")
    if not store:
        return ft.clip(head, width)
    names = fold(decorated(store, glyphs), width)
    if len(names) > 2:
        names = [names[0], ft.clip(" ".join(names[1:]), width)]
    return "\n".join([ft.clip(head, width), *names])


class FiguresLoaded(Message):
    def __init__(self, figures: Figures | None, problem: str = "") -> None:
        super().__init__()
        self.figures = figures
        self.problem = problem


class FiguresScreen(Screen[None]):
    DEFAULT_CSS = """
    FiguresScreen #figures-title {
        text-style: bold;
        padding: 0 1;
    }
    FiguresScreen #figures-status {
        color: $text-muted;
        padding: 0 1;
    }
    FiguresScreen #figures-status.-stale {
        color: $text-warning;
    }
    FiguresScreen #figures-body {
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("left", "day(-1)", "figures.key.prev", id="figures.prev", priority=True),  # over the scroll's
        Binding("right", "day(1)", "figures.key.next", id="figures.next", priority=True),
        Binding("left_square_bracket", "day(-1)", "figures.key.prev", show=False, id="figures.prev_bracket"),
        Binding("right_square_bracket", "day(1)", "figures.key.next", show=False, id="figures.next_bracket"),
        # F5 refreshes wherever something does (the dispatch board's r is reassign); r as well, as it always has
        Binding("f5,r", "refresh", "figures.key.refresh", id="figures.refresh"),
        Binding("escape", "back", "figures.key.back", id="figures.back"),
        Binding("question_mark", "help", "ui.key.help", id="figures.help"),
    ]
    FOOTER_PRIORITY = ("figures.back", "figures.prev", "figures.next", "figures.refresh")
    HELP_NOTES: tuple[str, ...] = ()

    def __init__(self, load: Loader, *, figures: Figures | None = None, store_name: str = "") -> None:
        super().__init__()
        localize_bindings(self)
        self._load = load
        self._figures = figures
        self._day: str | None = figures.report.date if figures else None
        self._store_name = store_name
        self._problem = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="figures-title", markup=False)
        yield Static("", id="figures-status", markup=False)
        with VerticalScroll(id="figures-body"):
            yield Static("", id="figures-chart", markup=False)
            yield Static("", id="figures-text", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._figures is None:
            self._show()
            self.fetch()
        else:
            self._show()

    def on_resize(self) -> None:
        self._show()

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def fetch(self) -> None:
        try:
            found = self._load(self._day)
        except Exception as error:  # a refusal or nothing kept: shown on the screen, the worker ends
            message = getattr(error, "i18n_message", None)
            self.post_message(FiguresLoaded(None, message() if callable(message) else str(error)))
            return
        self.post_message(FiguresLoaded(found))

    def on_figures_loaded(self, message: FiguresLoaded) -> None:
        self._problem = message.problem
        if message.figures is not None:
            self._figures = message.figures
            self._day = message.figures.report.date
        self._show()

    # what it shows
    def _show(self) -> None:
        if not self.is_mounted:
            return
        width = max(20, self.size.width - 5)  # the body's padding and its scrollbar
        title_width = max(20, self.size.width - 2)  # the title's padding (it has no scrollbar)
        title = self.query_one("#figures-title", Static)
        status = self.query_one("#figures-status", Static)
        chart = self.query_one("#figures-chart", Static)
        text = self.query_one("#figures-text", Static)
        found = self._figures
        if found is None or (self._day is not None and found.report.date != self._day):
            day, name = self._day or "", safe_text(self._store_name, one_line=True)
            title.update(Content(title_text(day, day, name, title_width, glyphs_of(self.app))))
            status.update(Content(t("figures.screen.failed", reason=self._problem) if self._problem
                                  else t("figures.loading")))
            chart.update(Content(""))
            text.update(Content(""))
            return
        report = found.report
        name = safe_text(self._store_name, one_line=True)
        shown = title_text(ft.day_label(report), report.date, name, title_width, glyphs_of(self.app))
        title.update(Content(shown))
        fetched = found.fetched_at.astimezone(zone_named(report.timezone)).strftime("%H:%M")
        said = t("figures.as_of_short", time=fetched) if found.cached else t("figures.fetched", time=fetched)
        if self._problem:
            said = t("figures.screen.failed", reason=self._problem)
        status.update(Content(ft.clip(said, width)))
        status.set_class(found.cached or bool(self._problem), "-stale")
        narrow = self.size.width < 60
        bars_height = 4 if self.size.height < 20 else 7
        lines = [part for line in ft.summary_lines(report, self._now()) for part in ft.wrap(line, width)]
        lines.append(t("figures.hours.title", peak=ft.peak(report.hours)))
        lines += ft.hour_chart(report.hours, width, bars_height)
        chart.update(Content("\n".join(lines)))
        rest = ft.durations_lines(report) + [""]
        rest += ft.item_lines(report, width, 5 if narrow else 10) + [""] + ft.reason_lines(report, width)
        text.update(Content("\n".join(ft.clip(line, width) for line in rest)))

    # keys
    def action_day(self, step: int) -> None:
        if self._day is None:
            return
        day = (date.fromisoformat(self._day) + timedelta(days=step)).isoformat()
        shown = self._figures.report if self._figures is not None else None
        if step > 0 and shown is not None and (day > self._today(shown.timezone) or self._shows_today(shown)):
            self.app.bell()  # the store's today (its trading day: Sunday's at 01:40 Monday) is the last with figures
            return
        self._day = day
        self._problem = ""
        self._show()
        self.fetch()

    def _today(self, timezone: str) -> str:
        clock = getattr(self.app, "now", None)  # the console's clock (frozen in tests)
        now = clock() if callable(clock) else datetime.now(UTC)
        return store_today(timezone, now).isoformat()

    def _now(self) -> datetime:
        clock = getattr(self.app, "now", None)  # the console's clock (frozen in tests)
        return clock() if callable(clock) else datetime.now(UTC)

    def _shows_today(self, report: DayReport) -> bool:
        return self._day == report.date and is_today(report, self._now())

    def action_refresh(self) -> None:
        self._problem = ""
        self.fetch()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from screens.help_screen import HelpScreen  # imported when first asked for

        self.app.push_screen(HelpScreen(self))


def figures_for_profile(
    profile: object, now: Callable[[], datetime] | None = None, *, store_name: str | None = None
) -> FiguresScreen:
    """The screen with a loader on `profile`'s platform client and report cache (the console's `f`)."""
    from o2o_tui.client import PlatformClient
    from o2o_tui.config import profile_cache_dir
    from o2o_tui.figures import ReportCache, day_figures

    url, token = profile.url, profile.token  # type: ignore[attr-defined]
    store_id = str(profile.store_id)  # type: ignore[attr-defined]
    cache = ReportCache(profile_cache_dir(profile))  # type: ignore[arg-type]

    def load(day: str | None) -> Figures:
        with PlatformClient(url, token, timeout=5.0) as client:
            return day_figures(client, cache, store_id, day, now=now() if now else None)

    return FiguresScreen(load, store_name=store_name or store_id)
