"""Both catalogs have every key, with the same placeholders, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

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


def test_typers_own_panel_words_follow_the_language() -> None:
    """`o2o ... --help` in Chinese: Typer's panel titles and marks come from our catalog (they are gettext
    messages Typer computes once at import; `o2o_tui/cli/framework_text.py` sets them again)."""
    import os
    import subprocess
    import sys

    def help_text(lang: str) -> str:
        env = {**os.environ, "O2O_LANG": lang, "COLUMNS": "100"}
        command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", "orders", "accept", "--help"]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    chinese, english = help_text("zh"), help_text("en")
    assert "─ 参数 ─" in chinese and "─ 选项 ─" in chinese and "[必填]" in chinese and "[环境变量：O2O_PROFILE]" in chinese
    assert "Arguments" not in chinese and "[required]" not in chinese and "[env var" not in chinese
    assert "─ Arguments ─" in english and "[required]" in english and "[env var: O2O_PROFILE]" in english
    # Click's own literals too: the usage line and the help option
    assert "用法：" in chinese and "显示本帮助并退出" in chinese
    assert "Usage:" not in chinese and "Show this message" not in chinese
    assert "Usage: " in english and "Show this message and exit." in english


@pytest.mark.parametrize(
    ("args", "chinese", "english"),
    [
        (["orders", "accept", "2", "--prep", "0"], "'--prep' 的值无效：0 不在范围 1<=x<=240 内。", "Invalid value for '--prep': 0 is not in the range 1<=x<=240."),
        (["orders", "accept"], "缺少参数 'order_id'。", "Missing argument 'order_id'."),
        (["orders", "accept", "2", "--bogus"], "没有这个选项：--bogus", "No such option: --bogus"),
        (["orders", "acept"], "没有这个命令：'acept'。您是不是要 'accept'？", "No such command 'acept'. Did you mean 'accept'?"),
    ],
)
def test_clicks_error_sentences_follow_the_language(args: list[str], chinese: str, english: str) -> None:
    import os
    import subprocess
    import sys

    def error_text(lang: str) -> str:
        env = {**os.environ, "O2O_LANG": lang, "COLUMNS": "200"}
        command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 2, done.stderr
        return done.stderr

    assert chinese in error_text("zh")
    assert english in error_text("en")


def test_clicks_sentences_in_chinese_cost_no_command_rich() -> None:
    """The error sentences above, and no command pays for them: Rich (typer.rich_utils) still loads only for a
    help page or an error (once here, not once for each sentence above: it does not depend on them)."""
    import os
    import subprocess
    import sys

    probe = "import sys; from o2o_tui.cli import build_app; build_app('orders'); print('typer.rich_utils' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "O2O_LANG": "zh"},
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"


def test_typers_panel_words_follow_a_change_of_language_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build the app in both languages in one worker: the titles follow the last build, never stick."""
    from typer.testing import CliRunner

    from o2o_tui.cli import build_app

    def help_in(lang: str) -> str:
        monkeypatch.setenv("O2O_LANG", lang)
        set_language(None)
        return CliRunner().invoke(build_app("orders"), ["orders", "accept", "--help"]).output

    try:
        assert "─ 参数 ─" in help_in("zh")
        english = help_in("en")
        assert "─ Arguments ─" in english and "参数" not in english
    finally:
        set_language(None)
