"""Offboarding and outage follow-ups, against the real platform where there is one to ask:

- a courier (or staff member) whose account an admin disabled is told to ask the store/administrator, not to log in
  again (the handheld's status and message lines, the console's status line);
- offers given back because an admin disabled a courier, or revoked its token, are not that courier's refusals
  (`refused_by`): after `enable-user` it may be suggested those orders again; its own off duty still counts;
- a 503 `storage_unavailable` (to a read as to a write) is said as the platform's storage being unavailable, and the
  queue's message does not say "when the platform is reachable" while the platform answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import ServerError
from o2o_tui.domain.requests import AssignBody
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.model import SyncState
from offline_cache import open_profile_cache
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus, link_from
from screens.widgets.status_bar import link_line_parts
from tests.support.platform import Api, RunningPlatform
from tests.test_cli_dispatch import Cli, place_ready_orders
from tests.test_sync_engine import merchant_engine
from tests.test_ui_courier import CountingApp, courier_profile, home, open_source, wait_until  # noqa: F401


def _refused_by(platform: RunningPlatform, order_id: str) -> list[str]:
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        return [refusal.courier_id for refusal in client.get_order(order_id).refused_by]


def _offer(platform: RunningPlatform, courier_id: str) -> str:
    assert platform.seed is not None
    [order] = place_ready_orders(platform, [(300.0, 0.0)])
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as dispatcher:
        dispatcher.act("order.assign", order.id, AssignBody(courier_id=courier_id))
    return order.id


@pytest.mark.parametrize("how", ["disable", "revoke"])
def test_offers_given_back_by_an_admin_are_not_the_couriers_refusals(
    platform: RunningPlatform, tmp_path: Path, how: str
) -> None:
    seed = platform.seed
    assert seed is not None
    cli = Cli(tmp_path / "admin-home")
    courier_id, user_id = seed.courier_ids[0], seed.user_ids["courier"]
    order_id = _offer(platform, courier_id)
    if how == "disable":
        state = cli.json("admin", "disable-user", user_id, "--db", platform.db_url)
    else:
        state = cli.json("admin", "revoke-token", user_id, "--db", platform.db_url)
    assert state["offers_returned"] == [order_id]
    assert _refused_by(platform, order_id) == []  # an admin's choice, not the courier's "no"

    # its own off duty over an open offer still counts as its refusal
    if how == "disable":
        cli.json("admin", "enable-user", user_id, "--db", platform.db_url)
    else:
        cli("admin", "rotate-token", user_id, "--db", platform.db_url)
    admin = Api(platform.url, seed.tokens["admin"])
    assert admin.put(f"/v1/couriers/{courier_id}/state", {"status": "IDLE"}).status_code == 200
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as dispatcher:
        dispatcher.act("order.assign", order_id, AssignBody(courier_id=courier_id))  # offered to it again
    assert admin.put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}).status_code == 200
    assert _refused_by(platform, order_id) == [courier_id]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_handheld_of_a_disabled_courier_says_ask_the_store_not_log_in(
    platform: RunningPlatform, home: Path, lang: str  # noqa: F811
) -> None:
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[0]
    set_language(lang)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        admin = Api(platform.url, seed.tokens["admin"])
        assert admin.post(f"/v1/users/{seed.user_ids['courier']}/disable", {}).status_code == 200
        await wait_until(pilot, lambda: app.source.link().state is LinkState.UNAUTHORIZED)
        await pilot.pause(0.2)
        status = app.screen.query_one("#status", Line).shown
        message = app.screen.query_one("#message", Line).shown
        assert status.startswith(t("ui.link.disabled_state")), status
        assert t("ui.link.state.UNAUTHORIZED") not in status, status
        assert message == t("handheld.link.disabled"), message
        assert t("handheld.link.login_again") not in message


async def test_the_console_status_line_of_a_disabled_merchant_says_ask_the_store(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    seed = platform.seed
    assert seed is not None
    admin = Api(platform.url, seed.tokens["admin"])
    assert admin.post(f"/v1/users/{seed.user_ids['merchant']}/disable", {}).status_code == 200
    await asyncio.sleep(1.2)  # the platform trusts a token it looked up a moment ago that long (auth.CACHE_SECONDS)
    try:
        for lang in ("en", "zh"):
            set_language(lang)
            with open_profile_cache(tmp_path / f"profile-{lang}") as cache:
                client, engine = merchant_engine(platform.url, seed, cache)
                async with client:
                    await engine.sync_once()
                assert engine.status().state is SyncState.UNAUTHORIZED
                link = link_from(engine.status())
                now = datetime.now(UTC)
                texts = [part.variants[0] for part in link_line_parts(link, None, now)]
                assert texts[0].strip() == t("ui.link.disabled_state"), texts
                assert t("ui.link.disabled_hint") in texts and t("ui.link.unauthorized_hint") not in texts, texts
    finally:
        set_language(None)
    # a token merely refused (not disabled) still says log in again
    set_language("en")
    try:
        refused = LinkStatus(LinkState.UNAUTHORIZED, error=t("client.error.unauthorized"))
        texts = [p.variants[0] for p in link_line_parts(refused, None, datetime.now(UTC))]
        assert texts[0].strip() == t("ui.link.state.UNAUTHORIZED") and t("ui.link.unauthorized_hint") in texts
    finally:
        set_language(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_storage_503_is_said_as_the_platforms_storage_and_the_queue_waits_for_its_answer(lang: str) -> None:
    set_language(lang)
    try:
        reason = ServerError(status=503, code="storage_unavailable").i18n_message()
        queued = t("sync.queued", reason=reason)
        if lang == "en":
            for said in (reason, queued, t("sync.error.not_storing")):
                assert "reachable" not in said and "cannot store changes" not in said, said
            assert "storage is unavailable" in t("sync.error.not_storing")
            assert "answers again" in t("sync.error.not_storing")
        else:
            for said in (reason, queued, t("sync.error.not_storing")):
                assert "可达" not in said and "无法保存更改" not in said, said
            assert "存储暂时不可用" in t("sync.error.not_storing")
    finally:
        set_language(None)
