"""Whether the terminal's locale shows UTF-8: one rule for the merchant console's glyphs (`screens/terminal.py`)
and the courier handheld's `--ascii` (`screens/courier_format.py`). A module of its own, so the console's first
frame does not load the handheld's formatting for it."""

from __future__ import annotations

import os
from collections.abc import Mapping

from o2o_tui import text_marks


def locale_is_utf8(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the terminal's locale can show UTF-8: LC_ALL, else LC_CTYPE, else LANG decides (Python's own PEP 538
    coercion, LC_CTYPE=C.UTF-8 under LANG=C, is not the terminal's word). The core's rule
    (`o2o_tui.text_marks.locale_is_utf8`, which the CLI's separators use too), for this process's environment by
    default."""
    return text_marks.locale_is_utf8(os.environ if environ is None else environ)
