"""The server's database: SQLAlchemy Core tables, a schema version and ordered upgrade steps.

Entities are stored as their msgspec JSON document (`doc`) next to the few columns that queries filter on, so the
wire struct stays the single definition of an entity. Times in columns are fixed-width ISO-8601 UTC strings, which
sort correctly as text on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url

from o2o_tui.domain.limits import DEVICE_NAME_MAX
from o2o_tui.paths import data_dir

SCHEMA_VERSION = 8

metadata = MetaData()

_ID = 64
_TIME = 32
# 64-bit ids on PostgreSQL (BIGSERIAL); SQLite keeps INTEGER PRIMARY KEY, which is 64-bit there already
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")

schema_info = Table(
    "schema_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("store_id", String(_ID)),
    Column("courier_id", String(_ID)),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(_TIME), nullable=False),
)

stores = Table(
    "stores",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("doc", LargeBinary, nullable=False),
)

store_heartbeats = Table(
    "store_heartbeats",
    metadata,
    Column("store_id", String(_ID), primary_key=True),
    Column("last_poll_at", String(_TIME), nullable=False),
)

store_devices = Table(  # schema 8: the device names a store's consoles asked under (platform/auto_accept.py)
    "store_devices",
    metadata,
    Column("store_id", String(_ID), nullable=False),
    Column("device", String(DEVICE_NAME_MAX), nullable=False),
    Column("seen_at", String(_TIME), nullable=False),
    PrimaryKeyConstraint("store_id", "device"),
)

menus = Table(
    "menus",
    metadata,
    Column("store_id", String(_ID), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("doc", LargeBinary, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("store_id", String(_ID), nullable=False),
    Column("customer_id", String(_ID), nullable=False),
    Column("status", String(24), nullable=False),
    Column("number", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", String(_TIME), nullable=False),
    Column("updated_at", String(_TIME), nullable=False),
    Column("accept_deadline", String(_TIME)),
    Column("pickup_code", String(8)),
    Column("ended_at", String(_TIME)),  # schema 2
    Column("doc", LargeBinary, nullable=False),
    Index("ix_orders_store_updated", "store_id", "updated_at", "id"),
    Index("ix_orders_customer_updated", "customer_id", "updated_at", "id"),
    Index("ix_orders_status_deadline", "status", "accept_deadline"),
    Index("ix_orders_store_pickup", "store_id", "pickup_code"),  # schema 3
    # schema 8: a store's open orders (the day number check of every new order) without reading every store's
    Index("ix_orders_store_status", "store_id", "status"),
)

order_counters = Table(
    "order_counters",
    metadata,
    Column("store_id", String(_ID), nullable=False),
    Column("day", String(10), nullable=False),
    Column("last_number", Integer, nullable=False),
    PrimaryKeyConstraint("store_id", "day"),
)

couriers = Table(
    "couriers",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("store_id", String(_ID)),
    Column("version", Integer, nullable=False),
    Column("doc", LargeBinary, nullable=False),
    Index("ix_couriers_store", "store_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("order_id", String(_ID), nullable=False),
    Column("courier_id", String(_ID), nullable=False),
    Column("store_id", String(_ID), nullable=False),
    Column("status", String(24), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", String(_TIME), nullable=False),
    Column("doc", LargeBinary, nullable=False),
    Index("ix_deliveries_courier", "courier_id", "status"),
    Index("ix_deliveries_store", "store_id", "status"),
    Index("ix_deliveries_order", "order_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("type", String(32), nullable=False),
    Column("entity", String(16), nullable=False),
    Column("entity_id", String(_ID), nullable=False),
    Column("version", Integer, nullable=False),
    Column("occurred_at", String(_TIME), nullable=False),
    # who may see it: the store's staff, the courier, the customer (admin sees all)
    Column("store_id", String(_ID)),
    Column("courier_id", String(_ID)),
    Column("customer_id", String(_ID)),
    # schema 6: a random tag per event, named by the cursor with the event's id; a restored database hands the
    # same id to a new event with another tag, so the server tells a cursor from the lost history (events.py)
    Column("tag", String(16)),
    Index("ix_events_store", "store_id", "id"),
    Index("ix_events_courier", "courier_id", "id"),
    Index("ix_events_customer", "customer_id", "id"),
    Index("ix_events_time", "occurred_at"),
    sqlite_autoincrement=True,  # ids are not reused, except by a restore of an older copy (hence `tag`)
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("user_id", String(_ID), nullable=False),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", String(_TIME), nullable=False),
    # schema 7: what the answer carries (order, delivery, voucher, courier or ""), so the personal-data purge finds
    # the answers of an order, delivery or courier by its id; NULL until the start after the upgrade files it
    # (idempotency.py)
    Column("entity", String(16)),
    Column("entity_id", String(_ID)),
    PrimaryKeyConstraint("user_id", "key"),
    Index("ix_idempotency_created", "created_at"),
    Index("ix_idempotency_entity", "entity", "entity_id"),  # schema 7
)

action_log = Table(  # schema 2: who did what, with the tap time the device reported (X-Occurred-At)
    "action_log",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("entity", String(16), nullable=False),
    Column("entity_id", String(_ID), nullable=False),
    Column("action", String(40), nullable=False),
    Column("user_id", String(_ID), nullable=False),
    Column("occurred_at", String(_TIME)),
    Column("recorded_at", String(_TIME), nullable=False),
    Index("ix_action_log_entity", "entity", "entity_id"),
)

code_attempts = Table(  # schema 4: wrong tries of a code and its lock (o2o_tui/platform/code_attempts.py)
    "code_attempts",
    metadata,
    Column("subject", String(16), nullable=False),  # what kind of code: pickup, delivery, store, ...
    Column("subject_id", String(_ID), nullable=False),  # whose code: the order id, the store id, ...
    Column("failures", Integer, nullable=False),  # wrong tries since `first_failure_at`
    Column("first_failure_at", String(_TIME), nullable=False),
    Column("locked_until", String(_TIME)),
    PrimaryKeyConstraint("subject", "subject_id"),
)

vouchers = Table(  # schema 5: vouchers sold online and redeemed at the counter (o2o_tui/platform/vouchers.py)
    "vouchers",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("store_id", String(_ID), nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_id", String(_ID)),  # the buyer; none while it is for sale
    # the code's HMAC with the server's secret (server_secret.py; a bare sha256 in rows bought before schema 7,
    # re-keyed when redeemed); the code itself is shown once, to the buyer
    Column("code_hash", String(64), unique=True),
    Column("expires_at", String(_TIME), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", String(_TIME), nullable=False),
    Column("doc", LargeBinary, nullable=False),
    Index("ix_vouchers_store", "store_id", "status"),
    Index("ix_vouchers_customer", "customer_id"),
)


def iso(moment: datetime) -> str:
    """The column form of a time: fixed-width UTC, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    return datetime.now(UTC)


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Update-or-insert one `meta` row (inside a writing transaction, so no other writer inserts it meanwhile)."""
    if conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))


# --- upgrades: UPGRADES[n] takes a database from version n to n + 1 -------------------------------------------


def _upgrade_1_to_2(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE orders ADD COLUMN ended_at VARCHAR(32)"))
    conn.execute(
        text(
            "UPDATE orders SET ended_at = updated_at WHERE status IN ('DELIVERED', 'CONCLUDED', 'CANCELLED')"
        )
    )
    action_log.create(conn)


def _upgrade_2_to_3(conn: Connection) -> None:
    """Pickup codes are checked for uniqueness and scanned at the counter: index them per store."""
    next(index for index in orders.indexes if index.name == "ix_orders_store_pickup").create(conn)


def _upgrade_3_to_4(conn: Connection) -> None:
    """Codes are locked after too many wrong tries: count them where every server process sees them."""
    code_attempts.create(conn)


def _upgrade_4_to_5(conn: Connection) -> None:
    """Vouchers bought online and redeemed at the counter (核销)."""
    vouchers.create(conn)


def _upgrade_5_to_6(conn: Connection) -> None:
    """Events get a random tag, which cursors name: events written before get one too."""
    conn.execute(text("ALTER TABLE events ADD COLUMN tag VARCHAR(16)"))
    if conn.dialect.name == "postgresql":
        conn.execute(text("UPDATE events SET tag = substr(md5(random()::text || id::text), 1, 16)"))
    else:
        conn.execute(text("UPDATE events SET tag = lower(hex(randomblob(8)))"))


def _upgrade_6_to_7(conn: Connection) -> None:
    """Stored answers name the order, delivery or voucher they carry (filed at the next start: idempotency.py)."""
    conn.execute(text("ALTER TABLE idempotency ADD COLUMN entity VARCHAR(16)"))
    conn.execute(text("ALTER TABLE idempotency ADD COLUMN entity_id VARCHAR(64)"))
    next(index for index in idempotency.indexes if index.name == "ix_idempotency_entity").create(conn)


_DEVICE_ROWS = "dev:"  # schema 7 kept a row of `meta` per device: "dev:" + sha256(store id)[:24] + ":" + ...


def _upgrade_7_to_8(conn: Connection) -> None:
    """Index a store's orders by status; move the devices seen from `meta` (found by a prefix scan of every key)
    to a table of their own, keyed by store."""
    next(index for index in orders.indexes if index.name == "ix_orders_store_status").create(conn)
    store_devices.create(conn)
    store_of = {
        _DEVICE_ROWS + hashlib.sha256(store_id.encode()).hexdigest()[:24] + ":": store_id
        for store_id in conn.execute(select(stores.c.id)).scalars()
    }
    latest: dict[tuple[str, str], str] = {}
    rows = conn.execute(select(meta.c.key, meta.c.value).where(meta.c.key.startswith(_DEVICE_ROWS))).all()
    for key, value in rows:
        store_id = store_of.get(key[: len(_DEVICE_ROWS) + 25])
        device, _, stamp = value.partition("\t")
        try:
            seen_at = iso(datetime.fromisoformat(stamp))
        except ValueError:
            continue
        if store_id is not None and device and len(device) <= DEVICE_NAME_MAX:
            latest[(store_id, device)] = max(seen_at, latest.get((store_id, device), ""))
    if latest:
        conn.execute(
            store_devices.insert(),
            [{"store_id": s, "device": d, "seen_at": at} for (s, d), at in latest.items()],
        )
    conn.execute(meta.delete().where(meta.c.key.startswith(_DEVICE_ROWS)))


UPGRADES: dict[int, Callable[[Connection], None]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
    4: _upgrade_4_to_5,
    5: _upgrade_5_to_6,
    6: _upgrade_6_to_7,
    7: _upgrade_7_to_8,
}


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release."""


def default_db_url() -> str:
    return sqlite_url(data_dir() / "platform.sqlite3")


# --- the database URL an operator gives (`--db`, `O2O_DB`) --------------------------------------------------------
# o2o keeps its data in a SQLite file or in PostgreSQL through psycopg 3 (docs/operations.md). A URL that names
# neither, or a SQLite database in memory (gone when the process ends: an admin command "created" a store nobody
# would ever see, a server lost everything at its stop), is refused before anything is opened, in one line.
DATABASE_BACKENDS = ("sqlite", "postgresql")
_MEMORY_NAMES = ("", ":memory:")


class BadDatabaseUrl(ValueError):
    """A database URL o2o cannot keep its data in; `message()` says why and what to write instead."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self) -> str:
        from o2o_tui.i18n import t

        return t(self.key, **self.values)


def shown_url(db_url: str) -> str:
    """The URL as it may be printed: its password replaced by ***, parsable or not. The user info runs to the LAST
    @ (a password with an unescaped @ in it, `o2o:s3c@r3t@host`, is hidden whole; a query with an @ is hidden too)."""
    text = db_url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    userinfo, at, host = rest.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    if at and colon and "/" not in user:  # `/` before the `:`: a path (sqlite:////srv/a:b@c), no user info
        text = f"{scheme}{sep}{user}:***@{host}"
    return text[:300]


def _at_in_user_info(db_url: str) -> bool:
    """Whether the user info (up to the last @ before the host) holds another @: a password not %-encoded."""
    rest = db_url.strip().partition("://")[2]
    userinfo = rest.rpartition("@")[0]
    return "@" in userinfo and "/" not in userinfo.partition(":")[0]


def check_db_url(db_url: str) -> None:
    """Raise BadDatabaseUrl unless `db_url` names a SQLite file or a PostgreSQL database through psycopg."""
    from sqlalchemy.exc import ArgumentError

    shown = shown_url(db_url)
    if db_url.strip() == ":memory:":
        raise BadDatabaseUrl("db.url.memory", url=shown)
    try:
        url = make_url(db_url)
    except (ArgumentError, ValueError):  # no scheme, a port that is no number ("54x2"), ...
        key = "db.url.at_sign" if _at_in_user_info(db_url) else "db.url.unparsable"
        raise BadDatabaseUrl(key, url=shown) from None
    if "@" in (url.host or ""):  # `o2o:s3c@r3t@host`: SQLAlchemy reads host "r3t@host", the password "s3c"
        raise BadDatabaseUrl("db.url.at_sign", url=shown)
    backend = url.get_backend_name()
    if url.drivername in ("postgres", "postgresql"):  # psycopg2 by default, which o2o does not use
        rest = shown.split("://", 1)[1] if "://" in shown else ""
        raise BadDatabaseUrl("db.url.driver", url=shown, fixed=f"postgresql+psycopg://{rest}")
    if backend not in DATABASE_BACKENDS:
        raise BadDatabaseUrl("db.url.dialect", url=shown, dialect=url.drivername)
    if backend == "sqlite" and _in_memory(url):
        raise BadDatabaseUrl("db.url.memory", url=shown)


def _in_memory(url: URL) -> bool:
    """Whether a SQLite URL names a database in memory: sqlite://, sqlite:///:memory:, or a URI of one."""
    database = (url.database or "").strip()
    if database in _MEMORY_NAMES:
        return True
    if "uri" not in url.query:
        return False
    return url.query.get("mode") == "memory" or database.startswith(("file::memory:", ":memory:"))


def sqlite_file(db_url: str) -> Path | None:
    """The file a SQLite URL names, absolute (`sqlite:///x.sqlite3`, three slashes, is a path from the current
    directory, as SQLite opens it); None for PostgreSQL, a database in memory or a URI (`?uri=true`)."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or "uri" in url.query or _in_memory(url) or not url.database:
        return None
    return Path(os.path.abspath(url.database))


def shown_database(db_url: str) -> str:
    """The database as a person is told which one a command used: a SQLite file's absolute path, else the URL
    with its password hidden."""
    from sqlalchemy.exc import ArgumentError

    try:
        path = sqlite_file(db_url)
    except (ValueError, ArgumentError):
        path = None
    return str(path) if path is not None else shown_url(db_url)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _tune_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(db_url: str) -> Engine:
    if db_url.startswith("sqlite"):
        engine = create_engine(db_url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    # hide_parameters: a failed statement's error (logged with the crash) never carries the values bound to it,
    # which are customers' names, phones and addresses
    return create_engine(db_url, pool_pre_ping=True, hide_parameters=True)


# --- writers on PostgreSQL ---------------------------------------------------------------------------------------
# SQLite lets one transaction write at a time, and one server process runs its transactions one after another.
# PostgreSQL runs writers of several processes at once, which breaks two things unless they take turns:
# - event ids come from a sequence before commit, so a poll could pass an id whose transaction commits later;
# - transactions that write an event and then another row (a courier's pick-up writes the delivery, the order and
#   the courier) would deadlock against one that holds that row and waits to write its own event.
# So every writing transaction first takes this transaction-scoped advisory lock: writers commit one at a time
# (as on SQLite), readers never wait.
_PG_WRITERS_LOCK = text("SELECT pg_advisory_xact_lock(7242001)")
_LOCKED_IN = "o2o_writers_locked_in"


def lock_writers(conn: Connection) -> None:
    """Take the writers' turn for the rest of this transaction (PostgreSQL; a no-op on SQLite). Idempotent."""
    if conn.dialect.name != "postgresql":
        return
    transaction = conn.get_transaction()
    if transaction is not None and conn.info.get(_LOCKED_IN) is transaction:
        return
    conn.execute(_PG_WRITERS_LOCK)
    conn.info[_LOCKED_IN] = transaction


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: `engine.begin()` that first takes the writers' turn."""
    with engine.begin() as conn:
        lock_writers(conn)
        yield conn


def schema_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("schema_info"):
        return None
    return conn.execute(select(schema_info.c.version).where(schema_info.c.id == 1)).scalar_one_or_none()


def ensure_schema(engine: Engine, upgraded: Callable[[int, int], None] | None = None) -> int:
    """Create a fresh schema or upgrade an older one step by step; answer the version now in place. `upgraded` is
    told (from, to) once an upgrade has committed (only by the process that ran it: others starting at once wait and
    find it done)."""
    with writing(engine) as conn:  # two processes starting on a new database: one creates, the other waits
        found = schema_version(conn)
        if found is None:
            metadata.create_all(conn)
            conn.execute(schema_info.insert().values(id=1, version=SCHEMA_VERSION))
            return SCHEMA_VERSION
        if found > SCHEMA_VERSION:
            raise SchemaTooNew(f"database schema {found} is newer than this release ({SCHEMA_VERSION})")
        for version in range(found, SCHEMA_VERSION):
            UPGRADES[version](conn)
            conn.execute(schema_info.update().where(schema_info.c.id == 1).values(version=version + 1))
    if found < SCHEMA_VERSION and upgraded is not None:
        upgraded(found, SCHEMA_VERSION)
    return SCHEMA_VERSION


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _create_private(path: Path) -> None:
    """Create a SQLite file that only its owner can read, before SQLite creates it with the umask's mode.

    It holds customers' names, phones and addresses and every token's hash. SQLite gives its -wal and -shm files
    the database file's mode, so they are private too. A file that exists keeps the mode its operator gave it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def open_database(db_url: str, *, say: Callable[[str], None] = _to_stderr) -> Engine:
    """The engine on `db_url`, its schema created or upgraded. An upgrade is one-way (an older release refuses the
    database after it): `say` gets one line saying so (an `o2o admin` command's stderr; the server passes its log)."""
    from o2o_tui.i18n import t

    url = make_url(db_url)
    in_a_file = url.database not in (None, "", ":memory:") and "uri" not in url.query  # a URI names no plain file
    if url.get_backend_name() == "sqlite" and in_a_file and url.database:
        _create_private(Path(url.database))
    engine = make_engine(db_url)
    ensure_schema(engine, lambda found, now: say(t("server.schema_upgraded", found=found, now=now)))
    return engine
