"""A refused offline import's conflicts say the command that really works (`--discard-draft`), and what an
import that landed later leaves of them. The real platform on loopback, real caches (two devices of one store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_menu_import_whole import Cli as _Cli
from tests.test_menu_import_whole import import_offline, server_item, sheet


class Cli(_Cli):
    def run(self, *args: str) -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def counters(platform: RunningPlatform, tmp_path: Path) -> Iterator[tuple[Cli, Cli]]:
    token = platform.seed.tokens["merchant"]
    mine, other = Cli(tmp_path / "mine", token), Cli(tmp_path / "other", token)
    for device in (mine, other):
        device.login(platform.url)
        device("sync", "--once")
    yield mine, other


def test_the_refused_import_says_the_command_that_works(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    rows = [("mapo-tofu", "27.00", "unavailable")]
    import_offline(platform, mine, sheet(tmp_path / "mine.csv", rows), ["mapo-tofu"])
    other.login(platform.url)
    other(
        "menu",
        "import",
        str(sheet(tmp_path / "theirs.csv", [("mapo-tofu", "28.00", "available")])),
        "--partial",
    )
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    conflicts = mine.json("conflicts", "list")
    held = conflicts[1]["explanation"]
    assert "o2o menu import FILE --discard-draft" in held, held
    # what it warns of: the same import without the flag stops (the draft began before the other's publish)
    plain = mine.run("menu", "import", str(sheet(tmp_path / "mine.csv", rows)), "--partial")
    assert plain.exit_code == Exit.REJECTED, (plain.stdout, plain.stderr)
    # the command it names goes through, the whole file
    mine("menu", "import", str(sheet(tmp_path / "mine.csv", rows)), "--partial", "--discard-draft")
    item = server_item(platform, "mapo-tofu")
    assert (item["price"]["amount"], item["status"]) == (2700, "UNAVAILABLE")
    # the publish that went through supersedes the refused one: its conflicts (publish and rider) leave by themselves
    assert mine.json("conflicts", "list") == []


def test_the_sentence_in_chinese_names_the_flag_too() -> None:
    from o2o_tui.i18n import set_language
    from o2o_tui.sync.explain import explain

    reason = {"code": "import_publish_refused"}
    set_language("zh")
    try:
        said = explain(reason, action="menu.item.patch", target="store-1/mapo-tofu", name="麻婆豆腐")
    finally:
        set_language(None)
    assert "--discard-draft" in said and "o2o conflicts dismiss" in said
