"""For tests that stop a child process with Ctrl-C (SIGINT).

A shell starts a background job with SIGINT ignored, and Python keeps an ignored SIGINT ignored, so a suite run as
`... &` (or under a runner that ignores it) would send Ctrl-C to children that never hear it. Passed as
`preexec_fn`, this gives the child the default disposition, so Python installs its KeyboardInterrupt handler as it
does in a terminal.
"""

from __future__ import annotations

import signal


def hears_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
