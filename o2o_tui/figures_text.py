"""The day's figures as terminal text: a bar chart of orders per hour in block characters, and aligned tables.
Shared by the console's figures screen (shown as plain `Content`) and `o2o report day`. No Textual here.

Widths are terminal cells, not characters: a CJK character takes two (`cells`), so Chinese labels line up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

from o2o_tui.domain.money import Money, format_money
from o2o_tui.domain.report import TOP_ITEMS, DayReport, Durations, HourFigures
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.text_marks import ellipsis

BLOCKS = " ▁▂▃▄▅▆▇█"  # eighths of a cell, for the top of a bar
SIDE_BLOCKS = " ▏▎▍▌▋▊▉█"  # eighths of a cell, for the end of a horizontal bar


def cells(text: str) -> int:
    """Terminal cells `text` takes: wide (W, F) characters two, combining marks none."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `width` cells (left-aligned, or right-aligned)."""
    fill = " " * max(0, width - cells(text))
    return fill + text if right else text + fill


def clip(text: str, width: int, mark: str | None = None) -> str:
    """`text` cut to at most `width` cells, with an ellipsis when cut: `mark`, else the terminal's
    (`text_marks.ellipsis`: "…", or "..." under the console's ASCII set or on a terminal that is not UTF-8). A
    width narrower than the mark cuts without it."""
    if cells(text) <= width:
        return text
    mark = ellipsis() if mark is None else mark
    if cells(mark) > width:
        mark = ""
    kept, used = [], 0
    for char in text:
        step = cells(char)
        if used + step > width - cells(mark):
            break
        kept.append(char)
        used += step
    return "".join(kept) + mark


def _cuts(piece: str, commas: bool) -> list[tuple[str, str]]:
    """(what joins it to the part before, the part): `piece` cut before each opening bracket, or (`commas`) after
    each comma with the spaces that follow (not inside "¥12,345.00")."""
    parts: list[tuple[str, str]] = []
    joiner, start = "", 0
    for index, char in enumerate(piece):
        if index < start:
            continue
        if not commas and char in "（(" and index > start:
            parts.append((joiner, piece[start:index]))
            joiner, start = "", index
        elif commas and (char == "，" or (char == "," and piece[index + 1 : index + 2] == " ")):
            end = index + 1
            while end < len(piece) and piece[end] == " ":
                end += 1
            if end < len(piece):
                parts.append((joiner, piece[start : index + 1]))
                joiner, start = piece[index + 1 : end], end
    parts.append((joiner, piece[start:]))
    return parts


def _tokens(text: str, width: int) -> list[tuple[str, str]]:
    """`text` in pieces that may go on lines of their own: whole fields (two spaces apart), a field too wide cut
    before its brackets, a piece still too wide after its commas."""
    tokens: list[tuple[str, str]] = []
    for number, field in enumerate(text.split("  ")):
        pieces = [("", field)] if cells(field) <= width else _cuts(field, commas=False)
        for index, (joiner, piece) in enumerate(pieces):
            subs = [("", piece)] if cells(piece) <= width else _cuts(piece, commas=True)
            for sub_index, (sub_joiner, sub) in enumerate(subs):
                if sub_index:
                    lead = sub_joiner
                elif index:
                    lead = joiner
                else:
                    lead = "  " if number else ""
                tokens.append((lead, sub))
    return tokens


def wrap(text: str, width: int, *, clipped: bool = True) -> list[str]:
    """`text` on lines of at most `width` cells, broken between whole fields (the two spaces between "Orders 4"
    and "done 0"), else before a bracket, else after a comma, never inside a figure or a name in brackets
    ("(Asia/Shanghai)"); a piece wider than a line is clipped (`clip`: with an ellipsis), or left whole
    (`clipped=False`) for a widget that folds it."""
    if cells(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for joiner, token in _tokens(text, width):
        joined = line + joiner + token if line else token
        if line and cells(joined) > width:
            lines.append(line)
            joined = token
        line = joined
    lines.append(line)
    return [clip(line, width) if clipped else line for line in lines]


NAME_LEAST = 4  # cells a name column keeps however narrow the line (an amount beside it is never cut)


def table(
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[bool] = (),
    gap: int = 2,
    width: int | None = None,
    indent: str = "",
) -> list[str]:
    """Rows of columns aligned by cell width, each line led by `indent`; `right[i]` right-aligns column i
    (numbers). Lines wider than `width` cells have their first column (the name: an item, a reason) clipped
    (`clip`) to fit, down to `NAME_LEAST` cells: the other columns (amounts, counts, who) are never cut."""
    if not rows:
        return []
    count = max(len(row) for row in rows)
    widths = [max((cells(row[i]) for row in rows if i < len(row)), default=0) for i in range(count)]
    if width is not None:
        others = cells(indent) + sum(widths[1:]) + gap * (count - 1)
        room = max(min(widths[0], NAME_LEAST), width - others)
        if widths[0] > room:
            rows = [[clip(row[0], room), *row[1:]] if row else row for row in rows]
            widths[0] = max(cells(row[0]) for row in rows if row)
    lines = []
    for row in rows:
        parts = [
            pad(cell, widths[i], right=i < len(right) and right[i]) for i, cell in enumerate(row)
        ]
        lines.append((indent + (" " * gap).join(parts)).rstrip())
    return lines


def active_span(hours: Sequence[HourFigures]) -> tuple[int, int]:
    """The hours worth showing, as places in `hours` (in the day's order: 03 first on a day that ran to 03:00): from
    the first with any order to the last (all 24 for an empty day)."""
    busy = [place for place, h in enumerate(hours) if h.placed or h.completed]
    if not busy:
        return 0, len(hours) - 1
    return min(busy), max(busy)


def bucketed(hours: Sequence[HourFigures], first: int, last: int, size: int) -> list[tuple[int, int]]:
    """(start hour, placed) for buckets of `size` hours from place `first` through place `last` in `hours`."""
    start = first - first % size if size > 1 else first
    return [
        (hours[place].hour, sum(h.placed for h in hours[place : place + size]))
        for place in range(start, last + 1, size)
    ]


def hour_chart(hours: Sequence[HourFigures], width: int, height: int) -> list[str]:
    """Orders placed per hour as vertical bars, `height` rows of bars plus a row of hour labels, at most `width`
    cells wide: the busy span of the day, bars 3, 2 or 1 cells wide, two hours a bar when even that is too wide.
    The caller states the peak (`peak()`) as the scale."""
    height = max(1, height)
    first, last = active_span(hours)
    size = 1
    while True:
        bars = bucketed(hours, first, last, size)
        for bar_width in (3, 2, 1):
            step = bar_width + 1
            if len(bars) * step - 1 <= width:
                return _draw(bars, bar_width, step, height, size)
        if size >= 24:
            return _draw(bars[: max(1, (width + 1) // 2)], 1, 2, height, size)
        size *= 2 if size < 4 else 3


def _draw(bars: list[tuple[int, int]], bar_width: int, step: int, height: int, size: int) -> list[str]:
    top = max((count for _, count in bars), default=0)
    rows = []
    eighths = [round(count * height * 8 / top) if top else 0 for _, count in bars]
    for row in range(height, 0, -1):  # top row first
        line = []
        for filled in eighths:
            part = filled - (row - 1) * 8
            block = BLOCKS[8] if part >= 8 else BLOCKS[max(0, part)]
            line.append(block * bar_width)
        rows.append((" " * (step - bar_width)).join(line).rstrip())
    return [*rows, _hour_labels([hour for hour, _ in bars], step, size)]


def _hour_labels(starts: list[int], step: int, size: int) -> str:
    """Hour numbers under the bars, as many as fit without touching (each two cells and a space)."""
    every = 1
    while every * step < 3:
        every += 1
    line = ""
    for index, hour in enumerate(starts):
        if index % every:
            continue
        at = index * step
        line = line.ljust(at) + f"{hour:02d}"
    return line


def peak(hours: Sequence[HourFigures]) -> int:
    return max((h.placed for h in hours), default=0)


def minutes_text(spread: Durations) -> tuple[str, str]:
    """(median, p90) as `m:ss`, or `-` when nothing was measured."""
    return _mmss(spread.median_seconds), _mmss(spread.p90_seconds)


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def hour_bars(hours: Sequence[HourFigures], width: int) -> list[str]:
    """Orders per hour as horizontal bars, one line an hour (the busy span): `09 ████▌ 12`, for plain text."""
    first, last = active_span(hours)
    shown = hours[first : last + 1]
    top = max((h.placed for h in shown), default=0)
    room = max(1, width - 3 - 1 - len(str(top)))
    lines = []
    for h in shown:
        eighths = round(h.placed * room * 8 / top) if top else 0
        bar = SIDE_BLOCKS[8] * (eighths // 8) + (SIDE_BLOCKS[eighths % 8] if eighths % 8 else "")
        lines.append(f"{h.hour:02d} {bar} {h.placed}" if bar else f"{h.hour:02d} {h.placed}")
    return lines


# --- the report's sections as lines (the CLI prints them; the figures screen shows them as plain Content) -----


def _money(amount: Money | None) -> str:
    return format_money(amount) if amount is not None else "-"


def _is_today(report: DayReport, now: datetime | None) -> bool:
    """Whether the report is of the store's today (its trading day, `figures.is_today`): a past day's figures say
    "that day", not "today"."""
    from o2o_tui.figures import is_today

    return is_today(report, now or datetime.now(UTC))


def day_label(report: DayReport) -> str:
    """The report's day for its title: "2026-12-06" for a calendar day; a trading day that ran past midnight says
    so, "Sun 6 Dec, until 03:00 Mon" (12月6日 周日，至周一 03:00), and one that began after midnight (the day after
    a late one) says from when, "Mon 7 Dec, from 03:00" (12月7日 周一，03:00 起), or both, from the bounds the
    platform says."""
    from datetime import date, timedelta

    from o2o_tui.domain.clock import zone_named
    from o2o_tui.store_effect import date_words
    from o2o_tui.store_hours import day_name

    if report.ends_at is None and report.starts_at is None:
        return report.date
    try:
        day = date.fromisoformat(report.date)
    except ValueError:
        return safe_text(report.date, one_line=True)
    zone = zone_named(report.timezone)
    start = None if report.starts_at is None else report.starts_at.astimezone(zone)
    if start is not None and start.date() == day and (start.hour, start.minute) == (0, 0):  # from midnight
        start = None
    end = None if report.ends_at is None else report.ends_at.astimezone(zone)
    if end is not None and end.date() == day + timedelta(days=1) and (end.hour, end.minute) == (0, 0):
        end = None  # to midnight
    if end is None:
        if start is None:  # a calendar day
            return report.date
        return t("figures.day_from", date=date_words(report.date), start=start.strftime("%H:%M"))
    words = date_words(report.date)
    time, weekday = end.strftime("%H:%M"), day_name(end.weekday())
    if start is None:
        return t("figures.day_until", date=words, time=time, weekday=weekday)
    return t("figures.day_from_until", date=words, start=start.strftime("%H:%M"), time=time, weekday=weekday)


def summary_lines(report: DayReport, now: datetime | None = None) -> list[str]:
    done = report.completed if report.done is None else report.done  # None: an older platform's report
    # handed off that day differs from done when orders cross midnight (placed the day before, handed off on the
    # day, or the other way round): said only then, "today" on the store's today, "that day" on a past day
    handed_key = "figures.counts_handed_off" if _is_today(report, now) else "figures.counts_handed_off_that_day"
    handed_off = "" if report.completed == done else t(handed_key, completed=report.completed)
    counts = t(
        "figures.counts",
        placed=report.placed,
        done=done,
        cancelled=report.cancelled,
        refused=report.refused,
        open=report.open,
        handed_off=handed_off,
    )
    money = t(
        "figures.revenue",
        revenue=_money(report.revenue),
        gross=_money(report.gross),
        refunds=_money(report.refunds),
    )
    if report.refunded_today is None:  # a platform that does not say it (older): the line is left out
        return [counts, money, *voucher_lines(report, now)]
    # all refunded on the day shown: "today" on the store's today, "that day" on a past day (`f`, then ←)
    refunded_key = "figures.refunded_today" if _is_today(report, now) else "figures.refunded_that_day"
    return [counts, money, t(refunded_key, amount=_money(report.refunded_today)), *voucher_lines(report, now)]


def voucher_lines(report: DayReport, now: datetime | None = None) -> list[str]:
    """Vouchers redeemed at the counter on the day shown and their value (none said by an older platform)."""
    if report.vouchers_redeemed is None:
        return []
    key = "figures.vouchers_today" if _is_today(report, now) else "figures.vouchers_that_day"
    return [t(key, count=report.vouchers_redeemed, value=_money(report.vouchers_value))]


def durations_lines(report: DayReport) -> list[str]:
    accept, prep = minutes_text(report.accept_time), minutes_text(report.prep_time)
    rows = [
        ["", t("figures.time.median"), t("figures.time.p90"), t("figures.time.count")],
        [t("figures.time.accept"), *accept, str(report.accept_time.count)],
        [t("figures.time.prep"), *prep, str(report.prep_time.count)],
    ]
    return table(rows, right=(False, True, True, True))


def reason_lines(report: DayReport, width: int | None = None) -> list[str]:
    """Cancellations by reason and who, then refusals by reason (untrusted codes: made safe here); within `width`
    cells the reasons are clipped, never who or the count."""
    lines = [t("figures.cancellations.title")]
    rows = [[reason_name(c.reason_code), party_name(c.by), str(c.count)] for c in report.cancellations]
    lines += table(rows, right=(False, False, True), width=width, indent="  ") if rows else ["  " + t("figures.none")]
    lines.append(t("figures.refusals.title"))
    rows = [[reason_name(r.reason_code), str(r.count)] for r in report.refusals]
    lines += table(rows, right=(False, True), width=width, indent="  ") if rows else ["  " + t("figures.none")]
    return lines


def reason_name(code: str) -> str:
    """A reason code as the queue says it (a reject reason, "no answer in time", a customer's or the simulator's
    known codes); any other code as it is, made safe."""
    if code == "ACCEPT_TIMEOUT":
        return t("queue.done.timed_out")
    for key in (f"ui.reason.{code}", f"reason.{code}"):
        found = t(key)
        if found != key:
            return found
    return safe_text(code, one_line=True)


def party_name(party: str) -> str:
    key = "figures.by." + party.lower()
    found = t(key)
    return found if found != key else safe_text(party, one_line=True)


def item_lines(report: DayReport, width: int, limit: int = TOP_ITEMS) -> list[str]:
    """The top items by quantity with their revenue, names clipped to fit `width` cells (the quantity and the
    revenue never are)."""
    if not report.top_items:
        return [t("figures.items.title"), "  " + t("figures.none")]
    rows = [[t("figures.items.name"), t("figures.items.qty"), t("figures.items.revenue")]]
    for item in report.top_items[:limit]:
        rows.append([safe_text(item.name, one_line=True), str(item.quantity), format_money(item.revenue)])
    return [t("figures.items.title"), *table(rows, right=(False, True, True), width=width, indent="  ")]
