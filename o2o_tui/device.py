"""This console's device name: what a store names as its printing station (auto-accept).

`O2O_DEVICE`, else the settings file's `"device_name"` (`o2o_tui/settings.py`), else `<host name>-<profile name>`,
so two profiles on one machine are two devices and the name stays the same across restarts.
"""

from __future__ import annotations

import re
import socket

from o2o_tui.domain.limits import DEVICE_NAME_MAX

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@:/-]+")


def default_name(profile_name: str) -> str:
    host = _UNSAFE.sub("-", socket.gethostname()).strip("-") or "console"
    return f"{host}-{profile_name}"[:DEVICE_NAME_MAX]


def device_name(profile_name: str, configured: str | None = None) -> str:
    """The name for `profile_name`; `configured` is the settings' `device_name` (read here when None)."""
    if configured is None:
        from o2o_tui.settings import load_settings

        configured = load_settings().device_name
    name = _UNSAFE.sub("-", configured.strip())[:DEVICE_NAME_MAX]
    return name or default_name(profile_name)
