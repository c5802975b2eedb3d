"""The message catalog. Every user-facing string goes through `t()`.

Catalogs live in `<lang>/<domain>.json` (one file per area of the code, so areas do not collide); all files of a
language are merged. Language: `set_language()`, else `O2O_LANG`, else `LANG`/`LC_ALL`, else English.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

SUPPORTED = ("en", "zh")
_DIR = Path(__file__).parent
_chosen: str | None = None


def normalize(lang: str | None) -> str | None:
    if not lang:
        return None
    code = lang.strip().lower().replace("-", "_")
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en") or code in ("c", "posix", "c.utf_8", "c.utf8"):
        return "en"
    return None


def detect_language() -> str:
    for name in ("O2O_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        code = normalize(os.environ.get(name))
        if code:
            return code
    return "en"


def set_language(lang: str | None) -> str:
    """Choose the language for this process; an unknown code falls back to detection."""
    global _chosen
    _chosen = normalize(lang)
    return current_language()


def current_language() -> str:
    return _chosen or detect_language()


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def t(key: str, /, **values: object) -> str:
    """The message for `key` in the current language, formatted with `values`.

    A key missing from the current language falls back to English, then to the key itself, so a gap shows
    up as a readable key rather than a crash. With `count=1`, `<key>.one` is used where the catalog has it
    ("1 change", not "1 changes"; Chinese needs none and repeats the other form).
    """
    messages = catalog(current_language())
    template = messages.get(f"{key}.one") if values.get("count") == 1 else None
    if template is None:
        template = messages.get(key) or catalog("en").get(key) or key
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
