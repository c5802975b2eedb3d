"""Courier key lines in the shared SSH account's `authorized_keys` (`o2o admin courier-key add|remove|list`).

Each courier key is one line that forces the gate and names its courier in the comment:

    restrict,pty,command="/abs/o2o ssh-gate --courier ID" ssh-ed25519 AAAA... o2o-courier:ID

`restrict` turns off port, agent and X11 forwarding, `~/.ssh/rc` and the pty; `pty` gives the pty back (the
handheld needs a terminal); `command=` makes sshd run the gate whatever the client asked for. Other lines of the
file are kept byte for byte. The file is replaced atomically (temp file in the same directory, fsync, rename), mode
0600 in a 0700 directory, owned like the file (or directory) it replaces, so sshd's StrictModes accepts it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import shlex
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no sshd authorized_keys to write
    fcntl = None  # type: ignore[assignment]

from o2o_tui.ssh_gate import valid_courier_id

MARK = "o2o-courier:"
KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)
_MAX_KEY_FILE = 64 * 1024
_PROFILE = re.compile(r"--profile\s+(\S+)")


class KeyLineError(Exception):
    """A refusal for a person: `key` is an i18n key, `values` its placeholders."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class PublicKey:
    kind: str
    blob: str  # base64, as written in the line

    def fingerprint(self) -> str:
        """`SHA256:...` as `ssh-keygen -l` prints it."""
        try:
            digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        except (binascii.Error, ValueError):
            return "?"
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class CourierKey:
    courier_id: str
    key: PublicKey
    profile: str | None
    line: str


def parse_public_key(text: str) -> PublicKey:
    """One public key, `type base64 [comment]`, checked: a known type and a blob that decodes and names that type."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    if len(lines) != 1:
        raise KeyLineError("ssh.key.error.one_line", count=str(len(lines)))
    fields = lines[0].split()
    if len(fields) < 2 or fields[0] not in KEY_TYPES:
        raise KeyLineError("ssh.key.error.type", types=", ".join(sorted(KEY_TYPES)))
    kind, blob = fields[0], fields[1]
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        raise KeyLineError("ssh.key.error.base64") from None
    if len(raw) < 4:
        raise KeyLineError("ssh.key.error.base64")
    (length,) = struct.unpack(">I", raw[:4])
    if raw[4 : 4 + length] != kind.encode("ascii") or len(raw) <= 4 + length:
        raise KeyLineError("ssh.key.error.mismatch", kind=kind)
    return PublicKey(kind=kind, blob=blob)


def read_public_key(value: str) -> PublicKey:
    """`value` is a key line (`ssh-ed25519 AAAA... comment`), or the path of a file holding exactly one."""
    words = value.split()
    if not words or words[0] in KEY_TYPES or "\n" in value:
        return parse_public_key(value)
    try:
        candidate = Path(value).expanduser()
    except RuntimeError:  # "~someone/key" of a user this system does not know: the path as given, not found
        candidate = Path(value)
    try:
        found = candidate.exists()
    except OSError:  # a folder on the way it may not look into, a name too long: reading it says which
        found = True
    if not found and len(words) > 1:
        return parse_public_key(value)  # a line, but not a key line: say what is wrong with it
    try:
        with candidate.open("rb") as handle:
            data = handle.read(_MAX_KEY_FILE + 1)
    except OSError as error:  # missing, not readable by this account (Permission denied), a folder, ...
        raise KeyLineError(
            "ssh.key.error.unreadable", path=value, detail=error.strerror or str(error)
        ) from None
    if len(data) > _MAX_KEY_FILE:
        raise KeyLineError("ssh.key.error.one_line", count="?")
    return parse_public_key(data.decode("utf-8", "replace"))


def default_path() -> Path:
    return Path.home() / ".ssh" / "authorized_keys"


def gate_command(program: str, courier_id: str, profile: str | None = None) -> str:
    """The forced command; `program` may be several words (an already shell-quoted prefix)."""
    if any(ch in program for ch in '"\\\n\r') or not program.strip():
        raise KeyLineError("ssh.key.error.gate_command")
    command = f"{program} ssh-gate --courier {courier_id}"
    if profile:
        command += f" --profile {shlex.quote(profile)}"
    return command


def key_line(courier_id: str, key: PublicKey, program: str, profile: str | None = None) -> str:
    if not valid_courier_id(courier_id):
        raise KeyLineError("ssh.key.error.courier_id")
    if profile is not None and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}", profile):
        raise KeyLineError("ssh.key.error.profile")
    command = gate_command(program, courier_id, profile)
    return f'restrict,pty,command="{command}" {key.kind} {key.blob} {MARK}{courier_id}'


def parse_courier_line(line: str) -> CourierKey | None:
    """The courier key of an o2o line, or None for any other line (kept as is)."""
    fields = line.split()
    if len(fields) < 4 or not fields[-1].startswith(MARK):
        return None
    courier_id = fields[-1][len(MARK) :]
    if not valid_courier_id(courier_id) or fields[-3] not in KEY_TYPES:
        return None
    found = _PROFILE.search(line)
    profile = found.group(1).strip("'\"") if found else None
    return CourierKey(courier_id, PublicKey(fields[-3], fields[-2]), profile, line.rstrip("\r\n"))


def _blob_of(line: str) -> str | None:
    """The key blob of any authorized_keys line (options, then type, then blob), for duplicate checks."""
    fields = line.split()
    for index, field in enumerate(fields[:-1]):
        if field in KEY_TYPES or field.split(",")[-1] in KEY_TYPES:
            return fields[index + 1]
    return None


def list_keys(path: Path) -> list[CourierKey]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return [found for line in text.splitlines() if (found := parse_courier_line(line))]


def add_key(path: Path, courier_id: str, key: PublicKey, program: str, profile: str | None = None) -> bool:
    """Add (or refresh) the courier's line for `key`; True when a line was added, False when one was replaced.

    A key already on a line of another courier, or on a line o2o did not write, is refused: sshd uses the first
    line that matches a key, so one key on two lines would make one of them a lie.
    """
    line = key_line(courier_id, key, program, profile)
    path = Path(os.path.realpath(path))
    with _locked(path):
        lines = _read_lines(path)
        replaced = False
        out: list[str] = []
        for existing in lines:
            if _blob_of(existing) == key.blob:
                mine = parse_courier_line(existing)
                if mine is None or mine.courier_id != courier_id:
                    owner = mine.courier_id if mine else "-"
                    raise KeyLineError("ssh.key.error.taken", owner=owner)
                if not replaced:
                    out.append(line + "\n")
                    replaced = True
                continue
            out.append(existing)
        if not replaced:
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
            out.append(line + "\n")
        _write(path, "".join(out))
    return not replaced


def remove_keys(path: Path, courier_id: str, key: PublicKey | None = None) -> int:
    """Remove the courier's lines (only the one for `key` when given); the number removed."""
    path = Path(os.path.realpath(path))
    if not path.exists():
        return 0
    with _locked(path):
        lines = _read_lines(path)
        kept = []
        removed = 0
        for existing in lines:
            mine = parse_courier_line(existing)
            if mine and mine.courier_id == courier_id and (key is None or mine.key.blob == key.blob):
                removed += 1
                continue
            kept.append(existing)
        if removed:
            _write(path, "".join(kept))
    return removed


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape").splitlines(keepends=True)
    except FileNotFoundError:
        return []


def _owner_for(path: Path) -> tuple[int, int] | None:
    for candidate in (path, path.parent, path.parent.parent):
        with contextlib.suppress(OSError):
            info = candidate.stat()
            return info.st_uid, info.st_gid
    return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Create the 0700 directory and hold an exclusive lock on it while reading and rewriting the file."""
    folder = path.parent
    if not folder.exists():
        owner = _owner_for(folder.parent)
        folder.mkdir(parents=True, mode=0o700)
        if owner and os.geteuid() == 0:
            os.chown(folder, *owner)
    if folder.name == ".ssh":  # sshd's StrictModes; another folder given with --authorized-keys is left as it is
        os.chmod(folder, 0o700)
    fd = os.open(folder, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(path: Path, text: str) -> None:
    owner = _owner_for(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        if owner and os.geteuid() == 0:
            os.fchown(fd, *owner)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", errors="surrogateescape"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
