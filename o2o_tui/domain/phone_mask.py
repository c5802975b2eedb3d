"""Phone numbers a customer wrote into free text (an order note, the address), masked for couriers.

A courier reads the customer's phone masked (`platform/views.mask_phone`); a number typed into the note or the
address would reach them whole. `mask_phone_runs` finds the phone numbers in a text and keeps only their last four
digits, the rest starred; everything else stays as written.

The rule, in two steps, on each RUN: digits (any script's decimal digits: ASCII, full-width ０-９, ...) joined
by gaps of at most `MAX_GAP` visible characters that are neither letters nor digits: spaces of every kind (NBSP,
the ideographic space), punctuation, dashes, slashes, dots, commas, brackets, underscores, "·", "~", "+", line
breaks (a screen may show the text on one line) and their full-width forms; format characters (Cf: the zero-width
space and joiners) and combining marks join too and, being invisible, do not count towards the gap.
A run stops at a letter, a colon (a time: "12:30"), a "#" (an order number: "#0040", however long) and a currency
sign (a price: "¥25.00").
1. Phone numbers, read from the run's groups of digits, keep their last four digits, the rest starred:
   - a mainland mobile: 11 digits 1[3-9]xxxxxxxxx, in one group or several ("139 1234 5678", "139/1234/5678");
   - a landline: 7 or 8 digits that do not start with 0 or 1 ("62345678", "6234-5678"), with an optional area
     code 0xx or 0xxx in front ("010-6234 5678", "(0755) 1234567", "02162345678");
   - either of them after +86 (or 0086), the area code then without its 0 ("+86 139 1234 5678");
   - any other number written after a + with 8 to 15 digits (an international number).
   So a house, unit, room or floor number, a gate code beside a phone number stays ("Gate 1203 62345678",
   "13912345678 1203室", "Apt 5 139…"). A landline written as two groups ("6234 5678") right before another
   four-digit group is read as the two groups that end the run ("302 6234 5678": the room stays).
2. Whatever else of the run holds 7 or more digits in a row of groups (between the phone numbers found, or the
   whole run when none is) is masked as well, keeping its last four digits: a number split in odd groups
   ("62-34-56-78", "1 3 9 1 2 3 4 5 6 7 8"), an ID number, a long code.
Written to dodge a filter, digits are read in other clothes as well, and masked by the same rule (the starred
places are the same, the characters kept are the text's own):
- Chinese numerals, one character for one digit: 〇 零 ○ (0), 一 幺 (1), 二 两 (2), 三 ... 九 and their financial
  forms (壹 贰 叁 ...), "一三八零零一三八零零零", "幺三九 1234 5678". A run of two or more of them is read as
  digits; a single one only between two digits ("138零0138000"), so "两份", "一楼", "13912345678一定" keep theirs.
  十, 百, 千 are no digits: "十二点" is a time as said, not a number.
- Latin letters that look like digits, O and o for 0, l and I for 1 (and their full-width forms): a word made of
  them alone that touches a digit ("138OO138OOO", "l39 l234 5678"). A word with any other letter ("Oolong",
  "COOL", "Ill" alone) stays a word.
Kept as written, never counted: a date with its 4-digit year ("2026-12-06", "06/12/2026", "2026.12.6") or a day
alone ("12-15", "15/12": not one link of a longer chain joined by the same sign), a price after its currency sign
(up to six digits before the decimals: "¥25.00", "¥1,280"), an order number after "#" ("#0040"), and a time (its
colon ends a run). Short numbers (six digits or fewer, not a phone) stay.
"""

from __future__ import annotations

import re
import unicodedata

KEPT_DIGITS = 4  # as the phone field: its last four digits stay
MASK = "*"

MAX_GAP = 4  # visible characters between two digits of one run
_GROUP = re.compile(r"\d+")  # any decimal digit: ASCII, full-width (０-９) and other scripts' alike
_PLUS = "+＋"
_STOPS = frozenset(":：∶#＃№")  # a time's colon, an order number's "#"
_INVISIBLE = frozenset(("Cf", "Mn", "Me"))  # zero-width spaces and joiners, combining marks
_ORDER_SIGNS = "#＃№"
_PRICE = re.compile(r"\d{1,3}(?:[,，]\d{3}){1,2}(?:[.．]\d{1,2})?|\d{1,6}(?:[.．]\d{1,2})?")
_DATE_JOINS = frozenset("-/.－／．")
_OTHER_DIGITS = 7  # digits in a row of groups that no phone reading took, from which they are masked too
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")  # a landline without its area code
_AREA = re.compile(r"0(?:[12]\d|[3-9]\d\d)")  # 010, 021, 0755: an area code with its trunk 0
_AREA_ABROAD = re.compile(r"[12]\d|[3-9]\d\d")  # the same after +86, without the 0
_WITH_AREA = re.compile(r"0(?:[12]\d|[3-9]\d\d)[2-9]\d{6,7}")  # area code and landline in one group
_NATIONAL = re.compile(r"1[3-9]\d{9}|(?:[12]\d|[3-9]\d\d)[2-9]\d{6,7}")  # after +86, in one group
_COUNTRY = ("86", "0086")
_ABROAD_DIGITS = (8, 15)  # an international number after a +: E.164 allows up to 15 digits


_CHINESE_DIGITS = {
    **dict.fromkeys("〇零○", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二两兩贰貳", "2"),
    **dict.fromkeys("三叁參", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
_LOOKALIKES = {**dict.fromkeys("OoＯｏ", "0"), **dict.fromkeys("lIｌＩ", "1")}
_LATIN_WORD = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+")


def _digit_view(text: str) -> str:
    """`text` with the Chinese numerals and look-alike letters that stand for digits (see the module's words) as
    ASCII digits, character for character: the same length, so a place in it is the same place in `text`."""
    chars = list(text)
    index = 0
    while index < len(text):
        if text[index] not in _CHINESE_DIGITS:
            index += 1
            continue
        end = index
        while end < len(text) and text[end] in _CHINESE_DIGITS:
            end += 1
        between = index > 0 and end < len(text) and text[index - 1].isdecimal() and text[end].isdecimal()
        if end - index >= 2 or between:
            chars[index:end] = [_CHINESE_DIGITS[char] for char in text[index:end]]
        index = end
    for word in _LATIN_WORD.finditer(text):
        begin, end = word.span()
        if not all(char in _LOOKALIKES for char in word.group()):
            continue
        touches = (begin and chars[begin - 1].isdecimal()) or (end < len(text) and chars[end].isdecimal())
        if touches:
            chars[begin:end] = [_LOOKALIKES[char] for char in word.group()]
    return "".join(chars)


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


def _phone(text: str, spans: list[tuple[int, int]], groups: list[str], start: int) -> int | None:
    """The end (a group index) of the phone number that begins at group `start`, or None."""
    plus = spans[start][0] > 0 and text[spans[start][0] - 1] in _PLUS
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


def _joins(gap: str) -> bool:
    """Whether the characters between two digits keep them in one run."""
    visible = 0
    for char in gap:
        category = unicodedata.category(char)
        if char in _STOPS or category[0] == "L" or category in ("Nd", "Sc"):
            return False
        visible += category not in _INVISIBLE
    return bool(gap) and visible <= MAX_GAP


def _runs(text: str) -> list[list[tuple[int, int]]]:
    """The spans of the groups of digits in `text`, run by run."""
    runs: list[list[tuple[int, int]]] = []
    for match in _GROUP.finditer(text):
        if runs and _joins(text[runs[-1][-1][1] : match.start()]):
            runs[-1].append(match.span())
        else:
            runs.append([match.span()])
    return runs


def _price_at(text: str, spans: list[tuple[int, int]], index: int) -> int:
    """How many groups from `index` spell a price written after its currency sign (0: none)."""
    begin = spans[index][0]
    before = text[max(0, begin - 2) : begin].rstrip(" ")[-1:]
    if not before or unicodedata.category(before) != "Sc":
        return 0
    run_end = spans[-1][1]
    price = _PRICE.match(text, begin, run_end)
    if price is None or all(end != price.end() for _, end in spans[index:]):  # "¥13912345678" is no price
        return 0
    return sum(1 for start, _ in spans[index:] if start < price.end())


def _date_at(text: str, spans: list[tuple[int, int]], groups: list[str], index: int) -> bool:
    """Whether three groups from `index` spell a date with its 4-digit year (year first or last), one sign
    between them (the same both times)."""
    if index + 3 > len(groups):
        return False
    gaps = {text[spans[i][1] : spans[i + 1][0]] for i in (index, index + 1)}
    if len(gaps) != 1 or not gaps <= _DATE_JOINS:
        return False
    a, b, c = groups[index : index + 3]
    year_first = len(a) == 4 and len(b) <= 2 and len(c) <= 2
    year_last = len(c) == 4 and len(a) <= 2 and len(b) <= 2
    year, small = (a, (int(b), int(c))) if year_first else (c, (int(a), int(b)))
    if not (year_first or year_last) or not 1900 <= int(year) <= 2100:
        return False
    return min(small) >= 1 and max(small) <= 31 and min(small) <= 12


def _day_at(text: str, spans: list[tuple[int, int]], groups: list[str], index: int) -> bool:
    """Whether two groups from `index` spell a day without its year ("12-15", "15/12"): one sign between them that
    does not also join the groups on either side (a chain "6-23-4-5" is no date)."""
    if index + 2 > len(groups) or len(groups[index]) > 2 or len(groups[index + 1]) > 2:
        return False
    sign = text[spans[index][1] : spans[index + 1][0]]
    if sign not in _DATE_JOINS:
        return False
    before = text[spans[index - 1][1] : spans[index][0]] if index else ""
    after = text[spans[index + 1][1] : spans[index + 2][0]] if index + 2 < len(groups) else ""
    if sign in (before, after):
        return False
    small = (int(groups[index]), int(groups[index + 1]))
    return min(small) >= 1 and max(small) <= 31 and min(small) <= 12


def _kept(text: str, spans: list[tuple[int, int]], groups: list[str]) -> list[bool]:
    """Per group: part of a date, a price or an order number (never masked nor counted)."""
    kept = [False] * len(groups)
    index = 0
    while index < len(groups):
        begin = spans[index][0]
        if begin and text[begin - 1] in _ORDER_SIGNS:
            kept[index] = True
        elif count := _price_at(text, spans, index):
            kept[index : index + count] = [True] * count
            index += count
            continue
        elif _date_at(text, spans, groups, index):
            kept[index : index + 3] = [True] * 3
            index += 3
            continue
        elif _day_at(text, spans, groups, index):
            kept[index : index + 2] = [True] * 2
            index += 2
            continue
        index += 1
    return kept


def _hide_others(spans: list[tuple[int, int]], groups: list[str], hidden: list[int]) -> None:
    """Step 2: a row of groups no phone reading took that holds `_OTHER_DIGITS` digits or more."""
    if sum(len(group) for group in groups) >= _OTHER_DIGITS:
        places = [place for begin, stop in spans for place in range(begin, stop)]
        hidden.extend(places[:-KEPT_DIGITS])


def _mask_segment(text: str, spans: list[tuple[int, int]], groups: list[str], hidden: list[int]) -> None:
    """Step 1, then step 2, on groups of one run with nothing kept among them."""
    index = other = 0
    while index < len(groups):
        end = _phone(text, spans, groups, index)
        if end is None:
            index += 1
            continue
        _hide_others(spans[other:index], groups[other:index], hidden)
        places = [place for begin, stop in spans[index:end] for place in range(begin, stop)]
        hidden.extend(places[:-KEPT_DIGITS])
        index = other = end
    _hide_others(spans[other:], groups[other:], hidden)


def mask_phone_runs(text: str) -> str:
    """`text` with every phone number in it masked to its last four digits (see the module's words)."""
    if not text:
        return text
    hidden: list[int] = []  # the positions in `text` of the digits to star
    view = _digit_view(text)  # read there, starred here
    for spans in _runs(view):
        groups = [_ascii(view[begin:end]) for begin, end in spans]
        kept = _kept(view, spans, groups)
        start = 0
        for index in range(len(groups) + 1):
            if index == len(groups) or kept[index]:
                _mask_segment(view, spans[start:index], groups[start:index], hidden)
                start = index + 1
    if not hidden:
        return text
    chars = list(text)
    for place in hidden:
        chars[place] = MASK
    return "".join(chars)
