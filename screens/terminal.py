"""Terminal capabilities that change how the console should look."""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_THEME = "textual-dark"
ANSI_THEME = "ansi-dark"  # the terminal's own 16 colours: vt100/linux consoles, NO_COLOR
_SIXTEEN_COLOUR_TERMS = ("linux", "vt100", "vt102", "vt220", "ansi", "cons25", "dumb")


def theme_for(environ: Mapping[str, str]) -> str:
    term = environ.get("TERM", "").lower()
    if "NO_COLOR" in environ or term.split("-")[0] in _SIXTEEN_COLOUR_TERMS:
        return ANSI_THEME
    return DEFAULT_THEME
