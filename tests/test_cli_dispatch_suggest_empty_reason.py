"""`o2o dispatch suggest` with nothing to suggest says why, truly: nothing waits, or every courier on shift is full
(not "no order waits ... or no courier is on shift" above a list of orders waiting). Against the real platform."""

from __future__ import annotations

import pytest

from o2o_tui.cli import app  # noqa: F401  (the commands registered, as the CLI runs them)
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import Cli, cli, place_ready_orders  # noqa: F401  (the fixture)


def test_suggest_says_every_courier_on_shift_is_full(platform: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert platform.seed is not None
    empty = cli("dispatch", "suggest").stdout
    assert "No suggestion: no order waits for a courier." in empty
    couriers = [c["courier_id"] for c in cli.json("couriers", "list")]
    capacity = {c["courier_id"]: c["capacity"] for c in cli.json("couriers", "list")}
    spots = [(300.0 + 50 * i, 200.0) for i in range(sum(capacity.values()) + 2)]
    orders = place_ready_orders(platform, spots)
    at = 0
    for courier in couriers:
        for _ in range(capacity[courier]):
            cli.json("dispatch", "assign", f"#{orders[at].number:04d}", courier)
            at += 1
    listed = cli.json("couriers", "list")
    assert all(c["load"] >= c["capacity"] and c["status"] != "OFFLINE" for c in listed)
    said = cli("dispatch", "suggest").stdout
    assert cli.json("dispatch", "suggest")["suggestions"] == []
    first = said.splitlines()[0]
    assert first.startswith("No suggestion: every courier on shift is full"), said
    assert f"on shift: {len(couriers)}" in first
    assert "no order waits" not in said
    assert f"#{orders[-1].number:04d}" in said  # the orders still waiting, each with its reason


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_reason_has_words_in_both_languages(lang: str) -> None:
    from o2o_tui.i18n import set_language, t

    set_language(lang)
    try:
        for key in ("nothing_waiting", "later", "no_courier", "see_lines"):
            assert t(f"dispatch.suggest.empty.{key}") != f"dispatch.suggest.empty.{key}"
        assert "3" in t("dispatch.suggest.empty.all_full", couriers=3)
    finally:
        set_language(None)
