"""What the pieces item and option, reject and cancel, and a closed and an open date now share still say, word for
word, against the real platform on loopback: an item's or option's lookup (none, several), the line a hide prints
and the JSON it answers; an unknown reject or cancel reason and the reasons --help lists; a store-hours note too
long on `closed` and on `open` (checked before the date is held against today, after `open` without hours),
nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    runner("sync", "--once")
    yield runner


def test_an_item_or_option_not_found_or_ambiguous_is_said_alike(cli: Cli) -> None:
    several = cli("menu", "item", "hide", "ric", code=Exit.USAGE).stderr
    assert several == (
        "ric matches several items: rice (米饭 Steamed Rice), egg-fried-rice (蛋炒饭 Egg Fried Rice). Give the id.\n"
    )
    assert cli("menu", "item", "show", "nothing-here", code=Exit.NOT_FOUND).stderr == (
        "No item nothing-here in the menu.\n"
    )
    several = cli("menu", "option", "hide", "rice", code=Exit.USAGE).stderr
    assert several == (
        "rice matches several options: rice-white (白米饭 Steamed rice), rice-brown (糙米饭 Brown rice). Give the id.\n"
    )
    assert cli("menu", "option", "show", "nothing-here", code=Exit.NOT_FOUND).stderr == (
        "No option nothing-here in the menu.\n"
    )


def test_a_hide_says_the_line_as_it_stands_and_answers_it_in_json(cli: Cli) -> None:
    assert cli("menu", "item", "hide", "cola").stdout == "  cola  可乐 Coca-Cola  ¥5.00  [hidden]\n"
    assert cli("menu", "option", "hide", "spice-hot").stdout == "spice-hot  特辣 Extra hot  +¥0.00  [hidden]\n"
    item = cli.json("menu", "item", "show", "cola")
    assert item["outcome"] == "done" and item["action"] == "menu.item.patch"
    assert item["item"]["id"] == "cola" and item["item"]["hidden"] is False and "option" not in item
    option = cli.json("menu", "option", "show", "spice-hot")
    assert option["outcome"] == "done" and option["action"] == "menu.option.patch"
    assert option["option"]["id"] == "spice-hot" and option["option"]["hidden"] is False and "item" not in option


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_an_unknown_reject_or_cancel_reason_is_named_with_the_codes(cli: Cli, action: str) -> None:
    said = cli("orders", action, "no-such-order", "--reason", "nope", code=Exit.USAGE).stderr
    codes = "OUT_OF_STOCK (Items sold out), STORE_BUSY (Too busy), CLOSING_SOON (Closing soon), OTHER (Other)"
    assert said == f'Unknown {action} reason "nope"; one of: {codes}.\n'
    helped = " ".join(cli("orders", action, "--help").stdout.replace("│", " ").split())
    assert f"Why: one of {codes}; the code or its words, any case." in helped
    assert cli("orders", action, "no-such-order", "--reason", "store-busy", code=Exit.NOT_FOUND)


def test_a_long_note_is_refused_on_closed_and_open_and_changes_nothing(running: RunningPlatform, cli: Cli) -> None:
    assert running.seed is not None
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        before = merchant.get_store(running.seed.store_id)
    note = "n" * 201
    # the note is checked before anything is read: a past date with a long note is told about the note
    for args in (("closed", "2099-12-25"), ("open", "2099-12-25", "10:00-12:00"), ("closed", "2000-01-01")):
        said = cli("store", "hours", *args, "--note", note, code=Exit.USAGE).stderr
        assert said == "The note is longer than 200 characters.\n", args
    # `open` without hours is told to use `closed` before its note is looked at
    said = cli("store", "hours", "open", "2099-12-25", "closed", "--note", note, code=Exit.USAGE).stderr
    assert "store hours closed DATE" in said
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        after = merchant.get_store(running.seed.store_id)
    assert (after.hours_exceptions, after.version) == (before.hours_exceptions, before.version)
    # a note that fits goes through on both
    cli("store", "hours", "closed", "2099-12-25", "--note", "n" * 200)
    cli("store", "hours", "open", "2099-12-26", "10:00-12:00", "--note", "Boxing Day")
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        after = merchant.get_store(running.seed.store_id)
    kept = {e.date: (e.note, [(r.opens, r.closes) for r in e.hours]) for e in after.hours_exceptions}
    assert kept == {"2099-12-25": ("n" * 200, []), "2099-12-26": ("Boxing Day", [("10:00", "12:00")])}
    cli("store", "hours", "reset")
