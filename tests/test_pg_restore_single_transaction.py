"""docs/operations.md, Backups: `pg_restore --clean --if-exists --single-transaction` with the servers running.
Without `--single-transaction` the tables are dropped and refilled one after another, and a valid token was
answered 401 while the users table was empty; in one transaction the servers see the old database until the
restore commits, then the restored one."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support.platform import Api, start_platform
from tests.support.postgres import PostgresCluster

RESTORE = ["--clean", "--if-exists", "--single-transaction"]  # as docs/operations.md writes it


def _pg_tool(cluster: PostgresCluster, name: str) -> str:
    own = cluster.bin_dir / name
    found = str(own) if own.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def test_a_valid_token_stays_valid_through_a_restore(
    postgres_cluster: PostgresCluster, postgres_url: str, tmp_path: Path
) -> None:
    running = start_platform(tmp_path / "platform", db_url=postgres_url)
    libpq = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    dump = tmp_path / "o2o.dump"
    stop = threading.Event()
    answers: list[int] = []
    try:
        assert running.seed is not None
        tokens = sorted({*running.seed.tokens.values(), *running.seed.courier_tokens.values()})
        devices = [Api(running.url, token) for token in tokens]  # each token looked up afresh every 0.5 s
        merchant = Api(running.url, running.seed.tokens["merchant"])
        menu = f"/v1/stores/{running.seed.store_id}/menu"
        subprocess.run(
            [_pg_tool(postgres_cluster, "pg_dump"), "-Fc", "-d", libpq, "-f", str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )

        def read(device: Api, path: str) -> None:  # a device's reads all through the restore
            while not stop.is_set():
                answers.append(device.get(path).status_code)

        readers = [threading.Thread(target=read, args=(device, "/v1/me")) for device in devices]
        readers.append(threading.Thread(target=read, args=(merchant, menu)))
        for reader in readers:
            reader.start()
        try:
            for _ in range(3):
                subprocess.run(
                    [_pg_tool(postgres_cluster, "pg_restore"), *RESTORE, "-d", libpq, str(dump)],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=60)
        assert merchant.get("/v1/me").status_code == 200
    finally:
        stop.set()
        running.stop()
    assert answers and set(answers) == {200}, sorted(set(answers))
