"""Layered user settings: environment > `config_dir()/settings.json` > defaults.

- `language`: `O2O_LANG`, else the file's `"language"`, else None (the i18n module then detects from LANG).
- `keymap`: binding id -> key, from the file's `"keymap"` object, overridden by `O2O_KEYMAP`
  (`"queue.accept=y,queue.reject=n"`). Screens look up their binding ids here.
"""

from __future__ import annotations

import os

import msgspec

from o2o_tui.config import ConfigError
from o2o_tui.i18n import normalize, t
from o2o_tui.paths import config_dir

SETTINGS_FILE = "settings.json"


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=False):
    language: str | None = None
    keymap: dict[str, str] = {}


def _from_file() -> Settings:
    path = config_dir() / SETTINGS_FILE
    try:
        return msgspec.json.decode(path.read_bytes(), type=Settings)
    except FileNotFoundError:
        return Settings()
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ConfigError(t("login.error.unreadable", path=str(path), reason=str(exc))) from None


def parse_keymap(text: str) -> dict[str, str]:
    """`"a=b, c=d"` -> `{"a": "b", "c": "d"}`; malformed pairs are skipped."""
    pairs = (part.split("=", 1) for part in text.split(",") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs if k.strip() and v.strip()}


def load_settings() -> Settings:
    base = _from_file()
    language = normalize(os.environ.get("O2O_LANG")) or normalize(base.language)
    keymap = {**base.keymap, **parse_keymap(os.environ.get("O2O_KEYMAP", ""))}
    return Settings(language=language, keymap=keymap)
