"""`o2o menu` end to end against the real platform on loopback (the commands run in this process, as in
test_cli_orders): show, export and import (dry run, bad rows refused whole, applied and published), publish a
draft that someone else's publish made stale, and an item's availability and visibility through the outbox."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.menu import find_item, sold_out_until
from o2o_tui.cli.menu_option import find_option
from o2o_tui.domain.menu import Availability, Names
from o2o_tui.domain.store import HoursException, OpeningHours, TimeRange
from o2o_tui.menu_io import CSV_COLUMNS
from o2o_tui.platform.seed import demo_menu
from o2o_tui.sync.session import profile_cache
from offline_cache.drafts import DraftStore
from tests.support.platform import RunningPlatform, api, order_body

COL = {name: index for index, name in enumerate(CSV_COLUMNS)}


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


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner


def server_menu(platform: RunningPlatform) -> dict[str, Any]:
    merchant = api(platform, "merchant")
    try:
        return merchant.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        merchant.close()


def server_item(platform: RunningPlatform, item_id: str) -> dict[str, Any]:
    return next(i for c in server_menu(platform)["categories"] for i in c["items"] if i["id"] == item_id)


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


def test_show_export_and_import_a_sheet(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    shown = cli.json("menu", "show")  # nothing cached yet: pulled first
    for entity in [i for c in shown["categories"] for i in c["items"]] + [
        o for g in shown["option_groups"] for o in g["options"]
    ]:
        assert entity.pop("effective_status") == "AVAILABLE"  # show's own (o2o_tui/cli/menu.py shown_json)
    assert shown == server_menu(platform)
    assert "宫保鸡丁 Kung Pao Chicken" in cli("menu", "show").stdout
    as_json = json.loads(cli("menu", "export").stdout)  # JSON to stdout by default: the whole menu
    assert as_json == shown

    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    rows = rows_of(sheet.read_bytes())
    assert rows[0] == list(CSV_COLUMNS)
    mapo = next(r for r in rows if r[COL["item_id"]] == "mapo-tofu")
    mapo[COL["price"]] = "27.50"
    mapo[COL["name_en"]] = '=HYPERLINK("http://evil.example","Mapo")'
    rice = next(r for r in rows if r[COL["item_id"]] == "rice")
    rice[COL["availability"]] = "unavailable"  # not part of the draft: applied as an item PATCH
    write_rows(sheet, rows)

    dry = cli("menu", "import", str(sheet), "--dry-run")
    assert "mapo-tofu" in dry.stdout and "26.00 -> 27.50" in dry.stdout and "Dry run" in dry.stdout
    assert "! item rice: unavailable" in dry.stdout
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2600  # a dry run changes nothing
    version = server_menu(platform)["version"]

    done = cli.json("menu", "import", str(sheet))
    assert done["outcome"] == "done" and any(c["id"] == "mapo-tofu" for c in done["changes"])
    item = server_item(platform, "mapo-tofu")
    assert item["price"]["amount"] == 2750
    assert item["names"]["en"] == '=HYPERLINK("http://evil.example","Mapo")'
    assert server_item(platform, "rice")["status"] == "UNAVAILABLE" and done["availability"] == ["rice"]
    assert server_menu(platform)["version"] >= version + 1
    assert cli.json("menu", "publish")["outcome"] == "unchanged"  # the draft went with the publish
    again = tmp_path / "again.csv"
    cli("menu", "export", "--format", "csv", "-o", str(again))
    mapo[COL["name_en"]] = "'" + mapo[COL["name_en"]]  # exported quoted: a spreadsheet runs nothing
    exported, taken_from = rows_of(again.read_bytes()), COL["menu_version"]
    # each row says the menu version it was taken from: the one just published
    assert {row[taken_from] for row in exported[1:]} == {str(server_menu(platform)["version"])}
    without = [row[:taken_from] + row[taken_from + 1 :] for row in exported]
    assert without == [row[:taken_from] + row[taken_from + 1 :] for row in rows]  # and nothing else moved


def test_a_bad_sheet_is_refused_whole_with_line_and_column(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    rows = rows_of(sheet.read_bytes())
    rows[1][COL["price"]] = "30.00"  # a good change on line 2 ...
    rows[2][COL["price"]] = "-1"  # ... and a bad one on line 3
    rows[3][COL["option_group_ids"]] = "spice;nope"
    rows[4][COL["name_en"]] = "Evil \x1b]0;TITLE\x07 \x1b[31mred"  # would set the title of every counter's terminal
    write_rows(sheet, rows)
    before = server_menu(platform)
    refused = cli("menu", "import", str(sheet), code=Exit.USAGE)
    assert "row 3, column 9 (price)" in refused.stdout and "negative" in refused.stdout
    assert "row 4, column 14 (option_group_ids)" in refused.stdout and "nope" in refused.stdout
    assert f"row 5, column {COL['name_en'] + 1} (name_en)" in refused.stdout and "control" in refused.stdout
    assert "\x1b" not in refused.stdout + refused.stderr
    assert "3 problem" in refused.stderr
    assert server_menu(platform) == before
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        out.truncate(11 * 1024 * 1024)
    assert "10 MB" in cli("menu", "import", str(big), code=Exit.USAGE).stderr


def test_publishing_a_stale_draft_is_refused_and_the_draft_kept(
    platform: RunningPlatform, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("sync", "--once")
    document = json.loads(cli("menu", "export").stdout)
    document["categories"][0]["items"][0]["price"]["amount"] = 4000
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    # someone else publishes first, from the same version
    theirs = dict(
        document, categories=[dict(document["categories"][0], name="热菜")] + document["categories"][1:]
    )
    theirs["categories"][0]["items"][0]["price"] = {"amount": 3900, "currency": "CNY"}  # the same item as mine
    merchant = api(platform, "merchant")
    answer = merchant.put(
        f"/v1/stores/{platform.seed.store_id}/menu", theirs, headers={"If-Match": str(document["version"])}
    )
    merchant.close()
    assert answer.status_code == 200, answer.text
    refused = cli("menu", "import", str(mine), code=Exit.REJECTED)
    assert "published menu version" in refused.stdout and "o2o menu edit" in refused.stdout
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3900
    again = cli("menu", "publish", code=Exit.REJECTED)  # the draft is still there, still stale
    assert "o2o menu edit" in again.stderr and "Kung Pao" in again.stderr
    # hiding an item at once also goes into the draft (base and edits), so publishing it later cannot undo that
    cli("menu", "item", "hide", "cola")
    assert server_item(platform, "cola")["hidden"] is True
    cli("menu", "option", "hide", "rice-brown")  # an option alike
    assert server_option(platform, "rice-brown")["hidden"] is True
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    with profile_cache(None, read_only=True) as (_, cache):
        draft = DraftStore(cache).load(platform.seed.store_id)
    assert draft is not None
    for menu in (draft.base, draft.menu):
        assert find_item(menu, "cola").hidden is True
        assert find_option(menu, "rice-brown").hidden is True
    assert find_item(draft.menu, "kung-pao-chicken").price.amount == 4000  # my edit is still there


def test_item_availability_and_visibility(platform: RunningPlatform, cli: Cli) -> None:
    cli("sync", "--once")
    asked_at = datetime.now(UTC)  # before the command read its clock: 23:59 itself may pass while it runs
    sold = cli.json("menu", "item", "status", "麻婆豆腐 mapo tofu", "sold-out", "--until", "23:59")
    assert sold["outcome"] == "done" and sold["item"]["id"] == "mapo-tofu"
    snooze = server_item(platform, "mapo-tofu")["snooze_until"]
    assert snooze and datetime.fromisoformat(snooze) > asked_at
    local = datetime.fromisoformat(snooze).astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%H:%M") == "23:59"
    assert "[sold out until" in cli("menu", "show").stdout
    # a new order naming it is refused, naming the item
    customer = api(platform, "customer")
    body = order_body(platform.seed.store_id)
    body["lines"] = [{"item_id": "mapo-tofu", "quantity": 1, "option_ids": ["spice-mild"]}]
    refused = customer.post("/v1/orders", body)
    customer.close()
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "item_unavailable"

    cli("menu", "item", "status", "mapo-tofu", "available")
    item = server_item(platform, "mapo-tofu")
    assert item["snooze_until"] is None and item["status"] == Availability.AVAILABLE
    cli("menu", "item", "status", "rice", "unavailable")
    assert server_item(platform, "rice")["status"] == "UNAVAILABLE"
    cli("menu", "item", "hide", "cola")
    assert server_item(platform, "cola")["hidden"] is True
    cli("menu", "item", "show", "cola")
    assert server_item(platform, "cola")["hidden"] is False
    cli("menu", "item", "status", "no-such-dish", "available", code=Exit.NOT_FOUND)
    cli("menu", "item", "status", "rice", "gone", code=Exit.USAGE)
    cli("menu", "item", "status", "rice", "sold-out", "--until", "25:00", code=Exit.USAGE)


def server_option(platform: RunningPlatform, option_id: str) -> dict[str, Any]:
    return next(o for g in server_menu(platform)["option_groups"] for o in g["options"] if o["id"] == option_id)


def test_option_availability_and_visibility(platform: RunningPlatform, cli: Cli) -> None:
    cli("sync", "--once")
    sold = cli.json("menu", "option", "status", "extra HOT", "sold-out", "--until", "23:59")
    assert sold["outcome"] == "done" and sold["option"]["id"] == "spice-hot"
    snooze = server_option(platform, "spice-hot")["snooze_until"]
    assert datetime.fromisoformat(snooze).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") == "23:59"
    shown = cli("menu", "show").stdout
    assert "Options" in shown and "[sold out until" in shown.split("spice-hot", 1)[1].splitlines()[0]
    # an order asking for it is refused, naming the option
    customer = api(platform, "customer")
    body = order_body(platform.seed.store_id)
    body["lines"] = [{"item_id": "mapo-tofu", "quantity": 1, "option_ids": ["spice-hot"]}]
    refused = customer.post("/v1/orders", body)
    assert refused.status_code == 409 and refused.json()["error"]["option_id"] == "spice-hot"

    cli("menu", "option", "status", "spice-hot", "available")
    option = server_option(platform, "spice-hot")
    assert option["snooze_until"] is None and option["status"] == "AVAILABLE"
    assert customer.post("/v1/orders", order_body(platform.seed.store_id, lines=body["lines"])).status_code == 201
    customer.close()
    cli("menu", "option", "hide", "糙米饭")
    assert server_option(platform, "rice-brown")["hidden"] is True
    cli("menu", "option", "show", "rice-brown")
    assert server_option(platform, "rice-brown")["hidden"] is False
    cli("menu", "option", "status", "no-such-choice", "available", code=Exit.NOT_FOUND)
    ambiguous = cli("menu", "option", "status", "rice", "unavailable", code=Exit.USAGE)
    assert "rice-white" in ambiguous.stderr and "rice-brown" in ambiguous.stderr
    cli("menu", "option", "status", "rice-white", "sold-out", "--until", "7pm", code=Exit.USAGE)

    # offline: queued (or refused to queue with --online), then sent once the platform is back
    platform.stop()
    cli("menu", "option", "status", "ice-cold", "unavailable", "--online", code=Exit.OFFLINE)
    queued = cli.json("menu", "option", "status", "ice-cold", "unavailable")
    assert queued["outcome"] == "queued"
    platform.restart()
    cli("login", "--url", platform.url, "--token", cli.token)  # the port may have moved
    cli("sync", "--once")
    assert server_option(platform, "ice-cold")["status"] == "UNAVAILABLE"


def test_a_json_import_sets_an_options_availability(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    cli("sync", "--once")
    document = json.loads(cli("menu", "export").stdout)
    for group in document["option_groups"]:
        for option in group["options"]:
            if option["id"] == "rice-brown":
                option["status"] = "UNAVAILABLE"
    edited = tmp_path / "menu.json"
    edited.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    dry = cli("menu", "import", str(edited), "--dry-run").stdout
    assert "! option rice-brown: unavailable" in dry and "availability changes 1" in dry
    assert server_option(platform, "rice-brown")["status"] == "AVAILABLE"
    done = cli.json("menu", "import", str(edited))
    assert done["option_availability"] == ["rice-brown"] and done["availability"] == []
    assert server_option(platform, "rice-brown")["status"] == "UNAVAILABLE"


# --- the pure parts ---------------------------------------------------------------------------------------------


class _Store:
    def __init__(self, opening_hours: list[Any] = [], hours_exceptions: list[Any] = []) -> None:  # noqa: B006
        self.timezone = "Asia/Shanghai"
        self.opening_hours = opening_hours
        self.hours_exceptions = hours_exceptions


SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)  # 2026-12-07 is a Monday


def test_sold_out_until_a_time_in_store_time_a_past_one_meaning_tomorrow() -> None:
    store = _Store()
    assert sold_out_until("14:30", at(7, 10), store) == at(7, 14, 30).astimezone(UTC)
    assert sold_out_until("9:15", at(7, 10), store) == at(8, 9, 15).astimezone(UTC)
    with pytest.raises(ValueError):
        sold_out_until("7pm", at(7, 10), store)


def test_sold_out_without_a_time_lasts_to_the_end_of_the_stores_day() -> None:
    assert sold_out_until(None, at(7, 10), _Store()) == at(8, 0).astimezone(UTC)  # no hours: midnight
    evening = [OpeningHours(weekday=day, opens="18:00", closes="02:00") for day in range(7)]
    assert sold_out_until(None, at(7, 23), _Store(evening)) == at(8, 2).astimezone(UTC)  # overnight range
    assert sold_out_until(None, at(8, 1), _Store(evening)) == at(8, 2).astimezone(UTC)
    assert sold_out_until(None, at(7, 12), _Store(evening)) == at(8, 2).astimezone(
        UTC
    )  # closed now, opening tonight: the day's last close (not midnight, in the middle of its dinner)
    holiday = [HoursException(date="2026-12-07", hours=[TimeRange("10:00", "15:00")])]
    assert sold_out_until(None, at(7, 12), _Store(evening, holiday)) == at(7, 15).astimezone(UTC)
    around_the_clock = [OpeningHours(weekday=day, opens="00:00", closes="00:00") for day in range(7)]
    assert sold_out_until(None, at(7, 12), _Store(around_the_clock)) == at(8, 0).astimezone(UTC)  # not a week


def test_an_item_is_named_by_id_or_by_one_name_in_either_language() -> None:
    menu = demo_menu()
    assert find_item(menu, "rice").id == "rice"
    assert find_item(menu, "  可乐 coca-cola ").id == "cola"
    assert find_item(menu, "Coca").id == "cola"  # a part of one item's name
    assert find_item(menu, "mapo").id == "mapo-tofu"
    with pytest.raises(LookupError) as caught:
        find_item(menu, "Pork")  # a part of several names: which one is not guessed
    assert len(caught.value.args[0]) >= 2
    with pytest.raises(LookupError) as caught:
        find_item(menu, "no such dish")
    assert caught.value.args[0] == []
    first, second = menu.categories[0].items[:2]
    twin = msgspec.structs.replace(second, names=Names(zh="麻婆豆腐", en=first.name))
    menu = msgspec.structs.replace(
        menu,
        categories=[msgspec.structs.replace(menu.categories[0], items=[first, twin]), *menu.categories[1:]],
    )
    assert find_item(menu, "麻婆豆腐").id == "mapo-tofu"
    with pytest.raises(LookupError) as caught:
        find_item(menu, first.name.upper())
    assert [item.id for item in caught.value.args[0]] == ["kung-pao-chicken", "mapo-tofu"]


def test_an_option_is_named_by_id_or_by_one_name_in_either_language() -> None:
    menu = demo_menu()
    assert find_option(menu, "spice-hot").id == "spice-hot"
    assert find_option(menu, " 特辣 EXTRA hot ").id == "spice-hot"
    assert find_option(menu, "brown").id == "rice-brown"  # a part of one option's name
    with pytest.raises(LookupError) as caught:
        find_option(menu, "rice")  # a part of several
    assert {option.id for option in caught.value.args[0]} == {"rice-white", "rice-brown"}
    with pytest.raises(LookupError) as caught:
        find_option(menu, "  ")
    assert caught.value.args[0] == []
    # one option offered in two groups is one option (the platform patches both): not ambiguous
    spice = menu.option_groups[0]
    again = msgspec.structs.replace(spice, id="spice-again", options=[spice.options[-1]])
    menu = msgspec.structs.replace(menu, option_groups=[*menu.option_groups, again])
    assert find_option(menu, "extra hot").id == spice.options[-1].id
    assert find_option(menu, "特辣 Extra hot").id == spice.options[-1].id


def test_a_narrow_sheet_adds_a_category_by_name_and_keeps_what_it_leaves_out(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    """A sheet of category name, item name and price (columns in any order): matched by name, the prices change,
    a new category is published, and the columns left out (options, availability) stay as they were."""
    cli("sync", "--once")
    kept = server_item(platform, "mapo-tofu")  # the demo's items have one name: it is both columns' text
    sheet = tmp_path / "narrow.csv"
    sheet.write_text(
        "price,name_en,category_name_en\r\n"
        f"27.50,{kept['name']},{server_menu(platform)['categories'][0]['name']}\r\n"
        "18,Mango pudding,Desserts\r\n",
        encoding="utf-8",
    )
    done = cli.json("menu", "import", str(sheet))
    assert done["outcome"] == "done"
    menu = server_menu(platform)
    assert menu["categories"][-1]["names"]["en"] == "Desserts"
    [pudding] = menu["categories"][-1]["items"]
    assert pudding["names"]["en"] == "Mango pudding" and pudding["price"]["amount"] == 1800
    assert server_item(platform, "mapo-tofu") == {**kept, "price": {**kept["price"], "amount": 2750}}
    # the sheet is the whole item list: the items it leaves out are gone, as with a full sheet
    assert sum(len(c["items"]) for c in menu["categories"]) == 2


def test_a_partial_sheet_through_the_command(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    cli("sync", "--once")
    before = server_menu(platform)
    mapo = server_item(platform, "mapo-tofu")
    sheet = tmp_path / "prices.csv"
    sheet.write_text(f"name_en,price,category_id\r\n{mapo['name']},27.50,{before['categories'][0]['id']}\r\n")
    done = cli.json("menu", "import", str(sheet), "--partial")
    assert done["outcome"] == "done" and [c["id"] for c in done["changes"]] == ["mapo-tofu"]
    after = server_menu(platform)
    assert [[i["id"] for i in c["items"]] for c in after["categories"]] == [
        [i["id"] for i in c["items"]] for c in before["categories"]
    ]
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2750
    as_json = tmp_path / "menu.json"
    cli("menu", "export", "-o", str(as_json))
    assert "--partial is for CSV" in cli("menu", "import", str(as_json), "--partial", code=Exit.USAGE).stderr


_NAMES = {"mapo-tofu": "麻婆豆腐 Mapo Tofu", "kung-pao-chicken": "宫保鸡丁 Kung Pao Chicken"}


def price_sheet(path: Path, category_id: str, rows: list[tuple[str, str]]) -> Path:
    lines = "".join(f"{i},{category_id},{_NAMES[i]},{price}\r\n" for i, price in rows)
    path.write_text("item_id,category_id,name_en,price\r\n" + lines, encoding="utf-8")
    return path


def test_an_import_queued_offline_and_sent_later_leaves_the_next_import_free(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    category = server_menu(platform)["categories"][0]["id"]
    platform.stop()
    queued = cli.json("menu", "import", str(price_sheet(tmp_path / "a.csv", category, [("mapo-tofu", "27.00")])), "--partial")
    assert queued["outcome"] == "queued"
    platform.restart()
    cli("login", "--url", platform.url, "--token", cli.token)  # the port may have moved
    cli("sync", "--once")
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    # the saved draft is this device's own publish, sent since: the next sheet goes straight through
    sheet = price_sheet(tmp_path / "b.csv", category, [("mapo-tofu", "27.50")])
    preview = cli.json("menu", "import", str(sheet), "--partial", "--dry-run")
    assert [c["id"] for c in preview["changes"]] == ["mapo-tofu"]
    done = cli.json("menu", "import", str(sheet), "--partial")
    assert done["outcome"] == "done" and [c["id"] for c in done["changes"]] == ["mapo-tofu"]
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2750
    assert cli.json("conflicts", "list") == []


def test_a_sheet_meets_a_menu_published_elsewhere(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    cli("sync", "--once")
    category = server_menu(platform)["categories"][0]["id"]
    other = Cli(tmp_path / "other", cli.token)
    other("login", "--url", platform.url, "--token", other.token)
    other("sync", "--once")

    # another device changes another item: my sheet goes on top of it, keeping its change (no revert)
    other("menu", "import", str(price_sheet(tmp_path / "k.csv", category, [("kung-pao-chicken", "39.00")])), "--partial")
    mine = price_sheet(tmp_path / "m.csv", category, [("mapo-tofu", "27.00")])
    done = cli.json("menu", "import", str(mine), "--partial")
    assert done["outcome"] == "done"
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3900
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    assert cli.json("conflicts", "list") == []

    # it changes the same item differently: refused, the draft kept; dropped, and the next sheet goes through
    other("sync", "--once")
    other("menu", "import", str(price_sheet(tmp_path / "k2.csv", category, [("mapo-tofu", "28.00")])), "--partial")
    clash = price_sheet(tmp_path / "m2.csv", category, [("mapo-tofu", "26.00")])
    refused = cli("menu", "import", str(clash), "--partial", code=Exit.REJECTED)
    assert "o2o menu discard" in refused.stdout
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2800
    again = cli("menu", "import", str(clash), "--partial", code=Exit.REJECTED)  # from the cache: nothing sent
    assert "Mapo" in again.stderr and "o2o menu discard" in again.stderr
    dropped = cli.json("menu", "discard")
    assert dropped["discarded"] is True and [c["id"] for c in dropped["changes"]] == ["mapo-tofu"]
    assert cli.json("menu", "discard")["discarded"] is False
    cli("menu", "import", str(clash), "--partial")
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2600
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3900
