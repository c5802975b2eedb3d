"""What the handheld shows for a task, as plain strings (no Textual): labels, one-line rows, the detail block.

Every value that came from outside (store and customer names, addresses, notes) passes `safe_text` here, and the
screens show these strings only as plain `Text`, never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.cells import cell_len, get_character_cell_size

from o2o_tui.courier_tasks import CourierStep
from o2o_tui.domain.clock import DayForm, day_clock, stored_clock, zone_named
from o2o_tui.domain.fleet import Delivery, DeliveryProblem, ProblemReason, store_clock
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.text_fold import CLOSING, OPENING, break_offsets
from o2o_tui.text_marks import ascii_term, console_term
from screens.locale_text import locale_is_utf8 as locale_is_utf8  # the handheld's `--ascii` (re-exported)

PROBLEM_REASONS: tuple[ProblemReason, ...] = tuple(ProblemReason)


@dataclass(frozen=True, slots=True)
class Glyphs:
    separator: str
    arrow: str
    queued: str
    refused: str
    down: str  # "more below"
    cut: str  # ends a line cut short ("" cuts without a mark)
    up: str  # "more above" (the list's first page again, the top of a detail scrolled down)


# the queued mark is "~" in every set: one cell in every font, and never the cut mark ("1…#0004 ... Sichua…" read
# as two cuts, "not sent yet" lost)
UNICODE = Glyphs(separator=" · ", arrow="→", queued="~", refused="!", down="▼", cut="…", up="▲")
ASCII = Glyphs(separator=" - ", arrow="->", queued="~", refused="!", down="v", cut="", up="^")
# the Linux text console (TERM=linux, cons25): its font has Latin-1's "·", the PC set's "→", "▼" and "▲", but no
# "…" (screens/terminal.py CONSOLE)
CONSOLE = Glyphs(separator=" · ", arrow="→", queued="~", refused="!", down="▼", cut="...", up="▲")


def handheld_glyphs(ascii_only: bool, environ: Mapping[str, str]) -> Glyphs:
    """The handheld's set, by the merchant console's rule (`screens.terminal.glyphs_for`, TERM read by
    `o2o_tui.text_marks`): ASCII on a terminal that is not UTF-8 (`--ascii`) or one TERM names as ASCII only
    (vt100, vt220, dumb: whatever the locale), CONSOLE on the Linux text console, else UNICODE."""
    if ascii_only or ascii_term(environ):
        return ASCII
    return CONSOLE if console_term(environ) else UNICODE


def number_text(delivery: Delivery) -> str:
    return f"#{delivery.order_number:04d}"


def status_label(status: DeliveryStatus) -> str:
    return t(f"handheld.status.{status.value}")


def short_label(status: DeliveryStatus) -> str:
    return t(f"handheld.short.{status.value}")


def _ended_why(delivery: Delivery) -> str | None:
    """Why a CANCELLED delivery ended (`Delivery.end_reason`) when the handheld has words for it; None for any
    other status, a server too old to say, or a reason added later (the plain status is said then)."""
    if delivery.status is not DeliveryStatus.CANCELLED or not delivery.end_reason:
        return None
    key = f"handheld.ended.{delivery.end_reason}"
    return delivery.end_reason if t(key) != key else None


def heading_label(delivery: Delivery) -> str:
    """The task's status as its heading says it: a delivery taken off the courier ("Reassigned", "Taken off you")
    reads apart from a cancelled order ("Cancelled"); any other, `status_label`."""
    why = _ended_why(delivery)
    return t(f"handheld.heading.{why}") if why else status_label(delivery.status)


def code_unchecked(pending: Sequence[str]) -> bool:
    """Whether "delivered" is queued (`pending`: a task's queued actions) with the customer's code: the platform
    has not checked the code yet, so the food stays with the courier and the task is not headed "Delivered"."""
    return CourierStep.DELIVERED.value in pending


def row_label(delivery: Delivery) -> str:
    """`short_label`, telling a delivery taken off the courier apart from a cancelled order ("MOVED", "TAKEN")."""
    why = _ended_why(delivery)
    return t(f"handheld.short.ended.{why}") if why else short_label(delivery.status)


def order_cancel_words(code: str | None) -> str:
    """The order's cancel reason code in the courier's words (a code the catalogs do not know: as it is, safe)."""
    from o2o_tui.figures_text import reason_name  # the queue's words for the same codes

    return reason_name(code) if code else ""


def ended_text(delivery: Delivery) -> str:
    """What the detail's "ended" line says: who took the task away and where it went (another courier, the store's
    dispatcher), or that the order was cancelled and why; "This task has ended." when the platform does not say."""
    why = _ended_why(delivery)
    if why is None:
        return t("handheld.task.ended")
    words = order_cancel_words(delivery.cancel_reason_code) if why == "ORDER_CANCELLED" else ""
    if words:
        return t("handheld.ended.ORDER_CANCELLED.why", reason=words)
    return t(f"handheld.ended.{why}")


def step_label(step: CourierStep) -> str:
    return t(f"handheld.step.{step.value}")


def step_shorter(step: CourierStep) -> tuple[str, ...]:
    """A shorter label for 20 columns, for the steps that have one."""
    key = f"handheld.step.{step.value}.short"
    short = t(key)
    return (short,) if short != key else ()


def _numbered(key: str, delivery: Delivery, store: str) -> str:
    """`key`'s words about `delivery`'s order by its day number; with `store` (the courier holds two orders of
    that number, one per store: `courier_source.shared_store`), `key` + ".store", naming it, as
    `courier_source.order_words` does (which imports this module: not imported here)."""
    number = f"{delivery.order_number:04d}"
    named = key + ".store"
    if store and t(named) != named:
        return t(named, number=number, store=store)
    return t(key, number=number)


def done_text(step: CourierStep, delivery: Delivery, store: str = "") -> str:
    """Says "#0014 delivered"; with `store` (two stores' #0014 held), "Golden Dumplings #0014 delivered"."""
    return _numbered(f"handheld.done.{step.value}", delivery, store)


def refusal_short(rejection: Mapping[str, object], action: str) -> str:
    """A refused code step in one short line, its reason first, for a message line of one row (a soft keyboard
    up): "Wrong pickup code: #0016", "Code locked until 12:40: #0016"; "" for any other refusal (said whole)."""
    code, number = rejection.get("code"), rejection.get("order_number")
    code_steps = (CourierStep.PICKED_UP.value, CourierStep.DELIVERED.value)
    if action not in code_steps or not isinstance(number, int):
        return ""
    tries = rejection.get("tries_left")
    if code == "wrong_code" and not rejection.get("locked_until"):
        if isinstance(tries, int) and not isinstance(tries, bool) and tries > 0:
            key = f"handheld.refused.wrong_code.{action}.tries" + (".one" if tries == 1 else "")
            return t(key, number=f"{number:04d}", tries=str(tries))
        return t(f"handheld.refused.wrong_code.{action}", number=f"{number:04d}")
    if code in ("code_locked", "wrong_code"):  # locked, or this wrong code locked it
        until = stored_clock(rejection.get("locked_until"), rejection.get("timezone"))
        return t("handheld.refused.code_locked", number=f"{number:04d}", until=until)
    return ""


def queued_text(delivery: Delivery, store: str = "", step: CourierStep | None = None) -> str:
    """Said for a step taken offline: it is in the outbox, not done, until the platform confirms it. With
    `store`: naming it, as `done_text`. "Delivered" (`step`) says its code is not checked yet: keep the food."""
    key = "handheld.done_queued.unchecked" if step is CourierStep.DELIVERED else "handheld.done_queued"
    return _numbered(key, delivery, store)


def queued_short(delivery: Delivery, store: str = "", step: CourierStep | None = None) -> str:
    """`queued_text` for one line of a narrow screen."""
    key = "handheld.done_queued.unchecked" if step is CourierStep.DELIVERED else "handheld.done_queued"
    return _numbered(key + ".short", delivery, store)


# the least of a store's name a one-line message keeps when it names an order by store ("Go… #0014"): with the
# cut mark, "New offer Go… #0014" still fits 20 columns whole (`store_cuts`)
STORE_MIN_CELLS = 3


def store_cuts(text: str, named: Sequence[tuple[str, str]], cut: str = "…") -> tuple[str, ...]:
    """Ways to say `text`, which names orders as "Golden Dumplings #0014" (`named`: (store, "#0014") pairs, as
    news names an order when the courier holds two stores' #0014), on a line too narrow for it: the stores' names
    cut shorter and shorter, a cell at a time down to `STORE_MIN_CELLS`, so that a line that must be cut loses
    the store's name before the number after it. Empty when `text` names none of them."""
    found = [(store, number) for store, number in named if store and f"{store} {number}" in text]
    if not found:
        return ()
    ways: list[str] = []
    for cells in range(max(cell_len(store) for store, _ in found) - 1, STORE_MIN_CELLS - 1, -1):
        way = text
        for store, number in found:
            way = way.replace(f"{store} {number}", f"{clip(store, cells, cut)} {number}")
        if way != text and way not in ways:
            ways.append(way)
    return tuple(ways)


def problem_label(reason: ProblemReason) -> str:
    return t(f"handheld.problem.{reason.value}")


def clock_now() -> datetime:
    """This moment: which day a task's times fall on, on its store's clock (a test freezes it)."""
    return datetime.now(UTC)


def ready_text(delivery: Delivery, form: DayForm = "long", now: datetime | None = None) -> str:
    """The task's ready time on the pickup store's clock, with its day when that is not today there ("tmrw 12:00"
    in a row, "tomorrow 12:00" in the detail; "9 Dec" in a row, "9 Dec 12:00" in the detail, `day_clock`'s rule):
    "OFFER 12:00" for an order of a later day sent
    couriers to the store at noon today. "" when the platform gave none."""
    if delivery.ready_at is None:
        return ""
    return day_clock(delivery.ready_at, zone_named(delivery.store_timezone), now or clock_now(), form=form)


_DAY_AND_CLOCK = re.compile(r"^(.* (\S+)) \d\d:\d\d$")


def day_only(head: str) -> str:
    """A row's head (`row_parts`) whose ready time is tomorrow or yesterday, with that day alone where the whole
    does not fit (20 columns): "1 #0003 OFFER tmrw"; never the time alone, which reads as today's. Any other head
    as it is (a later day's, "1 #0003 OFFER 9 Dec", says its day alone already)."""
    found = _DAY_AND_CLOCK.match(head)
    if found is None:
        return head
    day = found.group(2)
    days = {t("store.at.tomorrow.narrow"), t("store.at.yesterday.narrow")}
    return found.group(1) if day in days else head


def _month_day_end() -> re.Pattern[str]:
    """A head that ends with a date in the current language's words ("9 Dec", "12月9日": `clock.month_day`)."""
    template = t("store.at.date")
    months = "|".join(re.escape(t(f"store.month.{month}")) for month in range(1, 13))
    parts = re.split(r"(\{day\}|\{month\})", template)
    pattern = "".join(
        r"\d{1,2}" if part == "{day}" else f"(?:{months})" if part == "{month}" else re.escape(part) for part in parts
    )
    return re.compile(f"(?:^|\\s){pattern}$")


def names_day(head: str) -> bool:
    """Whether a row's head says a day that is not today ("tmrw 01:00", "9 Dec"): what it says changes at the
    store's midnight, with no news from the platform."""
    return day_only(head) != head or _month_day_end().search(head) is not None


def row_parts(
    index: int | None,
    delivery: Delivery,
    *,
    queued: bool,
    refused: bool,
    glyphs: Glyphs,
    bring_back: bool = False,
    now: datetime | None = None,
    form: DayForm = "short",
    unchecked: bool = False,
) -> tuple[str, str]:
    """One task on the list as (`1 #0042 OFFER 12:30`, the store's name); marks queued and refused tasks. A
    cancelled task whose food is in hand (`bring_back`) reads as on its way back to the store: that is the task.
    A ready time on another day says the day: `1 #0042 OFFER tmrw 12:30` (`day_only` where that does not fit),
    `1 #0042 OFFER 9 Dec`; `form` "narrow" for the head of a row too narrow for the date: `1 #0042 OFFER +2d`.
    `unchecked` (`code_unchecked`): "delivered" is queued with a code the platform has not checked: `CODE?`."""
    mark = glyphs.refused if refused else glyphs.queued if queued else " "
    lead = f"{index}" if index is not None and index <= 9 else " "
    store = safe_text(delivery.store_name or delivery.pickup.text, one_line=True)
    ready = ready_text(delivery, form, now)
    status = DeliveryStatus.RETURNING if bring_back else delivery.status
    label = short_label(status) if bring_back else row_label(delivery)
    if unchecked:  # "delivered" queued with the customer's code: not done until the platform checked it
        label = t("handheld.short.code_unchecked")
    parts = [f"{lead}{mark}{number_text(delivery)}", label]
    if ready and delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.ACCEPTED):
        parts.append(ready)
    return " ".join(p for p in parts if p), store


def row_text(index: int | None, delivery: Delivery, *, queued: bool, refused: bool, glyphs: Glyphs) -> str:
    """One task on the list: `1 #0042 OFFER 12:30 Store name`."""
    head, store = row_parts(index, delivery, queued=queued, refused=refused, glyphs=glyphs)
    return f"{head} {store}" if store else head


DETAIL_FIELDS = ("ended", "store", "ready", "pickup", "dropoff", "customer", "note", "problems")


def detail_fields(
    delivery: Delivery, *, ended: bool, glyphs: Glyphs, now: datetime | None = None
) -> dict[str, str]:
    """The task's details by field (empty when a field has nothing): addresses and notes in full (wrapped by
    the screen), the phone as the server masked it. One line widget per field, so a change repaints one field.
    The ready time says its day when not today ("Ready: tomorrow 12:00")."""
    store = safe_text(delivery.store_name, one_line=True)
    ready = ready_text(delivery, "long", now)
    customer = safe_text(delivery.customer_name, one_line=True)
    phone = safe_text(delivery.customer_phone, one_line=True)
    # the problems reported on it, each with its time: the platform keeps every one, and the store's open problem
    # goes at the courier's next step (docs/api.md), so they read as what was reported, never as still open
    reasons = glyphs.separator.join(_reported(delivery, problem) for problem in delivery.problems)
    pickup = safe_text(delivery.pickup.text, one_line=True)
    dropoff = safe_text(delivery.dropoff.text, one_line=True)
    return {
        "ended": ended_text(delivery) if ended else "",
        "store": _labelled("store", store) if store else "",
        "ready": _labelled("ready", ready) if ready else "",
        "pickup": _labelled("pickup", pickup) if pickup else "",  # a store without an address
        "dropoff": _labelled("dropoff", dropoff) if dropoff else "",
        # blank once the customer's details are purged (or the delivery ended without this courier): no bare label
        "customer": _labelled("customer", f"{customer} {phone}".strip()) if customer or phone else "",
        "note": _labelled("note", safe_text(delivery.note)) if delivery.note else "",
        "problems": _labelled("problems", reasons) if reasons else "",
    }


def _reported(delivery: Delivery, problem: DeliveryProblem) -> str:
    """A problem reported, at its time on the store's clock: "Order not ready (12:41)" (the reason alone when the
    platform gave no time)."""
    at = store_clock(delivery, problem.occurred_at)
    reason = problem_label(problem.reason)
    return t("handheld.field.problems.item", reason=reason, at=at) if at else reason


def _labelled(field: str, value: str) -> str:
    """`Store: value`; the catalog sets the colon (a full-width "：" in Chinese, with no space after it)."""
    return t("handheld.field.label", label=t(f"handheld.field.{field}"), value=value)


_SENTENCE_ENDS = frozenset(".?!:;…。？！：；")


def then(sentence: str, more: str) -> str:
    """Two sentences one after the other: a space after "Go off duty?", none after "确定下线？". Words that end
    without punctuation ("#0004 accepted", "#0003 已接单") get the language's full stop first, so the next
    sentence does not read as part of them."""
    sentence = sentence.rstrip()
    if sentence and sentence[-1] not in _SENTENCE_ENDS:
        sentence += t("handheld.sentence_end")
    return sentence + more if sentence[-1:] and cell_len(sentence[-1]) == 2 else f"{sentence} {more}"


# -- lines that fit the screen's width --------------------------------------------------------------------------


def clip(text: str, width: int, cut: str = "…") -> str:
    """`text` in at most `width` cells, ending in `cut` when shortened. A two-cell character that does not fit
    whole is left out: never half of it drawn as a space before the mark. A cut between words keeps one space
    before the mark where there is room for it ("Lao …": the next word is gone, not cut)."""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(cut)
    if room < 0:
        return clip(text, width, "")
    kept: list[str] = []
    used = 0
    for char in text:
        size = get_character_cell_size(char)
        if used + size > room:
            break
        kept.append(char)
        used += size
    head = "".join(kept)
    if cut and head and (head[-1].isspace() or text[len(head)].isspace()):
        whole = head.rstrip()
        return f"{whole} {cut}" if cell_len(whole) + 1 + cell_len(cut) <= width else whole + cut
    return head + cut


def _wide(char: str) -> bool:
    return cell_len(char) == 2


def _clause_break(text: str, index: int) -> bool:
    """Whether a line may start at `text[index]` between words or clauses: after a space or Chinese punctuation,
    or before an opening bracket beside Chinese ("#0005：已排队，|待平台确认", "#0005 前往商家|（已排队）"); never
    before closing punctuation or a separator dot, nor between a number and the Chinese beside it ("1 条")."""
    before, here = text[index - 1], text[index]
    if here.isspace() or here == "·" or here in CLOSING or before in OPENING:
        return False
    if before.isspace():
        at = index - 1
        while at >= 0 and text[at].isspace():
            at -= 1
        last = text[at] if at >= 0 else ""
        return not last or not ((last.isdigit() and _wide(here)) or (_wide(last) and here.isdigit()))
    if here in OPENING:
        return _wide(here) or _wide(before)
    return before in CLOSING and _wide(before)


def _line_starts(text: str, width: int, separator: str = "") -> list[int]:
    """Where each line after the first starts when `text` is folded to `width` cells: at the last word or clause
    break that fits (only after a `separator`, when given and the part before it fits); a run with none wider
    than the line breaks as `text_fold` breaks Chinese."""
    starts: list[int] = []
    start = 0
    while width > 0:
        parts_cut = clause_cut = 0
        for index in range(start + 1, len(text) + 1):
            if cell_len(text[start:index].rstrip()) > width:
                break
            if index == len(text):
                return starts  # the rest fits
            after = index - len(separator)
            if separator and after > start and text.startswith(separator, after):
                parts_cut = index
            if _clause_break(text, index):
                clause_cut = index
        cut = parts_cut or clause_cut
        rest_wide = cell_len(text[cut : cut + width + 1].rstrip()) > width
        if not cut or (cell_len(text[start:cut]) * 2 < width and rest_wide and not parts_cut):
            # no clause break, or one that leaves the line bare: as text_fold breaks it (it looks a line ahead)
            offsets = break_offsets(text[start : start + width + 8], width)
            cut = max(cut, start + offsets[0]) if offsets else cut
        cut = max(cut, start + 1)
        while cut < len(text) and text[cut].isspace():
            cut += 1
        if cut >= len(text):
            break
        starts.append(cut)
        start = cut
    return starts


def _lines(text: str, starts: list[int], separator: str) -> list[str]:
    bounds = [0, *starts, len(text)]
    pieces = [text[a:b].rstrip() for a, b in zip(bounds, bounds[1:], strict=False)]
    mark = separator.strip()
    return [piece[: -len(mark)].rstrip() if mark and piece.endswith(mark) else piece for piece in pieces]


def fold(text: str, width: int, separator: str = "") -> list[str]:
    """`text` in lines of at most `width` cells, broken between words and clauses, or between the parts joined
    by `separator` (the separator left out at the break)."""
    return _lines(text, _line_starts(text, width, separator), separator)


def fit(
    ways: Sequence[str], width: int, lines: int, *, cut: str = "…", separator: str = "", keep_last: int = 0
) -> list[str]:
    """The first of `ways` (one thing said shorter and shorter) that folds into `lines` lines of `width` cells;
    when none does, the last, cut short on its `lines`-th line. With `keep_last`, the first way stays on one line
    cut short where the last of its parts (a name) still shows that many cells."""
    if keep_last and ways and separator and separator in ways[0]:
        head = ways[0].rpartition(separator)[0] + separator
        if cell_len(head) + keep_last <= width:
            return [clip(ways[0], width, cut)]
    for way in ways:
        folded = fold(way, width, separator)
        if len(folded) <= lines:
            return folded
    last = ways[-1] if ways else ""
    starts = _line_starts(last, width, separator)[: max(lines - 1, 0)]
    kept = _lines(last[: starts[-1]], starts[:-1], separator) if starts else []
    return [*kept, clip(last[starts[-1] if starts else 0 :], width, cut)]
