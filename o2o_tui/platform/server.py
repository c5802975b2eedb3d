"""Run the platform server with uvicorn on a socket we bind ourselves, so port 0 works and the real port is known."""

from __future__ import annotations

import socket
import sys

import uvicorn

from o2o_tui.i18n import t
from o2o_tui.platform import admission, db, log_lines, sqlite_lock
from o2o_tui.platform.app import create_app
from o2o_tui.platform.settings import settings_from_env


class CannotListen(OSError):
    """The listening socket could not be bound (the port taken, a port below 1024 without the right, an address
    this machine does not have): `errno` as the system said it. Other OSErrors of a start are not this."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.errno, error.strerror or str(error))


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on such sockets, and without it every
    # response waits ~40 ms for the client's delayed ACK (headers and body go out as two writes)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OverflowError as error:  # a port past 65535 (`o2o serve` refuses it first): said as a bind failure
        sock.close()
        raise CannotListen(OSError(str(error))) from None
    except OSError as error:  # the port taken (EADDRINUSE), not ours to take, an address not of this machine
        sock.close()
        raise CannotListen(error) from None
    sock.set_inheritable(True)
    return sock


def serve(host: str, port: int, db_url: str) -> None:
    """Serve until SIGINT/SIGTERM. Prints one line with the URL once it listens (tests and `o2o demo` read it)."""
    # a URL o2o cannot keep data in (unparsable, another dialect, SQLite in memory): refused before anything
    db.check_db_url(db_url)
    log_lines.set_up()  # every line from here on says when
    # one server per SQLite file, before the schema is touched: a second one is refused naming the first; the
    # file (and its -wal, -shm) made private if it was not
    with sqlite_lock.server_lock(db_url):
        _serve(host, port, db_url)
    sys.stdout.flush()


def _serve(host: str, port: int, db_url: str) -> None:
    settings = settings_from_env()
    app = create_app(db_url, settings=settings)
    platform = app.state.platform
    # bodies are admitted (token, size, how many at once) before a byte of them is read: docs/operations.md
    guarded = admission.Admission(app, settings, admission.token_lookup(platform.engine, platform.tokens))
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(
        guarded,
        http=admission.guarded_protocol(settings),  # deadlines for silent, slow and half-sent requests
        log_level="warning",
        # request lines are noise at hundreds per second (O2O_ACCESS_LOG=1 asks for them); nothing secret is in them
        access_log=settings.access_log,
        log_config=None,  # log_lines.set_up(): uvicorn's lines stamped as o2o's are
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
    )
    if settings.access_log:
        log_lines.log_requests()  # after the config: it set uvicorn.access to the warnings' level
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        print(t("server.listening", url=f"http://{shown_host}:{bound_port}"), flush=True)

    server.startup = startup  # type: ignore[method-assign]
    original_shutdown = server.shutdown

    async def shutdown(sockets: list[socket.socket] | None = None) -> None:
        # long polls are answered first: uvicorn waits for open requests, and would cancel the parked ones after
        # its grace with a traceback each in the log
        platform.notifier.close()
        await original_shutdown(sockets=sockets)

    server.shutdown = shutdown  # type: ignore[method-assign]
    server.run(sockets=[sock])
