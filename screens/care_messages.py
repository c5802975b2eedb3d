"""What the queue and the detail ask of the app for chases and refunds (`y`, `$`): one typed message."""

from __future__ import annotations

from typing import Literal

from textual.message import Message

CareKind = Literal["chase_reply", "refund"]


class CareRequested(Message):
    """Answer the customer's chase on an order (`chase_reply`) or refund it (`refund`): the app asks what is
    needed in a dialog (screens/care_actions.py), then queues it through the outbox."""

    def __init__(self, kind: CareKind, order_id: str) -> None:
        super().__init__()
        self.kind: CareKind = kind
        self.order_id = order_id
