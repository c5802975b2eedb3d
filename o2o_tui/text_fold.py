"""Where a line of Chinese, English or mixed text breaks in a column of cells.

Rich and Textual break lines only at spaces, and fold a longer "word" at the column's edge: a run of Chinese
(which has no spaces) is one such word, so where a line ends is decided by whatever space happens to be near,
and a fold can leave a closing mark at the start of a line or a number alone on its own. Here a line may also
break between two Chinese characters (as Chinese is set), but:

- never before closing punctuation (，。、；：！？）」…) nor after opening punctuation (（「“…): they stay with
  the word they close or open;
- never between a number, a key or a short word and the Chinese next to it, with or without the space Chinese
  text puts around them ("超过 15 分钟", "按 M 静音", "13个订单"): a number keeps its unit (the whole of a unit of
  two characters too: "15 分钟", "2 小时", "3.5 公里"), a key its action;
- Latin words break at spaces only, as before; a run with no break wider than the column breaks at a space
  before a number in it, else inside a unit ("15 分|钟"), else at another space inside it, else is folded at its
  edge (never with closing punctuation first).

`break_offsets` answers where each line after the first starts (the contract of Rich's `divide_line`), so a
caller divides its own styled text there. No Textual here: the console's widgets and the CLI's help use it.
"""

from __future__ import annotations

import unicodedata

from rich.cells import get_character_cell_size

# may not start a line
CLOSING = frozenset("，。、；：！？）」』》〉】〕］｝〗〙〛”’…‥・々ーゝゞヽヾ％,.;:!?)]}%")
# may not end a line
OPENING = frozenset("（「『《〈【〔［｛〖〘〚“‘([{")


def _wide(char: str) -> bool:
    """Chinese, Japanese and Korean characters and the full-width forms (two cells each)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _latin(char: str) -> bool:
    """A character of a number, a Latin word, a key or a mark (`15`, `M`, `~`, `#0005`), not sentence punctuation."""
    return char.isascii() and (char.isalnum() or char in "~!?#$%&*+-=/_@^|<>")


def _joins(char: str) -> bool:
    """A character drawn with the one before it (combining mark, joiner, variation selector)."""
    return get_character_cell_size(char) == 0 and not char.isspace()


# units of more than one character: after a number (digits, with or without a space) none is broken inside; a
# unit of one character (单, 元, 份, 个) is kept with its number as any Chinese beside a number is
UNITS = ("分钟", "小时", "秒钟", "毫秒", "公里", "千米", "公斤", "个月", "星期")
GLUED_MAX = 5  # a Latin run this short (a number, a key, "API") stays with the Chinese beside it; a longer word not


def _latin_run(text: str, end: int, step: int) -> int:
    """How many `_latin` characters run from `text[end]` in the direction `step` (-1 or 1)."""
    count, index = 0, end
    while 0 <= index < len(text) and _latin(text[index]):
        count, index = count + 1, index + step
    return count


def _glued(text: str, last: int, first: int) -> bool:
    """Whether the space between `text[last]` and `text[first]` joins a short Latin run and the Chinese beside it
    (a number and its unit, a key and its action)."""
    before, after = text[last], text[first]
    if _latin(before) and _wide(after):
        return _latin_run(text, last, -1) <= GLUED_MAX
    if _wide(before) and _latin(after):
        return _latin_run(text, first, 1) <= GLUED_MAX
    return False


def _inside_unit(text: str, index: int) -> bool:
    """Whether `text[index]` continues a unit of `UNITS` that follows a number ("15 分|钟")."""
    for unit in UNITS:
        for inside in range(1, len(unit)):
            start = index - inside
            if start > 0 and text.startswith(unit, start):
                last = start - 1
                while last > 0 and text[last] == " ":
                    last -= 1
                if text[last].isascii() and text[last].isdigit():
                    return True
    return False


def can_break_before(text: str, index: int) -> bool:
    """Whether a line may start at `text[index]` (0 < index < len(text))."""
    before, here = text[index - 1], text[index]
    if here.isspace() or _joins(here):
        return False
    if here in CLOSING and not (before.isspace() and here.isascii()):  # after a space, Latin "..." or ".csv" may
        return False
    if before.isspace():
        last = index - 1
        while last >= 0 and text[last].isspace():
            last -= 1
        return last >= 0 and not _glued(text, last, index)
    if before in OPENING:
        return False
    if (here in OPENING and (_wide(here) or _wide(before))) or (before in CLOSING and _wide(before)):
        return True  # "Kitchen|（Asia/Shanghai）", "。|M 静音" (but never "f|(x)")
    if not (_wide(before) or _wide(here)):
        return False
    if _wide(before) and _wide(here) and _inside_unit(text, index):
        return False
    return not (_latin(before) or _latin(here))


def break_offsets(line: str, width: int) -> list[int]:
    """The indices of `line` (one line, no newline) where each line after the first starts, for lines of at most
    `width` cells (spaces at a line's end left hanging, as Rich and Textual do)."""
    if width <= 0:
        return []
    offsets: list[int] = []
    start = used = 0
    # the latest index after `start` where the line may break; where a glued number or word starts after a space
    # ("第 |12 轮": it keeps the unit after it) when that comes later and the break would leave a line under half
    # full; else inside a unit ("（12 分|钟）。" wider than the line: the number keeps its first character);
    # else any other glued space
    last_break = last_number = last_unit = last_space = 0
    index = 0
    while index < len(line):
        char = line[index]
        if index > start and can_break_before(line, index):
            last_break = index
        elif index > start and line[index - 1].isspace() and not char.isspace() and char not in CLOSING:
            if _latin(char):
                last_number = index
            else:
                last_space = index
        elif index > start and _inside_unit(line, index):
            last_unit = index
        cells = get_character_cell_size(char)
        if char.isspace() or used + cells <= width or index == start:
            used += cells
            index += 1
            continue
        if last_number > last_break and _cells(line[start:last_break]) * 2 < width:
            last_break = last_number
        after = max(start, last_break, last_number)
        if last_unit > after and _cells(line[after : _stretch_end(line, index)].rstrip()) > width:
            last_break = last_unit  # the unit cannot be whole on the next line either: cut it here, no line sooner
        cut = next((at for at in (last_break, last_number, last_unit, last_space) if at > start), 0)
        cut = cut or _fold_at(line, start, index)
        offsets.append(cut)
        # the next line is read again from its start: a break behind `index` it passed before the cut counts now
        start, index, used, last_break, last_number, last_unit, last_space = cut, cut, 0, 0, 0, 0, 0
    return offsets


def _stretch_end(line: str, index: int) -> int:
    """Where the stretch with no break that holds `line[index]` ends."""
    end = index + 1
    while end < len(line) and not can_break_before(line, end):
        end += 1
    return end


def _cells(text: str) -> int:
    return sum(get_character_cell_size(char) for char in text)


def _fold_at(line: str, start: int, index: int) -> int:
    """Where a run with no break wider than the line is cut: at its edge, but a closing mark takes the character
    before it down with it, and an opening one goes down with what it opens."""
    cut = index
    while cut - 1 > start and (line[cut] in CLOSING or line[cut - 1] in OPENING or _joins(line[cut])):
        cut -= 1
    return cut


def fold(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (its own line breaks kept, trailing spaces dropped)."""
    lines: list[str] = []
    for line in text.split("\n"):
        cuts = [0, *break_offsets(line, width), len(line)]
        lines += [line[a:b].rstrip() for a, b in zip(cuts, cuts[1:], strict=False)]
    return lines


def fold_indented(text: str, width: int) -> list[str]:
    """`fold`, each line's own indent kept on the lines it folds into (a command shown indented under its
    sentence stays indented as a whole)."""
    lines: list[str] = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        if not body or len(indent) * 2 >= width:  # no room to hang it: folded as it is
            lines += fold(line, width)
            continue
        lines += [indent + piece for piece in fold(body, width - len(indent))]
    return lines
