"""`o2o sync` until stopped: the sync engine as a long-lived service (systemd, supervisor, a terminal).

A token the platform refuses (revoked, rotated) does not end it. It says LOG IN AGAIN once, and while the refusal
lasts, or the platform does not answer, it reads the profile every `LOGIN_CHECK_S` s; once `o2o login` has saved a
new login of the same account (`config.saved_login` / `config.same_account`, the console's and the handheld's rule:
the platform's id, so maybe at its other server) it starts the engine again with that login, at the URL it was
made at, and the queue goes out with no restart. Someone else's login saved under the profile's name is not taken
(the queue and cache are this account's): said once.
Exiting instead (code 5) would have a supervisor restart it into the same refusal again and again until someone
logs in, or give up after a few quick failures (systemd's start limit) and need a restart by hand after the login;
this way the login alone is enough, and the refusal is still in the log and in `o2o sync status` (UNAUTHORIZED).

What it says: on a terminal one status line rewritten in place, its "last sync N s ago" kept current; otherwise
(a log) one line per change of state, queue or conflicts; with `--json` one JSON object per such change on stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from o2o_tui.cli.output import emit_json, stdout_gone, written
from o2o_tui.cli.sync import age_text, state_word
from o2o_tui.client.errors import says_disabled
from o2o_tui.config import Profile, saved_login
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync.engine import iso
from o2o_tui.sync.model import Change, ChangeKind, SyncState, SyncStatus
from o2o_tui.sync.session import make_client, make_engine
from o2o_tui.text_fold import fold

LOGIN_CHECK_S = 2.0  # while the token is refused: how often the profile is read for a new login
TICK_S = 5.0  # how often a terminal's status line is redrawn for its "last sync N s ago"
# the exit once the output is gone (its reader left, or it was closed): a Unix tool killed by SIGPIPE exits so, and
# a supervisor (systemd's Restart=on-failure) starts it again, as it would after a crash
OUTPUT_GONE_EXIT = 141


def status_line(status: SyncStatus) -> str:
    return t(
        "sync.status.line",
        state=state_word(status.state, status.last_error),
        pending=status.pending,
        conflicts=status.conflicts,
        age=age_text(status.last_sync_at),
    )


def status_json(status: SyncStatus) -> dict[str, Any]:
    """The fields `o2o sync --once --json` has that a status has, with the last good answer and the time."""
    return {
        "state": str(status.state),
        "pending": status.pending,
        "conflicts": status.conflicts,
        "error": status.last_error,
        "last_sync_at": None if status.last_sync_at is None else iso(status.last_sync_at),
        "at": iso(datetime.now(UTC)),
    }


class StatusOutput:
    """Says the engine's status and the service's news, as the module's doc describes."""

    def __init__(self, profile_name: str, *, as_json: bool, stream: TextIO | None = None) -> None:
        self._profile = profile_name
        self._json = as_json
        self._stream: TextIO | None = stream or sys.stderr  # None: started with stderr closed (`2>&-`)
        self.live = not as_json and _is_terminal(self._stream)  # one line kept current on a terminal
        self._gone = False
        self._said: object = None
        self._refused = False
        self._rows_up = 0  # a terminal: how many rows above the cursor the status line (folded) starts

    @property
    def gone(self) -> bool:
        """Whether what it says can no longer be written (stdout with --json, else the stream): its reader left
        (`o2o sync --json | head -1`) or it was closed. `o2o sync` stops then."""
        return self._gone or (stdout_gone() if self._json else self._stream is None)

    def look_for_reader(self) -> None:
        """Between changes (a quiet link writes nothing for hours): whether the pipe or socket it writes to lost
        its reader, found without writing (a Unix tool learns it only at its next write)."""
        stream = sys.stdout if self._json else self._stream
        if not self.gone and _reader_left(stream):
            self._gone = True

    def show(self, status: SyncStatus) -> None:
        if self.gone:
            return
        if self._json:
            said: object = (status.state, status.pending, status.conflicts, status.last_error)
        elif self.live:
            said = status_line(status)  # its age too: the line is redrawn in place
        else:
            said = (status.state, status.pending, status.conflicts)
        refused = status.state is SyncState.UNAUTHORIZED
        hint_key = "sync.run.disabled" if says_disabled(status.last_error) else "sync.run.unauthorized"
        hint = t(hint_key, profile=self._profile) if refused and not self._refused else None
        self._refused = refused
        if hint and self.live:
            self.note(hint)  # above the line kept current
        if said != self._said:
            self._said = said
            if self._json:
                emit_json(status_json(status))
            elif self.live:
                self._redraw(self._folded(status_line(status)), end="")
            else:
                self._write(status_line(status) + "\n")
        if hint and not self.live:
            self.note(hint)  # under the line it explains

    def note(self, text: str) -> None:
        """A sentence for the person or the log (none with --json: its objects carry the state)."""
        if self._json:
            return
        if not self.live:
            self._write(safe_text(text) + "\n")
            return
        # in place of the status line, which is drawn again under it
        self._redraw(self._folded(text), end="\n")
        self._said = None
        self._rows_up = 0

    def close(self) -> None:
        if self.live and self._said is not None:
            self._write("\n")

    def _folded(self, text: str) -> list[str]:
        """`text` in rows narrower than the terminal (a row as wide as it would leave the cursor past its edge)."""
        try:
            width = os.get_terminal_size(self._stream.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            width = 80
        return fold(safe_text(text), max(10, width - 1))

    def _redraw(self, rows: list[str], *, end: str) -> None:
        """Rub out the status line (all its rows) and write `rows` where it was."""
        up = f"\x1b[{self._rows_up}A" if self._rows_up else ""
        self._write("\r" + up + "\x1b[J" + "\n".join(rows) + end)
        self._rows_up = len(rows) - 1

    def _write(self, text: str) -> None:
        stream = self._stream
        if self.gone or stream is None:
            return

        def write() -> None:
            stream.write(text)
            stream.flush()

        if stream is sys.stderr:
            self._gone = not written(write, stderr=True)
            return
        try:
            write()
        except BrokenPipeError:
            self._gone = True


def _reader_left(stream: TextIO | None) -> bool:
    """Whether the pipe or socket `stream` writes to has no reader any more (poll says so: POLLERR, POLLHUP)."""
    import select

    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)  # type: ignore[union-attr]
        events = poller.poll(0)
    except (AttributeError, OSError, ValueError):  # no descriptor, or no poll on this system
        return False
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in events)


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


async def serve(profile: Profile, cache: Any, output: StatusOutput) -> None:
    """Run the engine until cancelled, starting it again on each new login saved while the token is refused."""
    login: Profile | None = profile
    while login is not None:
        renewed = await _run_engine(login, cache, output)
        if renewed is not None:
            output.note(t("sync.run.new_login", profile=login.name))
        login = renewed


async def _run_engine(login: Profile, cache: Any, output: StatusOutput) -> Profile | None:
    """The engine on `login` until it stops (None), or until a new login of the account is saved while the
    platform refuses this one's token or does not answer (that login: this engine's client holds the refused
    token, or the address of a server that is gone)."""
    async with make_client(login, timeout=10.0) as client:
        engine = make_engine(login, cache, client)

        def changed(change: Change) -> None:
            if change.kind in (ChangeKind.STATUS, ChangeKind.CONFLICT):
                output.show(engine.status())
            if output.gone:  # nobody reads it any more: stop, leaving the queue and cache as they are
                engine.stop()

        engine.subscribe(changed)
        output.show(engine.status())
        if output.gone:
            return None
        running = asyncio.create_task(engine.run(), name="sync-engine")
        helpers: list[asyncio.Task[Any]] = [asyncio.create_task(_new_login(login, engine, output), name="sync-login")]

        def tick() -> None:  # a terminal's "last sync N s ago" kept current; and whether anyone still reads
            output.look_for_reader()
            changed(Change(kind=ChangeKind.STATUS))  # said only when it changed (on a terminal: its age)

        helpers.append(asyncio.create_task(_tick(tick), name="sync-tick"))
        try:
            done, _ = await asyncio.wait({running, helpers[0]}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when cancelled (Ctrl-C, SIGTERM): the engine stops and writes its state
            for task in helpers:
                task.cancel()
            engine.stop()
            await asyncio.gather(running, *helpers, return_exceptions=True)
        if running in done:
            running.result()
            return None
        result: Profile = helpers[0].result()
        return result


async def _new_login(login: Profile, engine: Any, output: StatusOutput) -> Profile:
    """Returns once the profile holds a new login of `login`'s account (`config.saved_login`: another token, or
    the same one saved at another server of the platform) while the platform refuses `login`'s token or does not
    answer; reads nothing while it works. Someone else's login saved there is said once, and not taken."""
    other_said = False
    while True:
        await asyncio.sleep(LOGIN_CHECK_S)
        if engine.status().state not in (SyncState.UNAUTHORIZED, SyncState.OFFLINE):
            continue
        saved, other = await asyncio.to_thread(saved_login, login)
        if saved is not None:
            return saved
        if other and not other_said:
            output.note(t("sync.run.other_login", profile=login.name))
        other_said = other


async def _tick(show: Any) -> None:
    while True:
        await asyncio.sleep(TICK_S)
        show()


def run_service(profile: Profile, cache: Any, *, as_json: bool) -> None:
    """`serve` until Ctrl-C, or a service manager's SIGTERM / a closed terminal's SIGHUP (the engine stops and
    the caller closes the cache), or until its output is gone (exit `OUTPUT_GONE_EXIT`, quietly)."""
    import typer

    from o2o_tui.cli.stop_signals import InterruptOnSignals

    output = StatusOutput(profile.name, as_json=as_json)
    with contextlib.suppress(KeyboardInterrupt), InterruptOnSignals():
        asyncio.run(serve(profile, cache, output))
    output.close()
    if output.gone:
        raise typer.Exit(OUTPUT_GONE_EXIT)
