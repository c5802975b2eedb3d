"""A step queued on the handheld while the platform refused its token says "queued, not yet confirmed"; after
`o2o login` again, the first sync sends it and the message line says it is done without a key being pressed
(it used to keep saying "queued" until the next key). The real platform on loopback, a real cache in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2o_tui.config import save_profile
from o2o_tui.courier_tasks import CourierStep
from o2o_tui.platform import auth, db
from screens.courier_format import done_text, queued_text
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    courier_profile,
    offer,
    screen_text,
    server_delivery,
    settled,
    wait_until,
)


def _rotate_courier_token(platform: RunningPlatform) -> str:
    """`o2o admin rotate-token` for the first courier: the token the handheld holds is refused from now on."""
    assert platform.seed is not None
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            fresh = auth.rotate_token(conn, platform.seed.user_ids["courier"])
    finally:
        engine.dispose()
    assert fresh is not None
    return fresh


async def test_a_step_queued_before_a_new_login_says_done_once_it_is_sent(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from o2o_tui.i18n import set_language
    from screens import courier_source
    from screens.courier_launch import open_courier_source

    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(courier_source, "LOGIN_CHECK_S", 0.2)
    set_language("en")
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    profile = courier_profile(platform, courier_id)
    app = CountingApp(open_courier_source(profile), ascii_only=False)
    try:
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app))
            await pilot.press("1")  # the offer
            assert isinstance(app.screen, TaskScreen)
            fresh = _rotate_courier_token(platform)
            status = app.screen.query_one("#status", Line)
            await wait_until(pilot, lambda: status.shown.startswith("LOG IN AGAIN"))
            await settled(pilot)
            await pilot.press("1")  # accept: queued, the token is refused
            message = app.screen.query_one("#message", Line)
            view = app.source.task(app.screen.delivery_id)
            assert view is not None
            await wait_until(pilot, lambda: message.shown == queued_text(view.delivery))
            assert server_delivery(platform, order["id"])["status"] == "PENDING"

            save_profile(
                "courier", url=profile.url, token=fresh, role="courier", courier_id=courier_id
            )  # login
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
            await wait_until(pilot, lambda: status.shown.startswith("ONLINE"))
            await wait_until(pilot, lambda: message.shown == done_text(CourierStep.ACCEPT, view.delivery))
            assert "queued" not in screen_text(app)
            assert app.bells == 1 + 2  # the tap's one, LOG IN AGAIN's two: none for the news that it was sent
    finally:
        set_language(None)
