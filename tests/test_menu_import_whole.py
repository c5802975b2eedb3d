"""A menu import is all or nothing, also when it was queued offline and is sent later: its availability changes
(item PATCHes, queued after its publish) go only when its publish does; a refused publish takes them with it into
the conflicts, where the person sees why. The real platform on loopback, real caches (two devices of one store)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.platform import auth, db
from o2o_tui.sync.model import Change, ChangeKind
from o2o_tui.sync.session import make_client, make_engine, profile_cache
from tests.support.platform import RunningPlatform, api


class Cli:
    def __init__(self, home: Path, token: str) -> None:
        self.home = home
        self.token = token

    def __call__(self, *args: str, code: int = 0) -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
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
    staff = api(platform, "dispatcher")  # (a test rotates the merchant's token)
    try:
        menu = staff.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        staff.close()
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


def sheet(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A partial sheet of hot dishes: (item id, price, availability) per row."""
    names = {"mapo-tofu": "麻婆豆腐 Mapo Tofu", "kung-pao-chicken": "宫保鸡丁 Kung Pao Chicken"}
    lines = "".join(f"{i},hot-dishes,{names[i]},{price},{word}\r\n" for i, price, word in rows)
    path.write_text("item_id,category_id,name_en,price,availability\r\n" + lines, encoding="utf-8")
    return path


def import_offline(platform: RunningPlatform, mine: Cli, path: Path, availability: list[str]) -> None:
    platform.stop()
    queued = mine.json("menu", "import", str(path), "--partial")
    assert queued["outcome"] == "queued" and queued["availability"] == availability
    platform.restart()


def test_an_offline_import_whose_publish_is_refused_later_applies_nothing(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    import_offline(
        platform, mine, sheet(tmp_path / "mine.csv", [("mapo-tofu", "27.00", "unavailable")]), ["mapo-tofu"]
    )
    other.login(platform.url)  # the port may have moved
    other(
        "menu",
        "import",
        str(sheet(tmp_path / "theirs.csv", [("mapo-tofu", "28.00", "available")])),
        "--partial",
    )
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)

    item = server_item(platform, "mapo-tofu")
    assert item["price"]["amount"] == 2800  # theirs
    assert item["status"] == "AVAILABLE"  # my file's "unavailable" rode with my refused publish: not applied
    conflicts = mine.json("conflicts", "list")
    assert [c["action"] for c in conflicts] == ["menu.publish", "menu.item.patch"]
    held = conflicts[1]
    assert held["reason"]["code"] == "import_publish_refused"
    assert held["reason"]["publish_key"] == conflicts[0]["key"]
    assert "Mapo Tofu" in held["explanation"] and "import the file again" in held["explanation"]  # named
    listed = mine("conflicts", "list").stdout
    assert "menu import whose publish was refused" in listed

    # nothing lost: the draft is kept; dropped and imported again, the whole file goes through
    mine("menu", "discard")
    mine("conflicts", "dismiss", "--all")
    mine(
        "menu",
        "import",
        str(sheet(tmp_path / "mine.csv", [("mapo-tofu", "27.00", "unavailable")])),
        "--partial",
    )
    item = server_item(platform, "mapo-tofu")
    assert (item["price"]["amount"], item["status"]) == (2700, "UNAVAILABLE")
    assert mine.json("conflicts", "list") == []


def test_an_offline_import_the_platform_still_takes_applies_whole(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    import_offline(
        platform, mine, sheet(tmp_path / "mine.csv", [("mapo-tofu", "27.00", "unavailable")]), ["mapo-tofu"]
    )
    other.login(platform.url)
    other("menu", "item", "status", "kung-pao-chicken", "sold-out")  # availability only: no newer content
    mine.login(platform.url)
    mine("sync", "--once")

    item = server_item(platform, "mapo-tofu")
    assert (item["price"]["amount"], item["status"]) == (2700, "UNAVAILABLE")
    assert server_item(platform, "kung-pao-chicken")["snooze_until"] is not None
    assert mine.json("conflicts", "list") == []


def test_a_change_queued_after_its_import_was_refused_is_held_too(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process may send the import's publish (and see it refused) before the import queues its
    availability: a change queued behind a refused publish of its import is held when its turn comes."""
    mine, other = counters
    import_offline(platform, mine, sheet(tmp_path / "mine.csv", [("mapo-tofu", "27.00", "available")]), [])
    other.login(platform.url)
    other(
        "menu",
        "import",
        str(sheet(tmp_path / "theirs.csv", [("mapo-tofu", "28.00", "available")])),
        "--partial",
    )
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    monkeypatch.setenv("O2O_HOME", str(mine.home))
    with profile_cache(None) as (_, cache):
        (publish,) = cache.outbox.conflicts()
        # what the import queues for its availability once its publish has gone out: the publish's base version
        cache.outbox.append(
            "menu.item.patch",
            f"{platform.seed.store_id}/mapo-tofu",
            '{"status":"UNAVAILABLE","clear_snooze":true}',
            base_version=publish.base_version,
        )
    mine("sync", "--once", code=Exit.REJECTED)
    assert server_item(platform, "mapo-tofu")["status"] == "AVAILABLE"
    conflicts = mine.json("conflicts", "list")
    assert [c["reason"]["code"] for c in conflicts] == ["stale_version", "import_publish_refused"]

    # a plain availability change (no base version: not part of an import) is not held by it
    mine("menu", "item", "status", "mapo-tofu", "unavailable")
    assert server_item(platform, "mapo-tofu")["status"] == "UNAVAILABLE"


def test_a_refused_publish_takes_its_riders_to_the_conflicts_at_once(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The riders go to the conflicts in the same step as their publish: a person who dismisses the publish's
    conflict the moment it shows (the console's conflicts screen) cannot let them through."""
    mine, other = counters
    import_offline(
        platform, mine, sheet(tmp_path / "mine.csv", [("mapo-tofu", "27.00", "unavailable")]), ["mapo-tofu"]
    )
    other.login(platform.url)
    other(
        "menu",
        "import",
        str(sheet(tmp_path / "theirs.csv", [("mapo-tofu", "28.00", "available")])),
        "--partial",
    )
    mine.login(platform.url)
    monkeypatch.setenv("O2O_HOME", str(mine.home))
    with profile_cache(None) as (profile, cache):

        def dismiss_publishes(keys: frozenset[str]) -> None:
            for key in keys:
                entry = cache.outbox.get(key)
                if entry is not None and entry.action == "menu.publish":
                    cache.outbox.dismiss(key)

        def on_change(change: Change) -> None:
            if change.kind is ChangeKind.CONFLICT:
                cache.executor.submit(dismiss_publishes, change.ids).result()

        async def replay() -> tuple[int, int]:
            async with make_client(profile) as client:
                engine = make_engine(profile, cache, client)
                engine.subscribe(on_change)
                return await engine.push_pending()

        assert asyncio.run(replay()) == (0, 2)
        (held,) = cache.outbox.conflicts()
    assert held.action == "menu.item.patch" and held.rejection["code"] == "import_publish_refused"
    assert server_item(platform, "mapo-tofu")["status"] == "AVAILABLE"


def test_an_import_queued_for_a_refused_token_keeps_its_availability_with_it(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    """A publish queued because the token was refused (exit 5) used to end the command before the availability
    was queued: after logging in again the content went out alone."""
    mine, _ = counters
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            fresh = auth.rotate_token(conn, platform.seed.user_ids["merchant"])
    finally:
        engine.dispose()
    assert fresh is not None
    time.sleep(1.5)  # every server refuses the old token within a second
    sheet_path = sheet(tmp_path / "mine.csv", [("mapo-tofu", "27.00", "unavailable")])
    refused = mine("menu", "import", str(sheet_path), "--partial", code=Exit.AUTH)
    assert "Availability of item mapo-tofu: queued" in refused.stdout
    mine.token = fresh
    mine.login(platform.url)
    mine("sync", "--once")
    item = server_item(platform, "mapo-tofu")
    assert (item["price"]["amount"], item["status"]) == (2700, "UNAVAILABLE")
