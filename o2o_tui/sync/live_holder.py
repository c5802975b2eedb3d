"""Which process keeps a profile's link (`engine.META_LIVE_HOLDER`), and whether it has ended: `o2o sync status`
on the same machine then says at once that a killed console is gone, not "live" for up to 40 s."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any


@functools.cache
def this_process() -> dict[str, Any]:
    """This process as `META_LIVE_HOLDER` records it: its pid, the machine's name, and the boot and start time
    (`demo_dirs.process_identity`: None where /proc cannot say) so that a pid reused since is not taken for it."""
    import os
    import socket

    from o2o_tui.demo_dirs import process_identity

    return {"pid": os.getpid(), "host": socket.gethostname(), "identity": process_identity(os.getpid())}


def holder_ended(holder: object) -> bool:
    """Whether the process a stored `META_LIVE_HOLDER` names has ended, as far as this machine can tell: only on
    the machine that wrote it (a console elsewhere shares no pids), and only where pids can be asked about without
    harm (POSIX). False when it runs or nobody can say (the caller keeps the age rule)."""
    import os
    import socket

    from o2o_tui.demo_dirs import process_identity

    if not isinstance(holder, dict) or os.name != "posix":
        return False
    pid, identity = holder.get("pid"), holder.get("identity")
    if (
        not isinstance(pid, int)
        or isinstance(pid, bool)
        or pid <= 0
        or holder.get("host") != socket.gethostname()
    ):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False  # another user's process with that pid: it runs
    try:  # killed but not yet reaped by its parent (a zombie) is ended too
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        state = ""
    if state in ("Z", "X"):
        return True
    now = process_identity(pid)  # the pid given to another process since
    return isinstance(identity, str) and now is not None and now != identity
