"""Phone numbers a customer wrote into free text (an order note, the address), masked for couriers.

A courier reads the customer's phone masked (`platform/views.mask_phone`); a number typed into the note or the
address would reach them whole. `mask_phone_runs` finds the phone numbers in a text and keeps only their last four
digits, the rest starred; everything else stays as written.

A run is digits (ASCII or full-width) joined by spaces, dashes, dots and parentheses on one line, with a leading +
(or an opening parenthesis) allowed; a run is read as groups of digits, and only groups that together spell a
phone number are masked:
- a mainland mobile: 11 digits 1[3-9]xxxxxxxxx, in one group or several ("139 1234 5678", "1391234 5678");
- a landline: 7 or 8 digits that do not start with 0 or 1 ("62345678", "6234-5678"), with an optional area code
  0xx or 0xxx in front ("010-6234 5678", "(0755) 1234567", "02162345678");
- either of them after +86 (or 0086), the area code then without its 0 ("+86 139 1234 5678", "+86 21 6234 5678");
- any other number written after a + with 8 to 15 digits (an international number).
So a house, unit, room or floor number, a gate code or an order number beside a phone number stays ("Gate 1203
62345678", "13912345678 1203室", "Apt 5 139…"), as do a time ("12:30": a colon ends a run), a date
("2026-12-06") and an order number after "#" ("#0008"). A landline written as two groups ("6234 5678") right
before another four-digit group is read as the two groups that end the run ("302 6234 5678": the room stays).
"""

from __future__ import annotations

import re
import unicodedata

KEPT_DIGITS = 4  # as the phone field: its last four digits stay
MASK = "*"

_DIGIT = r"\d"  # any decimal digit: ASCII, full-width (０-９) and other scripts' alike
_JOIN = r"[ \t\u3000\-.()（）－．‐‑–—]"  # what may stand between a number's digits (one line only)
_RUN = re.compile(rf"(?<![#＃\d])[+＋(（]?{_DIGIT}(?:{_JOIN}*{_DIGIT})*[)）]?")
_GROUP = re.compile(r"\d+")
_PLUS = "+＋"

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")  # a landline without its area code
_AREA = re.compile(r"0(?:[12]\d|[3-9]\d\d)")  # 010, 021, 0755: an area code with its trunk 0
_AREA_ABROAD = re.compile(r"[12]\d|[3-9]\d\d")  # the same after +86, without the 0
_WITH_AREA = re.compile(r"0(?:[12]\d|[3-9]\d\d)[2-9]\d{6,7}")  # area code and landline in one group
_NATIONAL = re.compile(r"1[3-9]\d{9}|(?:[12]\d|[3-9]\d\d)[2-9]\d{6,7}")  # after +86, in one group
_COUNTRY = ("86", "0086")
_ABROAD_DIGITS = (8, 15)  # an international number after a +: E.164 allows up to 15 digits


def _ascii(digits: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in digits)


def _mobile(groups: list[str], start: int) -> int | None:
    """The end of a mobile number spelled by the groups from `start`, if they spell one."""
    if not groups[start].startswith("1"):
        return None
    spelled = ""
    for end in range(start, len(groups)):
        spelled += groups[end]
        if len(spelled) >= 11:
            return end + 1 if len(spelled) == 11 and _MOBILE.fullmatch(spelled) else None
    return None


def _landline(groups: list[str], start: int, *, alone: bool) -> int | None:
    """The end of a landline (without area code) from `start`: one group of 7-8 digits or two (3-4, then 4).
    `alone`: nothing in front of it, so two groups followed by a four-digit group are not read as it (the last
    two are the number then)."""
    if start >= len(groups):
        return None
    if _LOCAL.fullmatch(groups[start]):
        return start + 1
    split = start + 1 < len(groups) and len(groups[start]) in (3, 4) and len(groups[start + 1]) == 4
    if split and _LOCAL.fullmatch(groups[start] + groups[start + 1]):
        if alone and start + 2 < len(groups) and len(groups[start + 2]) == 4:
            return None
        return start + 2
    return None


def _national(groups: list[str], start: int, *, trunk: bool) -> int | None:
    """The end of a mainland number from `start`: a mobile, or a landline behind its area code (with its trunk 0
    at home, without it after +86)."""
    if start >= len(groups):
        return None
    if (end := _mobile(groups, start)) is not None:
        return end
    area = _AREA if trunk else _AREA_ABROAD
    if area.fullmatch(groups[start]):
        return _landline(groups, start + 1, alone=False)
    whole = _WITH_AREA if trunk else _NATIONAL
    return start + 1 if whole.fullmatch(groups[start]) else None


def _phone(run: str, spans: list[tuple[int, int]], groups: list[str], start: int) -> int | None:
    """The end (a group index) of the phone number that begins at group `start`, or None."""
    plus = spans[start][0] > 0 and run[spans[start][0] - 1] in _PLUS
    digits = groups[start]
    if ((plus and digits == "86") or digits == "0086") and (end := _national(groups, start + 1, trunk=False)):
        return end
    for country in _COUNTRY:  # "+8613912345678", "008613912345678": the country code glued on
        glued = digits.startswith(country) and _NATIONAL.fullmatch(digits[len(country) :])
        if glued and (plus or country == "0086"):
            return start + 1
    if (end := _national(groups, start, trunk=True)) is not None:
        return end
    if (end := _landline(groups, start, alone=True)) is not None:
        return end
    if plus:  # another country's number: the longest reading of 8 to 15 digits
        low, high = _ABROAD_DIGITS
        count, found = 0, None
        for end in range(start, len(groups)):
            count += len(groups[end])
            if count > high:
                break
            if count >= low:
                found = end + 1
        return found
    return None


def _mask_run(run: str) -> str:
    spans = [match.span() for match in _GROUP.finditer(run)]
    groups = [_ascii(run[begin:end]) for begin, end in spans]
    hidden: list[int] = []  # the positions in `run` of the digits to star
    index = 0
    while index < len(groups):
        end = _phone(run, spans, groups, index)
        if end is None:
            index += 1
            continue
        places = [place for begin, stop in spans[index:end] for place in range(begin, stop)]
        hidden.extend(places[:-KEPT_DIGITS])
        index = end
    if not hidden:
        return run
    chars = list(run)
    for place in hidden:
        chars[place] = MASK
    return "".join(chars)


def mask_phone_runs(text: str) -> str:
    """`text` with every phone number in it masked to its last four digits (see the module's words)."""
    if not text:
        return text
    return _RUN.sub(lambda match: _mask_run(match.group()), text)
