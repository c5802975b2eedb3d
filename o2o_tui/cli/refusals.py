"""An action o2o refuses itself, before anything is sent, from the order as cached ("still NEW: accept it first", a
pickup code that is not the order's): said as the platform's refusal of the same action is, with a stable
`reason` (`{"code": "illegal_transition", "from": "CREATED", "to": "PREPARING"}`: the code the platform answers
for it) and `"sent": false` in the `--json` error object, exit 4. When the profile's last sync found its token
refused (the cache's link state: LOG IN AGAIN), the cached copy may be old: exit 5 then, `"login_needed": true`,
saying so, as an action sent on that token would be."""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.i18n import t


class LocalRefusal(Exception):
    """`raise LocalRefusal(message, code, **more)` where a command refuses an action before sending it: `code` is
    the platform's for the same refusal, `more` any of its other fields (`from`, `to`, `field`). `cli_cache` notes
    the profile's link state on it (`note_link`) and `handle_errors` says it (`exit`)."""

    def __init__(self, message: str, code: str, **more: Any) -> None:
        super().__init__(message)
        self.message = message
        self.reason: dict[str, Any] = {"code": code, **{k: v for k, v in more.items() if v is not None}}
        self.link: str | None = None  # the profile's sync state when known ("UNAUTHORIZED": log in again)
        self.link_error: str | None = None

    def note_link(self, cache: Any) -> None:
        """What the profile's last sync met (`o2o sync status`'s state), read from its open cache."""
        from o2o_tui.sync import tables

        try:
            state = cache.meta_get(tables.META_STATE, None)
            error = cache.meta_get(tables.META_LAST_ERROR, None)
        except Exception:  # a cache that cannot be read now: said as a plain refusal
            return
        self.link = state if isinstance(state, str) else None
        self.link_error = error if isinstance(error, str) else None

    def exit(self) -> typer.Exit:
        """Say the refusal (on stderr; the JSON error object with `--json`) and return the exit to raise."""
        details: dict[str, Any] = {"reason": self.reason, "sent": False}
        if self.link != "UNAUTHORIZED":
            return fail(self.message, Exit.REJECTED, **details)
        from o2o_tui.client.errors import says_disabled

        key = "cli.refused.disabled" if says_disabled(self.link_error) else "cli.refused.login"
        return fail(self.message + "\n" + t(key), Exit.AUTH, login_needed=True, **details)


def illegal_transition(status: Any, action: str) -> dict[str, Any]:
    """The platform's `illegal_transition` fields for order step `action` ("preparing") on an order in `status`:
    `from` (its status) and `to` (the status the step leads to)."""
    from o2o_tui.domain.transitions import ORDER_TRANSITIONS, OrderAction

    target = ORDER_TRANSITIONS[OrderAction(action)].target
    return {"from": str(getattr(status, "value", status)), "to": target.value}
