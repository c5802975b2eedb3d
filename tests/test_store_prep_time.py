"""The store's default preparation time (`Store.default_prep_minutes`, 15 unless set): `o2o admin create-store
--prep-minutes N`, `PUT /v1/stores/{id}/prep-time` (merchant of the store, admin; 1-180), `o2o store prep-time [N]`,
`m` on the store screen; a console has a change made elsewhere at once (the accept prompt's Enter, auto-accept).
Also `create-store --currency`: the ISO 4217 codes o2o formats only ("RMB": did you mean CNY?)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from textual.widgets import Label

from o2o_tui.cli.exits import Exit
from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.platform import stores
from o2o_tui.platform.db import open_database
from screens.app import MerchantApp
from screens.launch import open_source
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until


def _server_prep(platform: RunningPlatform) -> int:
    assert platform.seed is not None
    admin = api(platform, "admin")
    try:
        return int(admin.get(f"/v1/stores/{platform.seed.store_id}").json()["default_prep_minutes"])
    finally:
        admin.close()


# -- the API ------------------------------------------------------------------------------------------------------
def test_the_route_sets_it_for_the_store_staff_only(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    path = f"/v1/stores/{platform.seed.store_id}/prep-time"
    merchant = api(platform, "merchant")
    try:
        assert _server_prep(platform) == 15
        changed = merchant.put(path, {"minutes": 8})
        assert changed.status_code == 200, changed.text
        assert changed.json()["default_prep_minutes"] == 8 and _server_prep(platform) == 8
        version = changed.json()["version"]
        again = merchant.put(path, {"minutes": 8})  # the same value: nothing to save, no new version
        assert again.status_code == 200 and again.json()["version"] == version
        for wrong in (0, 181, -5):
            refused = merchant.put(path, {"minutes": wrong})
            assert refused.status_code == 422, (wrong, refused.text)
            assert "minutes" in refused.text
        assert merchant.put(path, {"minutes": "8"}).status_code == 422
        assert merchant.put(path, {"minutes": 8, "extra": 1}).status_code == 422  # strict body
        assert merchant.put("/v1/stores/st_nope/prep-time", {"minutes": 9}).status_code == 404
        assert _server_prep(platform) == 8
    finally:
        merchant.close()
    for role in ("dispatcher", "courier", "customer"):
        other = api(platform, role)
        try:
            assert other.put(path, {"minutes": 20}).status_code == 403, role
        finally:
            other.close()
    admin = api(platform, "admin")
    try:
        assert admin.put(path, {"minutes": 180}).status_code == 200
    finally:
        admin.close()
    assert _server_prep(platform) == 180


# -- o2o store prep-time ------------------------------------------------------------------------------------------
@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert platform.seed is not None
    with FaultProxy(urlparse(platform.url).port or 0) as proxy:
        runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
        runner("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", runner.token)
        runner.proxy = proxy  # type: ignore[attr-defined]
        yield runner
    assert all(runner.token not in text for text in runner.outputs)


def test_cli_shows_sets_refuses_and_queues(platform: RunningPlatform, cli: Cli) -> None:
    assert "Default preparation time: 15 min." in cli("store", "prep-time").stdout
    assert cli.json("store", "prep-time")["default_prep_minutes"] == 15
    done = cli.json("store", "prep-time", "8")
    assert done["outcome"] == "done" and done["default_prep_minutes"] == 8
    assert _server_prep(platform) == 8
    for wrong in ("0", "181"):
        refused = cli("store", "prep-time", wrong, code=Exit.USAGE)
        assert "must be 1 to 180 minutes" in refused.stderr
    assert _server_prep(platform) == 8
    proxy: FaultProxy = cli.proxy  # type: ignore[attr-defined]
    proxy.drop()
    queued = cli.json("store", "prep-time", "12")
    assert queued["outcome"] == "queued"
    assert queued["default_prep_minutes"] == 12  # as the queued change leaves it
    assert _server_prep(platform) == 8
    proxy.pass_through()
    cli("sync", "--once")
    assert _server_prep(platform) == 12
    assert "12 min" in cli("store", "prep-time").stdout


# -- o2o admin create-store -----------------------------------------------------------------------------------------
def test_create_store_takes_prep_minutes_and_iso_currencies(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    admin = Cli(tmp_path / "home", "")

    def create(*args: str, code: int = 0) -> object:
        return admin("admin", "create-store", "--name", "Dumplings", "--db", db_url, *args, code=code)

    made = admin.json("admin", "create-store", "--name", "Dumplings", "--prep-minutes", "8", "--db", db_url)
    usd = admin.json("admin", "create-store", "--name", "Diner", "--currency", "usd", "--db", db_url)
    plain = admin.json("admin", "create-store", "--name", "Noodles", "--db", db_url)
    engine = open_database(db_url)
    try:
        with engine.connect() as conn:
            found = {key: stores.load(conn, value["store_id"]) for key, value in
                     {"made": made, "usd": usd, "plain": plain}.items()}  # fmt: skip
    finally:
        engine.dispose()
    assert found["made"] is not None and found["made"].default_prep_minutes == 8
    assert found["plain"] is not None and found["plain"].default_prep_minutes == 15
    assert found["usd"] is not None and found["usd"].currency == "USD"
    for wrong in ("0", "181"):
        assert "--prep-minutes must be 1 to 180" in create("--prep-minutes", wrong, code=Exit.USAGE).stderr  # type: ignore[attr-defined]
    rmb = create("--currency", "RMB", code=Exit.USAGE)
    assert "Did you mean CNY?" in rmb.stderr  # type: ignore[attr-defined]
    made_up = create("--currency", "ABC", code=Exit.USAGE)
    assert "ABC" in made_up.stderr and "CNY, " in made_up.stderr and "USD" in made_up.stderr  # type: ignore[attr-defined]


# -- the console ----------------------------------------------------------------------------------------------------
@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "console"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _console_prep(app: MerchantApp) -> int | None:
    store = app.source.store()
    return None if store is None else store.default_prep_minutes


def _prompt_hint(app: MerchantApp) -> str:
    return " ".join(str(label.render()) for label in app.screen.query(Label))


async def test_console_has_a_change_made_elsewhere_at_once_and_m_sets_it(
    platform: RunningPlatform, profile: Profile
) -> None:
    assert platform.seed is not None
    store_id = platform.seed.store_id
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        other = api(platform, "merchant")  # another device of the store (the CLI, a second console)
        try:
            answer = await asyncio.to_thread(other.put, f"/v1/stores/{store_id}/prep-time", {"minutes": 8})
            assert answer.status_code == 200
            await wait_until(pilot, lambda: _console_prep(app) == 8)
            customer = api(platform, "customer")
            placed = (await asyncio.to_thread(customer.post, "/v1/orders", order_body(store_id))).json()
            customer.close()
        finally:
            other.close()
        await wait_until(pilot, lambda: placed["id"] in [r.entry.order.id for r in app.orders_screen.queue.row_views()])
        app.orders_screen.queue.select(placed["id"])
        await pilot.press("a")
        await pilot.pause()
        assert "Enter takes 8 minutes (the store default)" in _prompt_hint(app)
        await pilot.press("escape")
        await pilot.pause()
        # the store screen: the default shown, `m` sets it
        await pilot.press("s")
        await pilot.pause()
        assert any("Default prep time: 8 min" in str(s.render()) for s in app.screen.query("#prep-time"))
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("1", "8", "1", "enter")  # out of bounds: the prompt stays and says so
        await pilot.pause()
        assert "1 to 180" in _prompt_hint(app) and _server_prep(platform) == 8
        for _ in range(3):
            await pilot.press("backspace")
        await pilot.press("1", "2", "enter")
        await wait_until(pilot, lambda: _server_prep(platform) == 12)
        await wait_until(pilot, lambda: _console_prep(app) == 12)
