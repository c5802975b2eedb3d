"""What a receipt printer in its Chinese mode can print, one rule for every line whatever its script.

The printer's Chinese mode (`FS &`) reads two-byte GB codes: GBK covers Chinese, Latin letters with the accents
pinyin uses, Greek, Cyrillic, kana and the full-width forms; anything else (emoji, Thai, Arabic, Hangul) has no
glyph and prints as "?". So every line that is not plain ASCII is sent the same way (`encode`): invisible format
characters (zero-width space and joiners, BOM, soft hyphen, bidi marks, variation selectors) removed, composed
to NFC (`e` + U+0301 is `é`), combining marks left over dropped (they would print as "?" on their own), then GBK
with "?" for what it cannot hold. Before this a line was sent as GB18030 only when it held a Chinese character,
so the same note printed differently on two tickets.
"""

from __future__ import annotations

import unicodedata


def _invisible(char: str) -> bool:
    """Format characters and variation selectors: they draw nothing, and a printer would print them as junk."""
    code = ord(char)
    return unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def without_invisible(text: str) -> str:
    """`text` without zero-width and other format characters (for every mode: the image mode too)."""
    return "".join(char for char in text if not _invisible(char))


def printable(text: str) -> str:
    """`text` as the printer's Chinese mode prints it: what GBK cannot hold is "?"."""
    composed = unicodedata.normalize("NFC", without_invisible(text))
    kept = "".join(char for char in composed if unicodedata.category(char) not in ("Mn", "Me"))
    return kept.encode("gbk", errors="replace").decode("gbk")


def encode(text: str) -> bytes:
    """The bytes of one line for the Chinese mode (GBK: the two-byte part of GB18030 every such printer has)."""
    return printable(text).encode("gbk")


def unreadable(text: str) -> bool:
    """Whether `text` has letters or digits and none of them prints: "شوربة عربية" comes out as "????? ?????",
    which no cook can tell from another such item."""
    shown = unicodedata.normalize("NFC", without_invisible(text))
    letters = [char for char in shown if unicodedata.category(char)[0] in "LN"]
    return bool(letters) and all(printable(char) == "?" for char in letters)
