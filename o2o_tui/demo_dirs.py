"""The data dirs of `o2o demo`: which one is running, which one has ended, which one a killed demo left behind.

A demo's data dir is `demo-<date>-<time>-<pid>` after the process that runs it, with its O2O_HOME in `home/`. In
it the demo writes `owner` (which process it is: the boot and the pid's start time, so a pid reused by another
process is not taken for the demo), `kept` when started with `--keep`, and `ended` as it starts to stop. A handheld
opened on a demo's O2O_HOME writes `handhelds/<pid>` while it runs: the demo waits for it to close before removing
the dir, and knows a handheld was used. No Textual here: the CLI and the handheld's launcher both use it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

_NAME = re.compile(r"demo-\d{8}-\d{6}-(\d+)")
OWNER, KEPT, ENDED, HANDHELDS = "owner", "kept", "ended", "handhelds"


def pid_of(root: Path) -> int | None:
    match = _NAME.fullmatch(root.name)
    return int(match.group(1)) if match else None


def demo_root_of(home: Path | str | None) -> Path | None:
    """The demo's data dir when `home` (an O2O_HOME) is a demo's own, else None."""
    if not home:
        return None
    home = Path(home)
    return home.parent if home.name == "home" and pid_of(home.parent) is not None else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_identity(pid: int) -> str | None:
    """The boot and the start time of `pid` (None where /proc cannot say): two processes that share a pid at
    different times never share this."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return f"{boot} {fields[19]}" if len(fields) > 19 else None  # field 22 of stat: start time, in ticks


def write_owner(root: Path, *, keep: bool) -> None:
    """Said by the demo into its fresh data dir."""
    identity = process_identity(os.getpid())
    if identity is not None:
        with os.fdopen(os.open(root / OWNER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as owner:
            owner.write(identity)  # 0600, as every file of the demo's
    if keep:
        (root / KEPT).touch(mode=0o600)


def is_running(root: Path) -> bool:
    """The demo that made `root` still runs: its pid lives and, where the dir says which process it was, is that
    very process (not another one that got the pid since)."""
    pid = pid_of(root)
    if pid is None or not _alive(pid):
        return False
    try:
        owner = (root / OWNER).read_text(encoding="utf-8").strip()
    except OSError:
        return True  # a demo from before `owner`, or one that has just made its dir: its pid is all there is
    identity = process_identity(pid)
    return identity is None or identity == owner


def has_ended(root: Path) -> bool:
    """The demo is stopping or gone (its dir removed, its process dead or killed)."""
    return not root.is_dir() or (root / ENDED).exists() or not is_running(root)


def mark_ended(root: Path) -> None:
    with contextlib.suppress(OSError):
        (root / ENDED).touch(mode=0o600)


def running_roots(data: Path) -> list[Path]:
    """The data dirs of the demos running under `data`, newest first."""
    roots = [
        root
        for root in data.glob("demo-*-*")
        if (root / "home").is_dir() and not (root / ENDED).exists() and is_running(root)
    ]
    return sorted(roots, key=lambda root: root.name, reverse=True)


def remove_left_behind(data: Path) -> list[Path]:
    """Remove the data dirs that demos killed without a chance to clean up left (the customers' names, addresses
    and phones in their platform.db): those that say which process made them (`owner`), whose process is gone,
    and that were not started with `--keep`. Never a running demo's. Returns what was removed."""
    removed = []
    for root in data.glob("demo-*-*"):
        if pid_of(root) is None or (root / KEPT).exists() or not (root / OWNER).exists():
            continue
        if not is_running(root):
            shutil.rmtree(root, ignore_errors=True)
            removed.append(root)
    return removed


def handheld_opened(root: Path) -> Path | None:
    """Say that a handheld (this process) runs on the demo: the file to remove when it closes."""
    try:
        folder = root / HANDHELDS
        folder.mkdir(mode=0o700, exist_ok=True)
        marker = folder / str(os.getpid())
        marker.touch(mode=0o600)
    except OSError:
        return None
    return marker


def handhelds_used(root: Path) -> bool:
    """A handheld was opened on this demo while it ran."""
    return (root / HANDHELDS).is_dir()


def handhelds_open(root: Path) -> list[int]:
    pids = []
    with contextlib.suppress(OSError):
        for marker in (root / HANDHELDS).iterdir():
            if marker.name.isdigit() and _alive(int(marker.name)):
                pids.append(int(marker.name))
    return pids
