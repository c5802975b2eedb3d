"""A lock file beside the SQLite database that cannot be made (a read-only directory, a full disk, a directory in its
place) stops `o2o serve` with one line naming the file and the reason, exit 2, not "cannot listen" (the port is
fine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from o2o_tui.cli.exits import Exit

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"


def _env(home: Path, lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("O2O_", "_O2O_"))}
    return {**env, "O2O_HOME": str(home), "O2O_LANG": lang, "O2O_SECRET_FILE": str(home / "secret.key")}


def _run(home: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=_env(home, lang), timeout=60
    )


def test_a_lock_file_that_cannot_be_made_is_said_with_its_path_exit_2(tmp_path: Path) -> None:
    database = tmp_path / "data" / "platform.sqlite3"
    lock = tmp_path / "data" / "platform.sqlite3.server-lock"
    lock.mkdir(parents=True)  # os.open(O_RDWR) fails as it does in a read-only directory, even as root
    db_url = f"sqlite:///{database}"
    for lang, words in (("en", "Cannot create the server lock file"), ("zh", "无法在 SQLite 数据库旁创建服务器锁文件")):
        refused = _run(tmp_path, "-c", CLI, "serve", "--port", "0", "--db", db_url, lang=lang)
        assert refused.returncode == Exit.USAGE, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert words in lines[0] and str(lock) in lines[0], lines[0]
        assert "listen" not in refused.stderr.lower() and "监听" not in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    module = _run(tmp_path, "-m", "o2o_tui.platform", "--port", "0", "--db", db_url)
    assert module.returncode == 2 and str(lock) in module.stderr, module.stderr
    assert "Traceback" not in module.stderr


def test_a_database_directory_that_cannot_be_made_is_said_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    db_url = f"sqlite:///{tmp_path / 'afile' / 'sub' / 'platform.sqlite3'}"
    refused = _run(tmp_path, "-c", CLI, "serve", "--port", "0", "--db", db_url)
    assert refused.returncode == Exit.USAGE, refused.stderr
    assert "platform.sqlite3.server-lock" in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
