"""The sync engine: push the outbox exactly once, pull the platform's changes into the cache, say how it goes.

Push: entries in outbox order (so in order per target), the entry key as `Idempotency-Key`, the tap time as
`X-Occurred-At`, the stored body byte for byte. Only the process holding the profile's push lock sends (taken
without waiting): another process's engine leaves its entries to the holder, which sends whatever is pending until
the outbox is empty, and tries again itself about once a second while entries wait (a holder killed mid-send leaves
them pending; the next one resends the same keys and bodies, and the platform answers the stored result). Network faults back off exponentially with jitter and a cap and
retry the same entry; a final refusal moves the entry to the conflicts with the server's reason and refetches the
entity, so the view rolls back to the server's truth (a refused menu publish takes its import's availability changes
with it: sync/linked.py).

Pull: long-poll events from the stored cursor, drop redeliveries, fetch the changed entities, then write them and
the new cursor in one durable batch. A full resync when the server says so, when the cache was reset, or after a
long outage. The cache is one file rewritten whole on every write, so while events stream in the loop polls again
only `coalesce_every` s after a page that changed the cache: a burst lands in one page, its entities are fetched
once (several orders or couriers in one listing) and written once; a page that changed nothing is not written. Nothing
fetched is ever held back from the file, so every reader (the console, `o2o sync --once`, other processes on the
profile) sees a change at most about a second after the platform made it.

Watch: about once a second the engine looks at the cache and outbox file stamps; what another process wrote (a
script beside the console) is emitted as the usual `Change`s, so the screens show it.

Upgrades and rollbacks: a cursor the server refuses (422 on `after`: another release's, a rollback, old and new
servers behind one balancer during a rolling upgrade) is dropped for a full resync, as `resync: true` asks. A cache
whose entities an older version wrote (`tables.META_MODEL_VERSION` missing or below `fetch.MODEL_VERSION`) is
resynced whole on open, the queue untouched. An older engine beside a newer one on one profile lowers the marker
when it writes entities; the newer one looks at it at every pull (one in-memory read) and resyncs again, at most
once per `older_writer_every` (a console from before the marker cannot say so: run one version per profile). A
queued action this version has no route for (a newer version queued it) goes to the conflicts unsent, saying so;
a version that knows it puts it back in the queue, in its place, and sends it.

Every cache call runs on the cache's single thread (`cache.executor`), so an event loop never waits on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from o2o_tui.client.actions import encode_body, known_action, route
from o2o_tui.client.errors import PlatformError, ServerError, Unauthorized, Unreachable, ValidationFailed
from o2o_tui.domain.events import EntityKind, EventPage
from o2o_tui.i18n import t
from o2o_tui.sync import linked, live_holder, tables
from o2o_tui.sync import skipped as skips
from o2o_tui.sync.backoff import Backoff
from o2o_tui.sync.explain import explain
from o2o_tui.sync.fetch import (
    LISTING,
    MODEL_VERSION,
    Delta,
    entity_key,
    fetch_entities,
    fetch_snapshot,
    newest_per_entity,
    table_of,
)
from o2o_tui.sync.model import Change, ChangeKind, SyncReport, SyncState, SyncStatus
from o2o_tui.sync.ports import SyncCache, SyncClient
from o2o_tui.sync.rejection import (
    own_records,
    refusal_is_done,
    rejection_reason,
    remember_confirmed,
    store_change_reason,
)
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from o2o_tui.sync.scope import Scope
from o2o_tui.sync.writes import drop_unchanged, version_of, write_delta
from offline_cache.errors import CacheError

log = logging.getLogger(__name__)

Listener = Callable[[Change], None]


STORAGE_UNAVAILABLE = "storage_unavailable"  # the platform's 503 when its database refuses a write
UNKNOWN_ACTION = "unknown_action"  # a refusal of this client's own: a queued action it has no route for
_RETRY_AFTER_MAX = 3600.0  # a Retry-After longer than this is taken as this
# the cache's own refusals to write (`offline_cache.CacheError` codes): this device cannot store what the platform
# sends, so the link says CANNOT_SAVE (the screens show the cache: new orders fetched but not stored do not show)
DISK_FULL = "disk_full"
_SAVE_FAILURES = frozenset({DISK_FULL, "write_failed", "read_only"})


def save_failure(error: BaseException) -> str | None:
    """The cache error's code when `error` is this device failing to write its cache (a full disk, a file it
    cannot replace), else None (a bug, a stuck lock, a closed cache: not said as CANNOT_SAVE)."""
    if isinstance(error, CacheError) and error.code in _SAVE_FAILURES:
        return error.code
    return None


def storage_refused(error: PlatformError) -> bool:
    """Whether the platform answered but could not use its storage now (503 `storage_unavailable`: its disk
    full, its database read-only or down); the same request is retried after its Retry-After. To a write: reads
    may still work (NOT_STORING); to a read: nothing new arrives (STORAGE_DOWN)."""
    return isinstance(error, ServerError) and error.code == STORAGE_UNAVAILABLE


def retry_after_seconds(error: PlatformError) -> float | None:
    """The answer's Retry-After in seconds (delta-seconds only; an HTTP date or junk is ignored)."""
    try:
        seconds = float(error.retry_after or "")
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN, negative
        return None
    return min(seconds, _RETRY_AFTER_MAX)


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def older_model(stored: object) -> bool:
    """Whether a cache's `tables.META_MODEL_VERSION` says an older version wrote its entities (missing: a cache
    from before the marker; not a number: damaged)."""
    if not isinstance(stored, int) or isinstance(stored, bool):
        return True
    return stored < MODEL_VERSION


# seconds the stored `tables.META_LAST_SYNC_AT` may lag a working link (`SyncEngine.live_within`)
META_LIVE_WITHIN = "sync.live_within"
# which process keeps the link (`run()`'s loops; None once stopped): {"pid", "host", "identity"}, so that `o2o sync
# status` on the same machine says at once that a killed one is gone (`live_holder.holder_ended`), not "live" for up to 40 s
META_LIVE_HOLDER = "sync.live_holder"
# when the platform last answered anything (`tables.META_ANSWERED_AT`)
META_ANSWERED_AT = tables.META_ANSWERED_AT


class SyncSettings(msgspec.Struct, frozen=True):
    # A poll is held `poll_wait` s by the server and must answer within `poll_wait + answer_grace` s, or the link
    # counts as lost: a frozen platform or a silent link shows OFFLINE at most 4 + 5 = 9 s after the last good
    # answer. (A shorter wait rather than keep-alive bytes: it needs no change to the server or any proxy in
    # between, and an idle device costs one small request every 4 s.)
    poll_wait: float = 4.0
    answer_grace: float = 5.0
    page_limit: int = 500
    resync_after: timedelta = timedelta(hours=1)  # an outage longer than this ends with a full resync
    backoff_base: float = 0.2
    backoff_cap: float = 30.0
    auth_backoff_base: float = 30.0  # a refused token (401) is retried slowly: it rarely heals by itself
    auth_backoff_cap: float = 600.0
    persist_idle_every: float = 30.0  # a quiet poll writes its cursor and time to disk at most this often
    push_batch: int = 50  # confirmed results written to the cache in one batch
    retention: RetentionPolicy = RetentionPolicy()
    retention_every: float = 600.0
    seen_window: int = 2000  # event ids remembered to drop redeliveries
    skipped_retry_every: timedelta = skips.RETRY_EVERY  # an entity whose answer was refused: asked again
    watch_every: float = 1.0  # how often other processes' writes to the profile are looked for
    login_check_every: float = 2.0  # while the token is refused: how often the profile is read for a new login
    coalesce_every: float = 1.0  # while events stream in, a poll at most this long after a page that wrote
    # an older console on the profile rewrote entities without this version's fields: resynced at most this often
    older_writer_every: timedelta = timedelta(minutes=1)
    # while the cache cannot be written (CANNOT_SAVE): a loop that failed on it tries again at least this often, so
    # the console is back to normal within seconds of space being freed
    save_retry_every: float = 5.0


class SyncEngine:
    def __init__(
        self,
        client: SyncClient,
        cache: SyncCache,
        *,
        scope: Scope,
        clock: Callable[[], datetime] = utcnow,
        settings: SyncSettings | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._cache = cache
        self._scope = scope
        self._clock = clock
        self._settings = settings or SyncSettings()
        rng = rng or random.Random()
        self._pull_backoff = Backoff(self._settings.backoff_base, self._settings.backoff_cap, rng=rng)
        self._push_backoff = Backoff(self._settings.backoff_base, self._settings.backoff_cap, rng=rng)
        auth_base, auth_cap = self._settings.auth_backoff_base, self._settings.auth_backoff_cap
        self._auth_backoff = Backoff(auth_base, auth_cap, rng=rng)
        self._listeners: list[Listener] = []
        self._state = SyncState.CONNECTING  # until the platform answers: neither ONLINE nor OFFLINE yet
        self._last_error: str | None = None
        # the code of the cache's last refusal to write (`save_failure`), until a write of the cache goes through
        self._save_fault: str | None = None
        self._save_error: str | None = None  # what the link says meanwhile (`_cannot_save`)
        # the platform's stores this device fetched but could not write (CANNOT_SAVE), table -> id -> document,
        # until a pull's write goes through: the screens show them over the cache's (`unsaved_docs`)
        self._unsaved: dict[str, dict[str, dict[str, Any]]] = {}
        self._cursor: str | None = cache.meta_get(tables.META_CURSOR, None)
        self._last_sync_at = _parse_time(cache.meta_get(tables.META_LAST_SYNC_AT, None))
        self._persisted_sync_at = self._last_sync_at  # the last_sync_at on disk (quiet polls write it rarely)
        self._seen: list[int] = list(cache.meta_get(tables.META_SEEN_EVENTS, []) or [])
        self._seen_set = set(self._seen)
        self._skipped = skips.load(cache)  # entities left out (a bad answer or cached copy): to fetch again
        self._cache_checked = False  # the cached copies are checked once, before the first page is applied
        stored_scope = cache.meta_get(tables.META_SCOPE, None)
        self._need_resync = (
            bool(getattr(cache, "was_reset", False))
            or self._cursor is None
            or stored_scope != msgspec.to_builtins(scope)  # another user or store on this profile
            or older_model(cache.meta_get(tables.META_MODEL_VERSION, None))  # entities an older version wrote
        )
        self._older_resync_at: datetime | None = None  # the last resync for an older writer's entities
        self._last_page_full = False
        self._resyncs = 0  # full resyncs done, whoever asked (the engine itself or the server's `resync: true`)
        self._pending = len(cache.outbox.pending())
        self._conflicts = len(cache.outbox.conflicts())
        self._wake: asyncio.Event | None = None
        self._pull_lock: asyncio.Lock | None = None
        self._push_lock: asyncio.Lock | None = None
        self._stopping = False
        self._stopped: asyncio.Event | None = None
        self._push_deferred = False  # the last push found another process holding the push lock
        self._requeue_checked = False  # the conflicts were looked at once for actions this version can now send
        self._wrote_at: float | None = None  # loop time of the last page that changed the cache
        self._fault: PlatformError | None = None  # what the last `sync_once` ended on (None: the platform answered)
        # while the platform refuses to store changes (NOT_STORING): the loop time before which the queue is not
        # sent again on its own (the answer's Retry-After); a person's new action still tries at once
        self._not_storing_until = 0.0
        # a new login of the same account saved meanwhile (`watch_login`): its token is taken without a restart
        self._login_check: Callable[[], tuple[str | None, bool]] | None = None
        # set when a new token was taken, or a push was answered while the pull waited out a fault: the pull asks
        # again at once (the link is back: new orders are fetched now, not after the rest of its backoff)
        self._relogin: asyncio.Event | None = None
        self._answered_at: datetime | None = None  # the last answer of any kind (`META_ANSWERED_AT`)
        self._persisted_answered_at: datetime | None = None
        self.logins_taken = 0  # new tokens taken while running (a console says "Logged in again" once each)
        self.other_login = False  # the profile now holds another account's or platform's login: not taken

    # -- observing ----------------------------------------------------------------------------------------
    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """`callback(Change)` after every change the engine writes; returns the function that unsubscribes."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return unsubscribe

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a broken observer must not stop sync
                log.exception("%s", t("sync.log.listener_failed"))  # a CLI user's stderr: their language

    def status(self) -> SyncStatus:
        return SyncStatus(
            state=self._state,
            pending=self._pending,
            conflicts=self._conflicts,
            last_sync_at=self._last_sync_at,
            last_error=self._last_error,
            cursor=self._cursor,
            save_fault=self._save_fault,
        )

    def _set_state(self, state: SyncState, error: str | None = None) -> None:
        changed = state != self._state or error != self._last_error
        self._state = state
        self._last_error = error
        if changed:
            self._emit(Change(kind=ChangeKind.STATUS))
            self._persist_state()

    def _persist_state(self) -> None:
        """Write the state for other processes (`o2o sync status`) without making the caller wait."""
        try:
            future = asyncio.get_running_loop().run_in_executor(self._cache.executor, self._save_state)
        except RuntimeError:  # no running loop, or the cache is closing
            return
        future.add_done_callback(self._after_persist)  # a failed write is retried at the next change

    def _after_persist(self, future: asyncio.Future[Any]) -> None:
        """On the loop: the state's write refused by this device's disk is CANNOT_SAVE too (a console started on
        a full disk with nothing new to fetch says so at its first answer, not only once an order arrives)."""
        if future.cancelled():
            return
        error = future.exception()
        running = self._stopped is not None and not self._stopping  # `run()`'s loops (a CLI's command says its own)
        if running and isinstance(error, CacheError) and save_failure(error) is not None:
            self._cannot_save(error)

    # -- plumbing -----------------------------------------------------------------------------------------
    async def _io(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._cache.executor, functools.partial(fn, *args, **kwargs))

    def _locks(self) -> tuple[asyncio.Event, asyncio.Lock, asyncio.Lock]:
        if self._wake is None or self._pull_lock is None or self._push_lock is None:
            self._wake, self._pull_lock, self._push_lock = asyncio.Event(), asyncio.Lock(), asyncio.Lock()
        return self._wake, self._pull_lock, self._push_lock

    async def _refresh_counts(self) -> None:
        def counts() -> tuple[int, int]:
            return len(self._cache.outbox.pending()), len(self._cache.outbox.conflicts())

        pending, conflicts = await self._io(counts)
        if (pending, conflicts) != (self._pending, self._conflicts):
            self._pending, self._conflicts = pending, conflicts
            self._emit(Change(kind=ChangeKind.STATUS))

    async def refresh_counts(self) -> None:
        """Count the queued and refused entries again (a screen dismissed conflicts through the outbox)."""
        await self._refresh_counts()

    def _write_delta(self, delta: Delta, meta: dict[str, Any]) -> None:
        if tables.META_MODEL_VERSION not in meta and any(delta.upserts.values()):
            stored = self._cache.meta_get(tables.META_MODEL_VERSION, None)
            if isinstance(stored, int) and not isinstance(stored, bool) and stored > MODEL_VERSION:
                # a newer version's cache: these entities lack its fields, so it must fetch them again
                meta = {**meta, tables.META_MODEL_VERSION: MODEL_VERSION}
        write_delta(self._cache, delta, meta)

    async def _write_answer(self, delta: Delta, meta: dict[str, Any]) -> None:
        """Write a pull's answer. When this device cannot (`save_failure`: CANNOT_SAVE), the stores in it are kept
        in memory for the screens (`unsaved_docs`: a store resumed on the platform meanwhile is not shown PAUSED
        from the cache), and fetched again at the next poll (the cursor stays); once written, the cache has them."""
        try:
            await self._io(self._write_delta, delta, meta)
        except CacheError as error:
            stores = delta.upserts.get(tables.STORES)
            if stores and save_failure(error) is not None:
                kept = self._unsaved.get(tables.STORES, {})
                if any(kept.get(store_id) != doc for store_id, doc in stores.items()):
                    self._unsaved = {**self._unsaved, tables.STORES: {**kept, **stores}}  # replaced, never changed
                    self._emit(Change(kind=ChangeKind.STORE, ids=frozenset(stores)))
            raise
        self._save_fault = None  # written: the disk takes writes again
        if self._unsaved:
            kept, self._unsaved = self._unsaved.get(tables.STORES, {}), {}
            self._emit(Change(kind=ChangeKind.STORE, ids=frozenset(kept)))

    def unsaved_docs(self, table: str) -> dict[str, dict[str, Any]]:
        """The platform's documents of `table` (stores) that this device fetched but could not write to its cache
        (CANNOT_SAVE), by id; empty once a pull's write goes through. Any thread may read it (replaced whole, never
        changed); a reader takes one only where it is newer than the cached copy (`ReadModel`)."""
        return self._unsaved.get(table, {})

    def _older_wrote(self) -> bool:
        """On the cache thread: whether an older version wrote entities here since (it lowered the marker)."""
        return older_model(self._cache.meta_get(tables.META_MODEL_VERSION, None))

    def _older_writer_due(self) -> bool:
        last = self._older_resync_at
        return last is None or self._clock() - last >= self._settings.older_writer_every

    def _emit_delta(self, delta: Delta) -> None:
        for change in delta.changes():
            self._emit(change)

    def _emit_skipped(self, keys: set[str]) -> None:
        """Said once per entity: when it is first left out (the UIs show `skips.describe()` of each)."""
        if keys:
            self._emit(Change(kind=skips.CHANGE_KIND, ids=frozenset(keys)))

    # -- submit -------------------------------------------------------------------------------------------
    async def submit(
        self, action: str, target: str, body: msgspec.Struct, *, base_version: int | None = None, origin: str = ""
    ) -> Any:
        """Queue an action durably (fsync before return), show it in the view, wake the pusher. `origin`: who
        queued it (`offline_cache.outbox.SCRIPT` for an `o2o` command), as the refused list says it."""
        payload = encode_body(action, body).decode("utf-8")
        entry = await self._io(
            self._cache.outbox.append,
            action,
            target,
            payload,
            base_version=base_version,
            occurred_at=iso(self._clock()),
            origin=origin,
        )
        self._pending += 1
        self._emit(Change(kind=route(action).entity, ids=frozenset({target.split("/")[0]})))
        self._emit(Change(kind=ChangeKind.STATUS))
        if self._wake is not None:
            self._wake.set()
        return entry

    # -- push ---------------------------------------------------------------------------------------------
    async def push_pending(self) -> tuple[int, int]:
        """Send every pending entry once, in order. Returns (done, rejected). Raises `PlatformError` on the
        first fault that is not final (network, 5xx, 401): the entry stays pending for the next try. Returns
        (0, 0) when another process holds the push lock: it sends them (see `try_push`)."""
        result = await self.try_push()
        return (0, 0) if result is None else result

    async def try_push(self) -> tuple[int, int] | None:
        """`push_pending`, or None at once when another process holds the profile's push lock (the entries are
        left to it; this engine tries again within about a second while any wait)."""
        _, _, push_lock = self._locks()
        async with push_lock:
            if not self._take_push_lock():
                self._push_deferred = True
                return None
            self._push_deferred = False
            try:
                done = rejected = 0
                if not self._requeue_checked:  # once: actions an older version of o2o could not send, sent now
                    await self._requeue_known()
                while True:
                    entries = await self._io(self._cache.outbox.pending)
                    if not entries:
                        return done, rejected
                    batch_done, batch_rejected = await self._push_batch(entries[: self._settings.push_batch])
                    done += batch_done
                    rejected += batch_rejected
            finally:
                self._drop_push_lock()

    def _take_push_lock(self) -> bool:
        """Non-blocking. A cache without a push lock (a stand-in) has this engine as its only sender."""
        lock = getattr(self._cache, "push_lock", None)
        return True if lock is None else bool(lock.try_acquire())

    def _drop_push_lock(self) -> None:
        lock = getattr(self._cache, "push_lock", None)
        if lock is not None:
            lock.release()

    async def _push_batch(self, entries: list[Any]) -> tuple[int, int]:
        confirmed: list[tuple[Any, Any]] = []  # (entry, result), written to the cache together
        done = rejected = 0
        held: set[str] = set()  # riders of a publish refused in this batch: already in the conflicts
        try:
            for entry in entries:
                if entry.key in held:
                    continue
                if linked.rides(entry):  # an import's availability goes only if its publish did (sync/linked.py)
                    publish = await self._io(linked.refused_publish, self._cache.outbox, entry)
                    if publish is not None:
                        done += await self._flush_confirmed(confirmed)
                        await self._io(linked.hold, self._cache.outbox, entry, publish)
                        self._count_refused([entry.key])
                        rejected += 1
                        continue
                if not known_action(entry.action):  # queued by a newer version of o2o: never sent by this one
                    done += await self._flush_confirmed(confirmed)
                    await self._refuse_unknown(entry)
                    rejected += 1
                    continue
                if entry.action == linked.PUBLISH and confirmed:
                    # what went through is written first: a publish may follow this device's own (sync/linked.py)
                    done += await self._flush_confirmed(confirmed)
                    entry = await self._io(linked.current, self._cache.outbox, entry)
                try:
                    result = await self._send(entry)
                except PlatformError as error:
                    if not error.is_final:
                        await self._io(
                            self._cache.outbox.record_attempt, entry.key, error.message or error.code
                        )
                        raise
                    done += await self._flush_confirmed(confirmed)
                    riders = await self._reject(entry, error)
                    if riders is None:  # the refusal left what was wanted (`refusal_is_done`): confirmed
                        done += 1
                        continue
                    held.update(riders)
                    rejected += 1 + len(riders)
                    continue
                confirmed.append((entry, result))
        finally:
            done += await self._flush_confirmed(confirmed)
        return done, rejected

    async def _send(self, entry: Any) -> Any:
        action_route = route(entry.action)
        if_match = entry.base_version if action_route.conditional else None
        return await self._client.send(
            entry.action,
            entry.target,
            entry.body.encode("utf-8"),
            key=entry.key,
            occurred_at=entry.occurred_at,
            if_match=if_match,
        )

    async def _flush_confirmed(self, confirmed: list[tuple[Any, Any]]) -> int:
        """Write the server's answers to the cache first, then mark the entries done (so the view never shows
        the old snapshot in between; a crash in between replays the same keys, which changes nothing)."""
        if not confirmed:
            return 0
        delta = Delta(upserts={}, removals={}, replace=set())
        for _, result in confirmed:
            table = table_of(result)
            if table is not None:
                delta.put(table, entity_key(result), result)

        def write() -> int | None:
            if delta.size():
                self._write_delta(delta, {})
            # the outbox forgets them next: the accepts and cancels the platform took are remembered first, to
            # tell this device's own when a later action on the order is refused (`rejection.remember_confirmed`)
            remember_confirmed(self._cache, [entry for entry, _ in confirmed])
            self._mark_done([entry.key for entry, _ in confirmed])
            for entry, result in confirmed:  # what is queued on top of this device's own publish or hide follows it
                linked.follow_confirmed(self._cache.outbox, entry, result)
            # a publish that went through clears the refused ones of its store before it: the `!` count follows
            published = any(entry.action == linked.PUBLISH for entry, _ in confirmed)
            return len(self._cache.outbox.conflicts()) if published else None

        conflicts = await self._io(write)
        count = len(confirmed)
        confirmed.clear()
        self._pending = max(0, self._pending - count)
        if conflicts is not None:
            self._conflicts = conflicts  # the STATUS below makes a console re-read its list (screens/engine_source)
        self._emit_delta(delta)
        self._emit(Change(kind=ChangeKind.STATUS))
        return count

    def _mark_done(self, keys: list[str]) -> None:
        """One durable outbox write for the whole batch when the outbox offers it (else one per entry)."""
        mark_many = getattr(self._cache.outbox, "mark_done_many", None)
        if mark_many is not None:
            mark_many(keys)
            return
        for key in keys:
            self._cache.outbox.mark_done(key)

    async def _reject(self, entry: Any, error: PlatformError) -> list[str] | None:
        """A final refusal: keep the reason, refetch the entity so the view shows the server's truth. A refused
        menu publish takes the availability changes of its import with it; returns their keys. None: a refusal
        that left what was wanted (`rejection.refusal_is_done`: a courier's reject of an offer that ended
        meanwhile), written as confirmed, never a conflict."""
        delta = Delta(upserts={}, removals={}, replace=set())
        kind = EntityKind(route(entry.action).entity)
        entity_id = entry.target.split("/")[0]
        with contextlib.suppress(PlatformError):
            delta = await fetch_entities(self._client, [(kind, entity_id, False)])
        order_doc = delivery_doc = None
        if kind is EntityKind.ORDER:
            order_doc = delta.upserts.get(tables.ORDERS, {}).get(entity_id)
            if order_doc is None:
                order_doc = await self._io(self._cache.table(tables.ORDERS).get, entity_id)
        elif kind is EntityKind.DELIVERY:
            delivery_doc = delta.upserts.get(tables.DELIVERIES, {}).get(entity_id)
            if delivery_doc is None:
                delivery_doc = await self._io(self._cache.table(tables.DELIVERIES).get, entity_id)
        own, cancels = await self._io(own_records, self._cache, error, order_doc)
        reason = rejection_reason(error, order_doc, delivery_doc, own, cancels)
        if refusal_is_done(entry.action, reason):
            await self._settle_as_done(entry, delta)
            return None
        if kind is EntityKind.STORE and error.code == "stale_store_change":  # what it asked, what stands now
            store_doc = delta.upserts.get(tables.STORES, {}).get(entity_id)
            if store_doc is None:
                store_doc = await self._io(self._cache.table(tables.STORES).get, entity_id)
            reason.update(store_change_reason(entry.action, entry.body, entry.occurred_at, store_doc))
        reason["explanation"] = explain(reason, action=entry.action, target=entry.target)  # as first shown

        def write() -> tuple[list[str], int | None]:
            if delta.size():
                self._write_delta(delta, {})
            refused = self._cache.outbox.mark_rejected(entry.key, reason)
            if entry.action != linked.PUBLISH:
                return [], None
            held = linked.hold_riders(self._cache.outbox, refused)
            return held, len(self._cache.outbox.conflicts())  # counted: it replaced an earlier refused publish

        riders, conflicts = await self._io(write)
        self._count_refused([entry.key, *riders], delta, conflicts)
        return list(riders)

    async def _settle_as_done(self, entry: Any, delta: Delta) -> None:
        """A refused action whose refusal left what was wanted: the refetched entity is written and the entry
        leaves the queue as confirmed (no conflict, no alarm)."""
        log.info("%s %s refused, but what it wanted stands: confirmed", entry.action, entry.target)

        def write() -> None:
            if delta.size():
                self._write_delta(delta, {})
            self._mark_done([entry.key])

        await self._io(write)
        self._pending = max(0, self._pending - 1)
        self._emit_delta(delta)
        self._emit(Change(kind=ChangeKind.STATUS))

    async def _refuse_unknown(self, entry: Any) -> None:
        """An action this version has no route for (a newer version queued it on this profile, then a rollback):
        to the conflicts unsent, with what to do (update o2o to send it, or dismiss it); the queue goes on."""
        log.info("queued action %r is unknown to this version: moved to the conflicts unsent", entry.action)
        reason: dict[str, Any] = {"code": UNKNOWN_ACTION, "message": f"unknown action {entry.action}", "status": None}
        if entry.action.startswith("order."):  # the order by its number, when cached
            order_doc = await self._io(self._cache.table(tables.ORDERS).get, entry.target.split("/")[0])
            if isinstance(order_doc, dict) and isinstance(order_doc.get("number"), int):
                reason["order_number"] = order_doc["number"]
        reason["explanation"] = explain(reason, action=entry.action, target=entry.target)
        await self._io(self._cache.outbox.mark_rejected, entry.key, reason)
        self._count_refused([entry.key])

    async def _requeue_known(self) -> None:
        """Actions an older version moved to the conflicts unsent (`UNKNOWN_ACTION`) that this one can send go
        back to the queue in their place (the outbox's `requeue_many`, when it has it)."""
        requeue = getattr(self._cache.outbox, "requeue_many", None)
        self._requeue_checked = True
        if requeue is None:
            return

        def move() -> list[str]:
            keys = [
                entry.key
                for entry in self._cache.outbox.conflicts()
                if (entry.rejection or {}).get("code") == UNKNOWN_ACTION and known_action(entry.action)
            ]
            return keys if keys and requeue(keys) else []

        moved = await self._io(move)
        if moved:
            log.info("%d action(s) an older o2o could not send: queued again", len(moved))
            self._pending += len(moved)
            self._conflicts = max(0, self._conflicts - len(moved))
            self._emit(Change(kind=ChangeKind.CONFLICT, ids=frozenset(moved)))
            self._emit(Change(kind=ChangeKind.STATUS))

    def _count_refused(self, keys: list[str], delta: Delta | None = None, conflicts: int | None = None) -> None:
        """`keys` moved to the conflicts; `conflicts`: how many there are now, when counted."""
        self._pending = max(0, self._pending - len(keys))
        self._conflicts = self._conflicts + len(keys) if conflicts is None else conflicts
        if delta is not None:
            self._emit_delta(delta)
        self._emit(Change(kind=ChangeKind.CONFLICT, ids=frozenset(keys)))
        self._emit(Change(kind=ChangeKind.STATUS))

    # -- pull ---------------------------------------------------------------------------------------------
    async def pull_once(self, wait: float = 0.0) -> tuple[int, int]:
        """One poll (and a full resync first when needed). Returns (events applied, entities fetched)."""
        _, pull_lock, _ = self._locks()
        async with pull_lock:
            fetched = 0
            if self._outage_too_long():
                self._need_resync = True
            if not self._need_resync and self._older_writer_due() and await self._io(self._older_wrote):
                log.info("an older o2o wrote entities to this profile: full resync")
                self._need_resync = True
                self._older_resync_at = self._clock()
            resynced = self._need_resync
            if self._need_resync:
                fetched += await self._resync(None)
            try:
                page = await self._events(self._cursor, wait, self._settings.page_limit)
            except ValidationFailed as error:
                if error.field != "after" or resynced:  # a cursor it handed out just now: not a cursor problem
                    raise
                # a cursor this server never handed out (another release's: a rollback, or old and new servers
                # behind one balancer): start again from its head with a full resync, as `resync: true` asks
                log.info("the platform refused the events cursor %r (%s): full resync", self._cursor, error)
                self._need_resync, self._last_page_full = True, False
                fetched += await self._resync(None)
                return 0, fetched
            answered_at = self._clock()
            if page.resync:
                self._last_page_full = False
                fetched += await self._resync(page.cursor)
                return 0, fetched
            applied, page_fetched = await self._apply_page(page, answered_at)
            return applied, fetched + page_fetched

    async def _events(self, after: str | None, wait: float, limit: int) -> EventPage:
        """One poll, answered within `wait + answer_grace` s or counted as a lost link (`Unreachable`): the
        client's own read timeout is longer, and a frozen platform must not look ONLINE for that long."""
        deadline = wait + self._settings.answer_grace
        try:
            page: EventPage = await asyncio.wait_for(
                self._client.events(after, wait=wait, limit=limit), deadline
            )
        except TimeoutError:
            from urllib.parse import urlsplit

            # the technical line for the log; a person hears the catalog's words, naming the host, not the path
            host = urlsplit(str(getattr(self._client, "base_url", ""))).netloc.rpartition("@")[2]
            message = f"GET /v1/events: no answer in {deadline:g} s"
            raise Unreachable(message, code="timeout", reason="timeout", host=host) from None
        return page

    def _persist_due(self, now: datetime) -> bool:
        last = self._persisted_sync_at
        return last is None or (now - last).total_seconds() >= self._settings.persist_idle_every

    def _outage_too_long(self) -> bool:
        if self._last_sync_at is None:
            return False
        return self._clock() - self._last_sync_at > self._settings.resync_after

    async def _head_cursor(self) -> str:
        """The server's newest cursor (`after=latest`), read before the snapshot so nothing between is missed."""
        page = await self._events("latest", 0.0, 1)
        return page.cursor

    def skipped(self) -> list[skips.Skipped]:
        """Entities left out and still to fetch again (`skips.describe()` says each for a person)."""
        return [self._skipped[k] for k in sorted(self._skipped)]

    def _settle_skipped(self, delta: Delta, meta: dict[str, Any], now: datetime) -> set[str]:
        """The skipped list after `delta`: answered entities leave it, newly skipped ones join it (into `meta`,
        so the list is written with the entities). Returns the keys skipped for the first time."""
        settled = delta.settled()
        kept = {
            key: entry
            for key, entry in self._skipped.items()
            if (entry.table, entry.id) not in settled and entry.table not in delta.replace
        }
        for table, reasons in delta.skipped.items():
            for entity_id, reason in reasons.items():
                retry = timedelta(0) if entity_id == LISTING else self._settings.skipped_retry_every
                kept[skips.key_of(table, entity_id)] = skips.skip(
                    self._skipped, table, entity_id, reason, now=now, retry_after=retry
                )
        if kept != self._skipped:
            meta[skips.META_SKIPPED] = skips.dump(kept)
        new = set(kept) - set(self._skipped)
        self._skipped = kept
        for key in sorted(new):
            # said to whoever reads the log (a CLI user's stderr: the CLI sets up no logging, so warnings
            # reach it as they are): in their language, as `o2o sync status` says it
            log.warning("%s", skips.describe(kept[key]))
        return new

    def _skipped_due(self, now: datetime) -> list[tuple[EntityKind, str, bool]]:
        """Skipped entities to ask for again now; a skipped listing is asked for by the next full resync."""
        wanted = []
        for entry in skips.due(self._skipped.values(), now):
            if entry.id == LISTING:
                self._need_resync = True
            elif entry.kind is not None and self._scope.caches(entry.kind):
                wanted.append((entry.kind, entry.id, False))
        return wanted

    def _load_skipped(self) -> None:
        """The stored skipped list (readers add unreadable cached copies to it); the first time, the engine checks
        the cached copies itself (a reader of a read-only cache cannot mark what it had to leave out)."""
        if not self._cache_checked:
            from o2o_tui.sync.read_model import unreadable_docs

            skips.mark_unreadable(self._cache, unreadable_docs(self._cache), self._clock())
            self._cache_checked = True
        self._skipped = skips.load(self._cache)

    async def _resync(self, head: str | None) -> int:
        if head is None:
            head = await self._head_cursor()
        # a refused write still waits, or this device cannot save: reading works either way (CANNOT_SAVE does not
        # flip to RESYNCING and back at every try)
        if self._state not in (SyncState.NOT_STORING, SyncState.CANNOT_SAVE):
            self._set_state(SyncState.RESYNCING)  # only after an answer: before it, the state says CONNECTING
        since = self._clock() - self._settings.retention.prune_ended_after
        delta = await fetch_snapshot(self._client, self._scope, since)
        now = self._clock()
        meta = {
            tables.META_CURSOR: head,
            tables.META_LAST_SYNC_AT: iso(now),
            tables.META_SEEN_EVENTS: [],
            tables.META_SCOPE: msgspec.to_builtins(self._scope),
            tables.META_MODEL_VERSION: MODEL_VERSION,  # every entity is now this version's (`older_model`)
        }
        newly_skipped = self._settle_skipped(delta, meta, now)
        await self._write_answer(delta, meta)
        self._cursor, self._last_sync_at, self._need_resync = head, now, False
        self._resyncs += 1
        self._persisted_sync_at = now
        self._seen, self._seen_set = [], set()
        self._emit_delta(delta)
        self._emit_skipped(newly_skipped)
        self._answered()
        return delta.size()

    async def _apply_page(self, page: EventPage, answered_at: datetime | None = None) -> tuple[int, int]:
        answered_at = answered_at or self._clock()
        self._last_page_full = len(page.events) >= self._settings.page_limit
        fresh = [e for e in page.events if e.id not in self._seen_set]
        newest = newest_per_entity(e for e in fresh if self._scope.caches(e.entity))

        def stale_keys() -> set[tuple[EntityKind, str]]:
            # entities whose cached copy is already at least as new as the event: nothing to fetch
            known = set()
            for (kind, entity_id), event in newest.items():
                doc = self._cache.table(tables.TABLE_FOR[kind]).get(entity_id)
                if doc is not None and version_of(doc) >= event.version and not _is_delete(event.type):
                    known.add((kind, entity_id))
            return known

        await self._io(self._load_skipped)
        known = await self._io(stale_keys) if newest else set()
        known -= {(e.kind, e.id) for e in self._skipped.values()}  # a skipped one's cached copy is not good
        wanted = [(k, i, _is_delete(e.type)) for (k, i), e in newest.items() if (k, i) not in known]
        wanted += [w for w in self._skipped_due(answered_at) if (w[0], w[1]) not in newest]
        fleet = self._scope.store_id if self._scope.sees_fleet else None
        named = [e.occurred_at for (k, _), e in newest.items() if k is EntityKind.ORDER]
        # an order changed no earlier than its event: those named are in one listing of the orders changed since
        since = min(named) - timedelta(seconds=1) if named else None
        delta = await fetch_entities(
            self._client, wanted, fleet_store=fleet, orders_since=since, orders_store=self._scope.store_id
        )
        seen = (self._seen + [e.id for e in fresh])[-self._settings.seen_window :]
        meta = {
            tables.META_CURSOR: page.cursor,
            tables.META_LAST_SYNC_AT: iso(answered_at),
            tables.META_SEEN_EVENTS: seen,
        }
        retried = {(e.table, e.id) for e in self._skipped.values()}  # cached copies not to trust: rewritten
        newly_skipped = self._settle_skipped(delta, meta, answered_at)
        fetched = delta.size()
        if fetched:
            await self._io(drop_unchanged, self._cache, delta, retried)
        # while the cache could not be written, every poll writes (its cursor at least): the first write that goes
        # through ends CANNOT_SAVE, also when nothing new arrives
        saving = self._save_fault is not None
        if delta.size() or skips.META_SKIPPED in meta or self._persist_due(answered_at) or saving:
            await self._write_answer(delta, meta)
            self._persisted_sync_at = answered_at
            if delta.size():
                self._wrote_at = asyncio.get_running_loop().time()
        # else a quiet poll, or events that changed nothing here: no disk write (the cursor only moved past events
        # whose effect the cache already holds; a restart from the older one on disk is still correct)
        self._cursor = page.cursor
        self._last_sync_at = answered_at  # the time of the answer, not of the write
        self._seen, self._seen_set = seen, set(seen)
        self._emit_delta(delta)
        self._emit_skipped(newly_skipped)
        self._answered()
        return len(fresh), fetched

    # -- loops --------------------------------------------------------------------------------------------
    async def sync_once(self) -> SyncReport:
        """Push everything pending, then pull until caught up, then apply the retention once (for the CLI and a
        device that only syncs from time to time, e.g. from cron: `run()` does it in its own loop)."""
        report = SyncReport()
        self._fault = None
        try:
            try:
                report.pushed, report.rejected = await self.push_pending()
            except PlatformError as error:
                if isinstance(error, Unreachable | Unauthorized):
                    raise
                if storage_refused(error):  # the platform cannot store it now: the queue waits, said as such
                    self._on_fault(error)
                report.error = error.i18n_message()  # one action could not be sent; the pull may still work
            resyncs = self._resyncs
            while True:
                applied, fetched = await self.pull_once(0.0)
                report.events += applied
                report.fetched += fetched
                if not self._last_page_full:
                    break
            report.resynced = self._resyncs > resyncs  # also when the server said so (a restored database)
            if self._state is SyncState.NOT_STORING:
                self._set_state(SyncState.NOT_STORING, self._last_error)
            else:
                self._set_state(SyncState.ONLINE, report.error)
        except PlatformError as error:
            self._fault = error
            self._on_fault(error, reading=True)  # the push's own storage refusal was said above: this is the read's
            report.error = self._last_error if self._state is SyncState.STORAGE_DOWN else error.i18n_message()
        # the personal data of orders ended longer ago than the window leaves the cache however the device syncs,
        # offline too (the platform sends nothing when it blanks its own copy)
        await self.apply_retention()
        await self._refresh_counts()
        await self._io(self._save_state)
        report.state, report.pending, report.conflicts = self._state, self._pending, self._conflicts
        return report

    @property
    def fault(self) -> PlatformError | None:
        """The error the last `sync_once` ended on (its report says it for a person), None when it went through."""
        return self._fault

    async def record_answer(self, error: PlatformError | None) -> None:
        """What a command's own push met, written for `o2o sync status` before the command exits: a fault
        (OFFLINE, or UNAUTHORIZED, with the error) or an answer (ONLINE)."""
        if error is not None:
            self._on_fault(error)
        else:
            self._set_state(SyncState.ONLINE)
        await self._io(self._save_state)

    def _on_fault(self, error: PlatformError, *, reading: bool = False) -> None:
        """The state an error leaves the link in. `reading`: it answered a read (a poll, a snapshot), not a write:
        a storage refusal there means the platform cannot reach its storage at all, and nothing new arrives."""
        message = error.i18n_message()
        if isinstance(error, Unauthorized):
            state = SyncState.UNAUTHORIZED  # not an outage: the person must log in again
        elif storage_refused(error) and (reading or self._state is SyncState.STORAGE_DOWN):
            # reads refused too (its database down): nothing new arrives here, said as such (not "new orders still
            # arrive"); a write refused meanwhile does not make it look better until a read is answered again
            state = SyncState.STORAGE_DOWN
            message = t("sync.error.storage_down")
            if not reading:
                self._not_storing_until = self._loop_time() + self._storage_wait(error)
        elif storage_refused(error):
            # the platform answers (reads work) but cannot store changes: not OFFLINE, and the queue waits for its
            # Retry-After instead of being sent again after every poll
            state = SyncState.NOT_STORING
            message = t("sync.error.not_storing")
            self._not_storing_until = self._loop_time() + self._storage_wait(error)
        elif isinstance(error, Unreachable) or not error.is_final:
            state = SyncState.OFFLINE
        else:
            state = self._state
        self._set_state(state, message)

    def _storage_wait(self, error: PlatformError) -> float:
        wait = retry_after_seconds(error)
        return self._settings.backoff_cap if wait is None else wait

    def _answered(self) -> None:
        """A poll was answered: ONLINE, unless the platform still refuses to store the queued changes (then the
        link stays NOT_STORING until a push goes through, or the queue is empty, not flipping at every poll)."""
        self._answered_at = self._clock()
        if self._save_fault is not None:  # the platform answers, but this device still cannot store what it sends
            self._set_state(SyncState.CANNOT_SAVE, self._save_error)
            return
        if self._state is SyncState.NOT_STORING and self._pending:
            return
        self._not_storing_until = 0.0
        self._set_state(SyncState.ONLINE)

    def _cannot_save(self, error: CacheError) -> None:
        """The cache refused a write (`save_failure`): CANNOT_SAVE, saying why, until a write goes through."""
        self._save_fault = error.code
        if error.code == DISK_FULL:
            self._save_error = t("sync.error.disk_full", path=str(error.path or ""))
        else:
            self._save_error = t("sync.error.cannot_save", message=error.message)
        self._set_state(SyncState.CANNOT_SAVE, self._save_error)

    def _not_storing_wait(self) -> float:
        """Seconds left before the queue may be sent again on its own while the platform refuses to store."""
        if self._state not in (SyncState.NOT_STORING, SyncState.STORAGE_DOWN):
            return 0.0
        return max(0.0, self._not_storing_until - self._loop_time())

    @staticmethod
    def _loop_time() -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:  # no running loop (a test calling in directly)
            return 0.0

    def _fault_delay(self, error: PlatformError, backoff: Backoff) -> float:
        """How long to wait before the next try: a refused token is not hammered (it rarely heals by itself), a
        refused write waits for the platform's Retry-After."""
        if isinstance(error, Unauthorized):
            if error.disabled:  # an admin may enable it again at any time: asked every ~30 s, not up to 10 min
                self._auth_backoff.reset()
            return max(backoff.next_delay(), self._auth_backoff.next_delay())
        self._auth_backoff.reset()
        if storage_refused(error) and backoff is self._pull_backoff:  # a read: its backoff, and its Retry-After
            return max(backoff.next_delay(), retry_after_seconds(error) or 0.0)
        if storage_refused(error):
            return max(backoff.next_delay(), self._not_storing_wait())
        return backoff.next_delay()

    def live_within(self) -> float:
        """How far the stored time of the last good answer may lag a working link (quiet polls write it at most
        every `persist_idle_every` s, a poll answers within `poll_wait + answer_grace` s, the next one is sent
        within `coalesce_every` s): while the stored state says ONLINE and that time is newer than this, the link
        answered within the current poll (`o2o sync status` says "live")."""
        s = self._settings
        return s.persist_idle_every + s.poll_wait + s.answer_grace + s.coalesce_every

    def _save_state(self) -> None:
        values: dict[str, Any] = {tables.META_STATE: str(self._state)}
        values[tables.META_LAST_ERROR] = self._last_error
        if self._stopped is not None:  # `run()`'s loops (not a one-off `sync_once` or a command's answer)
            values[META_LIVE_WITHIN] = 0.0 if self._stopping else self.live_within()  # stopped: not live
            values[META_LIVE_HOLDER] = None if self._stopping else live_holder.this_process()
        if self._answered_at is not None and self._answered_at != self._persisted_answered_at:
            values[META_ANSWERED_AT] = iso(self._answered_at)
            self._persisted_answered_at = self._answered_at
        if self._last_sync_at is not None and self._last_sync_at != self._persisted_sync_at:
            # the time of the last good answer, for `o2o sync status` (the cursor with it: everything before
            # it is already written, quiet polls only moved it past events this scope does not see)
            values[tables.META_LAST_SYNC_AT] = iso(self._last_sync_at)
            values[tables.META_CURSOR] = self._cursor
            self._persisted_sync_at = self._last_sync_at
        self._cache.meta_set_many(values)

    async def run(self) -> None:
        """Push, pull and retention loops until cancelled or `stop()` (call it on the engine's event loop, e.g.
        through `loop.call_soon_threadsafe(engine.stop)` from another thread)."""
        wake, _, _ = self._locks()
        self._stopping = False
        self._stopped = asyncio.Event()
        self._relogin = asyncio.Event()
        wake.set()
        tasks = [
            asyncio.create_task(self._guarded(self._push_loop, self._push_backoff), name="sync-push"),
            asyncio.create_task(self._guarded(self._pull_loop, self._pull_backoff), name="sync-pull"),
            asyncio.create_task(self._guarded(self._retention_loop, None), name="sync-retention"),
            asyncio.create_task(self._guarded(self._watch_loop, None), name="sync-watch"),
            asyncio.create_task(self._guarded(self._login_loop, None), name="sync-login"),
        ]
        try:
            await self._stopped.wait()  # a long poll in flight is cancelled, not waited for
        finally:
            self._stopping = True
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._io(self._save_state)

    def stop(self) -> None:
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._stopped is not None:
            self._stopped.set()

    async def _guarded(self, loop: Callable[[], Any], backoff: Backoff | None) -> None:
        """Keep a loop alive through unexpected failures (a full disk, a bug): say so and try again later."""
        while not self._stopping:
            try:
                await loop()
                return
            except Exception as error:
                delay = backoff.next_delay() if backoff else self._settings.backoff_cap
                if isinstance(error, CacheError) and save_failure(error) is not None:
                    # this device's disk is full (or its cache file cannot be replaced): said loudly, retried often
                    # (logged once per spell, not at every retry)
                    if self._save_fault is None:
                        log.warning("%s", t("sync.log.loop_failed", error=str(error)))
                    self._cannot_save(error)
                    delay = min(delay, self._settings.save_retry_every)
                else:
                    log.exception("%s", t("sync.log.loop_failed", error=str(error) or type(error).__name__))
                    self._set_state(self._state, str(error) or type(error).__name__)
                await self._sleep(delay)

    async def _push_loop(self) -> None:
        wake, _, _ = self._locks()
        while not self._stopping:
            await wake.wait()
            wake.clear()
            if self._stopping:
                return
            try:
                done, rejected = await self.push_pending()
                self._push_backoff.reset()
                if done or rejected:
                    self._answered_at = self._clock()
                if (done or rejected) and self._state is not SyncState.ONLINE:
                    self._not_storing_until = 0.0
                    if self._relogin is not None:
                        self._relogin.set()  # the pull waiting out the outage asks again now
                    if self._save_fault is not None:  # answered, but this device still cannot store what arrives
                        self._set_state(SyncState.CANNOT_SAVE, self._save_error)
                    else:
                        self._set_state(SyncState.ONLINE)  # an answer arrived: the link and the token work
            except PlatformError as error:
                self._on_fault(error)
                if storage_refused(error):  # a poll answered while it was sent woke it: the refusal says when
                    wake.clear()
                await self._sleep(self._fault_delay(error, self._push_backoff), until=wake)
                wake.set()
            await self._refresh_counts()

    async def _pull_loop(self) -> None:
        # Each poll re-arms only after the previous one finished: polls never overlap. The first one (at start
        # and after a fault) does not wait, so the state says ONLINE as soon as the platform answers, instead
        # of after a long poll.
        wait = 0.0
        while not self._stopping:
            try:
                await self.pull_once(wait)
                wait = self._settings.poll_wait
                self._pull_backoff.reset()
                self._auth_backoff.reset()
                if self._pending and self._wake is not None and not self._not_storing_wait():
                    self._wake.set()  # the link works again: retry the queue now, not after its backoff
            except PlatformError as error:
                self._on_fault(error, reading=True)
                wait = 0.0
                if self._relogin is not None:
                    self._relogin.clear()  # a new token taken while it waits: asked again at once
                await self._sleep(self._fault_delay(error, self._pull_backoff), until=self._relogin)
                continue
            await self._sleep(self._coalesce_delay())

    def _coalesce_delay(self) -> float:
        """How long the next poll waits so that the cache is written at most about once per `coalesce_every` s:
        the events of that time then come in one page (none is lost: they wait on the server, after the stored
        cursor). None after a full page: the engine is catching up, and each page is written once anyway."""
        if self._wrote_at is None or self._last_page_full:
            return 0.0
        return max(0.0, self._wrote_at + self._settings.coalesce_every - asyncio.get_running_loop().time())

    async def _watch_loop(self) -> None:
        """Other processes on this profile (a script beside the console): their writes shown within about a
        second, their queued entries sent by this engine when it can take the push lock."""
        if getattr(self._cache, "external_changes", None) is None:
            return  # a stand-in cache: nobody else writes to it
        wake, _, _ = self._locks()
        while not self._stopping:
            await self._sleep(self._settings.watch_every)
            if self._stopping:
                return
            changes, outbox_moved = await self._io(self._external_changes)
            if changes or outbox_moved:
                await self._refresh_counts()  # first: a screen re-reading on the changes sees the counts
            for change in changes:
                self._emit(change)
            if self._pending and (outbox_moved or self._push_deferred):
                wake.set()

    def _external_changes(self) -> tuple[list[Change], bool]:
        """On the cache thread: what other processes wrote, as `Change`s, and whether the outbox moved."""
        cache: Any = self._cache  # a ProfileCache: `external_changes` was checked by the caller
        found = cache.external_changes()
        kinds = {tables.TABLE_FOR[kind]: kind.value for kind in EntityKind}
        changes = [
            Change(kind=kinds[table], ids=frozenset(docs))
            for table, docs in found.cache.items()
            if table in kinds and docs
        ]
        touched: dict[str, set[str]] = {}
        conflicts = set()
        for key, doc in found.outbox.items():
            action, target = doc.get("action"), doc.get("target")
            if not isinstance(action, str) or not isinstance(target, str):
                continue
            try:
                entity = str(route(action).entity)
            except (KeyError, ValueError):
                continue
            touched.setdefault(entity, set()).add(target.split("/")[0])
            current = cache.outbox.get(key)
            if current is not None and current.rejection is not None:
                conflicts.add(key)
        changes += [Change(kind=kind, ids=frozenset(ids)) for kind, ids in touched.items()]
        if conflicts:
            changes.append(Change(kind=ChangeKind.CONFLICT, ids=frozenset(conflicts)))
        return changes, bool(found.outbox)

    # -- a new login ------------------------------------------------------------------------------------
    def watch_login(self, check: Callable[[], tuple[Any, ...]]) -> None:
        """While the platform refuses the token or does not answer, `check()` (run on a worker thread every
        `login_check_every` s) reads the profile: (token, False, url) when `o2o login` saved another login of the
        same account on the same platform (`url`: where that login was made, maybe the platform's other server;
        None: where the client is), which the client then sends, there (`take_token`); (None, True, None) when it
        now holds someone else's login (another user or platform: not taken here, the queue and cache are this
        account's); (None, False, None) otherwise. A 2-tuple (token, other) is the same without a URL."""
        self._login_check = check

    async def _login_loop(self) -> None:
        check = self._login_check
        if check is None:
            return
        while not self._stopping:
            await self._sleep(self._settings.login_check_every)
            if self._stopping:
                return
            # the token works and the platform answers: nothing is read. Refused, or not answering (its server
            # gone: the person may log in at the platform's other one), the profile is read for a new login
            if self._state not in (SyncState.UNAUTHORIZED, SyncState.OFFLINE):
                continue
            found = await asyncio.to_thread(check)
            token, other = found[0], bool(found[1])
            url = found[2] if len(found) > 2 else None
            if token:
                self.take_token(token, url=url)
            elif other != self.other_login:
                self.other_login = other
                self._emit(Change(kind=ChangeKind.STATUS))

    def take_token(self, token: str, *, url: str | None = None) -> bool:
        """Send `token` from now on (a new login of the same account), to `url` when given (a server of the same
        platform: the queue goes there, each entry once under its key): the refusal or the wait ends, the loops
        ask the platform again at once and the queue goes out. False when the client cannot take a token (a
        stand-in), or cannot move to `url`."""
        set_token = getattr(self._client, "set_token", None)
        if set_token is None:
            return False
        if url is not None and url != getattr(self._client, "base_url", url):
            set_base_url = getattr(self._client, "set_base_url", None)
            if set_base_url is None:
                return False
            set_base_url(url)
        set_token(token)
        self.logins_taken += 1
        self.other_login = False
        self._auth_backoff.reset()
        self._pull_backoff.reset()
        self._push_backoff.reset()
        self._set_state(SyncState.CONNECTING)  # until the platform answers the new token
        if self._relogin is not None:
            self._relogin.set()
        if self._wake is not None:
            self._wake.set()
        return True

    async def _retention_loop(self) -> None:
        while not self._stopping:
            await self.apply_retention()
            await self._sleep(self._settings.retention_every)

    async def apply_retention(self) -> tuple[int, int]:
        purged, pruned = await self._io(apply_retention, self._cache, self._settings.retention, self._clock())
        if purged or pruned:
            self._emit(Change(kind=ChangeKind.ORDER))
        return purged, pruned

    async def _sleep(self, seconds: float, *, until: asyncio.Event | None = None) -> None:
        """Wait `seconds`, or less when `until` is set or the engine stops."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self._stopping:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or (until is not None and until.is_set()):
                return
            step = min(remaining, 0.5)
            if until is None:
                await asyncio.sleep(step)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(until.wait(), step)


def _is_delete(event_type: str) -> bool:
    return event_type.endswith(".deleted")
