"""What the console's quit question says besides its title: the orders that wait for an answer and the actions not
sent yet, and whether another console on the profile goes on ringing and sending them. The queue asks it only when
there is something to say; simple mode asks always (a counter's staff quit by Esc), with the same lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from o2o_tui.domain.order import ENDED_STATUSES, OrderStatus
from o2o_tui.i18n import t
from screens.source import QueueEntry


def needs_answer(entry: QueueEntry) -> bool:
    """A new order, or a customer's cancellation request: what rings, and what nobody answers with the console
    closed (the platform cancels a new order left unanswered)."""
    order = entry.order
    return order.status is OrderStatus.CREATED or (
        order.cancellation is not None and order.status not in ENDED_STATUSES
    )


def quit_lines(entries: Iterable[QueueEntry], queued: int, other_consoles: Callable[[], int]) -> list[str]:
    """The lines under the title: how many orders wait for an answer and how many actions wait to be sent
    (`other_consoles`: how many consoles on this profile go on hearing and sending them, asked only when something
    waits); none when nothing waits."""
    waiting = sum(1 for entry in entries if needs_answer(entry))
    if not waiting and not queued:
        return []
    others = other_consoles()
    lines = []
    if waiting:
        lines.append(t("queue.quit.waiting_heard" if others else "queue.quit.waiting", count=waiting))
    if queued:
        lines.append(t("queue.quit.queued_sent" if others else "queue.quit.queued", count=queued))
    return lines
