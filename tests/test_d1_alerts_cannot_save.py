"""CANNOT_SAVE (this device cannot write its cache) in the alert rules and the link line, without Textual: as loud as
an outage once per spell, its banner saying why (a full disk or another write failure), and its end said as such."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from o2o_tui.i18n import set_language, t
from screens.alerts import Alerts, Sound
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import link_line_parts

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["en", "zh"], autouse=True)
def language(request: pytest.FixtureRequest) -> object:
    set_language(request.param)
    yield request.param
    set_language(None)


def _full(fault: str = "disk_full") -> LinkStatus:
    return LinkStatus(LinkState.CANNOT_SAVE, error="why", save_fault=fault, last_sync_at=NOW)


def test_a_full_disk_rings_once_bannered_until_saving_again() -> None:
    alerts = Alerts()
    assert alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=NOW), NOW) == ([], None)
    sounds, toast = alerts.link_changed(_full(), NOW)
    assert sounds == [Sound.OFFLINE] and toast == "why"  # the engine's words: which file's disk is full
    assert alerts.offline_banner == t("alerts.disk_full_banner")
    assert alerts.banner(30) == t("alerts.disk_full_short")
    assert alerts.link_changed(_full(), NOW) == ([], None)  # lasting: not rung nor said again
    sounds, toast = alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=NOW), NOW)
    assert sounds == [Sound.BACK_ONLINE] and toast == t("ui.link.saving_again")
    assert alerts.offline_banner is None


def test_another_write_failure_says_so_without_blaming_the_disk() -> None:
    alerts = Alerts()
    alerts.link_changed(_full("write_failed"), NOW)
    assert alerts.offline_banner == t("alerts.cannot_save_banner")
    texts = [variant for part in link_line_parts(_full("write_failed"), None, NOW) for variant in part.variants]
    assert t("ui.link.state.CANNOT_SAVE") in texts[0]
    assert t("ui.link.cannot_save_hint") in texts and t("ui.link.disk_full_hint") not in texts


def test_an_outage_during_a_full_disk_rings_once_and_its_end_goes_back_to_the_full_disk() -> None:
    alerts = Alerts()
    alerts.link_changed(LinkStatus(LinkState.ONLINE), NOW)
    assert alerts.link_changed(_full(), NOW)[0] == [Sound.OFFLINE]
    sounds, _ = alerts.link_changed(LinkStatus(LinkState.OFFLINE, error="down"), NOW)
    assert sounds == [] and alerts.offline_banner == t("alerts.offline_banner")  # rung already for this spell
    sounds, toast = alerts.link_changed(_full(), NOW)  # the link is back, the disk still full
    assert sounds == [] and toast == "why" and alerts.offline_banner == t("alerts.disk_full_banner")
