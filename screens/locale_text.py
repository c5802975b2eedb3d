"""Whether the terminal's locale shows UTF-8: one rule for the merchant console's glyphs (`screens/terminal.py`)
and the courier handheld's `--ascii` (`screens/courier_format.py`). A module of its own, so the console's first
frame does not load the handheld's formatting for it."""

from __future__ import annotations

import os
from collections.abc import Mapping


def locale_is_utf8(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the terminal's locale can show UTF-8: LC_ALL, else LC_CTYPE, else LANG decides.

    Python itself sets LC_CTYPE=C.UTF-8 when the locale is C or POSIX (PEP 538 locale coercion), so that value
    is not taken as the terminal's word when LANG says C, POSIX or nothing.
    """
    source = os.environ if environ is None else environ
    lang = source.get("LANG", "")
    ctype = source.get("LC_CTYPE", "")
    coerced = ctype == "C.UTF-8" and lang in ("", "C", "POSIX")
    for value in (source.get("LC_ALL", ""), "" if coerced else ctype, lang):
        if value:
            return "utf8" in value.lower().replace("-", "")
    return False
