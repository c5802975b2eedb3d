"""Login profiles: which platform, which token, who that is.

Stored as one JSON file, `config_dir()/profiles.json` (0600, written atomically: temp file, fsync, rename,
fsync of the directory). The profile is chosen by `--profile NAME`, else `O2O_PROFILE`, else "default".
Tokens never appear in a profile's repr nor in anything the CLI prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from o2o_tui.i18n import t
from o2o_tui.paths import cache_dir, config_dir, keep_private, make_private_dirs
from o2o_tui.safe_text import safe_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock, a single writer is assumed
    fcntl = None  # type: ignore[assignment]

DEFAULT_PROFILE = "default"
PROFILES_FILE = "profiles.json"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


class Profile(msgspec.Struct, frozen=True, forbid_unknown_fields=False, omit_defaults=True):
    name: str
    url: str
    token: str
    role: str
    user_id: str = ""
    user_name: str = ""
    store_id: str | None = None
    courier_id: str | None = None
    saved_at: str = ""
    platform_id: str = ""  # `/v1/me`'s platform id at login ("": an older server, or saved before it was kept)

    def __repr__(self) -> str:
        return (
            f"Profile(name={self.name!r}, url={self.url!r}, role={self.role!r}, user_name={self.user_name!r}, "
            f"store_id={self.store_id!r}, courier_id={self.courier_id!r}, token=***)"
        )

    __str__ = __repr__

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        """What Rich pretty-prints (a crash's locals, `rich.print`): msgspec's own lists every field, the token
        too, and Rich asks for this before `__repr__`."""
        shown = ("name", "url", "role", "user_name", "store_id", "courier_id")
        return [*((field, getattr(self, field)) for field in shown), ("token", "***")]

    def public(self) -> dict[str, object]:
        """Everything but the token, for display and `--json`."""
        data: dict[str, object] = msgspec.to_builtins(self)
        data.pop("token", None)
        if isinstance(saved := data.get("saved_at"), str):  # stored "+00:00": said in "Z" as every JSON time
            data["saved_at"] = saved.replace("+00:00", "Z")
        return data


class _ProfilesFile(msgspec.Struct, forbid_unknown_fields=False):
    version: int = 1
    profiles: dict[str, Profile] = {}


class ConfigError(Exception):
    """A config file that cannot be read or written; `message` is for a person."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NoProfileError(ConfigError):
    pass


class BadProfileName(ConfigError):
    pass


def profile_name(name: str | None = None) -> str:
    """The chosen profile: the argument, else `O2O_PROFILE`, else "default"."""
    chosen = name or os.environ.get("O2O_PROFILE") or DEFAULT_PROFILE
    if not _NAME.match(chosen):
        raise BadProfileName(t("login.error.bad_name", name=safe_text(chosen, one_line=True)))
    return chosen


def profiles_path() -> Path:
    return config_dir() / PROFILES_FILE


def _read() -> _ProfilesFile:
    path = profiles_path()
    # the token file, the settings and the lock someone made readable by others (0644): private again, said once
    keep_private(files_in=path.parent)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _ProfilesFile()
    except OSError as exc:
        raise ConfigError(t("login.error.unreadable", path=str(path), reason=str(exc))) from None
    try:
        return msgspec.json.decode(data, type=_ProfilesFile)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ConfigError(t("login.error.unreadable", path=str(path), reason=str(exc))) from None


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically, readable by the owner only (0600)."""
    make_private_dirs(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):  # not every platform can open a directory
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Serialize read-modify-write of the profiles file between processes."""
    if fcntl is None:
        yield
        return
    lock_path = config_dir() / ".profiles.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(content: _ProfilesFile) -> None:
    write_private_file(profiles_path(), msgspec.json.format(msgspec.json.encode(content), indent=2) + b"\n")


def load_profiles() -> dict[str, Profile]:
    return dict(_read().profiles)


def load_profile(name: str | None = None) -> Profile:
    """The profile `name` (or `O2O_PROFILE`, or "default"); `NoProfileError` with a clear message if absent."""
    chosen = profile_name(name)
    profiles = load_profiles()
    if chosen in profiles:
        return profiles[chosen]
    if profiles:
        names = ", ".join(sorted(profiles))
        raise NoProfileError(t("login.error.no_such_profile", name=chosen, names=names))
    raise NoProfileError(t("login.error.no_profiles", name=chosen))


def save_profile(
    name: str | None,
    *,
    url: str,
    token: str,
    role: str,
    user_id: str = "",
    user_name: str = "",
    store_id: str | None = None,
    courier_id: str | None = None,
    platform_id: str = "",
) -> Profile:
    """Store (or replace) a profile and return it."""
    profile = Profile(
        name=profile_name(name),
        url=url,
        token=token,
        role=role,
        user_id=user_id,
        user_name=user_name,
        store_id=store_id,
        courier_id=courier_id,
        saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        platform_id=platform_id,
    )
    with _locked():
        content = _read()
        content.profiles = {**content.profiles, profile.name: profile}
        _write(content)
    return profile


def remove_profile(name: str | None) -> bool:
    """Forget a profile (its token with it); False when there was none."""
    chosen = profile_name(name)
    with _locked():
        content = _read()
        if chosen not in content.profiles:
            return False
        content.profiles = {k: v for k, v in content.profiles.items() if k != chosen}
        _write(content)
    return True


def same_account(before: Profile, saved: Profile) -> bool:
    """Whether `saved` is a login of `before`'s account: the same platform (`same_platform`: its
    id when both have one, else the URL) and the same user, role, store and courier (a profile saved before user
    ids were kept: the same role, store and courier)."""
    if not same_platform(before.url, before.platform_id, saved.url, saved.platform_id or None):
        return False
    if before.user_id and saved.user_id and before.user_id != saved.user_id:
        return False
    return (before.role, before.store_id, before.courier_id) == (saved.role, saved.store_id, saved.courier_id)


def saved_login(before: Profile) -> tuple[Profile | None, bool]:
    """What `o2o login` saved under `before`'s profile name since `before` was read: (the new login, False) when
    it is another token of the same account (`same_account`), (None, True) when it is someone else's (another
    user or platform), (None, False) when the token and the platform's address are the same, or the profile is
    gone or unreadable. The same token saved at another server of the platform is a new login too (it moves)."""
    try:
        saved = load_profile(before.name)
    except (ConfigError, OSError):  # removed or unreadable meanwhile: nothing new
        return None, False
    if saved.token == before.token and _url_key(saved.url) == _url_key(before.url):
        return None, False
    if not same_account(before, saved):
        return None, True
    return saved, False


def profile_cache_dir(profile: Profile | str, *, create: bool = True) -> Path:
    """`cache_dir()/profiles/<name>` (0700): where a profile's offline cache and outbox live (`create=False`:
    only its path, for a read that must not create it)."""
    name = profile.name if isinstance(profile, Profile) else profile_name(profile)
    root = cache_dir()
    path = root / "profiles" / name
    if create:
        make_private_dirs(path)
    # customers' names, phones and addresses and the unsent actions: a folder or file made readable by others
    # (`chmod 644`, a copy under the usual umask) is private again before the cache is opened, said once
    keep_private(root, root / "profiles", files_in=path)
    return path


def _url_key(url: str) -> tuple[str, str, int | None, str]:
    """A URL as the platform it names: scheme and host in any case, the default port said or not, a trailing
    slash or `/v1` or not are the same."""
    from urllib.parse import urlsplit

    from o2o_tui.client.wire import normalize_base_url

    try:
        text = normalize_base_url(url)
    except ValueError:
        text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/")


def same_platform(before_url: str, before_id: str, url: str, platform_id: str | None) -> bool:
    """Whether a profile saved for `before_url` (platform `before_id`) and a login at `url` (whose `/v1/me` said
    `platform_id`) reach one platform: its id when both servers said one (two servers on one database, one by
    `localhost` and one by `127.0.0.1`, are one platform), else the URLs as the platform they name."""
    if before_id and platform_id:
        return before_id == platform_id
    return _url_key(before_url) == _url_key(url)
