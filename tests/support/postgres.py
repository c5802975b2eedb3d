"""A throwaway PostgreSQL cluster for tests and benchmarks: its own data dir, loopback port and socket dir.

It uses the server binaries of the machine (Debian: `apt-get install postgresql`, under
`/usr/lib/postgresql/<version>/bin`), never the machine's own cluster or service. `initdb` refuses to run as root,
so as root the cluster runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "o2o"
_START_ATTEMPTS = 3
# A throwaway cluster need not survive a power cut: these make database creation and commits much cheaper.
_FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries (or no way to run them); the message says what to install."""


def find_bin_dir() -> Path:
    """The directory holding initdb and pg_ctl: `O2O_PG_BIN`, then Debian's newest version, then PATH."""
    candidates: list[Path] = []
    if os.environ.get("O2O_PG_BIN"):
        candidates.append(Path(os.environ["O2O_PG_BIN"]))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(v) for v in versions), key=lambda p: int(p.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql, or set O2O_PG_BIN"
    )


def _run_as() -> list[str]:
    """The command prefix that runs the server binaries as a user initdb accepts."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "running as root and there is no `postgres` user to run the cluster"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root and `runuser` is missing") from None
    return [runuser, "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    root: Path
    bin_dir: Path
    port: int
    prefix: list[str]

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` (psycopg 3 over loopback TCP; trust authentication)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin_connect(self):  # noqa: ANN202 - psycopg is optional, imported here only
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; answers its URL."""
        chosen = name or f"o2o_{uuid.uuid4().hex[:12]}"
        with self._admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{chosen}"')
        return self.url(chosen)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server at once and remove every file of the cluster. Safe to call twice."""
        if self.data_dir.exists():
            subprocess.run(
                [
                    *self.prefix,
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def start_cluster(*, durable: bool = False) -> PostgresCluster:
    """initdb and start a cluster in a new temp dir; the caller must `.stop()` it.

    `durable=False` turns fsync off (tests); benchmarks pass `durable=True` to measure real commits.
    """
    bin_dir = find_bin_dir()
    prefix = _run_as()
    root = Path(tempfile.mkdtemp(prefix="o2o-pg-"))
    try:
        (root / "socket").mkdir()
        if prefix:
            for path in (root, root / "socket"):
                shutil.chown(path, "postgres", "postgres")
        data_dir = root / "data"
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",  # byte-order text comparison, as SQLite compares
                "--no-sync",
            ],
            "initdb",
        )
        settings = [] if durable else list(_FAST_SETTINGS)
        last_error: Exception | None = None
        for _ in range(_START_ATTEMPTS):  # a free port can be taken between choosing it and binding it
            port = _free_port()
            options = " ".join(
                [
                    f"-p {port}",
                    f"-k {root / 'socket'}",
                    "-c listen_addresses=127.0.0.1",
                    "-c max_connections=200",
                ]
                + [f"-c {setting}" for setting in settings]
            )
            cluster = PostgresCluster(root=root, bin_dir=bin_dir, port=port, prefix=prefix)
            try:
                _run(
                    [
                        *prefix,
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data_dir),
                        "-o",
                        options,
                        "-l",
                        str(cluster.log_path),
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ],
                    "pg_ctl start",
                )
                return cluster
            except RuntimeError as error:
                last_error = error
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
