"""What every `o2o` command shares: the `--profile` option, opening a client, mapping errors to exit codes.

Use in a command:

    @app.command()
    def thing(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        with handle_errors():
            with open_client(profile) as client:
                ...

`ProfileArg` is the same option as an `Annotated` type, for `profile: ProfileArg = None`. A group that takes
`--profile` too (`o2o dispatch`, `o2o sync`, `o2o store hours`) hands it to its commands (`from_group`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.client.errors import (
    Forbidden,
    MalformedResponse,
    NotFound,
    PlatformError,
    ServerError,
    Unauthorized,
    Unreachable,
)
from o2o_tui.config import BadProfileName, ConfigError, NoProfileError, Profile, load_profile, profile_name
from o2o_tui.i18n import t

if TYPE_CHECKING:
    from typer._click.core import Context as ClickContext  # a group's context is Click's, not Typer's

    from o2o_tui.client import PlatformClient
    from o2o_tui.domain.store import Store


def _typed(ctx: ClickContext, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def from_group(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """An option's callback for a command whose group takes the same option (`o2o dispatch --profile demo
    suggest`): the command's own when typed after it, else the nearest group's when typed there, else its own
    value (from the environment, `O2O_PROFILE`, or the default). Click gives each command only its own.
    A profile name the profile rules refuse (`../../etc`, `a b`) is a usage error (exit 2), said before the
    command does anything."""
    name = param.name
    chosen = value
    if name is not None and not _typed(ctx, name):
        group = ctx.parent
        while group is not None:
            if _typed(group, name):
                chosen = group.params.get(name, value)
                break
            group = group.parent
    if "--profile" in param.opts and isinstance(chosen, str):
        _usable_profile(chosen)
    return chosen


def _usable_profile(name: str) -> None:
    """Raise Click's usage error (exit 2, `"usage"` in `--json`) for a profile name the rules refuse."""
    try:
        profile_name(name)
    except BadProfileName as error:
        raise typer.BadParameter(error.message) from None


ProfileOption = typer.Option(
    None, "--profile", envvar="O2O_PROFILE", callback=from_group, help=t("login.option.profile")
)
ProfileArg = Annotated[
    str | None,
    typer.Option("--profile", envvar="O2O_PROFILE", callback=from_group, help=t("login.option.profile")),
]


def platform_url(value: str | None) -> str | None:
    """`--url`'s callback (login, simulate): a URL that is no platform URL, or has `user:password@` in it, is a
    usage error (exit 2), said before anything is sent or stored (httpx would send user info as Basic auth instead
    of the token); the person is told to drop it. The password is never quoted back."""
    if value is None:
        return value
    from o2o_tui.client.wire import UserInfoInURL, normalize_base_url, without_user_info
    from o2o_tui.safe_text import safe_text

    try:
        normalize_base_url(value)
    except UserInfoInURL:
        shown = safe_text(without_user_info(value), one_line=True)
        raise typer.BadParameter(t("login.error.url_user_info", url=shown)) from None
    except ValueError:
        shown = safe_text(without_user_info(value), one_line=True)
        raise typer.BadParameter(t("login.error.bad_url", url=shown)) from None
    return value


# eager: set before the other options are checked, so a bad one is said as JSON too (output.json_wanted)
JsonOption = typer.Option(False, "--json", is_eager=True, callback=from_group, help=t("login.option.json"))


def open_client(profile: Profile | str | None = None, *, timeout: float = 10.0) -> PlatformClient:
    """A blocking client for the profile (a `Profile`, or a name to load; None picks the default)."""
    from o2o_tui.client import PlatformClient  # httpx: only for commands that talk to the platform

    chosen = profile if isinstance(profile, Profile) else load_profile(profile)
    return PlatformClient(chosen.url, chosen.token, timeout=timeout)


def exit_for(error: PlatformError) -> Exit:
    """The documented exit code for a platform error."""
    if isinstance(error, Unreachable):
        return Exit.OFFLINE
    if isinstance(error, Unauthorized | Forbidden):
        return Exit.AUTH
    if isinstance(error, NotFound):
        return Exit.NOT_FOUND
    if isinstance(error, ServerError | MalformedResponse):
        return Exit.ERROR
    if error.is_final:
        return Exit.REJECTED
    return Exit.ERROR


def fail_for(error: PlatformError | ConfigError) -> typer.Exit:
    """Print the error for a person on stderr and return the exit to raise: `raise fail_for(exc)`."""
    if isinstance(error, PlatformError):
        return fail(error.i18n_message(), exit_for(error))
    if isinstance(error, NoProfileError):
        return fail(error.message, Exit.AUTH)
    if isinstance(error, BadProfileName):  # a name the profile rules refuse: bad arguments
        return fail(error.message, Exit.USAGE)
    return fail(error.message, Exit.ERROR)


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Turn platform and config errors into a message on stderr and the documented exit code."""
    from o2o_tui.cli.refusals import LocalRefusal
    from o2o_tui.client.actions import BodyOutOfBounds

    try:
        yield
    except LocalRefusal as refusal:  # o2o refused the action before sending it (exit 4, or 5 to log in again)
        raise refusal.exit() from None
    except (PlatformError, ConfigError) as exc:
        raise fail_for(exc) from None
    except BodyOutOfBounds as exc:  # said before anything is queued: the platform would refuse it
        raise fail(t("cli.error.out_of_bounds", field=exc.field, detail=exc.message), Exit.USAGE) from None


def cached_store(profile: str | None) -> Store | None:
    """The store as the profile's offline cache has it, read-only; None when there is no cache or store yet, or
    the cache cannot be read now (a command that only wants the store's name or clock goes on without it)."""
    from o2o_tui.sync.read_model import ReadModel
    from o2o_tui.sync.session import profile_cache

    try:
        with profile_cache(profile, read_only=True) as (_, cache):
            return ReadModel(cache).store()
    except Exception:  # any reason the cache is not there to read: the caller's fallback is the answer
        return None


def fill_new_cache(profile: str | None, *, say_answered_errors: bool = False) -> None:
    """A profile never synced (just logged in) has nothing to show: pull once first when the platform answers,
    for the store (`store auto-accept` too), menu and report commands and `o2o deliveries list`. Quietly nothing
    when it does not answer, the profile or cache cannot be opened, or another process holds the cache: the
    command then reads the cache as it is and says what it lacks (a cache this pull created and could not fill
    is removed again: a read creates none). A cache synced once is never pulled here, nor opened: only its meta
    is looked at, so the command opens it once (reads stay offline and instant).
    `say_answered_errors` (a read command): when the platform answered the pull with an error (a 5xx, an
    unreadable answer, a refused token) the command stops with it and its exit code (README: a read that meets a
    5xx exits 1), instead of going on as if the platform had not answered."""
    import asyncio

    from o2o_tui.config import profile_cache_dir
    from o2o_tui.sync import tables
    from o2o_tui.sync.perform import refresh
    from o2o_tui.sync.session import profile_cache
    from offline_cache import CacheError
    from offline_cache.profile import cached_meta

    try:
        # a look at the cache file's meta, not an open: on a synced profile the command opens the cache once
        directory = profile_cache_dir(load_profile(profile), create=False)
        if cached_meta(directory, tables.META_LAST_SYNC_AT) is not None:
            return
        with profile_cache(profile) as (chosen, cache):
            try:
                asyncio.run(refresh(chosen, cache, answered_errors=say_answered_errors))
            finally:
                if cache.meta_get(tables.META_LAST_SYNC_AT, None) is None:
                    # nothing pulled: the cache this read created goes again (a read leaves no cache behind)
                    cache.close_removing_if_created()
    except PlatformError as error:
        if say_answered_errors and not isinstance(error, Unreachable):
            raise fail_for(error) from None
        return
    except (ConfigError, CacheError):
        return
