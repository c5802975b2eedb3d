"""Outbox entries that stand or fall together: a menu import's availability changes ride with its publish.

An import (`o2o menu import`) changes the menu's content with one publish (`menu.publish`, conditional on the
version it was edited from) and availability with one PATCH per item or option (`menu.item.patch`,
`menu.option.patch`), queued after it: the platform's publish keeps the live availability. To the person they are
one change, so when the publish is refused (412: someone published meanwhile) its PATCHes must not go either, or
the menu would be half the file. A PATCH that rides with a publish carries that publish's `base_version` (a plain
availability change carries none: it never waits for anything); its publish is the last `menu.publish` of the same
store queued before it, when that one has the same base version.

The sync engine asks `refused_publish` before it sends a rider (held when its publish was refused), and
`hold_riders` when it refuses a publish (its riders go to the conflicts with it, each with a reason of its own).
"""

from __future__ import annotations

from typing import Any

from o2o_tui.sync.explain import explain

PUBLISH = "menu.publish"
RIDER_ACTIONS = frozenset({"menu.item.patch", "menu.option.patch"})
HELD_CODE = "import_publish_refused"  # the reason a rider is held; explained by sync.explain.code.<it>


def rides(entry: Any) -> bool:
    """Whether `entry` is an import's availability change, sent only if its publish went through."""
    return entry.action in RIDER_ACTIONS and entry.base_version is not None


def _in_order(outbox: Any) -> list[Any]:
    return sorted([*outbox.pending(), *outbox.conflicts()], key=lambda entry: entry.seq)


def _publish_of(rider: Any, entries: list[Any]) -> Any | None:
    store_id = rider.target.split("/")[0]
    found = None
    for entry in entries:
        if entry.seq >= rider.seq:
            break
        if entry.action == PUBLISH and entry.target == store_id:
            found = entry
    return found if found is not None and found.base_version == rider.base_version else None


def refused_publish(outbox: Any, entry: Any) -> Any | None:
    """The refused publish `entry` rides with (None: nothing holds it; a publish that went through has left the
    outbox)."""
    if not rides(entry):
        return None
    publish = _publish_of(entry, _in_order(outbox))
    return publish if publish is not None and publish.rejection is not None else None


def held_reason(entry: Any, publish: Any) -> dict[str, Any]:
    """What a held rider keeps in the conflicts: which publish held it and why that one was refused."""
    reason: dict[str, Any] = {
        "code": HELD_CODE,
        "message": "not sent: the menu import it belongs to was not published",
        "status": None,
        "publish_key": publish.key,
        "publish_code": (publish.rejection or {}).get("code"),
    }
    reason["explanation"] = explain(reason, action=entry.action, target=entry.target)
    return reason


def hold(outbox: Any, entry: Any, publish: Any) -> None:
    outbox.mark_rejected(entry.key, held_reason(entry, publish))


def hold_riders(outbox: Any, publish: Any) -> list[str]:
    """Move the pending riders of the refused `publish` to the conflicts; returns their keys."""
    entries = _in_order(outbox)
    riders = [
        entry
        for entry in entries
        if entry.rejection is None
        and rides(entry)
        and getattr(_publish_of(entry, entries), "key", None) == publish.key
    ]
    for rider in riders:
        hold(outbox, rider, publish)
    return [rider.key for rider in riders]
