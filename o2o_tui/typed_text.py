"""What a person typed into a field for a number, a price, a time or opening hours, in the ASCII form it stands for.

A Chinese input method in Chinese mode types full-width forms: "１４：３０", "３９．５", "10:00～14:00", "。" for the
period key and "、" for a list. `ascii_typed` turns them into "14:30", "39.5", "10:00~14:00", "." and ",", and
`ascii_hours` also reads a dash, a tilde, "至" or "到" between two times as the "-" of a range. Used where a field
filters keys (the screens' inputs) and where the value is parsed (`o2o_tui.store_hours`, the editor's fields), so a
value reads the same however it was typed. Not for free text (names, notes): NFKC would change what they say.
"""

from __future__ import annotations

import re
import unicodedata

# what NFKC keeps but an IME types in place of ASCII in such a field
_IME_MARKS = str.maketrans({"。": ".", "、": ",", "〜": "~"})
# between two times ("10:00至14:00", "10:00 ～ 14:00", "10:00——14:00"): the separator of a range
_BETWEEN_TIMES = re.compile(r"(?<=\d)\s*(?:[~\u2010-\u2015\u2212\u2E3A\u2E3B]+|至|到)\s*(?=\d)")


def ascii_typed(text: str) -> str:
    """`text` with full-width digits, letters and punctuation as ASCII (NFKC) and the IME's "。", "、" and "〜" as
    ".", "," and "~"."""
    return unicodedata.normalize("NFKC", text).translate(_IME_MARKS)


def ascii_hours(text: str) -> str:
    """`ascii_typed(text)` with any dash, tilde, "至" or "到" between two times written as "-"
    ("１０：００至１４：００" -> "10:00-14:00")."""
    return _BETWEEN_TIMES.sub("-", ascii_typed(text))
