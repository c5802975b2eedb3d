"""Printing for the CLI: JSON for scripts, Rich for people, untrusted text always plain."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable
from typing import Any

import msgspec
import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.safe_text import json_escaped, safe_text

_SECRET_KEYS = frozenset({"token", "access_token", "authorization", "password", "token_hash"})


class _Console:
    """A rich Console made on first use: importing rich.console costs ~25 ms (a tenth of a bare start) that a
    command printing only JSON (`o2o orders list --json`) never needs. Attributes are the Console's."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
            self._console.on_broken_pipe = self._broken_pipe  # Rich's own exits 1, and on stdout only
        return getattr(self._console, name)

    def _broken_pipe(self) -> None:
        self._console.quiet = True  # nothing more to write: its reader left
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    def print(self, *objects: Any, **options: Any) -> None:
        """Rich's `print`; a stream whose reader left (`| head`) or that is closed (`>&-`) takes nothing more,
        and the command goes on to its own exit code (`written`)."""
        written(lambda: self.__getattr__("print")(*objects, **options), stderr=self._stderr)


stdout = _Console()
stderr = _Console(stderr=True)

_UTF = frozenset({"utf-8", "utf8", "utf-16", "utf-32", "utf-8-sig"})


def _encoding(stream: Any) -> str:
    return str(getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")


def question_marks_for_unencodable(stream: Any) -> None:
    """On a terminal whose locale is not UTF-8 (`LC_ALL=en_US.ISO-8859-1`), a character its encoding lacks
    (Chinese) is written as '?' instead of raising UnicodeEncodeError halfway through a command, as the handheld
    does (screens/courier_app.py `for_terminal`); also for what Typer and Rich print themselves (help, usage
    errors). A UTF-8 stream is left alone; JSON is written as UTF-8 bytes to the buffer whatever the locale."""
    if _encoding(stream) in _UTF or getattr(stream, "errors", None) == "replace":
        return
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    # a stream that cannot change its handler: `for_stream` still guards say, warn and fail
    with contextlib.suppress(ValueError, OSError):
        reconfigure(errors="replace")


question_marks_for_unencodable(sys.stdout)
question_marks_for_unencodable(sys.stderr)


def for_stream(text: str, stream: Any) -> str:
    """`text` as `stream` can write it: characters its encoding lacks become '?'."""
    encoding = _encoding(stream)
    if text.isascii() or encoding in _UTF:
        return text
    try:
        return text.encode(encoding, "replace").decode(encoding)
    except LookupError:  # an encoding Python does not know: ASCII is safe
        return text.encode("ascii", "replace").decode("ascii")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("***" if str(k).lower() in _SECRET_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


# --- a stream nobody reads any more ------------------------------------------------------------------------------
# A script's reader that left (`o2o orders list --json | head -1`) or a stdout closed from the start (`>&-`) does
# not turn a command into a failure: what cannot be written is dropped, with no traceback, and the command exits
# with its own code (0 when the action was done: a retrying script must not do a done action again). README's exit
# code table says so; `o2o sync`, which runs until stopped, stops then (sync_service: exit 141, as a Unix tool
# killed by SIGPIPE). `stdout_gone()` tells a long-running command its output has nowhere to go.

_gone = {"stdout": False, "stderr": False}


def stdout_gone() -> bool:
    """Whether stdout is closed (`>&-`) or its reader was found gone (nothing is written to it from then on)."""
    return _gone["stdout"] or sys.stdout is None


def stderr_gone() -> bool:
    """`stdout_gone` for stderr."""
    return _gone["stderr"] or sys.stderr is None


def _is_gone(error: BaseException, stream: Any) -> bool:
    if stream is None:  # started with the stream closed: Python has no file for it
        return isinstance(error, AttributeError)
    if isinstance(error, OSError):
        return error.errno in (errno.EPIPE, errno.EBADF)  # BrokenPipeError is EPIPE
    return isinstance(error, ValueError) and bool(getattr(stream, "closed", False))


def _lost(name: str) -> None:
    """`name`'s reader is gone: from now on its writes go to /dev/null, so Python's own flush at exit (of what
    is still buffered) cannot fail again and print "Exception ignored ... BrokenPipeError"."""
    _gone[name] = True
    stream = getattr(sys, name)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


def written(write: Callable[[], Any], *, stderr: bool = False) -> bool:
    """Run `write` (something written to stdout, or stderr); False, and nothing more is written there, when
    the stream is closed or its reader gone. Any other error is raised."""
    name = "stderr" if stderr else "stdout"
    if _gone[name]:
        return False
    try:
        write()
    except (OSError, ValueError, AttributeError) as error:
        if not _is_gone(error, getattr(sys, name)):
            raise
        _lost(name)
        return False
    return True


def _write_bytes(data: bytes, *, stderr: bool = False) -> None:
    """`data` on stdout (or stderr) as bytes, after what was printed as text; nothing once its reader is gone."""
    if stderr:
        written(lambda: sys.stdout.flush())  # what the command said on stdout goes first

    def write() -> None:
        stream = sys.stderr if stderr else sys.stdout
        stream.flush()
        stream.buffer.write(data)
        stream.flush()

    written(write, stderr=stderr)


def _hold_closed_standard_descriptors() -> None:
    """A command started with stdin, stdout or stderr closed (`<&-`, `>&-`, `2>&-`: cron, CI) would have the
    next file it opens take that descriptor (the cache's lock file on descriptor 1: a library's stray print
    would land in it). /dev/null holds each closed one; `sys.stdin`/`sys.stdout` stay None, which the commands
    read as "closed" (login's `--token -`, `stdout_gone`)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                opened = os.open(os.devnull, os.O_RDWR)
                if opened != fd:
                    os.dup2(opened, fd)
                    os.close(opened)


_hold_closed_standard_descriptors()


def emit_json(value: Any, *, allow_secrets: bool = False) -> None:
    """One JSON document on stdout. Secrets are masked unless the command exists to hand one out."""
    data = msgspec.to_builtins(value)
    if not allow_secrets:
        data = _scrub(data)
    emit_json_unscrubbed(data)


def emit_json_unscrubbed(value: Any) -> None:
    """One JSON document on stdout, for values that hold no secret (thousands of order rows: no scrub walk).
    Control and bidi characters in strings are escaped (`\u009b`, `\u202e`): the values stay exact, and the
    output cannot drive the terminal of someone who reads it."""
    _write_bytes(json_escaped(msgspec.json.encode(value)) + b"\n")


def emit_json_bytes(document: bytes) -> None:
    """One JSON document already encoded (thousands of rows built from cached bytes), escaped as
    `emit_json_unscrubbed` escapes it."""
    _write_bytes(json_escaped(document) + b"\n")


def say(message: str) -> None:
    """A line for a person; `message` may hold untrusted text, so it is never parsed as markup."""
    from rich.text import Text

    stdout.print(Text(for_stream(safe_text(message), sys.stdout)))


def warn(message: str, code: str = "warning", *, style: str = "yellow") -> None:
    """A warning on stderr (stdout stays the command's output): for a person a line, never parsed as markup
    (`style=""`: uncoloured); a command run with `--json` says it as one JSON object on a line of its own,
    `{"warning": code, "message": ...}` (`emit_warning`), so a script can parse both streams."""
    if json_wanted():
        emit_warning(code, message)
        return
    from rich.text import Text

    stderr.print(Text(for_stream(_folded_for_stderr(safe_text(message)), sys.stderr), style=style))


def fail(message: str, code: Exit = Exit.ERROR, **details: Any) -> typer.Exit:
    """Print `message` on stderr and return the exit to raise: `raise fail(...)`. A command run with `--json`
    says it as a JSON error object (`emit_error`, with `details`: `reason`, ...), so a script reads every outcome
    the same way."""
    if json_wanted():
        emit_error(message, code, **details)
        return typer.Exit(int(code))
    from rich.text import Text

    stderr.print(Text(for_stream(_folded_for_stderr(safe_text(message)), sys.stderr), style="bold red"))
    return typer.Exit(int(code))


def _stderr_width() -> int:
    """The width of the terminal stderr writes to (COLUMNS first, as Rich reads it); 0 when stderr is no
    terminal (a pipe, a log file: a message stays one line there, as scripts and `grep` expect it)."""
    try:
        if not sys.stderr.isatty():
            return 0
    except (AttributeError, ValueError):  # closed, or a stream that is no file
        return 0
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


def _folded_for_stderr(text: str) -> str:
    """`text` broken into lines of the terminal's width as the console breaks its text (`text_fold.fold`: at
    spaces and between Chinese characters, never inside an ASCII word, no line starting with closing marks):
    the stderr console writes a line as it is (`soft_wrap`), and the terminal would cut it at its edge anywhere,
    "QUAL" / "ITY" in a list of reason codes with their Chinese words. To no terminal: as it is."""
    width = _stderr_width()
    if width <= 0:
        return text
    from o2o_tui.text_fold import fold

    return "\n".join(fold(text, width))


# the options that ask for JSON output: `--fields` (orders list) implies `--json`
JSON_OPTIONS = ("--json", "--fields")


def json_in_args(args: list[str]) -> bool:
    """Whether a command line asks for JSON output (`--json`, `--fields id,status`, `--fields=id`), for an error
    Click finds before it has read the options (an unknown option, a bad value, a missing argument)."""
    for arg in args:
        if arg == "--":  # what follows is arguments, not options
            return False
        if arg in JSON_OPTIONS or arg.startswith("--fields="):
            return True
    return False


def json_wanted(context: Any = None) -> bool:
    """Whether the command running (or `context`, a Click context) was given `--json`, or `--fields` (which
    implies it)."""
    if context is None:
        import importlib

        try:  # Typer's own (vendored) Click holds the running command's context
            click_globals = importlib.import_module("typer._click.globals")
        except ModuleNotFoundError:  # a Typer on the Click package
            click_globals = importlib.import_module("click.globals")
        context = click_globals.get_current_context(silent=True)
    while context is not None:
        if context.params.get("as_json") or context.params.get("fields") is not None:
            return True
        context = context.parent
    return False


class _PlainWords:
    """The stream Click's plain `show` writes an error to, with its own words ("Error: ", "Try '...' for help.")
    said in the current language (framework_text's `translate_plain_words`); all else is the stream's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: Any) -> Any:
        if isinstance(text, str):
            from o2o_tui.cli.framework_text import translate_plain_words

            text = translate_plain_words(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def plain_click_errors_as_json() -> None:
    """Click's own errors (an unknown option, a missing argument, a bad value) where Typer prints them without
    Rich (`TYPER_USE_RICH=0`): the JSON error object when the command line asks for JSON, as the Rich path
    says them (framework_text's `rich_format_error`), and the words in the current language otherwise. The exit
    code is Click's either way (Typer exits with it after showing the error)."""
    import importlib

    try:
        exceptions = importlib.import_module("typer._click.exceptions")
    except ModuleNotFoundError:  # a Typer on the Click package
        exceptions = importlib.import_module("click.exceptions")
    text_stderr = getattr(exceptions, "get_text_stderr", lambda: sys.stderr)
    for kind in (exceptions.ClickException, exceptions.UsageError):
        show = kind.__dict__.get("show")
        if show is None or getattr(show, "_o2o_json", False):
            continue

        def json_or_words(error: Any, file: Any = None, _show: Any = show) -> None:
            from o2o_tui.cli.framework_text import _asks_json, translate_error

            context = getattr(error, "ctx", None)
            if _asks_json(error) or (context is not None and json_wanted(context)):
                emit_error(translate_error(error.format_message()), error.exit_code)
                return
            format_message = error.format_message
            error.format_message = lambda: translate_error(format_message())
            # stderr closed (`2>&-`) or its reader gone: nothing is said and the exit code stays Click's (2)
            written(lambda: _show(error, _PlainWords(file if file is not None else text_stderr())), stderr=True)

        json_or_words._o2o_json = True  # type: ignore[attr-defined]
        kind.show = json_or_words


def _without_token(message: str) -> str:
    """The token of the environment never shows, even were a message to quote it."""
    import os

    secret = os.environ.get("O2O_TOKEN")
    return message.replace(secret, "***") if secret and len(secret) >= 8 else message


def _stderr_line(document: dict[str, Any]) -> None:
    _write_bytes(json_escaped(msgspec.json.encode(document)) + b"\n", stderr=True)


def emit_warning(code: str, message: str) -> None:
    """`{"warning": "cache_set_aside", "message": "..."}` on a line of stderr: a stable code and the sentence a
    person would read (control characters escaped, as on stdout)."""
    _stderr_line({"warning": code, "message": _without_token(message)})


def emit_error(message: str, code: Exit | int, **details: Any) -> None:
    """`{"error": {"code": "not_found", "exit": 6, "message": "..."}}` on stderr: the exit code's name and
    number, and the message a person would read (control characters escaped, as on stdout), with any `details` a
    script needs to act on it (`errors`: a bad file's problems). The token of the environment never shows, even
    were a message to quote it."""
    try:
        name = Exit(int(code)).name.lower()
    except ValueError:  # a code of Click's own that is not one of ours
        name = "error"
    error = {"code": name, "exit": int(code), "message": _without_token(message), **details}
    _stderr_line({"error": error})


def zoned_time(stored: str, zone: Any = None) -> str:
    """A stored UTC ISO time ("2026-12-06T03:15:55.728958Z") for a person: "2026-12-06 11:15 Asia/Shanghai" on
    `zone` (a store's), or on this machine's clock as "2026-12-06 03:15 UTC+00:00"; the zone is always said, as
    lines of one list may be on different clocks (`--json` keeps the ISO text). Text that is no time stays as it is."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        local = moment.astimezone(zone)
    except (OverflowError, ValueError):
        return stored
    name = getattr(zone, "key", None)
    if name:
        return f"{local:%Y-%m-%d %H:%M} {name}"
    offset = local.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{local:%Y-%m-%d %H:%M} UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
