"""Menu publishes queued offline and sent later, against the real platform on loopback with real caches: a second
import queued behind this device's own first follows it (the platform sees them in order), while someone else's
publish in between still stops it; a refused publish says the draft is kept, and each retry of one draft leaves
one refused entry, not one more."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api

NAMES = {"mapo-tofu": "麻婆豆腐 Mapo Tofu", "kung-pao-chicken": "宫保鸡丁 Kung Pao Chicken"}


class Cli:
    def __init__(self, home: Path, token: str) -> None:
        self.home = home
        self.token = token

    def __call__(self, *args: str, code: int = 0, lang: str = "en") -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)

    def login(self, url: str) -> None:
        self("login", "--url", url, "--token", self.token)


@pytest.fixture
def counters(platform: RunningPlatform, tmp_path: Path) -> Iterator[tuple[Cli, Cli]]:
    """Two counters of the demo store, both synced."""
    token = platform.seed.tokens["merchant"]
    mine, other = Cli(tmp_path / "mine", token), Cli(tmp_path / "other", token)
    for device in (mine, other):
        device.login(platform.url)
        device("sync", "--once")
    yield mine, other


def server_item(platform: RunningPlatform, item_id: str) -> dict[str, Any]:
    staff = api(platform, "merchant")
    try:
        menu = staff.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        staff.close()
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


def sheet(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A partial sheet of hot dishes: (item id, price, availability) per row."""
    lines = "".join(f"{i},hot-dishes,{NAMES[i]},{price},{word}\r\n" for i, price, word in rows)
    path.write_text("item_id,category_id,name_en,price,availability\r\n" + lines, encoding="utf-8")
    return path


def test_two_imports_queued_offline_go_out_in_order(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, _ = counters
    platform.stop()
    first = mine.json("menu", "import", str(sheet(tmp_path / "a.csv", [("mapo-tofu", "27.00", "unavailable")])), "--partial")
    second = mine.json(
        "menu", "import", str(sheet(tmp_path / "b.csv", [("kung-pao-chicken", "39.00", "unavailable")])), "--partial"
    )
    assert (first["outcome"], second["outcome"]) == ("queued", "queued")
    platform.restart()
    mine.login(platform.url)  # the port may have moved
    mine("sync", "--once")

    mapo, chicken = server_item(platform, "mapo-tofu"), server_item(platform, "kung-pao-chicken")
    assert (mapo["price"]["amount"], mapo["status"]) == (2700, "UNAVAILABLE")
    assert (chicken["price"]["amount"], chicken["status"]) == (3900, "UNAVAILABLE")
    assert mine.json("conflicts", "list") == []
    assert mine.json("menu", "publish")["outcome"] == "unchanged"  # the draft went with them


def test_a_publish_in_between_still_stops_the_second_import(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    platform.stop()
    mine.json("menu", "import", str(sheet(tmp_path / "a.csv", [("mapo-tofu", "27.00", "available")])), "--partial")
    platform.restart()
    mine.login(platform.url)
    mine("sync", "--once")  # my first publish goes out alone
    platform.stop()
    mine.json("menu", "import", str(sheet(tmp_path / "b.csv", [("mapo-tofu", "27.50", "available")])), "--partial")
    platform.restart()
    other.login(platform.url)
    other("sync", "--once")
    other("menu", "import", str(sheet(tmp_path / "c.csv", [("mapo-tofu", "28.00", "available")])), "--partial")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2800
    (refused,) = mine.json("conflicts", "list")
    assert refused["action"] == "menu.publish" and refused["reason"]["code"] == "stale_version"


def test_a_refused_queued_publish_keeps_the_draft_and_each_retry_one_entry(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    platform.stop()
    mine.json("menu", "import", str(sheet(tmp_path / "a.csv", [("mapo-tofu", "27.00", "available")])), "--partial")
    platform.restart()
    other.login(platform.url)
    other("menu", "import", str(sheet(tmp_path / "k.csv", [("kung-pao-chicken", "39.00", "available")])), "--partial")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)  # someone published first: refused when it arrives
    (first,) = mine.json("conflicts", "list")
    assert first["action"] == "menu.publish"
    assert "draft is kept" in first["explanation"] and "o2o menu publish" in first["explanation"]
    listed = mine("conflicts", "list").stdout
    assert "draft is kept" in listed
    assert "草稿仍保留" in mine("conflicts", "list", lang="zh").stdout

    # the same draft again: moved onto the newer menu, queued offline, refused again by another publish
    platform.stop()
    assert mine.json("menu", "publish")["outcome"] == "queued"
    platform.restart()
    other.login(platform.url)
    other("menu", "import", str(sheet(tmp_path / "k2.csv", [("kung-pao-chicken", "40.00", "available")])), "--partial")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    (second,) = mine.json("conflicts", "list")  # one entry for the draft, the newest: not one more per retry
    assert second["action"] == "menu.publish" and second["key"] != first["key"]
    assert "draft is kept" in second["explanation"]

    # kept indeed: published on top of the newest menu, with the other counter's change
    assert mine.json("menu", "publish")["outcome"] == "done"
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 4000
