"""A real OpenSSH server on loopback for a test: throwaway Unix account, host and client keys, sshd on a free port.

    with start_sshd(set_env={"O2O_HOME": ...}) as server:      # SshdUnavailable when not root / no sshd
        key = server.client_key("courier-a")                      # private key path; key.with_suffix(".pub")
        server.write_authorized_keys([...])                       # or `o2o admin courier-key add ...`
        async with asyncssh.connect(**server.connect_options(key)) as conn: ...

Everything is undone on exit: sshd is stopped (by its pid), every process of the account is killed (by pid),
the account and its home are removed, the temp folder is deleted, and directory modes are restored.

The account must run this checkout's interpreter, which may live under a home that only its owner can enter
(here /root/.pyenv, /root being 0700). For the test's duration every directory on the way to the interpreter,
its site-packages and the checkout gets the "others may traverse" bit (o+x: enter, not list), and its old mode
back afterwards. chmod rather than setfacl: it needs no extra package nor a file system mounted with ACLs
(container overlays often are not), and traverse-only is no wider than what the account needs. A lock file and a
list of holders (pid and a random token) keep two harnesses in parallel (a test and a benchmark, say) from
restoring a mode under each other's feet; a holder that died is dropped at the next release.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
TIMEOUT = 10.0
ROOT = Path(__file__).resolve().parents[2]
_GRANTS = Path(tempfile.gettempdir()) / "o2o-sshd-grants.json"
_GRANTS_LOCK = Path(tempfile.gettempdir()) / "o2o-sshd-grants.lock"


class SshdUnavailable(Exception):
    """No root, no sshd, or no useradd: the caller skips with this message."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unavailable_reason() -> str | None:
    """Why a real sshd cannot be started here, or None."""
    if os.geteuid() != 0:
        return "SSH tests need root (a throwaway Unix account and sshd); CI runs as root"
    if not SSHD.exists():
        return f"{SSHD} is missing: apt-get install openssh-server (.ci/run does)"
    for tool in ("useradd", "userdel", "usermod", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is missing"
    return None


@dataclass
class SshServer:
    user: str
    uid: int
    gid: int
    home: Path
    o2o_home: Path
    port: int
    workdir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"
    keys: dict[str, Path] = field(default_factory=dict)

    @property
    def authorized_keys(self) -> Path:
        return self.home / ".ssh" / "authorized_keys"

    def client_key(self, name: str) -> Path:
        """A new ed25519 key pair in the work folder; the private key's path (`.pub` beside it)."""
        path = self.workdir / "client" / name
        path.parent.mkdir(mode=0o700, exist_ok=True)
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)])
        self.keys[name] = path
        return path

    def write_authorized_keys(self, lines: Iterable[str]) -> None:
        """Replace the account's authorized_keys (0600 in a 0700 .ssh, owned by the account)."""
        folder = self.authorized_keys.parent
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chown(folder, self.uid, self.gid)
        self.authorized_keys.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        os.chmod(self.authorized_keys, 0o600)
        os.chown(self.authorized_keys, self.uid, self.gid)

    def connect_options(self, key: Path, **extra: object) -> dict[str, object]:
        """Keyword arguments for `asyncssh.connect` as this account with `key` (compression asked for)."""
        options: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "username": self.user,
            "client_keys": [str(key)],
            "known_hosts": None,
            "agent_path": None,
            "compression_algs": ["zlib@openssh.com", "none"],
            "connect_timeout": TIMEOUT,
        }
        options.update(extra)
        return options

    def run_as_user(
        self, argv: list[str], env: dict[str, str] | None = None, **kwargs: object
    ) -> subprocess.CompletedProcess[str]:
        """Run a command as the account (e.g. `o2o login` so the profile files are its own)."""
        full_env = {
            "HOME": str(self.home),
            "USER": self.user,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        full_env.update(env or {})
        return subprocess.run(  # type: ignore[call-overload,no-any-return]
            argv,
            env=full_env,
            user=self.uid,
            group=self.gid,
            extra_groups=[],
            cwd=str(self.home),
            capture_output=True,
            text=True,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )

    def shared_dir(self, name: str) -> Path:
        """A folder in the work dir owned by the account (e.g. its O2O_HOME), reachable by it."""
        path = self.workdir / name
        path.mkdir(mode=0o700, exist_ok=True)
        os.chown(path, self.uid, self.gid)
        return path

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)  # type: ignore[call-overload,no-any-return]


# -- traverse grants -------------------------------------------------------------------------------------------


def paths_to_grant() -> list[Path]:
    """Directories the account must be able to enter: every ancestor of the interpreter, its libraries, the checkout."""
    targets = {Path(sys.executable).resolve(), Path(sys.prefix).resolve(), ROOT}
    targets |= {Path(p).resolve() for p in sys.path if p and Path(p).is_dir()}
    dirs: set[Path] = set()
    for target in targets:
        dirs.update(parent for parent in [target, *target.parents] if parent.is_dir())
    return sorted(dirs)


@contextlib.contextmanager
def _grants_locked() -> Iterator[dict[str, dict[str, object]]]:
    import fcntl

    with open(_GRANTS_LOCK, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(_GRANTS.read_text()) if _GRANTS.exists() else {}
        except ValueError:
            state = {}
        yield state
        _GRANTS.write_text(json.dumps(state))


def _alive(holder: str) -> bool:
    try:
        os.kill(int(holder.split(":", 1)[0]), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def grant_traverse(dirs: list[Path]) -> str:
    """Give others the traverse bit on each of `dirs` that lacks it, or join the holders of an earlier grant.

    Returns the holder token for `release_traverse` ("pid:random", so one process may hold several grants).
    """
    me = f"{os.getpid()}:{uuid.uuid4().hex}"
    with _grants_locked() as state:
        for path in dirs:
            entry = state.get(str(path))
            if entry is None:
                mode = path.stat().st_mode & 0o7777
                if mode & 0o001:
                    continue  # open already, and not by a grant: nothing to do or undo
                entry = state[str(path)] = {"mode": mode, "holders": []}
                os.chmod(path, mode | 0o001)
            entry["holders"] = [*(h for h in entry.get("holders", []) if _alive(h)), me]  # type: ignore[union-attr]
    return me


def release_traverse(token: str) -> None:
    """Drop this holder; a directory nobody alive holds any more gets its old mode back."""
    with _grants_locked() as state:
        for name in list(state):
            entry = state[name]
            holders = [h for h in entry.get("holders", []) if h != token and _alive(h)]  # type: ignore[union-attr]
            if holders:
                entry["holders"] = holders
                continue
            with contextlib.suppress(OSError):
                os.chmod(name, int(entry["mode"]))  # type: ignore[call-overload]
            del state[name]


# -- the account -----------------------------------------------------------------------------------------------


def _account_pids(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == uid:
                pids.append(int(entry.name))
    return pids


def _kill_account_processes(uid: int) -> None:
    """SIGKILL every process of the throwaway account (tmux servers, gates, apps), one pid at a time."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        pids = _account_pids(uid)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def _sshd_config(server_dir: Path, port: int, user: str, set_env: dict[str, str]) -> str:
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {server_dir / 'ssh_host_ed25519_key'}",
        f"PidFile {server_dir / 'sshd.pid'}",
        "AuthorizedKeysFile .ssh/authorized_keys",
        "AuthenticationMethods publickey",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes yes",
        f"AllowUsers {user}",
        # the deployment's settings (docs/ssh.md)
        "DisableForwarding yes",
        "AllowTcpForwarding no",
        "X11Forwarding no",
        "PermitTTY yes",
        "PermitUserRC no",
        "ClientAliveInterval 15",
        "ClientAliveCountMax 4",
        "Compression yes",
        "AcceptEnv LANG LC_* O2O_LANG",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "LogLevel VERBOSE",
        "MaxStartups 50",
    ]
    if set_env:
        lines.append("SetEnv " + " ".join(f'"{k}={v}"' for k, v in set_env.items()))
    return "\n".join(lines) + "\n"


def _wait_port(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited ({process.returncode}):\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.recv(1)  # the server's banner: sshd is answering, not only listening
            return
        time.sleep(0.05)
    raise RuntimeError(f"sshd did not answer on port {port} within {TIMEOUT} s")


@contextlib.contextmanager
def start_sshd(set_env: dict[str, str] | None = None) -> Iterator[SshServer]:
    """Account, keys, config, sshd; all removed afterwards. Raises `SshdUnavailable` when it cannot run here.

    Logins get `O2O_HOME` = `server.o2o_home` (a folder of the account's in the work dir; sshd's `SetEnv`), plus
    `set_env`.
    """
    reason = unavailable_reason()
    if reason:
        raise SshdUnavailable(reason)
    user = "o2o-t" + uuid.uuid4().hex[:10]
    workdir = Path(tempfile.mkdtemp(prefix="o2o-sshd-"))
    os.chmod(workdir, 0o711)  # the account enters its own folders here; it lists nothing
    server_dir = workdir / "server"
    server_dir.mkdir(mode=0o700)
    process: subprocess.Popen[bytes] | None = None
    uid = -1
    grant = ""
    try:
        _run(["useradd", "--create-home", "--shell", "/bin/sh", user])
        _run(["usermod", "-p", "*", user])  # unlocked for key logins (UsePAM no refuses a locked "!" account)
        entry = pwd.getpwnam(user)
        uid, gid, home = entry.pw_uid, entry.pw_gid, Path(entry.pw_dir)
        o2o_home = workdir / "o2o-home"
        o2o_home.mkdir(mode=0o700)
        os.chown(o2o_home, uid, gid)
        login_env = {"O2O_HOME": str(o2o_home), **(set_env or {})}
        grant = grant_traverse(paths_to_grant())
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(server_dir / "ssh_host_ed25519_key")])
        port = free_port()
        config = server_dir / "sshd_config"  # absolute: sshd re-executes itself with it
        config.write_text(_sshd_config(server_dir, port, user, login_env), encoding="utf-8")
        _run([str(SSHD), "-t", "-f", str(config)])
        log_path = workdir / "sshd.log"
        process = subprocess.Popen(
            [str(SSHD), "-D", "-f", str(config), "-E", str(log_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(port, process, log_path)
        yield SshServer(
            user=user,
            uid=uid,
            gid=gid,
            home=home,
            o2o_home=o2o_home,
            port=port,
            workdir=workdir,
            log_path=log_path,
            process=process,
        )
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=TIMEOUT)
        if uid >= 0:
            _kill_account_processes(uid)
            shutil.rmtree(f"/tmp/tmux-{uid}", ignore_errors=True)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(["userdel", "--remove", user], capture_output=True, timeout=TIMEOUT)
        if grant:
            release_traverse(grant)
        shutil.rmtree(workdir, ignore_errors=True)
