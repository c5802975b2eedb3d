"""The kitchen ticket of an accept made by a command (`o2o orders accept`), printed as the console prints the one of
an accept made there (screens/printing.py): when a printer is set (`printer_config`: the `printer` setting or
`O2O_PRINTER`, as the console decides), queued in the profile's print queue with the accept's Idempotency-Key, then
sent. "NOT YET CONFIRMED" when the accept is still queued offline. Once printed it is in the queue's ledger of
printed tickets (`PrintQueue.ticket_printed_for`), so a duplicate slip on this profile can say this ticket stands, and
a ticket of the order already printed here or waiting (`PrintQueue.has_ticket`: the console of the same profile, or
the command run again) is not printed a second time. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from o2o_tui.config import Profile
    from o2o_tui.domain.order import Order
    from o2o_tui.domain.store import Store


@dataclass(frozen=True, slots=True)
class AcceptTicket:
    """What became of the ticket. `state`: printed, queued (the printer did not take it: why in `problem`), busy
    (another process on this profile is sending: it prints it next), already (printed here before or waiting),
    skipped (`--no-print`), no_printer, bad_printer (the setting names nothing printable), elsewhere (another
    device's accept stood: its ticket is the kitchen's)."""

    state: str
    printer: str | None = None
    paper_mm: int | None = None  # the printer's paper (58 or 80) the ticket was laid out for; None: no printer
    unconfirmed: bool = False
    problem: str | None = None
    detail: str = ""
    waiting: int = 0

    @property
    def printed(self) -> bool:
        return self.state == "printed"

    def to_json(self) -> dict[str, Any]:
        from o2o_tui.printing.layout import columns_for

        return {
            "printed": self.printed,
            "state": self.state,
            "printer": self.printer,
            "paper_mm": self.paper_mm,
            "columns": columns_for(self.paper_mm) if self.paper_mm is not None else None,
            "unconfirmed": self.unconfirmed,
            "problem": self.problem,
            "detail": self.detail,
            "waiting": self.waiting,
        }


def print_accept_ticket(
    profile: Profile,
    order: Order,
    store: Store | None,
    *,
    accept_key: str | None,
    unconfirmed: bool,
    prep_minutes: int | None = None,
    now: datetime | None = None,
) -> AcceptTicket:
    """Queue and send the kitchen ticket of `order`, accepted under `accept_key` for `prep_minutes` (its ready time
    when the order does not say one yet: an accept still queued, `unconfirmed`)."""
    from o2o_tui.config import profile_cache_dir
    from o2o_tui.printing import BadTarget, printer_config
    from o2o_tui.printing.layout import JobKind, kitchen_ticket
    from o2o_tui.printing.spool import open_queue, paper_layouts

    try:
        config = printer_config()
    except BadTarget:
        return AcceptTicket("bad_printer")
    if config is None:
        return AcceptTicket("no_printer")
    printer, paper = str(config.target), config.paper_mm
    queue = open_queue(profile_cache_dir(profile))
    try:
        if queue.has_ticket(order.id):
            return AcceptTicket("already", printer, paper, unconfirmed)
        moment = now or datetime.now(UTC)
        laid = paper_layouts(  # for each paper: one that changes while it waits prints it laid out anew
            lambda width: kitchen_ticket(
                order, store, moment, prep_minutes=prep_minutes, unconfirmed=unconfirmed, width=width
            )
        )
        job = queue.add(
            JobKind.TICKET,
            laid[config.columns],
            order_id=order.id,
            number=order.display_number,
            arms=True,
            accept_key=accept_key,
            layouts=laid,
        )
        result = queue.drain(config.target, config.cjk, config.columns)
    finally:
        queue.close()
    if any(done.id == job.id for done in result.printed):
        return AcceptTicket("printed", printer, paper, unconfirmed, waiting=result.waiting)
    if result.busy:
        return AcceptTicket("busy", printer, paper, unconfirmed, waiting=result.waiting)
    problem = result.problem.kind.value if result.problem else None
    detail = result.problem.detail if result.problem else ""
    return AcceptTicket("queued", printer, paper, unconfirmed, problem, detail, result.waiting)
