"""An unknown `--lang` at the top level is refused (exit 2) as `o2o demo --lang` is; an unknown O2O_LANG (the
environment's) runs in the language the rest of the environment asks for, with one warning on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "from o2o_tui.cli import main; main()"


def _o2o(tmp_path: Path, *args: str, lang_env: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["O2O_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(ROOT)
    if lang_env is not None:
        env["O2O_LANG"] = lang_env
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_an_unknown_lang_option_is_refused(tmp_path: Path) -> None:
    result = _o2o(tmp_path, "--lang", "fr", "profiles", "list")
    assert result.returncode == 2, result
    assert "Unknown language for --lang: fr" in result.stderr and result.stdout == ""
    as_json = _o2o(tmp_path, "--lang=fr", "profiles", "list", "--json")
    assert as_json.returncode == 2
    assert json.loads(as_json.stderr)["error"]["code"] == "usage" and as_json.stdout == ""


def test_a_known_lang_option_still_works(tmp_path: Path) -> None:
    result = _o2o(tmp_path, "--lang", "zh_CN", "profiles", "list")
    assert result.returncode == 0 and "还没有账号配置" in result.stdout and result.stderr == ""


def test_an_unknown_o2o_lang_warns_once_and_runs_in_english(tmp_path: Path) -> None:
    result = _o2o(tmp_path, "profiles", "list", lang_env="fr")
    assert result.returncode == 0, result
    assert "No profiles yet" in result.stdout
    assert result.stderr.count("O2O_LANG=fr is not a language o2o knows") == 1, result.stderr
    as_json = _o2o(tmp_path, "profiles", "list", "--json", lang_env="fr")
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == {"profiles": []}
    assert json.loads(as_json.stderr)["warning"] == "lang"  # a script reads both streams as JSON
    chosen = _o2o(tmp_path, "--lang", "en", "profiles", "list", lang_env="fr")  # --lang wins, nothing to say
    assert chosen.returncode == 0 and chosen.stderr == ""
