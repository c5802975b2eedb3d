"""`o2o login`, `o2o logout`, `o2o whoami`, `o2o profiles list`: who this console talks to the platform as."""

from __future__ import annotations

from typing import Any

import msgspec
import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors, platform_url
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say, warn
from o2o_tui.client import PlatformClient
from o2o_tui.client.wire import normalize_base_url, without_user_info
from o2o_tui.config import (
    load_profile,
    load_profiles,
    profile_name,
    remove_profile,
    same_platform,
    save_profile,
)
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text


def _describe(
    name: str, user_name: str, role: str, url: str, store_id: str | None, courier_id: str | None
) -> str:
    user = safe_text(user_name, one_line=True)
    role_key = f"deliveries.role.{role}"
    role_name = t(role_key) if t(role_key) != role_key else safe_text(role, one_line=True)
    line = t("login.who" if user.strip() else "login.who_unnamed", profile=name, user=user, role=role_name, url=url)
    if store_id:
        line += " " + t("login.who_store", store_id=safe_text(store_id, one_line=True))
    if courier_id:
        line += " " + t("login.who_courier", courier_id=safe_text(courier_id, one_line=True))
    return line


def _read_token(given: str | None) -> str:
    """`--token -` reads the token from standard input (its first line), so it never sits on a command line
    where `ps` shows it to every user of the machine; `O2O_TOKEN` or the hidden prompt do the same. The prompt
    only on a terminal: a script, cron job or CI step (stdin a pipe, /dev/null or closed) never waits for a token
    nobody will type, it is told which option to give (exit 2, a JSON error under --json)."""
    import sys

    stdin = sys.stdin  # None when the command was started with its stdin closed (`<&-`)
    if given is None:
        if stdin is None or not _is_terminal(stdin):
            raise fail(t("login.error.no_terminal"), Exit.USAGE)
        given = typer.prompt(t("login.prompt.token"), hide_input=True, err=True)  # stdout stays the output
    if given == "-":
        try:
            token = stdin.readline() if stdin is not None else ""
        except (OSError, ValueError):  # a stdin that cannot be read (a closed or bad descriptor)
            token = ""
    else:
        token = given
    if not token.strip():
        raise fail(t("login.error.empty_token"), Exit.USAGE)
    return token


def plain_http_to_another_host(url: str) -> bool:
    """Whether `url` is plain http:// to a host other than this machine's own (localhost, 127.0.0.0/8, ::1, 0.0.0.0):
    a token sent there crosses a network unencrypted."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name: not this machine's own
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1
    return not (address.is_loopback or address.is_unspecified)


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


class _Work(msgspec.Struct, frozen=True):
    """What a profile's cache holds that belongs to who it was logged in as."""

    unsent: int = 0  # queued actions not sent yet
    refused: int = 0  # actions the platform refused, kept for `o2o conflicts list`
    drafts: int = 0  # saved menu drafts
    drafts_unreadable: str = ""  # the drafts file, when it cannot be read (it may hold drafts: guarded too)

    def __bool__(self) -> bool:
        return bool(self.unsent or self.refused or self.drafts or self.drafts_unreadable)


def _forget_refused_token(profile: Any) -> None:
    """The token just worked (`/v1/me` answered): a cache whose last sync found the profile's token refused stops
    saying LOG IN AGAIN (`o2o sync status`, and exit 5 on the refusals o2o makes from the cache) and says
    CONNECTING until the next sync finds the link as it is. Quietly nothing when the profile has no cache yet or it
    cannot be written now (the next sync says the link then)."""
    from o2o_tui.sync import tables
    from o2o_tui.sync.session import open_cache
    from offline_cache import CacheError

    if not _cache_exists(profile.name):
        return
    try:
        cache = open_cache(profile)
    except (CacheError, OSError):
        return
    try:
        if cache.meta_get(tables.META_STATE, None) == "UNAUTHORIZED":
            cache.meta_set_many({tables.META_STATE: "CONNECTING", tables.META_LAST_ERROR: None})
    except (CacheError, OSError):
        pass
    finally:
        cache.close()


def _cache_exists(name: str) -> bool:
    from o2o_tui.paths import cache_dir

    return (cache_dir() / "profiles" / name).is_dir()


def _work(name: str) -> _Work:
    """The work in profile `name`'s cache, whether or not a profile of that name is saved (a cache an older
    `logout` left behind still holds its account's actions). Nothing when there is no cache."""
    import o2o_tui.menu_draft  # noqa: F401  (registers the menu draft's codec with the store)
    from o2o_tui.paths import cache_dir
    from offline_cache import CacheError, open_profile_cache
    from offline_cache.drafts import CorruptDraftsError, DraftStore

    if not _cache_exists(name):
        return _Work()
    try:
        cache = open_profile_cache(cache_dir() / "profiles" / name, read_only=True)
    except (CacheError, OSError):  # an unreadable cache is said by the commands that use it; nothing to guard
        return _Work()
    try:
        outbox = cache.outbox
        unsent, refused = len(outbox.pending()), len(outbox.conflicts())
        try:
            return _Work(unsent, refused, len(DraftStore(cache).keys()))
        except CorruptDraftsError as error:  # unreadable, left as it is: it may hold drafts, so it is guarded
            return _Work(unsent, refused, drafts_unreadable=str(error.path))
    except (CacheError, OSError):
        return _Work()
    finally:
        cache.close()


def _guard_identity(name: str, url: str, user_id: str, platform_id: str | None = None) -> None:
    """Logging a profile in as someone else (another user or platform) while its cache holds their unsent work
    would send that work as the new identity, or to the other platform: refused, saying what to do. Another
    server of the same platform (its `/v1/me` says the same platform id) is no other identity. A cache with no
    saved profile is someone's whose identity is unknown: the same."""
    from o2o_tui.config import load_profiles

    before = load_profiles().get(name)
    if (
        before is not None
        and same_platform(before.url, before.platform_id, url, platform_id)
        and before.user_id in ("", user_id)  # "": saved before ids were
    ):
        return
    if not _cache_exists(name):
        return
    work = _work(name)
    if work.drafts_unreadable:
        path, actions = work.drafts_unreadable, work.unsent + work.refused
        raise fail(t("login.error.drafts_unreadable", profile=name, path=path, actions=actions), Exit.CORRUPT)
    if work:
        message = t("login.error.unsent", profile=name, actions=work.unsent + work.refused, drafts=work.drafts)
        raise fail(message, Exit.USAGE)
    _set_cache_aside(name)


def _set_cache_aside(name: str) -> None:
    """The old identity's cached orders and menu are not the new one's: start the profile's cache afresh. Never
    under a running console, handheld or `o2o sync` (their next write would fail, and they would go on showing
    the old store): refused while any process has the profile open."""
    import shutil

    from o2o_tui.paths import cache_dir
    from offline_cache.lock import nobody_has_open

    directory = cache_dir() / "profiles" / name
    with nobody_has_open(directory) as free:
        if not free:
            raise fail(t("login.error.in_use", profile=name), Exit.USAGE)
        shutil.rmtree(directory, ignore_errors=True)


def login(
    url: str = typer.Option(..., "--url", envvar="O2O_URL", callback=platform_url, help=t("login.option.url")),
    token: str | None = typer.Option(None, "--token", envvar="O2O_TOKEN", help=t("login.option.token")),
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    """Check a token against the platform and remember it as a profile."""
    token = _read_token(token)
    with handle_errors():
        name = profile_name(profile)
        try:
            base_url = normalize_base_url(url)
        except ValueError:
            raise fail(t("login.error.bad_url", url=safe_text(without_user_info(url), one_line=True)), Exit.USAGE) from None
        if plain_http_to_another_host(base_url):  # said before the token is sent; a LAN may still choose it
            warn(t("login.warning.plain_http", url=safe_text(base_url, one_line=True)), "plain_http")
        with PlatformClient(base_url, token.strip()) as client:
            me = client.me()
        _guard_identity(name, base_url, me.user_id, me.platform_id)
        saved = save_profile(
            name,
            url=base_url,
            token=token.strip(),
            role=str(me.role),
            user_id=me.user_id,
            user_name=me.name,
            store_id=me.store_id,
            courier_id=me.courier_id,
            platform_id=me.platform_id or "",
        )
        _forget_refused_token(saved)
    if as_json:
        emit_json(saved.public())
        return
    say(t("login.done", profile=saved.name))
    say(_describe(saved.name, saved.user_name, saved.role, saved.url, saved.store_id, saved.courier_id))


def logout(
    profile: str | None = ProfileOption,
    force: bool = typer.Option(False, "--force", help=t("login.option.force")),
    as_json: bool = JsonOption,
) -> None:
    """Forget a profile, its token and its cache on this machine: the cached orders (customers' names and
    addresses), the outbox, drafts and print queue go with it, so nothing is left for the next login under the
    same name to send as another account, and a counter handed on keeps nobody's data."""
    with handle_errors():
        name = profile_name(profile)
        work = _work(name)
        if work.drafts_unreadable and not force:
            path = work.drafts_unreadable
            raise fail(
                t("login.logout.drafts_unreadable", profile=name, path=path, actions=work.unsent, refused=work.refused),
                Exit.CORRUPT,
            )
        if work and not force:
            key = "login.logout.unsent" if work.unsent or work.drafts else "login.logout.refused"
            raise fail(
                t(key, profile=name, actions=work.unsent, refused=work.refused, drafts=work.drafts), Exit.USAGE
            )
        cleared = _cache_exists(name)
        _set_cache_aside(name)  # refused while a console has it open: the profile stays as it was
        removed = remove_profile(name)
    if as_json:
        emit_json({"profile": name, "removed": removed, "cache_cleared": cleared})
        return
    if not removed and not cleared:
        raise fail(t("login.logout.none", profile=name), Exit.AUTH)
    say(t("login.logout.done", profile=name))


def whoami(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
    """Ask the platform who the profile's token belongs to."""
    with handle_errors():
        chosen = load_profile(profile)
        with PlatformClient(chosen.url, chosen.token) as client:
            me = client.me()
    if as_json:
        emit_json({"profile": chosen.name, "url": chosen.url, **msgspec.to_builtins(me)})
        return
    say(_describe(chosen.name, me.name, str(me.role), chosen.url, me.store_id, me.courier_id))


def list_profiles(as_json: bool = JsonOption) -> None:
    """List the saved profiles (never their tokens)."""
    with handle_errors():
        profiles = load_profiles()
    if as_json:
        emit_json({"profiles": [p.public() for _, p in sorted(profiles.items())]})
        return
    if not profiles:
        say(t("login.profiles.empty"))
        return
    for name, saved in sorted(profiles.items()):
        say(_describe(name, saved.user_name, saved.role, saved.url, saved.store_id, saved.courier_id))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("login", help=t("login.help.login"))(login)
    app.command("logout", help=t("login.help.logout"))(logout)
    app.command("whoami", help=t("login.help.whoami"))(whoami)
    profiles_app = typer.Typer(help=t("login.help.profiles"), no_args_is_help=True)
    profiles_app.command("list", help=t("login.help.profiles_list"))(list_profiles)
    app.add_typer(profiles_app, name="profiles")
