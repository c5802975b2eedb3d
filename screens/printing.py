"""The console's printer: kitchen tickets when this console accepts an order, reprints (`k`) and receipts (`R`),
the print queue retried every few seconds, and the status line's warning while the printer cannot print. The queue
loses the jobs of orders that ended longer than the personal-data window ago on the schedule of the cache's
retention (at start, then every `PURGE_EVERY_S`), said in a toast.

A kitchen ticket printed for an accept still queued offline says it is not confirmed yet, and the queue keeps that
accept's key with it. When an order whose ticket printed here is cancelled, or the accept it was printed for is
refused (the platform's word: nothing is countermanded while an action of this device on it still waits), a
cancellation slip prints once (`PrintQueue.countermand`); when another device's accept of the order stood first
(`Order.accept_key`: the platform answers that accept as done when it had the same minutes, refuses it when it had
others) and its ticket printed there, a duplicate slip prints once. The orders the source changes name are looked
at, and every order at start.

Screens post `PrintRequested`; the app hands it to its `ConsolePrinting` (made only when a printer is set and the
console has a profile). Every queue and printer call runs on one thread of its own, never on the event loop: a
printer that does not answer costs the screen nothing. The status line reads `printer_warning(app)`; the store
screen's lasting printer line reads `printer_line(app)` (the printer, its paper, how it prints Chinese, its state as
the queue last found it).

The console follows settings.json while it runs: at each retry (every `RETRY_S`) it looks whether the file changed
(a stat) and reads the `printer`, `printer_cjk` and `printer_paper` again; what waits and what prints next goes to
the printer it names now, laid out for its paper now, said in a toast saying what changed (the printer named with
its paper, "58 mm"; the paper alone; how it prints Chinese alone). A printer removed from the settings prints nothing
more (said); one set while the console runs with none (or with a setting it could not use) prints from then on
(said): its queue is opened then, and what start-up does with a printer (the purge, the slips of orders cancelled meanwhile, what waits) is done
then. The `k` Reprint and `R` Receipt keys are offered only while a printer is set (`printer_set`): the screens
are told to ask again when that changes.

A reprint of an order whose kitchen ticket this console sent to the same printer less than `AGAIN_S` ago (its accept's
ticket, or a reprint), the order's status unchanged since (a ticket marked CANCELLED is news), asks first ("Print #0003 again? It was sent 5 s ago.": Enter prints, Esc does not): `k k k`,
a finger slipping on the dispatch board's j/k, printed three tickets.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from o2o_tui.domain.order import ENDED_STATUSES, OrderStatus
from o2o_tui.i18n import t
from screens.console_messages import PrintRequested

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable
    from datetime import datetime, tzinfo
    from pathlib import Path

    from textual.app import App

    from o2o_tui.domain.order import Order
    from o2o_tui.domain.store import Store
    from o2o_tui.printing import PrinterConfig
    from o2o_tui.printing.layout import JobKind, Op
    from o2o_tui.printing.spool import (
        Countermand,
        Countermanded,
        DrainResult,
        PrinterState,
        PrintQueue,
        QueueStatus,
    )
    from screens.source import SourceChange

RETRY_S = 5.0  # how often waiting jobs are tried again (and the queue file looked at: a script may add some)
PURGE_EVERY_S = 600.0  # the sync engine's `retention_every`: the queue's purge runs with the cache's
AGAIN_S = 30.0  # a reprint this soon after the order's last ticket sent to the same printer asks first


@dataclass(frozen=True, slots=True)
class PrinterWarning:
    problem: str  # in words ("Printer out of paper")
    waiting: int
    since: datetime | None = field(default=None, compare=False)  # when the problem began (as the queue keeps it)


def printer_set(app: object) -> bool:
    """Whether the console has a printer now (the settings name one it can use): the screens' `check_action` for
    `k` Reprint and `R` Receipt. Cheap (the footer asks at each repaint): an attribute, no file read."""
    printing = getattr(app, "printing", None)
    return isinstance(printing, ConsolePrinting) and printing.config is not None


def printer_warning(app: object) -> PrinterWarning | None:
    """What the status line says about the printer: None while it prints (or when there is none)."""
    printing = getattr(app, "printing", None)  # only the merchant console has one
    return printing.warning if isinstance(printing, ConsolePrinting) else None


class ConsolePrinting:
    def __init__(self, app: App[Any], config: PrinterConfig | None, queue: PrintQueue | Path) -> None:
        """`queue`: the print queue, or the profile's cache directory that holds it (opened with a printer: now
        when one is set, else on the printer's thread once one is)."""
        from o2o_tui.printing.spool import PrintQueue
        from o2o_tui.settings import settings_stamp

        self.app = app
        self.config: PrinterConfig | None = config  # None: no printer set now (at start, or removed since)
        self._stamp = settings_stamp()  # settings.json as the printer was read from it
        self._opened: PrintQueue | None = None  # opened with the first printer
        if isinstance(queue, PrintQueue):
            self._directory, self._opened = queue.directory, queue
        else:
            self._directory = queue
            if config is not None:
                self._opened = PrintQueue(queue)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="o2o-printer")
        self._busy = False
        self._waiting: int | None = None  # jobs waiting as last seen (None: not looked at yet)
        self.warning: PrinterWarning | None = None
        self.state: PrinterState | None = None  # the queue's printer state as last seen (the store screen's line)
        self._untried = False  # `state` was the printer's before the settings named another: not tried since
        self.bad_setting: str | None = None  # a `printer` setting that names nothing printable, while none prints
        self._unsubscribe: Callable[[], None] | None = None
        self._look_again = False  # another process was sending when slips were due: look at every order again
        # (order id, printer) -> time.monotonic() when its kitchen ticket was last sent there, and the order's
        # status then (`AGAIN_S`)
        self._tickets_sent: dict[tuple[str, str], tuple[float, OrderStatus]] = {}
        self._asking_again: set[str] = set()  # orders whose "print again?" question is up

    def start(self) -> None:
        self.app.set_interval(RETRY_S, self.retry)
        self.app.set_interval(PURGE_EVERY_S, self.purge)
        source = getattr(self.app, "source", None)
        if source is not None:
            self._unsubscribe = source.subscribe(self._source_changed)
        if self.config is not None:
            self._begin()
            self.app.call_later(self._refresh_keys)  # the first frame's footer had no printer yet

    def _begin(self) -> None:
        """A printer to print on (at start, or set since): what start-up does, and what waits is sent."""
        self.purge()  # before the first send: a ticket for an order long gone never prints
        self.countermand(None)  # what was cancelled while the console was closed (or had no printer)
        self.retry()

    @property
    def _queue(self) -> PrintQueue:
        """The profile's print queue; opened on the printer's thread when no printer was set at start."""
        if self._opened is None:
            from o2o_tui.printing.spool import PrintQueue

            self._opened = PrintQueue(self._directory)
        return self._opened

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._thread.shutdown(wait=False, cancel_futures=True)
        if self._opened is not None:
            self._opened.close()

    # -- asking -------------------------------------------------------------------------------------------

    def request(self, order: Order, store: Store | None, message: PrintRequested) -> None:
        """Queue the job (on the printer's thread, durably), then send what waits. A reprint within `AGAIN_S` of
        the order's last ticket on this printer asks first (`_ask_again`)."""
        if message.reprint and message.kind != "receipt" and self.config is not None:
            if order.id in self._asking_again:  # a third `k` before the question was up: it answers for that one
                return
            sent, status = self._tickets_sent.get((order.id, str(self.config.target)), (None, None))
            # the same ticket again (a ticket after a change, marked CANCELLED say, is news: it prints)
            if sent is not None and status is order.status and time.monotonic() - sent < AGAIN_S:
                self._ask_again(order, message, time.monotonic() - sent)
                return
        self._request(order, store, message)

    def _ask_again(self, order: Order, message: PrintRequested, ago: float) -> None:
        """"Print #0003 again? It was sent 5 s ago.": Enter (the first choice) prints it, Esc does not."""
        from textual.content import Content

        from screens.dialogs import ChoicePrompt  # loaded with the first dialog

        order_id = order.id
        title = Content(t("printing.console.again", number=order.display_number, seconds=max(1, int(ago))))
        choices = [("print", t("printing.console.again.yes")), ("no", t("printing.console.again.no"))]
        self._asking_again.add(order_id)

        def answered(choice: str | None) -> None:
            self._asking_again.discard(order_id)
            if choice != "print":
                return
            source = getattr(self.app, "source", None)
            entry = source.order(order_id) if source is not None else None
            store = source.store() if source is not None else None
            self._request(entry.order if entry is not None else order, store, message)

        self.app.push_screen(ChoicePrompt(title, choices), answered)

    def _request(self, order: Order, store: Store | None, message: PrintRequested) -> None:
        from o2o_tui.printing import layout
        from o2o_tui.printing.spool import paper_layouts

        if self.config is None:  # removed from the settings while the console ran
            if message.reprint or message.kind == "receipt":
                self._say(t("printing.console.no_printer"), "warning")
            return
        if message.kind != "receipt" and not message.reprint and order.status is OrderStatus.CANCELLED:
            # cancelled after its accept stood, before its ticket was asked for: nothing to cook, and the kitchen
            # never had it (no slip either); a reprint, asked for by a person, prints marked CANCELLED
            self._say(t("printing.console.ticket_dropped", number=order.display_number), "warning")
            return
        now = self.app.now()  # type: ignore[attr-defined]
        # laid out for each paper (58 and 80 mm): what waits when the paper changes prints for the new one
        arms = False
        if message.kind == "receipt":
            kind = layout.JobKind.RECEIPT
            laid = paper_layouts(lambda width: layout.receipt(order, store, now, width=width))
        else:
            from screens.source import link_up

            source = self.app.source  # type: ignore[attr-defined]
            if message.confirmed is not None:  # the accept made here, as the platform answered it
                unconfirmed = not message.confirmed
            else:  # not known to the sender: as the source shows the order (an accept still queued says so)
                entry = source.order(order.id)
                queued = entry is not None and "order.confirm" in entry.pending
                unconfirmed = queued or (message.prep_minutes is not None and not link_up(source))

            def ticket(unconfirmed: bool) -> dict[int, list[Op]]:
                return paper_layouts(
                    lambda width: layout.kitchen_ticket(
                        order,
                        store,
                        now,
                        prep_minutes=message.prep_minutes,
                        reprint=message.reprint,
                        unconfirmed=unconfirmed,
                        width=width,
                    )
                )

            laid = ticket(unconfirmed)
            kind = layout.JobKind.TICKET
            self._tickets_sent[(order.id, str(self.config.target))] = (time.monotonic(), order.status)  # `AGAIN_S`
            arms = order.status is not OrderStatus.CANCELLED  # it sets the kitchen cooking
            queued_entries = getattr(source, "queued_entries", None)  # a source with an outbox (the engine's)
            if arms and unconfirmed and queued_entries is not None:
                self.app.run_worker(
                    self._keyed(order, laid, message, queued_entries, ticket), group="printing", exit_on_error=False
                )
                return
            if arms and message.confirmed:  # the accept that stood here: its ticket printed is in the ledger
                self._queue_job(order, kind, laid, message, arms=arms, accept_key=message.accept_key)
                return
        self._queue_job(order, kind, laid, message, arms=arms)

    async def _keyed(
        self,
        order: Order,
        laid: dict[int, list[Op]],
        message: PrintRequested,
        queued_entries: Callable[[], Awaitable[Any]],
        ticket: Callable[[bool], dict[int, list[Op]]],
    ) -> None:
        """Queue an unconfirmed ticket with the key of the accept it is printed for (the outbox holds it), then look
        at its order at once: the platform may have answered that accept already. Guessed from the view (the sender
        did not know): the outbox is the truth, and an accept it no longer holds waiting was answered, so the
        ticket is not marked unconfirmed (the view may list it pending a moment after the answer)."""
        from o2o_tui.printing.layout import JobKind
        from o2o_tui.printing.spool import pending_accept_key

        # the accept made here says its key; else the outbox has it while the accept waits there (a link that came
        # back at once may have sent it already: then only the message's key tells)
        waiting = pending_accept_key(await queued_entries(), order.id)
        if message.confirmed is None and waiting is None and message.accept_key is None:
            # answered (a refused one gets its slip from the countermand look, as any refused accept's ticket)
            self._queue_job(order, JobKind.TICKET, ticket(False), message, arms=True)
            self.countermand({order.id})
            return
        key = message.accept_key or waiting
        self._queue_job(order, JobKind.TICKET, laid, message, arms=True, accept_key=key)
        if key is not None:
            self.countermand({order.id})

    def _queue_job(
        self,
        order: Order,
        kind: JobKind,
        laid: dict[int, list[Op]],
        message: PrintRequested,
        *,
        arms: bool,
        accept_key: str | None = None,
    ) -> None:
        """Queue the job `laid` out for each paper (`paper_layouts`), then send what waits."""
        number = order.display_number
        what = t(f"printing.cli.what.{kind.value}")
        config = self.config
        if config is None:
            return
        ops = laid.get(config.columns) or next(iter(laid.values()))

        def work() -> tuple[QueueStatus, DrainResult | None, bool]:
            job = self._queue.add(
                kind, ops, order_id=order.id, number=number, arms=arms, accept_key=accept_key, layouts=laid
            )
            result = self._queue.drain(config.target, config.cjk, config.columns)
            return self._queue.status(), result, any(done.id == job.id for done in result.printed)

        def done(future: Future[tuple[QueueStatus, DrainResult | None, bool]]) -> None:
            status, result, printed = future.result()
            self._show(status, result)
            asked = message.reprint or message.kind == "receipt"  # a person asked: say what became of it
            if asked and printed:
                self._say(t("printing.console.sent", what=what, number=number), "information")
            if not printed and status.state.problem is not None:
                problem = t(f"printing.problem.{status.state.problem.value}")
                self._say(t("printing.console.queued", problem=problem, what=what, number=number), "warning")

        self._submit(work, done)

    def retry(self) -> None:
        """Send what waits (if anything does); also notices jobs and fixes made by other processes."""
        if self._busy:
            return
        self._follow_settings()
        config = self.config
        if config is None:
            return
        if self._look_again:
            self._look_again = False
            self.countermand(None)
            return

        def work() -> tuple[QueueStatus, DrainResult | None, bool]:
            status = self._queue.status()
            if not status.waiting:
                return status, None, False
            result = self._queue.drain(config.target, config.cjk, config.columns)
            return self._queue.status(), result, False

        def done(future: Future[tuple[QueueStatus, DrainResult | None, bool]]) -> None:
            status, result, _ = future.result()
            was = self.warning
            self._show(status, result)
            if was is not None and self.warning is None and result is not None and result.printed:
                self._say(t("printing.console.back", count=len(result.printed)), "information")

        self._submit(work, done)

    def _follow_settings(self) -> None:
        """settings.json changed since the printer was read (a stat): read `printer`, `printer_cjk` and
        `printer_paper` again; a new printer takes what prints from now on (said, with its paper); new paper or
        another `printer_cjk` on the same printer is said as such (what waits prints laid out for the paper:
        `Job.layouts`); one removed prints nothing more (said); a setting that
        names nothing printable keeps the printer in use (said); one set where there was none prints from now on
        (said), after what start-up does with a printer."""
        from o2o_tui.printing import BadTarget, printer_config
        from o2o_tui.settings import load_settings, settings_stamp

        stamp = settings_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            config = printer_config()
        except BadTarget:
            value = str(load_settings().printer)
            if self.config is None:  # nothing printed before either: nothing prints now
                self.bad_setting = value
                self._say(t("printing.console.bad_printer_none", value=value), "error")
                return
            self._say(t("printing.console.bad_printer_kept", value=value, printer=self._named()), "error")
            return
        self.bad_setting = None
        if config == self.config:
            return
        was, self.config = self.config, config
        if config is None:
            self.warning = None
            self._waiting = None
            self._say(t("printing.console.printer_removed"), "warning")
            self._refresh_status()
            self._refresh_keys()
            return
        if was is None:  # none before: what start-up does with a printer, now (its `retry` follows this one)
            self._say(t("printing.console.printer_set", printer=_with_paper(config)), "information")
            self._refresh_keys()
            self.purge()
            self.countermand(None)
            return
        self._say(_changed_text(was, config), "information")
        if config.target != was.target:  # the problem last seen was the other printer's
            self._untried = True

    def line(self) -> PrinterLine | None:
        """What the console knows of its printer now (the store screen's line): None with no printer and no
        setting it could not use. Attributes only: the screen asks at each repaint."""
        config = self.config
        if config is None:
            return PrinterLine(None, bad_setting=self.bad_setting) if self.bad_setting is not None else None
        state = None if self._untried and not self._waiting else self.state
        problem = state.problem if state is not None else None
        return PrinterLine(
            config,
            problem=t(f"printing.problem.{problem.value}") if problem is not None else None,
            since=state.since if state is not None and problem is not None else None,
            waiting=self._waiting,
            last_printed_at=state.last_printed_at if state is not None else None,
        )

    def _named(self) -> str:
        return _with_paper(self.config) if self.config is not None else t("printing.console.no_printer_now")

    def purge(self) -> None:
        """Drop the queued jobs of orders that ended longer than the personal-data window ago, or were left open
        past theirs (`PrintQueue.purge_ended`), as the source (the cache) says."""
        if self._waiting == 0:
            return  # every retry looks at the queue: nothing waits
        if self.config is None and self._opened is None:
            return  # no printer since start: the queue is not opened (a printer set later purges it first)
        from o2o_tui.printing.spool import order_ended_at, orders_left_open
        from o2o_tui.sync.session import retention_from_env

        policy = retention_from_env()
        source = getattr(self.app, "source", None)
        entries = [*source.orders(), *source.held()] if source is not None else []
        # an order with an action still queued here is not taken as ended, nor as left open
        ended = {e.order.id: None if e.pending else order_ended_at(e.order) for e in entries}
        now = self.app.now()  # type: ignore[attr-defined]
        docs = {e.order.id: msgspec.to_builtins(e.order) for e in entries if not e.pending}
        left_open = orders_left_open(docs, now - policy.purge_open_after)

        def work() -> tuple[QueueStatus, int, int]:
            dropped = self._queue.purge_ended(now - policy.purge_personal_after, ended, left_open)
            gone_open = sum(1 for job in dropped if job.order_id in left_open)
            return self._queue.status(), len(dropped) - gone_open, gone_open

        def done(future: Future[tuple[QueueStatus, int, int]]) -> None:
            status, dropped, gone_open = future.result()
            self._show(status, None)
            for count, key, window in (
                (dropped, "printing.console.purged", policy.purge_personal_after),
                (gone_open, "printing.console.purged_open", policy.purge_open_after),
            ):
                if count:
                    self._say(t(key, count=count, hours=f"{window.total_seconds() / 3600:g}"), "warning")

        self._submit(work, done, retrying=False)

    # -- countermanding -----------------------------------------------------------------------------------

    def _source_changed(self, change: SourceChange) -> None:
        """The source's news (from any thread): orders that changed, or refused actions, are looked at on the loop."""
        if change.conflicts:  # the orders of refused actions: their order may not change again
            source = self.app.source  # type: ignore[attr-defined]
            refused = {c.order_id for c in source.conflicts() if c.order_id}
            self.app.call_later(self.countermand, set(change.order_ids) | refused)
        elif change.order_ids:
            self.app.call_later(self.countermand, set(change.order_ids))

    def countermand(self, order_ids: Iterable[str] | None) -> None:
        """Slips for the orders of `order_ids` (None: every order the source has) that will not be collected, or
        whose ticket printed here for an accept that did not stand, when that ticket printed here; their tickets
        still waiting are dropped (`PrintQueue.countermand`)."""
        config = self.config
        if config is None:
            return
        wanted = self._to_countermand(order_ids)
        if not wanted:
            return
        duplicates = {item.order_id for item in wanted if item.stood is not None}

        def work() -> tuple[QueueStatus, Countermanded, DrainResult | None]:
            answer = self._queue.countermand(wanted)
            result = self._queue.drain(config.target, config.cjk, config.columns) if answer.slips else None
            return self._queue.status(), answer, result

        def done(future: Future[tuple[QueueStatus, Countermanded, DrainResult | None]]) -> None:
            status, answer, result = future.result()
            self._show(status, result)
            if answer.busy:
                self._look_again = True
            printed = {job.id for job in result.printed} if result is not None else set()
            for slip in answer.slips:
                duplicate = slip.order_id in duplicates
                if slip.id in printed:
                    sent = "printing.console.duplicate_sent" if duplicate else "printing.console.slip_sent"
                    if duplicate and slip.order_id in answer.unsure:  # the other ticket may not have printed
                        sent = "printing.console.duplicate_sent_check"
                    self._say(t(sent, number=slip.number), "warning")
                elif status.state.problem is not None:
                    problem = t(f"printing.problem.{status.state.problem.value}")
                    what = t("printing.console.what_duplicate" if duplicate else "printing.cli.what.slip")
                    said = t("printing.console.queued", problem=problem, what=what, number=slip.number)
                    self._say(said, "warning")
            slipped = {slip.order_id for slip in answer.slips}
            dropped = {job.order_id: job.number for job in answer.dropped if job.order_id not in slipped}
            for order_id, number in sorted(dropped.items(), key=lambda item: item[1]):
                duplicate = order_id in duplicates
                gone = "printing.console.duplicate_dropped" if duplicate else "printing.console.ticket_dropped"
                self._say(t(gone, number=number), "warning")

        self._submit(work, done)

    def _to_countermand(self, order_ids: Iterable[str] | None) -> list[Countermand]:
        """The orders whose tickets printed here are not to be cooked, as the platform says it (none with an action
        of this device still waiting): cancelled, not accepted after the platform refused this device's accept, or
        accepted under a key (`Order.accept_key`) that a ticket printed here may not be for (a duplicate)."""
        from o2o_tui.printing.layout import cancel_reason
        from o2o_tui.printing.spool import Countermand, order_ended_at
        from o2o_tui.sync.session import retention_from_env

        source = self.app.source  # type: ignore[attr-defined]
        if order_ids is None:
            entries = [*source.orders(), *source.held()]
        else:
            entries = [entry for order_id in order_ids if (entry := source.order(order_id)) is not None]
        refusals = {c.order_id: c.explanation for c in source.conflicts() if c.action == "order.confirm"}
        store, now = source.store(), self.app.now()  # type: ignore[attr-defined]
        columns = self.config.columns if self.config is not None else None
        # a slip for an order that ended longer ago than its queued tickets are kept (`purge`) is of no use
        cutoff = now - retention_from_env().purge_personal_after
        wanted = []
        for entry in entries:
            order = entry.order
            if entry.pending:
                continue
            if order.status is OrderStatus.CANCELLED:
                ended = order_ended_at(order)
                if ended is not None and ended <= cutoff:
                    continue
                reason, refused = cancel_reason(order), False
            elif order.id in refusals and order.confirmed_at is None:
                reason, refused = refusals[order.id], True
            elif order.accept_key is not None and order.status not in ENDED_STATUSES:
                slip = _duplicate_slip(order, store, now, columns)
                wanted.append(
                    Countermand(order.id, order.display_number, slip, stood=order.accept_key, any_paper=True)
                )
                continue
            else:
                continue
            slip = _slip(order, store, now, reason, refused, columns)
            wanted.append(Countermand(order.id, order.display_number, slip, any_paper=True))
        return wanted

    # -- plumbing -----------------------------------------------------------------------------------------

    def _submit(self, work: Any, done: Any, *, retrying: bool = True) -> None:
        """Run `work` on the printer's thread, then `done` on the loop; `retrying` work holds off `retry`."""
        if retrying:
            self._busy = True
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the app's (active_app): `done` runs as if called here
        future = self._thread.submit(work)

        def on_loop(result: Future[Any]) -> None:
            if retrying:
                self._busy = False
            if result.cancelled() or result.exception() is not None:
                if result.exception() is not None:
                    self._say(str(result.exception()), "error")
                return
            done(result)

        def finished(result: Future[Any]) -> None:
            # Scheduled, never called here: work that ends before `add_done_callback` runs has this called on the
            # loop's own thread (where `call_from_thread` refuses, which once left `_busy` set and retries dead).
            with contextlib.suppress(RuntimeError):  # the app and its loop are gone
                loop.call_soon_threadsafe(on_loop, result, context=context)

        future.add_done_callback(finished)

    def _say(self, text: str, severity: str) -> None:
        say = getattr(self.app, "say", None)
        if say is not None:
            say(text, severity=severity, timeout=8)

    def _show(self, status: QueueStatus, result: DrainResult | None) -> None:
        self._waiting = status.waiting
        self.state = status.state
        if result is not None:  # the printer named now was tried
            self._untried = False
        problem = status.state.problem
        if problem is not None and status.waiting:
            warning: PrinterWarning | None = PrinterWarning(
                t(f"printing.problem.{problem.value}"), status.waiting, since=status.state.since
            )
        else:
            warning = None
        if warning == self.warning:
            return
        self.warning = warning
        self._refresh_status()

    def _refresh_keys(self) -> None:
        """The screens ask `check_action` again: `k` Reprint and `R` Receipt follow whether a printer is set."""
        for screen in self.app.screen_stack:
            screen.refresh_bindings()

    def _refresh_status(self) -> None:
        from screens.widgets.status_bar import StatusBar

        for screen in self.app.screen_stack:
            for bar in screen.query(StatusBar):
                bar.refresh_printer()


@dataclass(frozen=True, slots=True)
class PrinterLine:
    """The console's printer as the store screen names it (`ConsolePrinting.line`)."""

    config: PrinterConfig | None  # None: the setting names nothing printable (`bad_setting`), nothing prints
    problem: str | None = None  # in words, as the queue last found it
    since: datetime | None = None  # when that problem began
    waiting: int | None = None  # jobs waiting (None: not looked at yet)
    last_printed_at: datetime | None = None
    bad_setting: str | None = None


def printer_line(app: object) -> PrinterLine | None:
    """The console's printer now, for the store screen's printer line: None when no printer is set (nothing about
    a printer is shown) or the console has none (a memory source)."""
    printing = getattr(app, "printing", None)
    return printing.line() if isinstance(printing, ConsolePrinting) else None


def printer_line_text(line: PrinterLine, zone: tzinfo, now: datetime) -> tuple[str, tuple[str, ...]]:
    """What the printer is ("Printer: tcp://10.0.0.9:9100, 58 mm paper, Chinese: native") and how it is now,
    longest words first ("Printer offline since 12:41, 3 waiting", "Printer offline, 3 waiting"; "Ready: nothing
    waiting", "Checking the printer…"); times in the store's zone (`zone`)."""
    from o2o_tui.store_effect import at_text

    config = line.config
    if config is None:
        named = t("printing.line.bad_setting", value=unsecret(line.bad_setting or ""))
        return named, (t("printing.line.state.nothing_prints"), t("printing.line.state.nothing_prints_short"))
    named = t(
        "printing.line.printer",
        printer=shown_target(config),
        paper=t("printing.cli.paper", mm=config.paper_mm),
        cjk=t(f"printing.line.cjk.{config.cjk}"),
    )
    if line.waiting is None:
        return named, (t("printing.line.state.checking"),)
    if line.problem is not None:
        at = at_text(line.since, zone, now) if line.since is not None else "?"
        if line.waiting:
            words = dict(problem=line.problem, at=at, count=line.waiting)
            return named, (t("printing.line.state.down", **words), t("printing.line.state.down_short", **words))
        words = dict(problem=line.problem, at=at)
        return named, (t("printing.line.state.down_idle", **words), t("printing.line.state.down_idle_short", **words))
    if line.waiting:
        return named, (t("printing.line.state.sending", count=line.waiting),)
    ready = t("printing.line.state.ready")
    if line.last_printed_at is not None:
        return named, (t("printing.line.state.ready_printed", at=at_text(line.last_printed_at, zone, now)), ready)
    return named, (ready,)


def shown_target(config: PrinterConfig) -> str:
    """The printer as the settings name it (host:port, a file's path), without what could be a secret."""
    return unsecret(str(config.target))


def unsecret(text: str) -> str:
    """A printer setting shown without a user and password before an "@" ("tcp://u:pw@host" as "tcp://…@host")."""
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest:
        return f"{scheme}://…@{rest.rpartition('@')[2]}"
    return text


def _changed_text(was: PrinterConfig, config: PrinterConfig) -> str:
    """The toast for a printer setting changed while one prints: what changed (the printer, its paper, how it
    prints Chinese), never "now <the same printer>" for a change of paper or Chinese alone."""
    paper = t("printing.cli.paper", mm=config.paper_mm)
    how = t(f"printing.console.cjk.{config.cjk}")
    if config.target != was.target:
        if config.cjk != was.cjk:
            return t("printing.console.printer_changed_cjk", printer=_with_paper(config), how=how)
        return t("printing.console.printer_changed", printer=_with_paper(config))
    printer = shown_target(config)
    if config.paper_mm != was.paper_mm and config.cjk != was.cjk:
        return t("printing.console.paper_cjk_changed", printer=printer, paper=paper, how=how)
    if config.cjk != was.cjk:
        return t("printing.console.cjk_changed", printer=printer, how=how)
    return t("printing.console.paper_changed", printer=printer, paper=paper)


def _with_paper(config: PrinterConfig) -> str:
    """The printer with its paper beside it, as the console names it: "tcp://10.0.0.9:9100 (58 mm paper)"."""
    paper = t("printing.cli.paper", mm=config.paper_mm)
    return t("printing.console.printer_paper", printer=shown_target(config), paper=paper)


def _slip(
    order: Order, store: Store | None, now: datetime, reason: str, refused: bool, columns: int | None = None
) -> Callable[..., list[Op]]:
    """The cancellation slip of `order`, made once the queue knows when its ticket printed (for `columns`: the
    printer's paper; None: 80 mm's; `width`: another paper's, `Countermand.any_paper`)."""
    from o2o_tui.printing.layout import WIDTH, cancel_slip

    def slip(printed_at: datetime | None, *, width: int | None = None) -> list[Op]:
        return cancel_slip(
            order,
            store,
            now,
            reason=reason,
            refused=refused,
            ticket_printed_at=printed_at,
            width=width or columns or WIDTH,
        )

    return slip


def _duplicate_slip(
    order: Order, store: Store | None, now: datetime, columns: int | None = None
) -> Callable[..., list[Op]]:
    """The duplicate slip of `order`, made once the queue knows when its ticket printed here (for `columns`: the
    printer's paper; None: 80 mm's; `width`: another paper's, `Countermand.any_paper`)."""
    from o2o_tui.printing.layout import WIDTH, duplicate_slip

    def slip(printed_at: datetime | None, stood_printed: bool = False, *, width: int | None = None) -> list[Op]:
        return duplicate_slip(
            order,
            store,
            now,
            ticket_printed_at=printed_at,
            stood_printed=stood_printed,
            width=width or columns or WIDTH,
        )

    return slip


def start_printing(app: App[Any], profile: object) -> ConsolePrinting | None:
    """The console's printer, started; None when the console has no profile (a memory source). With no printer set
    (or a setting it cannot use: said once) it prints nothing and shows nothing about a printer, and follows
    settings.json: a printer set later prints from then on."""
    from o2o_tui.config import Profile, profile_cache_dir
    from o2o_tui.printing import BadTarget, printer_config

    if not isinstance(profile, Profile):
        return None
    bad: str | None = None
    try:
        config = printer_config()
    except BadTarget as error:
        bad = str(error)
        app.notify(
            t("printing.cli.bad_printer", value=str(error)), severity="error", timeout=15, markup=False
        )
        config = None  # a setting mended while the console runs is followed
    printing = ConsolePrinting(app, config, profile_cache_dir(profile))
    if bad is not None:
        printing.bad_setting = bad  # the store screen's printer line says nothing prints, and why
    printing.start()
    return printing
