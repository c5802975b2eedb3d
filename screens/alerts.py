"""What the counter hears and sees flash: the queue's alert rules, with no Textual (a fake clock tests them).

- A new order (or a customer's cancellation request) rings and flashes until someone opens or accepts it, again
  every `ring_every_s` (a setting: `o2o_tui.settings`). A request on an order still new (opened or ringing
  already) rings and flashes anew: what the order needs changed, and accepting it would go against the customer.
- A new order close to its accept deadline (the last third of its window, at least 60 s and at most 3 min)
  escalates: it is drawn red (`urgent`) and rings the URGENT pattern, faster (every quarter of the interval, at
  least every 5 s), until it is accepted or rejected; opening it does not silence that.
- Once its accept deadline has passed, an order rings no more (the platform cancels it on its own; nothing the
  counter does can still accept it): it stays red until it leaves the queue, in silence.
- Going offline has its own pattern and a banner while it lasts; coming back has its own short pattern.
- A refused token is as loud as an outage: LOG IN AGAIN; an account an admin disabled (`o2o admin disable-user`)
  says so and whom to ask instead (logging in again cannot help), and its enabling again is said like coming back.
- This device unable to save what arrives (CANNOT_SAVE: its disk full) is as loud as an outage: new orders may
  not show (the queue shows the cache); its banner stays until a write goes through, and that is said as a return.
- Muting (`M`) silences every sound until `muted_until`; rows still flash and turn red, the banner still shows.

The screen feeds it (`orders_changed`, `link_changed`, `tick` once a second) and plays what it returns
(`bell_pattern`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta

from rich.cells import cell_len

from o2o_tui.client.errors import says_disabled
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import t
from screens.source import LinkState, LinkStatus, QueueEntry

URGENT_MIN_S = 60.0  # an order is urgent at least in its last minute
URGENT_MAX_S = 180.0  # and at most in its last three
URGENT_RING_MIN_S = 5.0


class Sound(enum.StrEnum):
    NEW_ORDER = "NEW_ORDER"
    URGENT = "URGENT"
    OFFLINE = "OFFLINE"
    BACK_ONLINE = "BACK_ONLINE"


_PATTERNS: dict[Sound, tuple[float, ...]] = {
    Sound.NEW_ORDER: (0.0,),  # one bell
    Sound.URGENT: (0.0, 0.3),  # two quick bells, and more often
    Sound.OFFLINE: (0.0, 0.15, 0.3),  # three in a row
    Sound.BACK_ONLINE: (0.0, 0.8),  # two slow ones
}


def bell_pattern(sound: Sound) -> tuple[float, ...]:
    """The delays (seconds from the start) of each terminal bell of `sound`; every sound has its own."""
    return _PATTERNS[sound]


def urgent_window_s(created_at: datetime, deadline: datetime) -> float:
    """How long before its deadline an order turns urgent: a third of its window, clamped to 60 s .. 3 min."""
    window = (deadline - created_at).total_seconds()
    return min(URGENT_MAX_S, max(URGENT_MIN_S, window / 3))


NEW = "new"  # what an order needs an answer to: being new,
CANCEL_REQUEST = "cancel"  # its customer's cancellation request


def _needs(entry: QueueEntry) -> Iterable[tuple[str, str]]:
    """What the order waits for an answer to, each as (order id, NEW or CANCEL_REQUEST): a new order with a
    request needs both, and the request arriving rings even though the order rings (or rang) as new."""
    order = entry.order
    if order.status is OrderStatus.CREATED:
        yield order.id, NEW
    if order.cancellation is not None:
        yield order.id, CANCEL_REQUEST


class Alerts:
    def __init__(self, *, ring_every_s: float = 20.0) -> None:
        self.ring_every_s = max(1.0, ring_every_s)
        self.alerting: frozenset[str] = frozenset()  # new, unopened: the rows flash
        self.urgent: frozenset[str] = frozenset()  # close to the accept deadline: drawn red
        self.offline_banner: str | None = None
        self._banner_short = "alerts.offline_short"  # the key of `offline_banner`'s short form
        self.muted_until: datetime | None = None
        self._needing: frozenset[tuple[str, str]] = frozenset()  # (order id, what it needs): `_needs`
        self._deadlines: dict[str, tuple[datetime, datetime]] = {}  # id -> (created_at, accept_deadline)
        self._last_ring: datetime | None = None
        self._last_urgent_ring: datetime | None = None
        self._link_state: LinkState | None = None
        self._disabled = False  # UNAUTHORIZED because an admin disabled the account (not a bad or revoked token)
        self._offline_alerted = False
        # why the last link sound rang (`link_sound_reason`): the voice says it in words after the bell
        self._link_reason: str | None = None

    def banner(self, width: int) -> str | None:
        """`offline_banner` as it fits `width` cells: the sentence, else its short form (never cut mid-word)."""
        if self.offline_banner is None:
            return None
        if cell_len(self.offline_banner) <= width:
            return self.offline_banner
        short = t(self._banner_short)
        return short if cell_len(short) <= width else None

    @property
    def urgent_every_s(self) -> float:
        return max(URGENT_RING_MIN_S, self.ring_every_s / 4)

    def is_muted(self, now: datetime) -> bool:
        return self.muted_until is not None and now < self.muted_until

    def _play(self, sounds: list[Sound], now: datetime) -> list[Sound]:
        return [] if self.is_muted(now) else sounds

    # orders
    def orders_changed(self, entries: Iterable[QueueEntry], now: datetime) -> list[Sound]:
        """The queue changed: orders that newly need an answer start ringing and flashing."""
        needing: set[tuple[str, str]] = set()
        deadlines: dict[str, tuple[datetime, datetime]] = {}
        for entry in entries:
            needs = list(_needs(entry))
            if not needs:
                continue
            needing.update(needs)
            order = entry.order
            if order.status is OrderStatus.CREATED and order.accept_deadline is not None:
                deadlines[order.id] = (order.created_at, order.accept_deadline)
        fresh = {order_id for order_id, _ in needing - self._needing}  # a new need: a new order, a new request
        self._needing = frozenset(needing)
        ids = {order_id for order_id, _ in needing}
        self._deadlines = deadlines
        self.alerting = frozenset((self.alerting & ids) | fresh)
        sounds: list[Sound] = []
        if self._update_urgent(now):  # the louder pattern covers a new order that is urgent already
            sounds.append(Sound.URGENT)
            self._last_urgent_ring = self._last_ring = now
        elif fresh - self._expired(now):
            sounds.append(Sound.NEW_ORDER)
            self._last_ring = now
        return self._play(sounds, now)

    def _update_urgent(self, now: datetime) -> bool:
        """Recompute `urgent`; True when an order that can still be accepted joined it."""
        urgent = frozenset(
            order_id
            for order_id, (created, deadline) in self._deadlines.items()
            if (deadline - now).total_seconds() <= urgent_window_s(created, deadline)
        )
        joined = bool(urgent - self.urgent - self._expired(now))
        self.urgent = urgent
        return joined

    def _expired(self, now: datetime) -> frozenset[str]:
        """Orders past their accept deadline: drawn red, never rung (the platform cancels them itself)."""
        return frozenset(order_id for order_id, (_, deadline) in self._deadlines.items() if deadline <= now)

    def tick(self, now: datetime) -> list[Sound]:
        """Once a second: escalate orders that got close to their deadline, ring again what still waits."""
        if self.muted_until is not None and now >= self.muted_until:
            self.muted_until = None
        sounds: list[Sound] = []
        joined = self._update_urgent(now)
        if self.is_muted(now):  # no ring is spent while muted: what still waits rings as soon as it ends
            return []
        expired = self._expired(now)
        if self.urgent - expired:
            last = self._last_urgent_ring
            if joined or last is None or (now - last).total_seconds() >= self.urgent_every_s:
                sounds.append(Sound.URGENT)
                self._last_urgent_ring = now
                self._last_ring = now  # the urgent ring covers the ordinary one
        if self.alerting - expired and not sounds:
            last = self._last_ring
            if last is None or (now - last).total_seconds() >= self.ring_every_s:
                sounds.append(Sound.NEW_ORDER)
                self._last_ring = now
        return self._play(sounds, now)

    def acknowledge(self, order_id: str) -> None:
        """Someone opened or answered the order: it stops flashing and ringing (unless urgent)."""
        self.alerting = self.alerting - {order_id}

    # the link
    def link_changed(self, link: LinkStatus, now: datetime) -> tuple[list[Sound], str | None]:
        """Sound once per outage, with a toast; the banner stays while the link is down.

        A source that has not tried yet (no error, no earlier state) is not an outage.
        """
        previous, self._link_state = self._link_state, link.state
        was_disabled = self._disabled
        if link.state is LinkState.UNAUTHORIZED:
            self._disabled = says_disabled(link.error)
        elif link.state is not LinkState.RESYNCING and link.state is not LinkState.CONNECTING:
            self._disabled = False  # kept through a resync: it ends when the link says what it is now
        sounds: list[Sound] = []
        toast: str | None = None
        reason = "offline"  # why a sound rang, said by the voice as the toast says it (`link_sound_reason`)
        if link.state is LinkState.OFFLINE:
            known_down = link.error is not None or previous in (LinkState.ONLINE, LinkState.RESYNCING)
            if known_down:
                self.offline_banner, self._banner_short = t("alerts.offline_banner"), "alerts.offline_short"
                if not self._offline_alerted:
                    self._offline_alerted = True
                    sounds.append(Sound.OFFLINE)
                    toast = t("ui.link.went_offline")
        elif link.state is LinkState.UNAUTHORIZED:
            # disabled by an admin: ask them (logging in again cannot help); else log in again
            if self._disabled:
                self.offline_banner, self._banner_short = t("alerts.disabled_banner"), "alerts.disabled_short"
            else:
                self.offline_banner, self._banner_short = t("alerts.unauthorized_banner"), "alerts.unauthorized_short"
            # nothing syncs until someone logs in again (or the account is enabled again): as loud as an outage
            if previous is not LinkState.UNAUTHORIZED:
                sounds.append(Sound.OFFLINE)
                reason = "disabled" if self._disabled else "unauthorized"
            if previous is not LinkState.UNAUTHORIZED or self._disabled != was_disabled:  # its reason, once
                if link.queues:
                    toast = t("alerts.disabled_toast" if self._disabled else "sync.unauthorized")
                else:  # without the cache (`--no-cache`) nothing is queued: no queue is said to be kept
                    toast = t("alerts.disabled_toast_no_cache" if self._disabled else "sync.unauthorized_no_cache")
        elif link.state is LinkState.STORAGE_DOWN:  # answering, but reading nothing: no new orders, as loud as OFFLINE
            self.offline_banner, self._banner_short = t("alerts.storage_down_banner"), "alerts.storage_down_short"
            if not self._offline_alerted:
                self._offline_alerted = True
                sounds.append(Sound.OFFLINE)
            if previous is not LinkState.STORAGE_DOWN:
                toast = t("ui.link.went_storage_down")
        elif link.state is LinkState.CANNOT_SAVE:  # this device cannot store what arrives: as loud as OFFLINE
            if link.save_fault == "disk_full":
                self.offline_banner, self._banner_short = t("alerts.disk_full_banner"), "alerts.disk_full_short"
            else:
                self.offline_banner, self._banner_short = t("alerts.cannot_save_banner"), "alerts.cannot_save_short"
            if not self._offline_alerted:
                self._offline_alerted = True
                sounds.append(Sound.OFFLINE)
                reason = "cannot_save"
            if previous is not LinkState.CANNOT_SAVE:  # why, once: the engine's words name the full disk's file
                toast = link.error or t("ui.link.went_cannot_save")
        elif link.state is LinkState.NOT_STORING:  # answering (reads work), not storing: said once, quietly
            self.offline_banner, self._banner_short = t("alerts.not_storing_banner"), "alerts.not_storing_short"
            if previous is not LinkState.NOT_STORING:
                toast = t("ui.link.went_not_storing")
        elif link.state is LinkState.ONLINE:
            self.offline_banner = None
            if self._offline_alerted:
                self._offline_alerted = False
                sounds.append(Sound.BACK_ONLINE)
                toast, reason = t("ui.link.back_online"), "back_online"
                if previous is LinkState.CANNOT_SAVE:  # the link never went: the disk takes writes again
                    toast, reason = t("ui.link.saving_again"), "saving_again"
            elif previous is LinkState.NOT_STORING:
                toast = t("ui.link.storing_again")
            elif was_disabled:  # an admin enabled the account again: it works again by itself, said like a return
                sounds.append(Sound.BACK_ONLINE)
                toast, reason = t("alerts.enabled_again"), "enabled_again"
        if sounds:
            self._link_reason = reason
        return self._play(sounds, now), toast

    @property
    def disabled(self) -> bool:
        """The link is refused because an admin disabled the account (not a bad or revoked token)."""
        return self._disabled

    @property
    def link_sound_reason(self) -> str | None:
        """Why the last OFFLINE or BACK_ONLINE rang: "offline", "unauthorized" (log in again), "disabled" (ask
        the store or the administrator), "back_online", or "enabled_again" (the account was enabled again); None
        before any. Read when the sound is said in words (`screens.announce`), after the frame that shows it."""
        return self._link_reason

    # mute
    def mute(self, minutes: int, now: datetime) -> None:
        self.muted_until = now + timedelta(minutes=max(0, minutes))

    def unmute(self) -> None:
        self.muted_until = None
