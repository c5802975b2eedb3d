"""`o2o menu discard` dismisses the refused publishes of the draft it drops (and the availability changes held
with them) from `o2o conflicts list`: they said the draft is kept on this device, to fix and publish again.
A refusal that is no menu's stays. The real platform on loopback, real caches in temp dirs."""

from __future__ import annotations

import json
from pathlib import Path

from o2o_tui.i18n import t
from tests.support.platform import RunningPlatform
from tests.test_menu_import_whole import Cli
from tests.test_menu_publish_clears_refused import counters, refuse_an_order_accept, refuse_my_offline_import

__all__ = ["counters"]  # the fixture, used by name


def test_discard_dismisses_the_drafts_refused_publish_and_its_riders(
    platform: RunningPlatform, counters: tuple[Cli, Cli], tmp_path: Path
) -> None:
    mine, other = counters
    refuse_my_offline_import(platform, mine, other, tmp_path)
    accept = refuse_an_order_accept(platform, mine, other)
    assert mine.json("sync", "status")["conflicts"] == 3

    said = mine("menu", "discard").stdout
    assert t("menu_cli.discard.dismissed_conflicts", count=1) in said
    assert [c["key"] for c in mine.json("conflicts", "list")] == [accept]  # the order's refusal stays
    assert mine.json("sync", "status")["conflicts"] == 1
    again = json.loads(mine("menu", "discard", "--json").stdout)
    assert again["discarded"] is False and again["dismissed_conflicts"] == 0
