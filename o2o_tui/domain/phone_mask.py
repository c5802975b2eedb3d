"""Phone numbers a customer wrote into free text (an order note, the address), masked for couriers.

A courier reads the customer's phone masked (`platform/views.mask_phone`); a number typed into the note or the
address would reach them whole. `mask_phone_runs` finds phone-number-like runs in a text and keeps only their last
four digits, the rest starred; everything else stays as written.

A run is digits (ASCII or full-width) joined by spaces, dashes, dots and parentheses, with a leading + (or an
opening parenthesis) allowed, and 7 digits or more in all. Read apart, so they stay:
- a time ("12:30": the colon ends a run), a date ("2026-12-06"), an order number after "#" ("#0008");
- a house, unit or floor number beside the number: a group of one or two digits ("Apt 5 139…") never joins a run,
  and a whole mobile number (11 digits or more without a space) joins no group after it ("139… 1203").
Spaces join groups only on one line (a line break ends a run).
"""

from __future__ import annotations

import re

MIN_DIGITS = 7  # fewer digits in a run: a house, unit or order number, never masked
KEPT_DIGITS = 4  # as the phone field: its last four digits stay
WHOLE_NUMBER = 11  # a group this long is a number on its own (a mobile): what follows it is something else
MASK = "*"

_DIGIT = r"\d"  # any decimal digit: ASCII, full-width (０-９) and other scripts' alike
_JOIN = r"[ \t\u3000\-.()（）－．‐‑–—]"  # what may stand between a number's digits (one line only)
_RUN = re.compile(rf"(?<![#＃\d])[+＋(（]?{_DIGIT}(?:{_JOIN}*{_DIGIT})*[)）]?")
_SPACE = re.compile(r"[ \t\u3000]+")
_DATE = re.compile(r"^\d{4}[-.－．]\d{1,2}[-.－．]\d{1,2}$")


def _digits(text: str) -> int:
    return sum(1 for char in text if char.isdecimal())


def _masked(text: str) -> str:
    """`text` with all its digits but the last four starred; separators and a leading + stay."""
    hide = _digits(text) - KEPT_DIGITS
    out: list[str] = []
    for char in text:
        if char.isdecimal() and hide > 0:
            out.append(MASK)
            hide -= 1
        else:
            out.append(char)
    return "".join(out)


def _prefix(group: str) -> bool:
    """A country or area code in front of a number: "+86", "(010)"."""
    return group[:1] in "+＋(（" and _digits(group) <= 4


def _segments(run: str) -> list[tuple[str, bool]]:
    """`run` cut into (piece, is a number) pieces, in order: joined together again they are `run`."""
    pieces: list[tuple[str, bool]] = []
    current: list[str] = []  # the groups (and the spaces between them) of the number being read
    groups = _SPACE.split(run)
    spaces = _SPACE.findall(run)

    def close() -> None:
        if current:
            text = "".join(current)
            pieces.append((text, _digits(text) >= MIN_DIGITS))
            current.clear()

    for index, group in enumerate(groups):
        space = spaces[index - 1] if index else ""
        whole = _digits(group.lstrip("+＋")) >= WHOLE_NUMBER
        breaks = (_digits(group) <= 2 and not _prefix(group)) or bool(_DATE.match(group))
        only_prefix = len(current) == 1 and _prefix(current[0])
        if breaks or (whole and current and not only_prefix):
            close()
        if current:
            current.append(space)
        elif space:
            pieces.append((space, False))
        if breaks:  # a house or floor number, a date: never part of a number
            pieces.append((group, False))
            continue
        current.append(group)
        if whole:
            close()
    close()
    return pieces


def _mask_run(run: str) -> str:
    if _digits(run) < MIN_DIGITS:
        return run
    return "".join(_masked(piece) if number else piece for piece, number in _segments(run))


def mask_phone_runs(text: str) -> str:
    """`text` with every phone-number-like run masked to its last four digits (see the module's words)."""
    if not text or _digits(text) < MIN_DIGITS:
        return text
    return _RUN.sub(lambda match: _mask_run(match.group()), text)
