"""For tests that stop a child process with Ctrl-C (SIGINT) or another signal.

A shell starts a background job with SIGINT ignored, and Python keeps an ignored SIGINT ignored, so a suite run as
`... &` (or under a runner that ignores it) would send Ctrl-C to children that never hear it. Passed as
`preexec_fn`, this gives the child the default disposition, so Python installs its KeyboardInterrupt handler as it
does in a terminal.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator
from typing import Any


def hears_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def killed_on_exit(process: subprocess.Popen[Any]) -> Iterator[subprocess.Popen[Any]]:
    """`process`, killed when the block leaves it running (a failed assert before the test stopped it)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
