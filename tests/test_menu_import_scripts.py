"""`o2o menu import` as a nightly script runs it, against the real platform on loopback (behind the fault proxy
where the link must fail) with real caches: an `--online` import that queued nothing leaves nothing in the draft
for the next file to publish; the draft an import queued offline keeps after the platform refused it stops an
import of another file instead of going out with it; and a bad file with `--json` keeps stdout JSON, the problems
inside the JSON error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.platform.seed import SeedResult
from o2o_tui.sync.session import profile_cache
from offline_cache.drafts import DraftStore
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api


class Cli:
    def __init__(self, home: Path, token: str) -> None:
        self.home = home
        self.token = token

    def __call__(self, *args: str, code: int = 0, lang: str = "en") -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1"}
        env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)

    def login(self, url: str) -> None:
        self("login", "--url", url, "--token", self.token)


def seed(platform: RunningPlatform) -> SeedResult:
    assert platform.seed is not None
    return platform.seed


def price(platform: RunningPlatform, item_id: str) -> int:
    staff = api(platform, "merchant")
    try:
        menu = staff.get(f"/v1/stores/{seed(platform).store_id}/menu").json()
    finally:
        staff.close()
    return int(next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)["price"]["amount"])


def prices(path: Path, rows: dict[str, str]) -> Path:
    """A price list as the report's scripts write it: `item_id,price`, for `--partial`."""
    path.write_text("item_id,price\n" + "".join(f"{i},{p}\n" for i, p in rows.items()), encoding="utf-8")
    return path


def saved_draft(cli: Cli, monkeypatch: pytest.MonkeyPatch, store_id: str) -> Any:
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    with profile_cache(None, read_only=True) as (_, cache):
        return DraftStore(cache).load(store_id)


@pytest.fixture
def proxy(platform: RunningPlatform) -> Iterator[FaultProxy]:
    with FaultProxy(platform.port) as running:
        yield running


@pytest.mark.parametrize(("fault", "code"), [("drop", Exit.OFFLINE), ("http_503", Exit.ERROR)])
def test_an_online_import_that_queued_nothing_leaves_nothing_for_the_next_file(
    platform: RunningPlatform,
    proxy: FaultProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    code: Exit,
) -> None:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(f"http://127.0.0.1:{proxy.port}")
    cli("sync", "--once")
    cola, rice = price(platform, "cola"), price(platform, "rice")

    getattr(proxy, fault)()  # the link is down (connections closed), or the platform answers 503
    tonight = prices(tmp_path / "tonight.csv", {"cola": "9.90"})
    failed = cli("menu", "import", str(tonight), "--partial", "--online", "--json", code=code)
    error = json.loads(failed.stderr.splitlines()[-1])["error"]
    assert error["exit"] == code
    assert saved_draft(cli, monkeypatch, seed(platform).store_id) is None  # as the command found it
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0

    proxy.pass_through()
    done = cli.json("menu", "import", str(prices(tmp_path / "tomorrow.csv", {"rice": "2.80"})), "--partial")
    assert done["outcome"] == "done"
    assert [(c["id"], c["after"]) for c in done["changes"]] == [("rice", {"amount": 280, "currency": "CNY"})]  # tonight's cola is not in it
    assert (price(platform, "cola"), price(platform, "rice")) == (cola, 280) and rice == 300


def test_an_online_import_that_queued_nothing_puts_back_the_draft_it_dropped(
    platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--discard-draft` drops the saved draft only when the import goes ahead: queued nothing, nothing is lost."""
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(f"http://127.0.0.1:{proxy.port}")
    cli("sync", "--once")
    proxy.drop()
    cli("menu", "import", str(prices(tmp_path / "a.csv", {"cola": "4.80"})), "--partial")  # queued offline
    kept = saved_draft(cli, monkeypatch, seed(platform).store_id)
    assert kept is not None
    tomorrow = prices(tmp_path / "b.csv", {"rice": "2.80"})
    cli("menu", "import", str(tomorrow), "--partial", "--discard-draft", "--online", code=Exit.OFFLINE)
    assert saved_draft(cli, monkeypatch, seed(platform).store_id) == kept


def test_a_refused_queued_import_stops_an_import_of_another_file(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = seed(platform).tokens["merchant"]
    mine, other = Cli(tmp_path / "mine", token), Cli(tmp_path / "other", token)
    for device in (mine, other):
        device.login(platform.url)
        device("sync", "--once")
    cola, rice = price(platform, "cola"), price(platform, "rice")
    platform.stop()
    queued = mine.json("menu", "import", str(prices(tmp_path / "a.csv", {"cola": "4.40"})), "--partial")
    assert queued["outcome"] == "queued"
    platform.restart()
    other.login(platform.url)  # the port may have moved
    other("menu", "import", str(prices(tmp_path / "o.csv", {"mapo-tofu": "27.00"})), "--partial")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)  # someone published first: my queued publish is refused

    # the next night's file names only rice: it must not take yesterday's cola with it
    tomorrow = prices(tmp_path / "b.csv", {"rice": "2.80"})
    stopped = mine("menu", "import", str(tomorrow), "--partial", "--json", code=Exit.USAGE)
    assert stopped.stdout == ""
    error = json.loads(stopped.stderr.strip())["error"]
    assert error["exit"] == Exit.USAGE and "Coca-Cola" in error["message"] and "o2o menu discard" in error["message"]
    assert "可乐" in mine("menu", "import", str(tomorrow), "--partial", "--dry-run", code=Exit.USAGE, lang="zh").stderr
    assert (price(platform, "cola"), price(platform, "rice")) == (cola, rice)  # nothing sent
    kept = saved_draft(mine, monkeypatch, seed(platform).store_id)  # kept, to fix and publish again
    assert kept is not None and kept.changed_by == "import"
    assert [i.price.amount for c in kept.menu.categories for i in c.items if i.id == "cola"] == [440]

    # dropped on purpose, the file goes on alone
    done = mine.json("menu", "import", str(tomorrow), "--partial", "--discard-draft")
    assert [(c["id"], c["after"]) for c in done["changes"]] == [("rice", {"amount": 280, "currency": "CNY"})]
    assert (price(platform, "cola"), price(platform, "rice"), price(platform, "mapo-tofu")) == (cola, 280, 2700)


def test_the_same_file_again_after_its_refusal_goes_through(platform: RunningPlatform, tmp_path: Path) -> None:
    """The conflict says "import the file again": the kept draft holds nothing that file does not set itself."""
    token = seed(platform).tokens["merchant"]
    mine, other = Cli(tmp_path / "mine", token), Cli(tmp_path / "other", token)
    for device in (mine, other):
        device.login(platform.url)
        device("sync", "--once")
    tonight = prices(tmp_path / "a.csv", {"cola": "4.40"})
    platform.stop()
    mine.json("menu", "import", str(tonight), "--partial")
    platform.restart()
    other.login(platform.url)
    other("menu", "import", str(prices(tmp_path / "o.csv", {"mapo-tofu": "27.00"})), "--partial")
    mine.login(platform.url)
    mine("sync", "--once", code=Exit.REJECTED)
    again = mine.json("menu", "import", str(tonight), "--partial")
    assert again["outcome"] == "done" and [c["id"] for c in again["changes"]] == ["cola"]
    done = mine.json("menu", "import", str(prices(tmp_path / "b.csv", {"rice": "2.80"})), "--partial")
    assert [c["id"] for c in done["changes"]] == ["rice"]
    assert (price(platform, "cola"), price(platform, "rice"), price(platform, "mapo-tofu")) == (440, 280, 2700)


def test_an_import_still_queued_is_not_left_over_even_after_a_hide_changed_its_draft(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    """The rows of an import whose publish is still queued are on their way: the next import builds on them (and
    queues behind it), also once a hide made at once changed the draft; and once sent, nothing is left over."""
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    platform.stop()
    first = cli.json("menu", "import", str(prices(tmp_path / "a.csv", {"cola": "4.40"})), "--partial")
    assert first["outcome"] == "queued"
    cli("menu", "item", "hide", "rice")  # queued too, and kept in the draft (base and edits)
    tomorrow = prices(tmp_path / "b.csv", {"mapo-tofu": "27.00"})
    preview = cli.json("menu", "import", str(tomorrow), "--partial", "--dry-run")
    assert sorted(c["id"] for c in preview["changes"]) == ["cola", "mapo-tofu"]  # the queued one, then this one
    platform.restart()
    cli.login(platform.url)
    cli("sync", "--once")
    assert (price(platform, "cola"), price(platform, "mapo-tofu")) == (440, 2600)
    done = cli.json("menu", "import", str(tomorrow), "--partial")
    assert [c["id"] for c in done["changes"]] == ["mapo-tofu"] and price(platform, "mapo-tofu") == 2700


def test_a_bad_file_with_json_keeps_stdout_json_and_lists_the_problems_in_the_error(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    bad = tmp_path / "prices_bad.csv"
    bad.write_text("item_id,price\nmapo-tofu,28.00\ncola,abc\nnosuch-item,3\n", encoding="utf-8")
    refused = cli("menu", "import", str(bad), "--partial", "--json", code=Exit.USAGE)
    assert refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    error = json.loads(line)["error"]
    assert (error["code"], error["exit"]) == ("usage", 2) and "2 problems" in error["message"]
    first, second = error["errors"]
    assert (first["line"], first["column"], first["field"]) == (3, 2, "price") and "abc" in first["message"]
    assert second["line"] == 4 and second["message"]
    # for a person: every problem on its line, as before
    shown = cli("menu", "import", str(bad), "--partial", code=Exit.USAGE)
    assert "row 3, column 2 (price)" in shown.stdout and "row 4" in shown.stdout
    assert price(platform, "mapo-tofu") == 2600
