"""Typer's `CliRunner.invoke` turns the typer app into click commands again at every call: ~0.15 s of CPU for
o2o's ~150 commands, a fifth of a test worker's time in a profile of the suite. The tests invoke the same app
objects over and over, so each is turned once per worker (click commands are made to be invoked many times; the
app's help texts are translated when its commands register, not here)."""

from __future__ import annotations

from typing import Any

import typer.testing

_turned: dict[int, tuple[Any, Any]] = {}  # id(app) -> (app, its click command); the app kept so its id stays its own


def cache_typer_commands() -> None:
    original = getattr(typer.testing._get_command, "__wrapped__", typer.testing._get_command)

    def cached(app: Any) -> Any:
        found = _turned.get(id(app))
        if found is None or found[0] is not app:
            found = _turned[id(app)] = (app, original(app))
        return found[1]

    cached.__wrapped__ = original  # type: ignore[attr-defined]
    typer.testing._get_command = cached
