"""Terminal capabilities that change how the console should look."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from rich.cells import get_character_cell_size
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter
from textual.scrollbar import ScrollBarRender

from o2o_tui.text_marks import ascii_term, console_term

DEFAULT_THEME = "textual-dark"
ANSI_THEME = "ansi-dark"  # the terminal's own 16 colours: TERM=screen, xterm, linux, vt100... (`theme_for`)
_SIXTEEN_COLOUR_SYSTEMS = (None, "standard", "windows")  # Rich's names (None: no colour at all, TERM=dumb)


def colour_system(environ: Mapping[str, str]) -> str | None:
    """The colours Textual's output writes on this terminal, as its console decides them: Rich's detection
    (`rich.console.Console._detect_color_system`: COLORTERM=truecolor/24bit, else TERM's "-256color"/"-kitty"
    suffix, else 16 colours; none on TERM=dumb), unless TEXTUAL_COLOR_SYSTEM names one. "standard", "256",
    "truecolor", "windows" or None."""
    from rich.console import Console

    chosen = environ.get("TEXTUAL_COLOR_SYSTEM", "auto")
    environ = {name: value for name, value in environ.items() if name != "NO_COLOR"}  # as Textual's console
    try:
        console = Console(
            color_system=chosen,  # type: ignore[arg-type]
            file=io.StringIO(),
            force_terminal=True,  # as Textual's: its output is a terminal
            legacy_windows=False,
            _environ=environ,
        )
    except (KeyError, ValueError):  # a value Rich does not know: Textual's console would not start either
        return "truecolor"
    return console.color_system


def theme_for(environ: Mapping[str, str]) -> str:
    """The theme for a terminal. Where Textual writes 16 colours (`colour_system`: TERM=screen, tmux's and GNU
    screen's default, plain xterm, linux, vt100...), the ANSI theme: the default theme's colours flattened to 16
    made the urgent red white and the cursor's ground the ringing rows' grey, and the stylesheets' `:ansi` rules
    mark the cursor by more than a background there. Under NO_COLOR, Textual itself turns every colour to a grey
    (its Monochrome filter, chosen when the app is made, before our theme is set): from the default theme's
    colours that gives light text on a dark ground, but from the ANSI theme's "terminal default" colours it gives
    black on black. So NO_COLOR keeps the default theme, whatever the terminal; the rows that only a colour marks
    (the queue's cursor) are bold and underlined under `:nocolor` and `:ansi` in the stylesheets, and reversed
    (`LineList`)."""
    if "NO_COLOR" in environ:
        return DEFAULT_THEME
    if colour_system(environ) in _SIXTEEN_COLOUR_SYSTEMS:
        return ANSI_THEME
    return DEFAULT_THEME


@dataclass(frozen=True, slots=True)
class Glyphs:
    """The few drawn characters a terminal can show. FULL: a UTF-8 terminal with a full font (xterm and the like);
    CONSOLE: the Linux text console (its font has box drawing, Latin-1 and the PC set's few symbols: ≈ · ■ and the
    arrows ↑ ↓ → ↕; but no braille, eighth blocks, ⏎, ▶ or ▇, nor the typesetter's … – ∅); ASCII: a serial
    terminal (vt100, vt220) or a locale that is not UTF-8."""

    level: str  # "full" | "console" | "ascii"
    css_class: str  # set on the app: the stylesheets' rules for ASCII borders hang from it ("" when full)
    enter: str  # the Enter key, in footers and help
    rule: str  # a thin vertical separator
    store: str  # the map's store
    dropoff: str  # the map's drop-off
    plan: str  # the map's route lines (FULL draws braille dots instead: this is its legend sample)
    approx: str  # "about" (the map's scale)
    dot: str  # a decorative separator between parts of a line
    pointer: str  # a submenu pointer (the menu editor's ▶)
    up: str
    down: str
    times: str  # a quantity's "×" ("Rice×2", "2× Rice"); the console font has it (Latin-1)
    hline: str  # a horizontal rule (the queue's "── Done ──" divider)
    ellipsis: str  # where `fit` cut a text ("Kung Pao…", "Kung Pao..."): screens/order_format.py
    arrow: str  # "from → to": the board's "12:34→12:55", the menu diff's "before → after"
    moved: str  # the menu diff's mark of a moved entity (beside "+", "-", "~")
    empty: str  # the menu diff's "no value" (a price removed: "∅ → ¥5")
    dash: str  # the rebase screen's "no value"

    @property
    def full(self) -> bool:
        return self.level == "full"

    @property
    def ascii(self) -> bool:
        return self.level == "ascii"


_FULL_TEXT = {"ellipsis": "…", "arrow": "→", "moved": "↕", "empty": "∅", "dash": "–"}
_CONSOLE_TEXT = {"ellipsis": "...", "arrow": "→", "moved": "↕", "empty": "-", "dash": "-"}
_ASCII_TEXT = {"ellipsis": "...", "arrow": "->", "moved": "^", "empty": "-", "dash": "-"}
FULL = Glyphs("full", "", "⏎", "▏", "■", "×", "⠤⠤", "≈", "·", "▶", "↑", "↓", "×", "─", **_FULL_TEXT)
CONSOLE = Glyphs(
    "console", "-console", "Enter", "│", "■", "×", "..", "≈", "·", ">", "↑", "↓", "×", "─", **_CONSOLE_TEXT
)
ASCII = Glyphs(
    "ascii", "-ascii", "Enter", "|", "#", "x", "..", "~", "|", ">", "up", "down", "x", "-", **_ASCII_TEXT
)

# key names Textual shows as a symbol (textual.keys.KEY_DISPLAY_ALIASES), as the smaller sets write them
_ASCII_KEYS = {"⏎": "Enter", "⌫": "Bksp", "↑": "Up", "↓": "Down", "←": "Left", "→": "Right"}
_CONSOLE_KEYS = {"⏎": "Enter", "⌫": "Bksp"}  # the console font has the arrows


def glyphs_for(environ: Mapping[str, str]) -> Glyphs:
    """The glyph set for a terminal: ASCII when TERM names an ASCII terminal or the locale is not UTF-8 (the same
    test as the courier handheld's `--ascii`), CONSOLE on the Linux text console, else FULL."""
    from screens.locale_text import locale_is_utf8

    if ascii_term(environ) or not locale_is_utf8(environ):  # the handheld's rule too (`handheld_glyphs`)
        return ASCII
    if console_term(environ):
        return CONSOLE
    return FULL


def glyphs_of(node: object) -> Glyphs:
    """The set an app (or any widget or screen, through its app) chose; FULL when there is none."""
    app = getattr(node, "app", node)
    try:
        glyphs = getattr(app, "glyphs", FULL)
    except Exception:  # no active app (a widget not yet attached)
        return FULL
    return glyphs if isinstance(glyphs, Glyphs) else FULL


def active_glyphs() -> Glyphs:
    """The set of the app running in this context (Textual's active app: a widget rendering, a handler), for the
    pure functions that draw a line (the queue's rows, their items) without a widget in hand; FULL outside an app
    (the CLI, a test calling them directly)."""
    from textual._context import active_app

    return glyphs_of(active_app.get(None))


def key_display(text: str, glyphs: Glyphs) -> str:
    """A key as Textual shows it (`⏎`, `^⏎`), with the symbols the terminal lacks spelled out."""
    if glyphs.full or text.isascii():
        return text
    table = _ASCII_KEYS if glyphs.ascii else _CONSOLE_KEYS
    for symbol, name in table.items():
        text = text.replace(symbol, name)
    return text


# marks Textual or a line may still draw (a cut's "…", a rule) as the ASCII they stand for, one cell each
_LOOKALIKES = dict(zip("…·–—─━│┃▏×→←↑↓", "..----|||x><^v", strict=True))


@lru_cache(maxsize=1024)
def ascii_cells(text: str) -> str:
    """`text` as a terminal that is not UTF-8 can show it: a mark as its ASCII look-alike (`_LOOKALIKES`: a cut
    "Lao…" is "Lao."), any other character outside ASCII a '?' per cell it takes ("王" "??"), so a line keeps its
    width; one of no width (a combining mark) left out."""
    return "".join(c if c.isascii() else _LOOKALIKES.get(c) or "?" * get_character_cell_size(c) for c in text)


class AsciiOnly(LineFilter):
    """On a terminal that is not UTF-8 (LANG=C): every character outside ASCII drawn as '?' (`ascii_cells`), as
    the courier handheld shows what it cannot (`CourierApp.for_terminal`), not sent as UTF-8 bytes the terminal
    would show as several wrong characters each and so shift the rest of the line. Plain text in, plain text out:
    no markup."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment
            if segment.control or segment.text.isascii()
            else Segment(ascii_cells(segment.text), segment.style)
            for segment in segments
        ]


def not_utf8(node: object) -> bool:
    """Whether the app (of `node`) runs on a terminal whose locale is not UTF-8 (`apply_glyphs`): its lines then
    say so ("Terminal not UTF-8: use LANG=C.UTF-8": the console's status bar, the board's header)."""
    try:
        app = getattr(node, "app", node)
        return getattr(app, "not_utf8", False) is True
    except Exception:  # no active app (a widget not yet attached)
        return False


def apply_glyphs(app: Any, given: Glyphs | None) -> Glyphs:
    """Called from an app's `on_mount`: the set `given` to the app, else the terminal's (`glyphs_for`); Pilot
    tests run headless in one shared process and keep FULL unless they give a set. The set's class goes on the
    app (the stylesheets draw ASCII or plain box borders under `.-ascii` / `.-console`), and scrollbars draw
    their thumb without eighth blocks. On a locale that is not UTF-8 (the terminal's, not a given set) the app's
    `not_utf8` is set and what it draws goes out in ASCII (`AsciiOnly`)."""
    glyphs = given if given is not None else (FULL if app.is_headless else glyphs_for(os.environ))
    app.glyphs = glyphs
    from screens.locale_text import locale_is_utf8

    app.not_utf8 = given is None and not app.is_headless and not locale_is_utf8(os.environ)
    if app.not_utf8 and not any(isinstance(line_filter, AsciiOnly) for line_filter in app._filters):
        app._filters.append(AsciiOnly())  # Textual's own list of line filters (NO_COLOR's Monochrome is one)
    if glyphs.css_class:
        app.add_class(glyphs.css_class)
        from textual.scrollbar import ScrollBar

        ScrollBar.renderer = TerminalScrollBarRender  # draws as Textual's own for a FULL app
    return glyphs


class _PlainBars(ScrollBarRender):
    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8  # the thumb's ends whole cells: no ▁▂▃▄▅▆▇
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


class TerminalScrollBarRender(ScrollBarRender):
    """Textual's scrollbar for a FULL app; a thumb of whole (reversed) cells for the others."""

    @classmethod
    def render_bar(cls, *args: Any, **kwargs: Any) -> Any:
        from textual._context import active_app

        app = active_app.get(None)
        if app is None or glyphs_of(app).full:
            return super().render_bar(*args, **kwargs)
        return _PlainBars.render_bar(*args, **kwargs)


def decorated(text: str, glyphs: Glyphs) -> str:
    """A line with its decoration in the terminal's set: the separator " · ", "≈", and in ASCII the arrows and
    "×". A "·" without spaces round it is part of a word (a name) and stays."""
    if glyphs.full:
        return text
    text = text.replace(" · ", f" {glyphs.dot} ").replace("≈", glyphs.approx)
    if glyphs.ascii:
        text = text.replace("↑", glyphs.up).replace("↓", glyphs.down).replace("×", glyphs.times)
    return text
