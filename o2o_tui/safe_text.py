"""Untrusted text (order notes, names, addresses, menu text, server messages, CSV cells) made safe to display.

Textual and Rich pass ESC and C1 bytes straight to the terminal even in `Text`/`Content`, so a customer name
could set the window title or write the clipboard (OSC 52). Every untrusted string goes through `safe_text()`
before display, and is then shown only as plain `Text`/`Content`, never interpolated into markup.

JSON output keeps the text as it is but escapes the same characters (`json_escaped()`): a script gets the exact
value back, and a person who `cat`s the JSON sees `\\u009b`, not a terminal control sequence.
"""

from __future__ import annotations

import re

_REPLACEMENT = "\ufffd"
# Line and paragraph separators other than "\n": NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029).
_SEPARATORS = re.compile("\r\n|[\r\u0085\u2028\u2029]")
_SEPARATORS_ONE_LINE = re.compile("\r\n|[\r\n\t\u0085\u2028\u2029]")
# C0 controls but tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# In UTF-8 JSON from msgspec (which escapes C0 controls itself): DEL, C1 controls (C2 80-9F), the bidi marks,
# embeddings, overrides and isolates, and U+2028/U+2029 (E2 80 8E-8F, A8-AE; E2 81 A6-A9; D8 9C). None of these
# byte sequences can start inside another UTF-8 character, and outside strings JSON is ASCII, so escaping each
# match as \uXXXX keeps the document valid and its values exact.
_UNSAFE_JSON = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")


def holds_unsafe(text: str, *, one_line: bool = False) -> bool:
    """Whether `safe_text` would replace a character of `text`: a control or bidi character (line breaks and tabs
    are text too unless `one_line`)."""
    if one_line:
        return _UNSAFE_ONE_LINE.search(text) is not None
    return _UNSAFE.search(_SEPARATORS.sub("\n", text)) is not None


def safe_text(value: object, *, one_line: bool = False) -> str:
    """Replace every control/bidi character with U+FFFD. Line breaks (CR LF, CR, NEL, U+2028, U+2029) become
    "\\n"; with `one_line` they, newlines and tabs become spaces (one field stays on one line)."""
    text = "" if value is None else str(value)
    if one_line:
        return _UNSAFE_ONE_LINE.sub(_REPLACEMENT, _SEPARATORS_ONE_LINE.sub(" ", text))
    return _UNSAFE.sub(_REPLACEMENT, _SEPARATORS.sub("\n", text))


def _escape(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode("utf-8"))


def json_escaped(document: bytes) -> bytes:
    """UTF-8 JSON with every character `safe_text()` would replace written as a \\uXXXX escape (lossless)."""
    return _UNSAFE_JSON.sub(_escape, document)
