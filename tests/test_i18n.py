"""Both catalogs have every key, with the same placeholders, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from o2o_tui.i18n import SUPPORTED, catalog, normalize, set_language, t

ROOT = Path(__file__).resolve().parent.parent
_KEY_USE = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key() -> None:
    keys = {lang: set(catalog(lang)) for lang in SUPPORTED}
    for lang in SUPPORTED:
        assert keys[lang] == keys["en"], f"{lang}: missing {keys['en'] - keys[lang]}, extra {keys[lang] - keys['en']}"


def test_placeholders_match_across_languages() -> None:
    english = catalog("en")
    for lang in SUPPORTED:
        for key, template in catalog(lang).items():
            assert _placeholders(template) == _placeholders(english[key]), (lang, key)


def test_every_key_used_in_code_exists() -> None:
    known = set(catalog("en"))
    missing = []
    for folder in ("o2o_tui", "screens", "offline_cache"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in _KEY_USE.findall(path.read_text(encoding="utf-8")):
                if key not in known:
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, missing


def test_language_selection() -> None:
    assert normalize("zh_CN.UTF-8") == "zh"
    assert normalize("en_US.UTF-8") == "en"
    assert normalize("fr_FR") is None
    try:
        set_language("zh")
        assert t("common.yes") == "是"
        set_language("en")
        assert t("common.yes") == "yes"
        assert t("no.such.key") == "no.such.key"
    finally:
        set_language(None)


def test_a_count_of_one_takes_the_singular_where_the_catalog_has_one() -> None:
    for lang in SUPPORTED:
        singles = [key for key in catalog(lang) if key.endswith(".one")]
        assert singles and all(key.removesuffix(".one") in catalog(lang) for key in singles)
    try:
        set_language("en")
        assert t("menu_editor.status.changes", count=1) == "1 change"
        assert t("menu_editor.status.changes", count=2) == "2 changes"
        assert t("menu_editor.status.changes", count=0) == "0 changes"
        assert t("menu_editor.status.sold_out", count=1) == "1 sold out"  # no singular form: the one form
        set_language("zh")
        assert t("menu_editor.status.changes", count=1) == "1 处改动"  # never the English singular
    finally:
        set_language(None)
