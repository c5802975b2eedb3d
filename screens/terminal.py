"""Terminal capabilities that change how the console should look."""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_THEME = "textual-dark"
ANSI_THEME = "ansi-dark"  # the terminal's own 16 colours: vt100/linux consoles
_SIXTEEN_COLOUR_TERMS = ("linux", "vt100", "vt102", "vt220", "ansi", "cons25", "dumb")


def theme_for(environ: Mapping[str, str]) -> str:
    """The theme for a terminal. Under NO_COLOR, Textual itself turns every colour to a grey (its Monochrome
    filter, chosen when the app is made, before our theme is set): from the default theme's colours that gives
    light text on a dark ground, but from the ANSI theme's "terminal default" colours it gives black on black.
    So NO_COLOR keeps the default theme, whatever the terminal; the rows that only a colour marks (the queue's
    cursor) are bold and underlined under `:nocolor` and `:ansi` in the stylesheets."""
    if "NO_COLOR" in environ:
        return DEFAULT_THEME
    term = environ.get("TERM", "").lower()
    if term.split("-")[0] in _SIXTEEN_COLOUR_TERMS:
        return ANSI_THEME
    return DEFAULT_THEME
