"""Start the real reference platform server (`python -m o2o_tui.platform`) on a free loopback port for a test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from o2o_tui.platform.launch import ServerStartError, await_url, start_server
from o2o_tui.platform.seed import SeedResult, seed_demo
from tests.support import server_fork

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningPlatform:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    seed: SeedResult | None
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def restart(self) -> None:
        """Stop and start again on the same database (and the same port when it is still free)."""
        self.stop()
        try:
            self.process, self.url = _launch(self.db_url, self.port, self.log_path, self.env)
        except RuntimeError:
            self.process, self.url = _launch(self.db_url, 0, self.log_path, self.env)
        self.port = int(self.url.rsplit(":", 1)[1])

    def another_process(self, log_path: Path) -> RunningPlatform:
        """A second server process on the same database (same seed), logging to `log_path`; `.stop()` it too."""
        process, url = _launch(self.db_url, 0, log_path, self.env)
        port = int(url.rsplit(":", 1)[1])
        return RunningPlatform(url, self.db_url, process, self.seed, log_path, dict(self.env), port)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(self, role: str = "admin", **kwargs: object) -> httpx.Client:
        """An httpx client with the seeded token of `role` (or a raw token if `role` is not a seeded role)."""
        assert self.seed is not None
        token = self.seed.tokens.get(role, role)
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


def _launch(db_url: str, port: int, log_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    forks = server_fork.zygote() if server_fork.forkable(env) else None
    if forks is not None:  # the same server, forked from a process that imported it once (tests/support/server_fork.py)
        return _forked(forks, db_url, port, log_path, env)
    try:
        server = start_server(db_url, log_path, port=port, env=env, timeout=STARTUP_TIMEOUT)
    except ServerStartError as error:
        raise RuntimeError(f"platform did not start:\n{error}") from None
    return server.process, server.url


def _forked(
    forks: server_fork.Zygote, db_url: str, port: int, log_path: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], str]:
    """`start_server`'s start and wait for the URL in the log, the server forked by `forks`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:  # there before the server opens it, as start_server's
        start = log.tell()
    argv = ["--host", "127.0.0.1", "--port", str(port), "--db", db_url]
    process = forks.fork(argv, {**os.environ, "PYTHONUNBUFFERED": "1", **env}, log_path)
    try:
        url = await_url(process, log_path, start, STARTUP_TIMEOUT)
    except ServerStartError as error:
        raise RuntimeError(f"platform did not start:\n{error}") from None
    return process, url  # type: ignore[return-value]  (the parts of Popen the tests use)


def start_platform(
    tmp_path: Path, *, seed: bool = True, env: dict[str, str] | None = None, db_url: str | None = None
) -> RunningPlatform:
    """Seed (optionally) a database and start the server on it; the caller must `.stop()`.

    The database is a SQLite file in `tmp_path` unless `db_url` names another (a PostgreSQL URL, say).
    """
    db_url = db_url or f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    seeded = seed_demo(db_url) if seed else None
    log_path = tmp_path / "platform.log"
    chosen_env = dict(env or {})
    # the server's secret lives beside its database for the platform's whole life: a test that moves O2O_HOME
    # (the devices' home) and restarts the server must not leave the secret behind
    chosen_env.setdefault("O2O_SECRET_FILE", str(tmp_path / "platform-secret.key"))
    process, url = _launch(db_url, 0, log_path, chosen_env)
    return RunningPlatform(
        url=url,
        db_url=db_url,
        process=process,
        seed=seeded,
        log_path=log_path,
        env=chosen_env,
        port=int(url.rsplit(":", 1)[1]),
    )


# --- small helpers for tests that talk HTTP to the server directly ----------------------------------------------


class Api:
    """httpx with a bearer token; `post`/`put`/`patch` add a fresh Idempotency-Key unless one is given."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def get(self, path: str, **params: object) -> httpx.Response:
        return self.http.get(path, params={k: v for k, v in params.items() if v is not None})

    def send(
        self, method: str, path: str, body: object = None, *, key: str | None = None, headers: dict | None = None
    ) -> httpx.Response:
        chosen = {"Idempotency-Key": key or str(uuid.uuid4()), **(headers or {})}
        return self.http.request(method, path, json=body, headers=chosen)

    def post(self, path: str, body: object = None, **kwargs: object) -> httpx.Response:
        return self.send("POST", path, body, **kwargs)  # type: ignore[arg-type]

    def put(self, path: str, body: object = None, **kwargs: object) -> httpx.Response:
        return self.send("PUT", path, body, **kwargs)  # type: ignore[arg-type]

    def patch(self, path: str, body: object = None, **kwargs: object) -> httpx.Response:
        return self.send("PATCH", path, body, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.http.close()


def api(running: RunningPlatform, role: str) -> Api:
    assert running.seed is not None
    return Api(running.url, running.seed.tokens[role])


def order_body(store_id: str, order_type: str = "DELIVERY", **overrides: object) -> dict:
    """A valid new order for the demo menu: two Kung Pao Chicken, mild, with one rice."""
    body: dict = {
        "id": str(uuid.uuid4()),
        "store_id": store_id,
        "type": order_type,
        "lines": [{"item_id": "kung-pao-chicken", "quantity": 2, "option_ids": ["spice-mild", "rice-white"]}],
        "customer_name": "张三 Zhang San",
        "customer_phone": "13812345678",
    }
    if order_type == "DELIVERY":
        body["address"] = {"text": "人民广场 1 号 People's Square 1", "position": {"lat": 31.2317, "lon": 121.4726}}
    body.update(overrides)
    return body
