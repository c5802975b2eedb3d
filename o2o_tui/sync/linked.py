"""Outbox entries that stand or fall together: a menu import's availability changes ride with its publish.

An import (`o2o menu import`) changes the menu's content with one publish (`menu.publish`, conditional on the
version it was edited from) and availability with one PATCH per item or option (`menu.item.patch`,
`menu.option.patch`), queued after it: the platform's publish keeps the live availability. To the person they are
one change, so when the publish is refused (412: someone published meanwhile) its PATCHes must not go either, or
the menu would be half the file. A PATCH that rides with a publish carries that publish's `base_version` (a plain
availability change carries none: it never waits for anything); its publish is the last `menu.publish` of the same
store queued before it, when that one has the same base version.

The sync engine asks `refused_publish` before it sends a rider (held when its publish was refused), and
`hold_riders` when it refuses a publish (its riders go to the conflicts with it, each with a reason of its own, in
one write; what an earlier refused publish of the store left there is replaced: one refused entry per draft).
When a later publish of the store goes through (the draft fixed and published again), the refused ones queued
before it and the riders they held leave the conflicts (`follow_published`): that publish carried the draft.

Publishes queued in a row on one device (two imports offline, the editor's next publish) are drafts built one on
top of the other, all edited from the same menu version: when the first goes through, `follow_published` moves the
later ones (and their riders) onto the version it made, as the platform would have seen them one after the other.
A new draft starts on top of what is queued (`menu_service.fresh_draft`), so a later publish always holds the
earlier one's edits. A hide or show queued in between (`o2o menu item hide`, the editor's) is part of that draft
too, and the platform counts it as a content change (a publish edited from before it is stale): when it goes
through, `follow_patched` moves the publishes queued after it on the version it came from onto the one it made.
A sold-out or back-on-sale (availability only) moves the version but not the content version: the publishes queued
after it that the platform still takes (edited from its content version or later) move onto the version it made
too, so that any number of this device's own changes, of any kind, queued before a publish are followed one by one
(two or more of them left the publish behind the version just before the next hide). Someone else's hide or
publish in between breaks the chain: the publish stays on its version and is refused as stale.
The sync engine calls `follow_confirmed` for every action that went through; it picks the one that applies.
"""

from __future__ import annotations

from typing import Any

from o2o_tui.sync.explain import explain

PUBLISH = "menu.publish"
PATCHES = frozenset({"menu.item.patch", "menu.option.patch"})
RIDER_ACTIONS = PATCHES
HELD_CODE = "import_publish_refused"  # the reason a rider is held; explained by sync.explain.code.<it>


def rides(entry: Any) -> bool:
    """Whether `entry` is an import's availability change, sent only if its publish went through."""
    return entry.action in RIDER_ACTIONS and entry.base_version is not None


def _in_order(outbox: Any) -> list[Any]:
    return sorted([*outbox.pending(), *outbox.conflicts()], key=lambda entry: entry.seq)


def _store_of(entry: Any) -> str:
    return str(entry.target.split("/")[0])


def _publishes_of(entries: list[Any]) -> dict[str, Any]:
    """Each rider's publish (rider key -> publish entry), in one pass over `entries` (in seq order): the last
    publish of its store queued before it, when that one has the rider's base version."""
    last: dict[str, Any] = {}  # store id -> the last publish seen so far
    found: dict[str, Any] = {}
    for entry in entries:
        if entry.action == PUBLISH:
            last[entry.target] = entry
        elif rides(entry):
            publish = last.get(_store_of(entry))
            if publish is not None and publish.base_version == entry.base_version:
                found[entry.key] = publish
    return found


def refused_publish(outbox: Any, entry: Any) -> Any | None:
    """The refused publish `entry` rides with (None: nothing holds it; a publish that went through has left the
    outbox)."""
    if not rides(entry):
        return None
    entries = _in_order(outbox)
    now = next((e for e in entries if e.key == entry.key), entry)  # its base version may have moved since
    publish = _publishes_of([e for e in entries if e.seq <= now.seq]).get(now.key)
    return publish if publish is not None and publish.rejection is not None else None


def current(outbox: Any, entry: Any) -> Any:
    """`entry` as the outbox has it now (its base version may have moved: `follow_published`)."""
    return outbox.get(entry.key) or entry


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
    """Move the pending riders of the refused `publish` to the conflicts (one pass, one durable write), and drop
    what an earlier refused attempt of the same store left there (its publish, and its riders for the same items):
    one refused publish per store, the newest. Returns the keys of the riders held."""
    entries = _in_order(outbox)
    publishes = _publishes_of(entries)
    riders = [
        entry
        for entry in entries
        if entry.rejection is None and getattr(publishes.get(entry.key), "key", None) == publish.key
    ]
    if riders:
        outbox.mark_rejected_many({rider.key: held_reason(rider, publish) for rider in riders})
    replaced = _replaced(entries, publish, {rider.target for rider in riders})
    if replaced:
        outbox.dismiss_many(replaced)
    return [rider.key for rider in riders]


def _refused_before(entries: list[Any], publish: Any) -> set[str]:
    """The keys of the refused publishes of `publish`'s store queued before it."""
    return {
        entry.key
        for entry in entries
        if entry.action == PUBLISH
        and entry.target == publish.target
        and entry.seq < publish.seq
        and entry.rejection is not None
    }


def _held_by(entry: Any, publishes: set[str]) -> bool:
    """Whether `entry` is a rider held in the conflicts because one of `publishes` was refused."""
    return entry.rejection is not None and entry.rejection.get("publish_key") in publishes


def _replaced(entries: list[Any], publish: Any, targets: set[str]) -> list[str]:
    """The conflicts the refused `publish` replaces: older refused publishes of its store, and the riders they
    held for items the new one holds too (each retry of one draft keeps one entry, not one more)."""
    old = _refused_before(entries, publish)
    return [
        entry.key for entry in entries if entry.key in old or (_held_by(entry, old) and entry.target in targets)
    ]


def superseded(outbox: Any, publish: Any) -> list[str]:
    """The conflicts this device's `publish`, which went through, leaves without a reason to stay: the refused
    publishes of its store queued before it (the draft they carried was fixed and published with it), and every
    rider they held (also one whose publish already left the conflicts: replaced by a retry, or dismissed alone).
    Another store's refusals, later ones and other actions' stay."""
    conflicts = outbox.conflicts()
    old = _refused_before(conflicts, publish)
    return [
        entry.key
        for entry in conflicts
        if entry.key in old
        or (
            entry.seq < publish.seq  # its publish, queued before it, too
            and _store_of(entry) == publish.target
            and rides(entry)
            and (entry.rejection or {}).get("publish_key") is not None
        )
    ]


def follow_published(outbox: Any, publish: Any, version: int) -> list[str]:
    """This device's `publish` went through as menu `version`: the publishes of its store queued after it on the
    same base version (a draft edited on top of it while it waited: a second import queued offline, the editor's
    next publish) now follow it, as the platform sees them in order: their base version, and their riders', becomes
    `version`. Someone else's publish in between still makes them stale. The refused publishes of the store queued
    before it, and the riders they held, leave the conflicts (`superseded`, one durable write). Returns the keys
    moved."""
    cleared = superseded(outbox, publish)
    if cleared:
        outbox.dismiss_many(cleared)
    entries = [entry for entry in outbox.pending() if entry.seq > publish.seq]
    followers = {
        entry.key
        for entry in entries
        if entry.action == PUBLISH
        and entry.base_version == publish.base_version
        and _store_of(entry) == publish.target
    }
    return _rebase_followers(outbox, entries, followers, version)


def follow_patched(outbox: Any, patch: Any, version: int, content_version: int) -> list[str]:
    """This device's item or option `patch` went through and made menu `version` (`content_version`: the menu's
    content version after it). A hide or show changed the content (`content_version == version`): the publishes of
    its store queued after it, edited from the version just before it (they hold the change: a draft starts on top
    of what is queued), now follow it, with their riders; one edited from an older version missed someone else's
    change in between and stays stale. A sold-out or back-on-sale changed availability only: a publish the platform
    still takes (edited from `content_version` or later) is taken on `version` just the same, and moves there, so
    this device's next hide finds it on the version just before its own. Returns the keys moved."""
    entries = [entry for entry in outbox.pending() if entry.seq > patch.seq]
    store = _store_of(patch)
    oldest = version - 1 if content_version == version else content_version
    followers = {
        entry.key
        for entry in entries
        if entry.action == PUBLISH
        and entry.target == store
        and entry.base_version is not None
        and oldest <= entry.base_version < version
    }
    return _rebase_followers(outbox, entries, followers, version)


def _rebase_followers(outbox: Any, entries: list[Any], followers: set[str], version: int) -> list[str]:
    """Move the publishes `followers` (keys among `entries`) and their riders onto menu `version`."""
    publishes = _publishes_of(entries)
    moved = [
        entry.key
        for entry in entries
        if entry.key in followers or getattr(publishes.get(entry.key), "key", None) in followers
    ]
    if moved:
        outbox.rebase(moved, version)
    return moved


def follow_confirmed(outbox: Any, entry: Any, result: Any) -> list[str]:
    """`entry` went through with `result` (the platform's answer): the publishes queued after it that it moves onto
    the menu version it made (`follow_published`, `follow_patched`); [] for anything else. Called in seq order for
    the actions confirmed together, after they left the outbox."""
    version = getattr(result, "version", None)
    if not isinstance(version, int) or isinstance(version, bool):
        return []
    if entry.action == PUBLISH:
        return follow_published(outbox, entry, version)
    content_version = getattr(result, "content_version", None)
    if entry.action in PATCHES and isinstance(content_version, int) and 0 < content_version <= version:
        return follow_patched(outbox, entry, version, content_version)  # 0: an older server's, which says nothing
    return []
