"""`o2o console` without building the typer app, when there is nothing to explain.

Importing typer (with its click) and building the command costs ~15 ms of the console's first paint, about
6% of a bare Textual app's start. The usual forms,
`o2o [--lang L] console [--profile NAME] [--no-cache] [--simple]` with a merchant profile that has a store,
on a terminal, open the console from here. Anything else (`--help`, another option, a missing profile, a
courier's profile, no terminal) returns False before anything is opened, and `o2o_tui/cli/console.py` runs
and explains it as always. Imports no typer until a cache error must be told.
"""

from __future__ import annotations

import contextlib
import os
import sys


def _options(argv: list[str]) -> tuple[str | None, bool] | None:
    """(profile, no_cache) from `o2o`'s arguments, or None for anything but the usual forms."""
    profile: str | None = None
    no_cache = False
    args = iter(argv)
    seen_command = False
    for arg in args:
        if not seen_command:
            if arg == "--lang":
                if next(args, None) is None:
                    return None
            elif arg.startswith("--lang="):
                pass
            elif arg == "console":
                seen_command = True
            else:
                return None
        elif arg == "--profile" and profile is None:
            profile = next(args, None)
            if profile is None or profile.startswith("-"):
                return None
        elif arg.startswith("--profile=") and profile is None:
            profile = arg.split("=", 1)[1]
        elif arg == "--no-cache" and not no_cache:
            no_cache = True
        else:
            return None
    return (profile, no_cache) if seen_command else None


def _without_simple(argv: list[str]) -> tuple[list[str], bool]:
    """`argv` without one `--simple` after `console`, and whether it was there (the simple screen as home)."""
    if "console" in argv:
        start = argv.index("console") + 1
        if "--simple" in argv[start:]:
            at = argv.index("--simple", start)
            return [*argv[:at], *argv[at + 1 :]], True
    return argv, False


def _is_terminal() -> bool:  # as o2o_tui/cli/need_terminal.py has_terminal()
    for stream in (sys.stdin, sys.stdout):
        try:
            if stream is None or not stream.isatty():
                return False
        except (ValueError, OSError):
            return False
    return True


def run(argv: list[str], lang: str | None) -> bool:
    """Open the console for `argv` (`o2o`'s arguments) and return True once it closed; False, having done
    nothing, when the typer command should run instead."""
    argv, simple = _without_simple(argv)
    options = _options(argv)
    if options is None or not _is_terminal():
        return False
    profile_option, no_cache = options
    from o2o_tui.config import ConfigError, load_profile
    from o2o_tui.i18n import set_language

    set_language(lang or os.environ.get("O2O_LANG") or None)  # as the root callback of `o2o`
    try:
        profile = load_profile(profile_option or os.environ.get("O2O_PROFILE") or None)
    except ConfigError:
        return False
    if profile.role == "courier" or not profile.store_id:
        return False
    from screens.launch import open_source, run_merchant_console

    try:
        run_merchant_console(
            profile, source_factory=lambda p: open_source(p, offline_cache=not no_cache), simple=simple
        )
    except (KeyboardInterrupt, EOFError):  # Ctrl-C before the screen opened (or after it closed): as Typer does
        from o2o_tui.i18n import t

        _say_on_stderr("\n" + t("cli.framework.aborted"))
        raise SystemExit(1) from None
    except Exception as error:
        _explain(error)
        raise
    return True


def _say_on_stderr(text: str) -> None:
    """A line on stderr in the current language, characters its encoding lacks as '?' (as `output.for_stream`,
    which would import typer); nothing when stderr is closed or its reader gone."""
    stream = sys.stderr
    if stream is None:
        return
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text = text.encode(encoding, "replace").decode(encoding)
    except LookupError:
        text = text.encode("ascii", "replace").decode("ascii")
    with contextlib.suppress(OSError, ValueError):
        print(text, file=stream, flush=True)


def _explain(error: Exception) -> None:
    """A cache error as `o2o console` tells it (message, exit 7 / 8 / 1); other errors go on as they are."""
    from offline_cache import CacheError

    if not isinstance(error, CacheError):
        return
    import typer

    from o2o_tui.cli.cache_errors import cache_errors

    try:
        with cache_errors():
            raise error
    except typer.Exit as done:
        raise SystemExit(done.exit_code) from None
