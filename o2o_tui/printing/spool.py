"""The durable print queue of one profile: `print-queue.json` in the profile's cache directory (0600), written
through offline_cache's `AtomicJSONStorage` under the profile's write lock (temp file, fsync, replace), so a
ticket asked for is on disk before anything is sent and a crash or a dead printer never loses it.

A job is queued first, then sent whole (`drain`); only once every byte was handed to the printer is it removed.
A printer that is off, unreachable or out of paper leaves it queued with the reason, and the next `drain` (the
console retries every few seconds; `o2o print ...` tries once) sends it. One process at a time sends
(`print.lock`, taken without waiting), so a console and a script on one profile never print a job twice. A
process killed after the printer took a job but before the job was removed prints it again on the next drain:
a ticket printed twice in that rare case rather than one lost.

A ticket carries the order's notes and the customer's name, so the queue follows the personal-data purge
(o2o_tui/domain/personal_data.py): `purge_ended` drops, unprinted, the jobs of orders that ended longer ago than the
cache's window (`O2O_PURGE_PERSONAL_HOURS`) or were left open past `O2O_PURGE_OPEN_HOURS`, on the schedule of the
cache's retention (the console) and before the CLI sends or reports. Dropped rather than blanked: a ticket without
its notes would be a wrong ticket, and one for an order that ended hours ago is of no use in the kitchen. The state keeps how many went and their numbers, for
`o2o print status`.

The queue also knows which orders' kitchen tickets it printed (`tickets`: the order, its number, when): when such an
order is cancelled, or the accept its ticket was printed for is refused, `countermand` queues a cancellation slip in
the same durable write that forgets the ticket, so the slip is queued once, whichever process asks and however often
(also after a restart); a ticket of that order still waiting goes unprinted instead. A ticket printed for an accept
still waiting for the platform remembers that accept's Idempotency-Key (`accept_key`): when the platform says
another accept of the order stood (`Order.accept_key`: another device's, of the same minutes or of others), the
same write queues a duplicate slip instead (`Countermand.stood`), once as well.

The paper (`printer_paper`: 80 or 58 mm) may change while jobs wait: a job keeps its layout for every paper
(`Job.layouts`, made when it is queued, in the language of then), and `drain` sends the one for the printer's paper
at that moment, so a ticket queued for 80 mm paper prints laid out for 58 mm once the paper is 58 mm (never folded by
the printer). A job queued without them (by an older version, or a caller that lays out for one paper) is sent as
it is.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from o2o_tui.domain.order import ENDED_STATUSES, Order
from o2o_tui.domain.personal_data import last_promised
from o2o_tui.printing.devices import PrinterProblem, Problem, Target
from o2o_tui.printing.layout import PAPER_COLUMNS, WIDTH, JobKind, Op
from offline_cache.errors import CacheError, CorruptFileError
from offline_cache.lock import WriteLock
from offline_cache.profile import set_aside
from offline_cache.retention import parse_time
from offline_cache.storage import AtomicJSONStorage

if TYPE_CHECKING:
    from offline_cache.outbox import OutboxEntry

QUEUE_FILE = "print-queue.json"
PRINT_LOCK = "print.lock"
JOBS = "jobs"
STATE = "state"
STATE_DOC = "printer"
JOBS_MAX = 500  # a printer off for a whole day of orders: the oldest beyond this are dropped (and said so)
PURGED_NUMBERS_MAX = 20  # the day numbers of the last jobs the purge dropped, for `o2o print status`
TICKETS = "tickets"  # the orders whose kitchen ticket printed here, until countermanded or forgotten
TICKETS_MAX = 300  # a day's tickets and more; the oldest are forgotten first
TICKETS_KEEP = timedelta(days=2)  # an order is cancelled within hours of its ticket, never days
# the accepts (Idempotency-Keys) whose kitchen ticket printed here, with their order and when: a duplicate slip says
# the other ticket stands only when it knows that ticket printed (the accept that stood printed on this profile)
ACCEPTS = "accepts"
_ENDED = frozenset(str(status) for status in ENDED_STATUSES)


class Layout(msgspec.Struct, frozen=True):
    """A job's layout for paper of `columns` characters a line (`PrinterConfig.columns`)."""

    columns: int
    ops: list[Op]


class Job(msgspec.Struct, frozen=True):
    id: str
    kind: JobKind
    created_at: datetime
    ops: list[Op]
    order_id: str | None = None
    number: str = ""  # "#0042", for messages
    attempts: int = 0
    # a kitchen ticket that sets the kitchen cooking (not one that says the order is cancelled): once printed, the
    # order is remembered in `tickets`, and its cancellation prints a slip (`countermand`)
    arms: bool = False
    # a ticket printed for an accept of this device still waiting for the platform: that accept's Idempotency-Key
    accept_key: str | None = None
    # `ops` laid out for the other papers (`PAPER_COLUMNS`), to print for the paper of the moment (`ops_for`); a
    # paper not here prints `ops` (laid out alike on it, or a job queued by an older version: sent as it is)
    layouts: tuple[Layout, ...] = ()

    def ops_for(self, columns: int) -> list[Op]:
        """What to print on paper of `columns` characters a line: the layout made for it, else `ops` as queued."""
        return next((layout.ops for layout in self.layouts if layout.columns == columns), self.ops)


def paper_layouts(lay_out: Callable[[int], list[Op]]) -> dict[int, list[Op]]:
    """`lay_out(columns)` for each paper this program prints on (80 and 58 mm): a job's `layouts` for `add`."""
    return {columns: lay_out(columns) for columns in sorted(set(PAPER_COLUMNS.values()), reverse=True)}


class PrintedTicket(msgspec.Struct, frozen=True):
    number: str
    printed_at: datetime
    accept_key: str | None = None  # the accept it was printed for, when it was printed before the platform took it


@dataclass(frozen=True, slots=True)
class Countermand:
    """An order that will not be collected: its slip's layout, made from when its ticket printed (None: unknown).
    `stood`: the order is not cancelled but was accepted under this key (`Order.accept_key`); only a ticket printed
    for another accept of this device is countermanded (a duplicate: the kitchen has the other device's)."""

    order_id: str
    number: str
    # the slip's layout from when this queue's ticket printed; a duplicate's (`stood`) is also told whether the
    # ticket of the accept that stood printed here too (`PrintQueue.ticket_printed_for`): only then does it say
    # that ticket stands
    slip: Callable[..., list[Op]]
    stood: str | None = None
    # `slip` also takes `width=` (a paper's columns): the queued slip keeps its layout for each paper (`Job.layouts`)
    any_paper: bool = False

    def voids(self, accept_key: str | None) -> bool:
        """Whether a ticket printed (or waiting) for the accept `accept_key` (None: not known) is countermanded."""
        return self.stood is None or (accept_key is not None and accept_key != self.stood)


@dataclass(frozen=True, slots=True)
class Countermanded:
    slips: list[Job] = field(default_factory=list)  # queued: their order's ticket had printed here
    dropped: list[Job] = field(default_factory=list)  # tickets of these orders that had not printed: gone
    busy: bool = False  # another process is sending this queue: ask again later
    # the orders whose duplicate slip could not say the other ticket stands (it did not print here): "check it"
    unsure: set[str] = field(default_factory=set)


class PrinterState(msgspec.Struct, frozen=True):
    """What the last attempt found: `problem` None while it prints."""

    problem: Problem | None = None
    detail: str = ""
    since: datetime | None = None  # when the current problem started
    last_printed_at: datetime | None = None
    dropped: int = 0  # jobs dropped because the queue was full
    purged: int = 0  # jobs dropped unprinted because their order ended longer than the purge window ago
    purged_at: datetime | None = None  # when the last of them went
    purged_numbers: tuple[str, ...] = ()  # their day numbers ("#0042"), the last PURGED_NUMBERS_MAX


@dataclass(frozen=True, slots=True)
class QueueStatus:
    waiting: int
    state: PrinterState


@dataclass(frozen=True, slots=True)
class DrainResult:
    printed: list[Job]
    waiting: int
    problem: PrinterProblem | None
    busy: bool = False  # another process is printing this queue's jobs


def _now() -> datetime:
    return datetime.now(UTC)


def order_ended_at(order: Order) -> datetime | None:
    """When `order` ended, as the cache's retention reads it (o2o_tui/sync/retention.py); None while it is open."""
    return (order.ended_at or order.updated_at) if str(order.status) in _ENDED else None


def pending_accept_key(entries: Iterable[OutboxEntry], order_id: str) -> str | None:
    """The Idempotency-Key of the accept of `order_id` still waiting in the outbox `entries` (its pending ones):
    what a ticket printed now is printed for (`Job.accept_key`); None when no accept of it waits."""
    keys = [e.key for e in entries if e.action == "order.confirm" and e.target.split("/")[0] == order_id]
    return keys[-1] if keys else None


def doc_ended_at(doc: Mapping[str, Any]) -> datetime | None:
    """`order_ended_at` of a cached order document."""
    if doc.get("status") not in _ENDED:
        return None
    return parse_time(doc.get("ended_at")) or parse_time(doc.get("updated_at"))


def orders_left_open(docs: Mapping[str, Mapping[str, Any]], open_cutoff: datetime) -> set[str]:
    """The ids of the cached order documents `docs` left open (not ended) with their promised times and last change
    at `open_cutoff` or before: the cache blanks their personal data (sync/retention.py), so their tickets go."""
    found = set()
    for order_id, doc in docs.items():
        promised = None if doc.get("status") in _ENDED else last_promised(doc)
        if promised is not None and promised <= open_cutoff:
            found.add(order_id)
    return found


class PrintQueue:
    """Use from one thread at a time per object (the console: its printing worker thread)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / QUEUE_FILE
        self._lock = WriteLock(directory)
        try:
            self._storage = AtomicJSONStorage(self.path, write_lock=self._lock)
        except CorruptFileError:
            set_aside(self.path)  # kept as `<name>.corrupt-<time>` for a person; a fresh queue
            self._storage = AtomicJSONStorage(self.path, write_lock=self._lock)

    def close(self) -> None:
        self._storage.close()
        self._lock.close()

    # -- reading --------------------------------------------------------------------------------------

    def jobs(self) -> list[Job]:
        docs = self._storage.snapshot().get(JOBS, {})
        jobs = []
        for doc in docs.values():
            with contextlib.suppress(msgspec.ValidationError):
                jobs.append(msgspec.convert(doc, Job))
        return sorted(jobs, key=lambda job: (job.created_at, job.id))

    def state(self) -> PrinterState:
        doc = self._storage.snapshot().get(STATE, {}).get(STATE_DOC)
        if doc is None:
            return PrinterState()
        try:
            return msgspec.convert(doc, PrinterState)
        except msgspec.ValidationError:
            return PrinterState()

    def status(self) -> QueueStatus:
        return QueueStatus(len(self._storage.snapshot().get(JOBS, {})), self.state())

    # -- writing --------------------------------------------------------------------------------------

    def _write(self, change: Any) -> None:
        with self._storage.batch():
            tables = dict(self._storage.snapshot())
            if change(tables) is not False:  # False: nothing to change, nothing written
                self._storage.write(tables)

    def add(
        self,
        kind: JobKind,
        ops: list[Op],
        *,
        order_id: str | None = None,
        number: str = "",
        arms: bool = False,
        accept_key: str | None = None,
        layouts: Mapping[int, list[Op]] | None = None,
    ) -> Job:
        """Queue a job durably (on disk when this returns). `arms`: a kitchen ticket to countermand with a slip
        if its order is cancelled once it printed (`Job.arms`); `accept_key`: the accept of this device it was
        printed for, still waiting for the platform (a duplicate slip follows if another accept stood);
        `layouts`: the job laid out for each paper's columns (`paper_layouts`), the one for the printer's paper
        printed when it is sent (none: `ops` is sent whatever the paper then)."""
        job = _job(kind, ops, order_id, number, arms, accept_key, layouts)

        def change(tables: dict[str, dict[str, Any]]) -> None:
            jobs = dict(tables.get(JOBS, {}))
            jobs[job.id] = msgspec.to_builtins(job)
            dropped = 0
            while len(jobs) > JOBS_MAX:
                oldest = min(jobs, key=lambda key: (str(jobs[key].get("created_at")), key))
                del jobs[oldest]
                dropped += 1
            tables[JOBS] = jobs
            if dropped:
                state = self._state_in(tables)
                tables[STATE] = {
                    STATE_DOC: msgspec.to_builtins(
                        msgspec.structs.replace(state, dropped=state.dropped + dropped)
                    )
                }

        self._write(change)
        return job

    @staticmethod
    def _state_in(tables: dict[str, dict[str, Any]]) -> PrinterState:
        doc = tables.get(STATE, {}).get(STATE_DOC)
        try:
            return msgspec.convert(doc, PrinterState) if doc is not None else PrinterState()
        except msgspec.ValidationError:
            return PrinterState()

    def printed_tickets(self) -> dict[str, PrintedTicket]:
        """The orders whose kitchen ticket printed here and is not countermanded yet."""
        return _tickets_in(self._storage.snapshot())

    def ticket_printed_for(self, accept_key: str) -> bool:
        """Whether a kitchen ticket printed here for the accept `accept_key` (kept `TICKETS_KEEP`)."""
        return isinstance(self._storage.snapshot().get(ACCEPTS, {}).get(accept_key), dict)

    def has_ticket(self, order_id: str) -> bool:
        """Whether a kitchen ticket of `order_id` printed here (not countermanded) or waits to print: another one
        for the same accept would be the kitchen's second."""
        tables = self._storage.snapshot()
        waiting = any(
            doc.get("order_id") == order_id and doc.get("arms") for doc in tables.get(JOBS, {}).values()
        )
        return waiting or order_id in tables.get(TICKETS, {})

    def _finished(self, job: Job) -> None:
        def change(tables: dict[str, dict[str, Any]]) -> None:
            jobs = dict(tables.get(JOBS, {}))
            jobs.pop(job.id, None)
            tables[JOBS] = jobs
            if job.arms and job.order_id is not None:
                tickets = _tickets_in(tables)
                tickets[job.order_id] = PrintedTicket(job.number, _now(), job.accept_key)
                tables[TICKETS] = _kept(tickets)
                if job.accept_key is not None:
                    tables[ACCEPTS] = _accepts_kept(tables.get(ACCEPTS, {}), job.accept_key, job.order_id)
            state = self._state_in(tables)
            fresh = msgspec.structs.replace(
                state, problem=None, detail="", since=None, last_printed_at=_now()
            )
            tables[STATE] = {STATE_DOC: msgspec.to_builtins(fresh)}

        self._write(change)

    def _failed(self, job: Job, problem: PrinterProblem) -> None:
        def change(tables: dict[str, dict[str, Any]]) -> None:
            jobs = dict(tables.get(JOBS, {}))
            if job.id in jobs:
                jobs[job.id] = {**jobs[job.id], "attempts": job.attempts + 1}
            tables[JOBS] = jobs
            state = self._state_in(tables)
            since = state.since if state.problem is problem.kind and state.since else _now()
            fresh = msgspec.structs.replace(
                state, problem=problem.kind, detail=problem.detail[:300], since=since
            )
            tables[STATE] = {STATE_DOC: msgspec.to_builtins(fresh)}

        self._write(change)

    def purge_ended(
        self, cutoff: datetime, ended: Mapping[str, datetime | None], left_open: Collection[str] = ()
    ) -> list[Job]:
        """Drop, unprinted and in one durable write, the jobs whose order ended at or before `cutoff` (the
        personal-data window ago) or is among `left_open` (open past `O2O_PURGE_OPEN_HOURS`: `orders_left_open`).
        `ended` maps each order the caller knows to when it ended (None: still open); a job whose order it does not
        know (pruned from the cache, or none) counts as ended when it was queued, as a refused action does in the
        conflicts list. Answers the jobs dropped; none while another process is sending (it purges before it
        sends)."""
        dropped: list[Job] = []

        def due(job: Job) -> bool:
            if job.order_id is not None and job.order_id in left_open:
                return True
            end = job.created_at if job.order_id is None else ended.get(job.order_id, job.created_at)
            return end is not None and end <= cutoff

        def change(tables: dict[str, dict[str, Any]]) -> bool:
            jobs = dict(tables.get(JOBS, {}))
            for key, doc in list(jobs.items()):
                try:
                    job = msgspec.convert(doc, Job)
                except msgspec.ValidationError:
                    continue
                if due(job):
                    del jobs[key]
                    dropped.append(job)
            if not dropped:
                return False
            dropped.sort(key=lambda job: (job.created_at, job.id))
            tables[JOBS] = jobs
            state = self._state_in(tables)
            numbers = (*state.purged_numbers, *(job.number for job in dropped if job.number))
            fresh = msgspec.structs.replace(
                state,
                purged=state.purged + len(dropped),
                purged_at=_now(),
                purged_numbers=numbers[-PURGED_NUMBERS_MAX:],
            )
            tables[STATE] = {STATE_DOC: msgspec.to_builtins(fresh)}
            return True

        if not any(due(job) for job in self.jobs()):  # the usual case: no lock taken, nothing written
            return []
        with self._sender() as mine:
            if mine:
                self._write(change)
        return dropped

    def countermand(self, wanted: Sequence[Countermand]) -> Countermanded:
        """For each order of `wanted` (it will not be collected, or a ticket of it is a duplicate: `Countermand.
        voids`), in one durable write: a slip queued when its ticket printed here (and the ticket forgotten: never a
        second slip), its tickets still waiting dropped. Orders this queue printed nothing for are left alone; the
        usual case writes nothing and takes no lock."""
        if not wanted:
            return Countermanded()

        def concerned(tables: Mapping[str, Any]) -> list[Countermand]:
            printed = tables.get(TICKETS, {})
            waiting: dict[str, list[str | None]] = {}
            for doc in tables.get(JOBS, {}).values():
                if doc.get("arms"):
                    waiting.setdefault(doc.get("order_id"), []).append(doc.get("accept_key"))
            return [
                item
                for item in wanted
                if (item.order_id in printed and item.voids(_key_of(printed[item.order_id])))
                or any(item.voids(key) for key in waiting.get(item.order_id, ()))
            ]

        if not concerned(self._storage.snapshot()):
            return Countermanded()
        slips: list[Job] = []
        dropped: list[Job] = []
        unsure: set[str] = set()

        def change(tables: dict[str, dict[str, Any]]) -> bool:
            jobs = dict(tables.get(JOBS, {}))
            tickets = _tickets_in(tables)
            for item in concerned(tables):
                for key, doc in list(jobs.items()):
                    if doc.get("order_id") == item.order_id and doc.get("arms") and item.voids(_key_of(doc)):
                        with contextlib.suppress(msgspec.ValidationError):
                            dropped.append(msgspec.convert(doc, Job))
                        del jobs[key]
                ticket = tickets.get(item.order_id)
                if ticket is not None and item.voids(ticket.accept_key):
                    del tickets[item.order_id]
                    args: tuple[Any, ...] = (ticket.printed_at,)
                    if item.stood is not None:  # a duplicate: whether the ticket of the accept that stood printed here
                        printed_for = tables.get(ACCEPTS, {}).get(item.stood)
                        stood_printed = isinstance(printed_for, dict) and printed_for.get("order_id") == item.order_id
                        args = (ticket.printed_at, stood_printed)
                        if not stood_printed:
                            unsure.add(item.order_id)
                    ops = item.slip(*args)
                    layouts = _slip_layouts(item, args) if item.any_paper else None
                    slip = _job(JobKind.SLIP, ops, item.order_id, item.number, False, layouts=layouts)
                    jobs[slip.id] = msgspec.to_builtins(slip)
                    slips.append(slip)
            if not slips and not dropped:
                return False
            tables[JOBS] = jobs
            tables[TICKETS] = _kept(tickets)
            return True

        with self._sender() as mine:  # not while another process sends: it may be printing that very ticket
            if not mine:
                return Countermanded(busy=True)
            self._storage.refresh()
            self._write(change)
        return Countermanded(slips, dropped, unsure=unsure)

    # -- sending --------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _sender(self) -> Iterator[bool]:
        """The right to send this queue's jobs: True when taken, False at once when another process has it."""
        fd = os.open(self.directory / PRINT_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def drain(self, target: Target, cjk: str = "native", columns: int = WIDTH) -> DrainResult:
        """Send the waiting jobs in order until one fails (it and the ones after it stay queued), rendered for
        paper of `columns` characters a line (the printer's now: `PrinterConfig.columns`)."""
        from o2o_tui.printing.devices import send
        from o2o_tui.printing.render import NoCjkFont, render

        printed: list[Job] = []
        with self._sender() as mine:
            if not mine:
                return DrainResult([], len(self.jobs()), None, busy=True)
            self._storage.refresh()
            for job in self.jobs():
                try:
                    # laid out for this paper when the job knows how (the paper may have changed since it was queued)
                    data = render(job.ops_for(columns), "image" if cjk == "image" else "native", columns)
                except (
                    NoCjkFont,
                    OSError,
                    ValueError,
                ) as error:  # cannot be rendered here: it waits, said why
                    problem = PrinterProblem(Problem.FAILED, f"{type(error).__name__}: {error}")
                    self._failed(job, problem)
                    return DrainResult(printed, len(self.jobs()), problem)
                try:
                    send(target, data)
                except PrinterProblem as problem:
                    self._failed(job, problem)
                    return DrainResult(printed, len(self.jobs()), problem)
                self._finished(job)
                printed.append(job)
        return DrainResult(printed, len(self.jobs()), None)


def _job(
    kind: JobKind,
    ops: list[Op],
    order_id: str | None,
    number: str,
    arms: bool,
    accept_key: str | None = None,
    layouts: Mapping[int, list[Op]] | None = None,
) -> Job:
    now = _now()
    job_id = f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    # the others than `ops` (a short ticket reads alike on both papers: none kept, the queue file no larger)
    kept = tuple(Layout(columns, laid) for columns, laid in (layouts or {}).items() if laid != ops)
    return Job(job_id, kind, now, ops, order_id, number, arms=arms, accept_key=accept_key, layouts=kept)


def _slip_layouts(item: Countermand, args: tuple[Any, ...]) -> dict[int, list[Op]]:
    """The slip of `item` laid out for each paper (`Countermand.any_paper`)."""
    return paper_layouts(lambda width: item.slip(*args, width=width))


def _key_of(doc: object) -> str | None:
    """The `accept_key` of a stored job or ticket document (None: none, or not one of ours)."""
    key = doc.get("accept_key") if isinstance(doc, dict) else None
    return key if isinstance(key, str) else None


def _tickets_in(tables: Mapping[str, Any]) -> dict[str, PrintedTicket]:
    tickets = {}
    for order_id, doc in tables.get(TICKETS, {}).items():
        with contextlib.suppress(msgspec.ValidationError):
            tickets[order_id] = msgspec.convert(doc, PrintedTicket)
    return tickets


def _kept(tickets: dict[str, PrintedTicket]) -> dict[str, Any]:
    """The printed tickets worth remembering, as stored: the newest `TICKETS_MAX` of the last `TICKETS_KEEP`."""
    cutoff = _now() - TICKETS_KEEP
    newest = sorted(tickets.items(), key=lambda item: item[1].printed_at, reverse=True)[:TICKETS_MAX]
    return {key: msgspec.to_builtins(ticket) for key, ticket in newest if ticket.printed_at > cutoff}


def _accepts_kept(stored: Mapping[str, Any], key: str, order_id: str) -> dict[str, Any]:
    """The accepts whose ticket printed here, with `key` (of `order_id`) printed now: the last `TICKETS_KEEP`, the
    newest `TICKETS_MAX`."""
    cutoff = _now() - TICKETS_KEEP
    accepts = {**stored, key: {"order_id": order_id, "printed_at": _now().isoformat()}}

    def at(item: tuple[str, Any]) -> datetime:
        moment = parse_time(item[1].get("printed_at")) if isinstance(item[1], dict) else None
        return moment or cutoff

    newest = sorted(accepts.items(), key=at, reverse=True)[:TICKETS_MAX]
    return {name: doc for name, doc in newest if at((name, doc)) > cutoff}


def open_queue(directory: Path) -> PrintQueue:
    """The profile's queue; CacheError when its directory cannot be used."""
    try:
        return PrintQueue(directory)
    except OSError as error:
        raise CacheError(f"Cannot open {directory / QUEUE_FILE}: {error}", code="open_failed") from error
