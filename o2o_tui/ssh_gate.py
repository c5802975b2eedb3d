"""`o2o ssh-gate`: the forced command of a courier's SSH key (the gitolite pattern), without Textual.

A key line in the shared account's `authorized_keys` reads
`restrict,pty,command="/abs/o2o ssh-gate --courier ID" ssh-ed25519 AAAA... o2o-courier:ID`, so whatever the client
asks for, sshd runs the gate. The gate refuses anything but an interactive login (a command, no terminal, a bad
courier id, a profile saved for another courier) with one line, refuses to run as root at all (`check_account`: a
courier key in root's `authorized_keys` must not be a root login), and otherwise starts, or re-attaches to, that
courier's persistent tmux session that runs `o2o courier --profile courier-ID` and nothing else:

- one tmux server per courier (`tmux -L o2o-courier-ID`), so a key reaches only its own courier's session;
- a locked-down config (`TMUX_CONF`): no prefix key, every key table empty (keys go to the app), no status bar,
  no command prompt, mouse off, no window titles or clipboard writes;
- `destroy-unattached off`: a dropped link keeps the session, a reconnect re-attaches (`-A`) and takes it over
  from the stale client (`-D`); `exit-empty on`, `remain-on-exit off`: the app's quit ends the session;
- the app reads its locale and language once, at start: a login whose `LANG`/`LC_*`/`O2O_LANG` differ from the
  running session's (the courier fixed the locale the screen asked for, or switched language) ends that session
  and starts a fresh app when the profile has nothing queued (event "restart"); with steps queued it re-attaches
  (event "attach-old-locale": the steps stay with the app that took them) and docs/ssh.md says what to do.

Every start, attach and refusal is one line in `data_dir()/ssh-gate.log` (0600): time, courier id, the client's
address from `SSH_CLIENT`, what happened. Never a token, never the refused command's text.

`O2O_SSH_GATE_COMMAND` (tests only) replaces `o2o courier --profile NAME` inside the session by any program.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from o2o_tui.paths import data_dir
from o2o_tui.safe_text import safe_text

COURIER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TERM = re.compile(r"[A-Za-z0-9._+-]{1,64}")
SESSION = "courier"
LOG_FILE = "ssh-gate.log"
COMMAND_ENV = "O2O_SSH_GATE_COMMAND"  # tests only: the program the session runs instead of `o2o courier`
GATE_ENV = "O2O_SSH_GATE"  # set in the session: the handheld runs under the gate (no shell for `o2o login`)
# what the session's program gets from the login (everything else comes from the tmux server's environment)
PASS_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "O2O_HOME", "O2O_LANG")
# what the app reads once, at start: a login that asks for other values gets a fresh app (see `plan`)
LOCALE_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "O2O_LANG")
# what a locale (or a language) looks like: `zh_CN.UTF-8`, `sr_RS@latin`, `C.UTF-8`, `zh`. Anything else the client
# sent (sshd passes LANG/LC_* through AcceptEnv) is dropped: a value ending in ";" was a command separator to tmux
# ("no server running" instead of the handheld), and the app falls back to the default locale anyway
_LOCALE = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
TMUX_TIMEOUT = 10.0
END_GRACE = 3.0  # how long an ended server may wait for its last clients before it is killed

TMUX_CONF = """\
# Written by `o2o ssh-gate`: a courier's session runs one program, and every key goes to it.
set -g prefix None
set -g prefix2 None
unbind-key -a -T prefix
unbind-key -a -T root
unbind-key -a -T copy-mode
unbind-key -a -T copy-mode-vi
set -g status off
set -g mouse off
set -g destroy-unattached off
set -g exit-unattached off
set -g exit-empty on
set -g remain-on-exit off
set -g detach-on-destroy on
set -g escape-time 25
set -g history-limit 0
set -g set-titles off
set -g allow-rename off
set -g automatic-rename off
set -g set-clipboard off
set -g bell-action any
set -g visual-bell off
set -g visual-activity off
set -g visual-silence off
set -g monitor-activity off
set -g focus-events off
set -g lock-after-time 0
set -g window-size latest
set -g aggressive-resize on
"""


class Refused(Exception):
    """The gate says no: `reason` goes to the log, `key` (an i18n key) to the person, `code` is the exit code."""

    def __init__(self, reason: str, key: str, code: int, **values: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.key = key
        self.code = code
        self.values = values


@dataclass(frozen=True)
class GatePlan:
    courier_id: str
    event: str  # "start" or "attach"
    argv: list[str]  # the tmux client to exec
    env: dict[str, str]


def valid_courier_id(value: str) -> bool:
    return COURIER_ID.fullmatch(value) is not None


def socket_name(courier_id: str) -> str:
    return f"o2o-courier-{courier_id}"


def default_profile(courier_id: str) -> str:
    return f"courier-{courier_id}"


def o2o_program(argv0: str | None = None) -> str:
    """The absolute path of the `o2o` program: the one running, else the one beside this interpreter, else PATH's.

    `sys.argv[0]` is the real console script even when a version manager's shim started it; the PATH lookup comes
    last because it may find a shim that another account cannot run.
    """
    first = argv0 if argv0 is not None else (sys.argv[0] if sys.argv else "")
    candidates = []
    if first and Path(first).name == "o2o":
        candidates.append(Path(first))
    candidates.append(Path(sys.executable).parent / "o2o")
    found = shutil.which("o2o")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate.absolute())
    return str(Path(sys.executable).parent / "o2o")


def client_address(environ: Mapping[str, str]) -> str:
    """The client's address from `SSH_CLIENT` ("ip port localport"), or "-" outside SSH."""
    value = environ.get("SSH_CLIENT") or environ.get("SSH_CONNECTION") or ""
    first = value.split(" ", 1)[0]
    return safe_text(first, one_line=True)[:64] or "-"


def log_path() -> Path:
    return data_dir() / LOG_FILE


def log_event(courier_id: str, environ: Mapping[str, str], event: str, detail: str = "") -> None:
    """Append one line to the gate's log (created 0600, and kept 0600)."""
    shown = courier_id if valid_courier_id(courier_id) else repr(safe_text(courier_id, one_line=True)[:64])
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{stamp} courier={shown} client={client_address(environ)} event={event}"
    if detail:
        line += f" reason={detail}"
    path = log_path()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (line + "\n").encode("utf-8", "replace"))
    finally:
        os.close(fd)


def check_request(courier_id: str, environ: Mapping[str, str], *, has_tty: bool) -> None:
    """Refuse anything but an interactive login of a well-formed courier id."""
    if not valid_courier_id(courier_id):
        raise Refused("bad-courier-id", "ssh.refused.courier_id", 2)
    if environ.get("SSH_ORIGINAL_COMMAND"):
        raise Refused("command", "ssh.refused.command", 5)
    if not has_tty:
        raise Refused("no-tty", "ssh.refused.no_tty", 5)


def running_as_root() -> bool:
    """Whether this process has root's rights (its effective uid is 0)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def check_account(environ: Mapping[str, str]) -> None:
    """Refuse to run as root: a courier key in root's `authorized_keys` would make the handheld a root login. The
    tests-only `COMMAND_ENV` (which already runs any program it names, and opens no handheld) is let through."""
    if running_as_root() and not environ.get(COMMAND_ENV):
        raise Refused("root", "ssh.refused.root", 5)


def check_profile_owner(courier_id: str, profile: str, known: Mapping[str, object]) -> None:
    """Refuse a profile saved for another courier (or for no courier): the key of courier B must not open
    courier A's handheld while the log says B. A profile that is not there is left to the caller."""
    found = known.get(profile)
    if found is not None and getattr(found, "courier_id", None) != courier_id:
        raise Refused(
            "profile-courier", "ssh.refused.profile_courier", 5, profile=profile, courier_id=courier_id
        )


def app_command(profile: str, environ: Mapping[str, str], program: str) -> list[str]:
    override = environ.get(COMMAND_ENV)
    if override:
        return shlex.split(override)
    return [program, "courier", "--profile", profile]


def tmux_conf(term: str) -> str:
    """The locked-down config; the session's programs see the login's TERM (same colours as the handheld)."""
    chosen = term if _TERM.fullmatch(term or "") else "screen"
    return TMUX_CONF + f'set -g default-terminal "{chosen}"\n'


def write_conf(courier_id: str, term: str) -> Path:
    from o2o_tui.config import write_private_file

    folder = data_dir() / "ssh-gate"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{courier_id}.tmux.conf"
    text = tmux_conf(term)
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except OSError:
        pass
    write_private_file(path, text.encode("utf-8"))
    return path


def session_exists(tmux: str, courier_id: str) -> bool:
    return ask_server(tmux, courier_id, "has-session", "-t", SESSION) is not None


def ask_server(tmux: str, courier_id: str, *command: str) -> str | None:
    """What the courier's tmux server answers to `command` (None: no server, an error, no answer in time)."""
    try:
        result = subprocess.run(
            [tmux, "-L", socket_name(courier_id), *command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TMUX_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def session_locale(tmux: str, courier_id: str) -> dict[str, str] | None:
    """The locale and language the running session's app started with (None: not known)."""
    answer = ask_server(tmux, courier_id, "show-environment", "-t", SESSION)
    if answer is None:
        return None
    found = dict(line.split("=", 1) for line in answer.splitlines() if "=" in line)
    return {name: found[name] for name in LOCALE_ENV if found.get(name)}


def unusable_locale(environ: Mapping[str, str]) -> list[str]:
    """The locale variables of the login whose value does not look like a locale (see `_LOCALE`)."""
    return [name for name in LOCALE_ENV if environ.get(name) and not _LOCALE.fullmatch(environ[name])]


def login_locale(environ: Mapping[str, str]) -> dict[str, str]:
    """The locale the login asks for, what does not look like a locale left out (as the session gets it)."""
    return {
        name: environ[name] for name in LOCALE_ENV if environ.get(name) and _LOCALE.fullmatch(environ[name])
    }


def queued_steps(profile: str) -> int:
    """How many steps the profile's handheld has queued for the platform (0 when it has no cache yet)."""
    from o2o_tui.config import ConfigError, load_profiles
    from o2o_tui.sync.session import open_cache

    try:
        known = load_profiles().get(profile)
    except ConfigError:
        return 0
    if known is None:
        return 0
    try:
        cache = open_cache(known, read_only=True)
    except Exception:  # a cache that cannot be read: assume steps are waiting, never throw them away
        return 1
    try:
        return len(cache.outbox.pending())
    finally:
        close = getattr(cache, "close", None)
        if close is not None:
            close()


def old_locale_note(queued: int) -> str:
    """What the re-attached courier reads on the bottom line for a few seconds (tmux: '#' doubled)."""
    from o2o_tui.i18n import t

    return t("handheld.gate.old_locale", count=queued).replace("#", "##")


SERVER_FORMAT = "#{pid} #{socket_path}"


def server_process(tmux: str, courier_id: str) -> tuple[str, int] | None:
    """The socket path and pid of the courier's running tmux server (None: none answered)."""
    answer = ask_server(tmux, courier_id, "display-message", "-p", "-t", SESSION, SERVER_FORMAT)
    pid, _, path = (answer or "").strip().partition(" ")
    if not pid.isdigit() or not path:
        return None
    return path, int(pid)


def default_socket(courier_id: str) -> str:
    """Where tmux puts the courier's socket when the server cannot say: `$TMUX_TMPDIR` (or /tmp)/tmux-UID/NAME."""
    folder = os.path.realpath(os.environ.get("TMUX_TMPDIR") or "/tmp")
    return os.path.join(folder, f"tmux-{os.getuid()}", socket_name(courier_id))


def server_answers(path: str) -> bool:
    """Whether a tmux server still holds the socket. One on its way out accepts a connection and closes it at once
    (its client says "server exited unexpectedly"); a gone one leaves no socket, or one that refuses."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(path)
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            return False
        except OSError:  # a full backlog, a slow accept: still there
            return True
    return True


def end_session(tmux: str, courier_id: str) -> None:
    """End the courier's tmux server (its app quits on the hangup) and wait until it is gone.

    `kill-server` only starts the end: the server then waits for each of its clients to go (the stale one of the
    dropped link, any `tmux` command in flight) and meanwhile closes every new connection as it accepts it, so
    `has-session` fails while it is still there, and the reconnect's client that reaches it gets "server exited
    unexpectedly". Gone is when its socket refuses connections; a server still held by a client after `END_GRACE`
    seconds (one that does not go) is killed, its app hung up as `kill-server` would have.
    """
    found = server_process(tmux, courier_id)
    path, pid = found if found is not None else (default_socket(courier_id), 0)
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        subprocess.run(
            [tmux, "-L", socket_name(courier_id), "kill-server"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TMUX_TIMEOUT,
        )
    started = time.monotonic()
    while server_answers(path) and time.monotonic() - started < TMUX_TIMEOUT:
        if pid and time.monotonic() - started >= END_GRACE:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            pid = 0
        time.sleep(0.02)


def plan(
    courier_id: str,
    profile: str | None,
    environ: Mapping[str, str],
    *,
    has_tty: bool,
    program: str | None = None,
) -> GatePlan:
    """What the gate will run for this login, or `Refused`."""
    from o2o_tui.config import BadProfileName, ConfigError, load_profiles, profile_name

    check_request(courier_id, environ, has_tty=has_tty)
    try:
        chosen = profile_name(profile or default_profile(courier_id))
    except BadProfileName:
        raise Refused("bad-profile", "ssh.refused.profile", 2) from None
    if not environ.get(COMMAND_ENV):
        try:
            known = load_profiles()
        except ConfigError:
            known = {}
        if chosen not in known:
            raise Refused("no-profile", "ssh.refused.no_profile", 5, profile=chosen)
        check_profile_owner(courier_id, chosen, known)
    tmux = shutil.which("tmux", path=environ.get("PATH"))
    if not tmux:
        raise Refused("no-tmux", "ssh.refused.no_tmux", 1)
    dropped = unusable_locale(environ)
    if dropped:  # left out of the session (and of the tmux server's environment): the default locale applies
        environ = {k: v for k, v in environ.items() if k not in dropped}
        with contextlib.suppress(OSError):
            log_event(courier_id, environ, "locale-dropped", ",".join(dropped))
    term = environ.get("TERM", "")
    conf = write_conf(courier_id, term)
    command = app_command(chosen, environ, program or o2o_program())
    argv = [tmux, "-L", socket_name(courier_id), "-f", str(conf), "new-session", "-A", "-D", "-s", SESSION]
    argv += ["-e", f"{GATE_ENV}=1"]
    for name in PASS_ENV:
        if environ.get(name):
            argv += ["-e", f"{name}={environ[name]}"]
    argv += ["--", *command]
    event = "attach" if session_exists(tmux, courier_id) else "start"
    if event == "attach":
        running = session_locale(tmux, courier_id)
        if running is not None and running != login_locale(environ):
            queued = queued_steps(chosen)
            if queued == 0:
                end_session(tmux, courier_id)
                event = "restart"
            else:
                event = "attach-old-locale"
                argv += [";", "display-message", "-d", "8000", old_locale_note(queued)]
    env = {k: v for k, v in environ.items() if k not in ("TMUX", "TMUX_PANE")}
    return GatePlan(courier_id=courier_id, event=event, argv=argv, env=env)
