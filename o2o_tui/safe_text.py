"""Untrusted text (order notes, names, addresses, menu text, server messages, CSV cells) made safe to display.

Textual and Rich pass ESC and C1 bytes straight to the terminal even in `Text`/`Content`, so a customer name
could set the window title or write the clipboard (OSC 52). Every untrusted string goes through `safe_text()`
before display, and is then shown only as plain `Text`/`Content`, never interpolated into markup.
"""

from __future__ import annotations

import re

_REPLACEMENT = "\ufffd"
# C0 controls but tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def safe_text(value: object, *, one_line: bool = False) -> str:
    """Replace every control/bidi character with U+FFFD; with `one_line`, newlines and tabs become spaces."""
    text = "" if value is None else str(value)
    if one_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
        return _UNSAFE_ONE_LINE.sub(_REPLACEMENT, text)
    return _UNSAFE.sub(_REPLACEMENT, text)
