"""The console's printer: kitchen tickets when this console accepts an order, reprints (`k`) and receipts (`R`),
the print queue retried every few seconds, and the status line's warning while the printer cannot print. The queue
loses the jobs of orders that ended longer than the personal-data window ago on the schedule of the cache's
retention (at start, then every `PURGE_EVERY_S`), said in a toast.

Screens post `PrintRequested`; the app hands it to its `ConsolePrinting` (made only when a printer is set and the
console has a profile). Every queue and printer call runs on one thread of its own, never on the event loop: a
printer that does not answer costs the screen nothing. The status line reads `printer_warning(app)`.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from o2o_tui.i18n import t
from screens.console_messages import PrintRequested

if TYPE_CHECKING:
    from textual.app import App

    from o2o_tui.domain.order import Order
    from o2o_tui.domain.store import Store
    from o2o_tui.printing import PrinterConfig
    from o2o_tui.printing.spool import DrainResult, PrintQueue, QueueStatus

RETRY_S = 5.0  # how often waiting jobs are tried again (and the queue file looked at: a script may add some)
PURGE_EVERY_S = 600.0  # the sync engine's `retention_every`: the queue's purge runs with the cache's


@dataclass(frozen=True, slots=True)
class PrinterWarning:
    problem: str  # in words ("Printer out of paper")
    waiting: int


def printer_warning(app: object) -> PrinterWarning | None:
    """What the status line says about the printer: None while it prints (or when there is none)."""
    printing = getattr(app, "printing", None)  # only the merchant console has one
    return printing.warning if isinstance(printing, ConsolePrinting) else None


class ConsolePrinting:
    def __init__(self, app: App[Any], config: PrinterConfig, queue: PrintQueue) -> None:
        self.app = app
        self.config = config
        self._queue = queue
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="o2o-printer")
        self._busy = False
        self._waiting: int | None = None  # jobs waiting as last seen (None: not looked at yet)
        self.warning: PrinterWarning | None = None

    def start(self) -> None:
        self.app.set_interval(RETRY_S, self.retry)
        self.app.set_interval(PURGE_EVERY_S, self.purge)
        self.purge()  # before the first send: a ticket for an order long gone never prints
        self.retry()

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)
        self._queue.close()

    # -- asking -------------------------------------------------------------------------------------------

    def request(self, order: Order, store: Store | None, message: PrintRequested) -> None:
        """Queue the job (on the printer's thread, durably), then send what waits."""
        from o2o_tui.printing import layout

        now = self.app.now()  # type: ignore[attr-defined]
        if message.kind == "receipt":
            kind, ops = layout.JobKind.RECEIPT, layout.receipt(order, store, now)
        else:
            ops = layout.kitchen_ticket(
                order, store, now, prep_minutes=message.prep_minutes, reprint=message.reprint
            )
            kind = layout.JobKind.TICKET
        number = order.display_number
        what = t(f"printing.cli.what.{kind.value}")

        def work() -> tuple[QueueStatus, DrainResult | None, bool]:
            job = self._queue.add(kind, ops, order_id=order.id, number=number)
            result = self._queue.drain(self.config.target, self.config.cjk)
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

        def work() -> tuple[QueueStatus, DrainResult | None, bool]:
            status = self._queue.status()
            if not status.waiting:
                return status, None, False
            result = self._queue.drain(self.config.target, self.config.cjk)
            return self._queue.status(), result, False

        def done(future: Future[tuple[QueueStatus, DrainResult | None, bool]]) -> None:
            status, result, _ = future.result()
            was = self.warning
            self._show(status, result)
            if was is not None and self.warning is None and result is not None and result.printed:
                self._say(t("printing.console.back", count=len(result.printed)), "information")

        self._submit(work, done)

    def purge(self) -> None:
        """Drop the queued jobs of orders that ended longer than the personal-data window ago
        (`PrintQueue.purge_ended`), when these orders ended as the source (the cache) says."""
        if self._waiting == 0:
            return  # every retry looks at the queue: nothing waits
        from o2o_tui.printing.spool import order_ended_at
        from o2o_tui.sync.session import retention_from_env

        window = retention_from_env().purge_personal_after
        source = getattr(self.app, "source", None)
        entries = [*source.orders(), *source.held()] if source is not None else []
        # an order with an action still queued here is not taken as ended
        ended = {e.order.id: None if e.pending else order_ended_at(e.order) for e in entries}
        cutoff = self.app.now() - window  # type: ignore[attr-defined]

        def work() -> tuple[QueueStatus, int]:
            dropped = self._queue.purge_ended(cutoff, ended)
            return self._queue.status(), len(dropped)

        def done(future: Future[tuple[QueueStatus, int]]) -> None:
            status, dropped = future.result()
            self._show(status, None)
            if dropped:
                hours = f"{window.total_seconds() / 3600:g}"
                self._say(t("printing.console.purged", count=dropped, hours=hours), "warning")

        self._submit(work, done, retrying=False)

    # -- plumbing -----------------------------------------------------------------------------------------

    def _submit(self, work: Any, done: Any, *, retrying: bool = True) -> None:
        """Run `work` on the printer's thread, then `done` on the loop; `retrying` work holds off `retry`."""
        if retrying:
            self._busy = True
        future = self._thread.submit(work)

        def finished(result: Future[Any]) -> None:
            def on_loop() -> None:
                if retrying:
                    self._busy = False
                if result.cancelled() or result.exception() is not None:
                    if result.exception() is not None:
                        self._say(str(result.exception()), "error")
                    return
                done(result)

            with contextlib.suppress(RuntimeError):  # the app is gone
                self.app.call_from_thread(on_loop)

        future.add_done_callback(finished)

    def _say(self, text: str, severity: str) -> None:
        say = getattr(self.app, "say", None)
        if say is not None:
            say(text, severity=severity, timeout=8)

    def _show(self, status: QueueStatus, result: DrainResult | None) -> None:
        self._waiting = status.waiting
        problem = status.state.problem
        if problem is not None and status.waiting:
            warning: PrinterWarning | None = PrinterWarning(
                t(f"printing.problem.{problem.value}"), status.waiting
            )
        else:
            warning = None
        if warning == self.warning:
            return
        self.warning = warning
        from screens.widgets.status_bar import StatusBar

        for screen in self.app.screen_stack:
            for bar in screen.query(StatusBar):
                bar.refresh_printer()


def start_printing(app: App[Any], profile: object) -> ConsolePrinting | None:
    """The console's printer, started; None when no printer is set, the setting is unusable (said once) or the
    console has no profile (a memory source)."""
    from o2o_tui.config import Profile, profile_cache_dir
    from o2o_tui.printing import BadTarget, printer_config
    from o2o_tui.printing.spool import PrintQueue

    if not isinstance(profile, Profile):
        return None
    try:
        config = printer_config()
    except BadTarget as error:
        app.notify(
            t("printing.cli.bad_printer", value=str(error)), severity="error", timeout=15, markup=False
        )
        return None
    if config is None:
        return None
    printing = ConsolePrinting(app, config, PrintQueue(profile_cache_dir(profile)))
    printing.start()
    return printing
