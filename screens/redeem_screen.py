"""`v`: one field for any code at the counter (核销), typed or scanned: a takeout pickup code hands that order over
(as `h` on it does), any other code redeems a voucher of the store. The result in large text; the field clears
for the next code at once, so a scanner's next code is never lost; Esc closes.

Every key goes through `SteadyInput` in the dialog's own queue (`screens/dialogs.py`): a scanner types the code
and Enter in one burst, and the keys typed right after `v` land in the field. The classification and the words are
`o2o_tui/redeem.py` (shared with `o2o redeem`). A voucher is checked by the platform alone: online, the field
follows its outbox entry to the platform's verdict (a few seconds at most) and shows it; offline, it says plainly
that the voucher is queued, not checked. When it lands, the field shows the verdict in its place (REDEEMED with
the title and value, or the refusal) while it still shows that code, else a toast says what became of it (a
refusal is then in the conflicts view, `!`; one the field answered at once, online, is not). A pickup code of
an order the cache knows is not ready yet is refused at once with the fix, nothing queued. A code whose earlier
scan still waits in the outbox is not queued again (`o2o_tui.redeem.queued_before`). The pickup code of a takeout
handed over within the hour is answered "already handed over at 12:03" and sent nowhere, as `o2o redeem` does
(`o2o_tui.redeem.handed_over_before`): as a voucher it would be a wrong code, counted toward the store's lock.
What a Chinese input method types into the field ("１２３４") goes in as ASCII (`SteadyAsciiInput`).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Digits, Input, Label

from o2o_tui.domain.limits import CODE_MAX
from o2o_tui.domain.money import format_money
from o2o_tui.domain.voucher import Voucher
from o2o_tui.i18n import t
from o2o_tui.redeem import (
    CodeKind,
    Redemption,
    classify,
    handed_over_before,
    handed_over_before_text,
    handed_over_text,
    not_ready_text,
    queued_before,
    queued_before_text,
    queued_text,
    redeemed_text,
    refusal_text,
    voucher_answer,
)
from o2o_tui.safe_text import safe_text
from screens.console_messages import ConsoleHost
from screens.dialogs import SteadyAsciiInput, _FieldPrompt
from screens.keys import localize_bindings
from screens.source import ActionRefused, LinkState, OrderSource
from screens.widgets.folded_text import FoldedLabel

VERDICT_WAIT_S = 8.0  # online, how long the field waits for the platform's verdict before saying "queued"
POLL_S = 0.05
LANDING_POLL_S = 0.25  # a queued voucher followed until the link is back: no need to look 20 times a second


@dataclass(frozen=True)
class Shown:
    """What the field shows after a code: its tone (ok, queued, refused, checking), a line, big digits."""

    tone: str
    text: str
    digits: str = ""


def _value_digits(voucher: Voucher | None) -> str:
    return format_money(voucher.value) if voucher is not None else ""


async def _verdict(
    source: Any, key: str, wait: float, poll: float = POLL_S
) -> tuple[bool, dict[str, Any] | None]:
    """Follow the entry until the platform answered or `wait` ran out: (still pending, the refusal)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        pending, refusal = await source.entry_state(key)
        if not pending or loop.time() >= deadline:
            return pending, refusal
        await asyncio.sleep(poll)


def _queued_words(source: OrderSource, redemption: Redemption) -> str:
    """What a queued code says: checked when online (`o2o_tui.redeem.queued_text`), or, while the platform answers
    but cannot store changes (NOT_STORING), that it is queued and retried."""
    if source.link().state is not LinkState.NOT_STORING:
        return queued_text(redemption)
    if redemption.kind is CodeKind.VOUCHER:
        return t("voucher.result.queued_voucher_not_storing")
    return t("voucher.result.queued_pickup_not_storing", number=redemption.number or "?")


async def _queued_before(source: Any, store_id: str, code: str) -> tuple[Shown, str | None] | None:
    """The same code's earlier scan still in the outbox: what to say (nothing is queued again) and, for a
    voucher, that entry's key (its verdict still replaces the words when it lands)."""
    queued = getattr(source, "queued_entries", None)
    if queued is None:  # a source without an outbox (a memory source)
        return None
    orders = [entry.order for entry in source.orders()]
    found = queued_before(code, store_id, await queued(), orders)
    if found is None:
        return None
    store = source.store()
    not_storing = source.link().state is LinkState.NOT_STORING  # answering, not saving: not "when online"
    zone = store.timezone if store is not None else None
    said = Shown("queued", queued_before_text(found, zone, not_storing=not_storing))
    return said, found.key if found.kind is CodeKind.VOUCHER else None


def _handed_over_before(source: OrderSource, store_id: str, code: str) -> Shown | None:
    """The pickup code of a takeout this store handed over a moment ago (shown twice, scanned again): said as
    done and refused, nothing sent. As a voucher it would be a wrong code, counted toward the store's lock."""
    orders = (entry.order for entry in source.orders())
    order = handed_over_before(code, orders, store_id, datetime.now(UTC))
    if order is None:
        return None
    store = source.store()
    return Shown("refused", handed_over_before_text(order, store.timezone if store is not None else None))


async def _queue(
    source: OrderSource, store_id: str, code: str
) -> tuple[Redemption, str | None, tuple[Shown, str | None] | None]:
    """Classify the code and queue it, unless its earlier scan still waits or it names a takeout handed over a
    moment ago: (the redemption, a voucher's outbox key, what to say when it was queued before, was done before
    or cannot be followed)."""
    redemption = classify(code, (entry.order for entry in source.orders()), store_id)
    twin = await _queued_before(source, store_id, code)
    if twin is not None:
        return redemption, None, twin
    if redemption.kind is CodeKind.VOUCHER and (done := _handed_over_before(source, store_id, code)) is not None:
        return redemption, None, (done, None)
    if redemption.kind is CodeKind.PICKUP:
        if (early := not_ready_text(redemption)) is not None:  # said now: nothing queued, no conflict filed
            return redemption, None, (Shown("refused", early), None)
        await source.submit(redemption.action, redemption.target, redemption.body())
        return redemption, None, None
    keyed = getattr(source, "submit_keyed", None)
    if keyed is None:  # a source that cannot follow an entry (a memory source): queued, the toast follows
        await source.submit(redemption.action, redemption.target, redemption.body())
        return redemption, None, (Shown("queued", _queued_words(source, redemption)), None)
    return redemption, str(await keyed(redemption.action, redemption.target, redemption.body())), None


async def redeem_code(
    source: OrderSource,
    store_id: str,
    code: str,
    *,
    wait: float = VERDICT_WAIT_S,
    queueing: asyncio.Lock | None = None,
) -> tuple[Shown, Redemption, str | None]:
    """Classify and queue the code; online, wait for a voucher's verdict. (what to show, the redemption, the
    outbox key when the voucher is still to be checked). `queueing`: held from the outbox check to the append,
    so two quick scans of one code cannot both be queued."""
    online = source.link().state is LinkState.ONLINE
    async with queueing or contextlib.nullcontext():
        redemption, key, said = await _queue(source, store_id, code)
    if said is not None:
        return said[0], redemption, said[1]
    if redemption.kind is CodeKind.PICKUP:
        if not online:
            return Shown("queued", _queued_words(source, redemption)), redemption, None
        number = redemption.number or "?"
        return Shown("ok", handed_over_text(number), number.lstrip("#")), redemption, None
    assert key is not None
    if not online:
        return Shown("queued", _queued_words(source, redemption)), redemption, key
    pending, refusal = await _verdict(source, key, wait)
    if refusal is not None:
        await _answered(source, key)
        return Shown("refused", refusal_text(refusal)), redemption, None
    if pending:
        return Shown("queued", _queued_words(source, redemption)), redemption, key
    voucher = await voucher_answer(source.client, redemption, key)  # type: ignore[attr-defined]
    return Shown("ok", redeemed_text(voucher), _value_digits(voucher)), redemption, None


async def _answered(source: Any, key: str) -> None:
    """A refusal the field showed in large text is answered: it is not listed again under `!` (nor counted on
    the status line) as if nobody had seen it."""
    with contextlib.suppress(Exception):  # a cache that cannot write: the refusal stays listed, nothing lost
        await source.dismiss_conflicts([key])


_followed: set[str] = set()  # the queued vouchers' outbox keys a `follow_landing` waits on in this process


def _field_awaiting(app: Any, key: str) -> RedeemScreen | None:
    screen = app.screen if app.screen_stack else None
    return screen if isinstance(screen, RedeemScreen) and screen.awaits(key) else None


async def follow_landing(app: Any, source: Any, redemption: Redemption, key: str) -> None:
    """A queued voucher, followed until the platform answers: the verdict in the open field while it still
    shows this code (as an online redeem shows it), else its success as a toast (a refusal is toasted by the
    conflicts path already, and listed under `!`)."""
    if key in _followed:
        return
    _followed.add(key)
    try:
        pending, refusal = await _verdict(source, key, float("inf"), LANDING_POLL_S)
        if pending:
            return
        if refusal is not None:
            if (field := _field_awaiting(app, key)) is not None:
                field.show(Shown("refused", refusal_text(refusal)))
                app.bell()  # landed later, maybe while nobody looked: its toast and `!` stay
            return
        voucher = await voucher_answer(source.client, redemption, key)
        if (field := _field_awaiting(app, key)) is not None:
            field.show(Shown("ok", redeemed_text(voucher), _value_digits(voucher)))
            return
        app.say(t("voucher.result.landed", text=redeemed_text(voucher)), timeout=10)
    finally:
        _followed.discard(key)


class RedeemScreen(_FieldPrompt[None]):
    """The counter's code field (`v` on the queue)."""

    DEFAULT_CSS = """
    RedeemScreen {
        align: center middle;
    }
    RedeemScreen #redeem-result {
        width: 1fr;
        padding: 0 1;
        text-style: bold;
    }
    RedeemScreen #redeem-result.-ok {
        background: $success;
        color: $text;
    }
    RedeemScreen #redeem-result.-queued {
        background: $warning;
        color: $text;
    }
    RedeemScreen #redeem-result.-refused {
        background: $error;
        color: $text;
    }
    RedeemScreen #redeem-digits {
        width: 1fr;
        display: none;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "voucher.key.close", id="redeem.close")]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self._queueing = asyncio.Lock()
        self._awaiting: str | None = None  # the outbox key of the queued voucher the field shows

    def awaits(self, key: str) -> bool:
        """The field is open and still shows the queued voucher of this outbox entry."""
        return self.is_attached and self._awaiting == key

    @property
    def host(self) -> ConsoleHost:
        return cast(ConsoleHost, self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog redeem"):
            yield FoldedLabel(Content(t("voucher.screen.title")), classes="title")  # broken as Chinese is set
            yield FoldedLabel(Content(t("voucher.screen.hint")), classes="hint")
            yield SteadyAsciiInput(  # a code typed with a Chinese input method ("１２３４") goes in as ASCII
                restrict=r"[0-9A-Za-z \-]*", max_length=CODE_MAX, id="answer", typed_by_screen=True
            )
            yield FoldedLabel("", id="redeem-result")  # "…再交付" never leaves "。" to the next line
            yield Digits("", id="redeem-digits")

    def on_mount(self) -> None:
        field = self.field()
        field.cursor_blink = False
        field.focus()

    def store_id(self) -> str | None:
        store = self.host.source.store()
        if store is not None:
            return store.id
        profile = self.host.profile
        return profile.store_id if profile is not None else None

    def show(self, shown: Shown, awaiting: str | None = None) -> None:
        """The result in large text: a coloured line (untrusted titles as plain text) and big digits.
        `awaiting`: the outbox key of a queued voucher, whose verdict replaces this when it lands."""
        self._awaiting = awaiting
        result = self.query_one("#redeem-result", Label)
        result.update(Content(safe_text(shown.text)))
        for tone in ("ok", "queued", "refused", "checking"):
            result.set_class(tone == shown.tone, f"-{tone}")
        digits = self.query_one("#redeem-digits", Digits)
        digits.update(shown.digits)
        digits.display = bool(shown.digits)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        code = event.value.strip()
        self.field().value = ""  # ready for the next code at once
        if not code:
            return
        store_id = self.store_id()
        if store_id is None:
            self.show(Shown("refused", t("voucher.screen.no_store")))
            return
        self.show(Shown("checking", t("voucher.result.checking")))
        self.run_worker(self._redeem(store_id, code), group="redeem", exit_on_error=False)

    async def _redeem(self, store_id: str, code: str) -> None:
        source = self.host.source
        try:
            shown, redemption, key = await redeem_code(source, store_id, code, queueing=self._queueing)
        except ActionRefused as refused:
            shown, key = Shown("refused", refused.message), None
            redemption = None
        if self.is_attached:
            self.show(shown, awaiting=key)
        if shown.tone == "refused":
            self.app.bell()
        if key is not None and redemption is not None:  # queued: its verdict shown when it lands
            self.app.run_worker(follow_landing(self.app, source, redemption, key), group="redeem-landing")

    def action_cancel(self) -> None:
        self.dismiss(None)
