"""What the merchant console's screens ask of the app: typed messages posted up, and a Protocol for what they
read. Screens import this module, never `screens.app` (the app imports the screens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from textual.message import Message

from o2o_tui.config import Profile
from screens.source import OrderSource

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo  # 2 ms of imports (sysconfig) the first frame does not need

OrderActionName = Literal[
    "accept", "reject", "preparing", "ready", "handoff", "answer_cancellation", "unlock_code", "delay"
]
Severity = Literal["information", "warning", "error"]
PrintKind = Literal["ticket", "receipt"]


class ConsoleHost(Protocol):
    """What a console screen reads from the app (the app is `screens.app.MerchantApp`)."""

    source: OrderSource
    profile: Profile | None
    now: Callable[[], datetime]

    def store_zone(self) -> ZoneInfo | None: ...


class OrderActionRequested(Message):
    """Run a merchant action on an order (the app asks what it needs, e.g. prep minutes, then submits)."""

    def __init__(self, action: OrderActionName, order_id: str) -> None:
        super().__init__()
        self.action: OrderActionName = action
        self.order_id = order_id


class OpenOrder(Message):
    """Show one order in full."""

    def __init__(self, order_id: str) -> None:
        super().__init__()
        self.order_id = order_id


class OrderAcknowledged(Message):
    """Someone looked at (or pressed a key on) an order: stop its ring and flash."""

    def __init__(self, order_id: str) -> None:
        super().__init__()
        self.order_id = order_id


class ShowHelp(Message):
    """Open the key help."""


class Say(Message):
    """A toast; its text is never parsed as markup (it may quote a server message or a customer)."""

    def __init__(self, text: str, *, severity: Severity = "information", timeout: float = 5) -> None:
        super().__init__()
        self.text = text
        self.severity: Severity = severity
        self.timeout = timeout


class PrintRequested(Message):
    """Print an order's kitchen ticket (`reprint`: marked as such) or its customer receipt (`screens/printing.py`
    prints it; it lives here so that posting one does not load the printer's modules)."""

    def __init__(
        self,
        order_id: str,
        kind: PrintKind = "ticket",
        *,
        reprint: bool = False,
        prep_minutes: int | None = None,
        accept_key: str | None = None,
        confirmed: bool | None = None,
    ) -> None:
        super().__init__()
        self.order_id = order_id
        # what became of the accept made here: True once the platform took it, False queued (offline); None: not
        # known to the sender (the printer looks at the order's pending actions)
        self.confirmed = confirmed
        # the Idempotency-Key of the accept queued here that the ticket is printed for (a duplicate slip follows
        # when another accept stood: screens/printing.py); None: look it up in the outbox, or not an accept's
        self.accept_key = accept_key
        self.kind: PrintKind = kind
        self.reprint = reprint
        self.prep_minutes = prep_minutes
