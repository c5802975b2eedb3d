"""A profile with queued actions moves to another server of the same platform (one database, one secret): the
platform is named by `/v1/me`'s platform id, not by the URL's text; another platform is still refused, and a
server without an id is compared by its normalised URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import same_platform
from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture
def first(tmp_path: Path) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path / "platform")
    try:
        yield running
    finally:
        running.stop()


def test_queued_profile_moves_to_another_server_of_the_platform(
    first: RunningPlatform, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    assert first.seed is not None
    cli = Cli(tmp_path / "home", first.seed.tokens["merchant"])
    port_a = first.port
    cli("login", "--url", f"http://localhost:{port_a}", "--token", cli.token, "--profile", "m1")
    ids = place_orders(first.url, first.seed, 3)
    cli("orders", "list", "--profile", "m1")  # pulls the orders into the cache
    first.stop()
    for order_id in ids:
        cli("orders", "accept", order_id, "--prep", "10", "--profile", "m1")  # queued: A is gone
    assert cli.json("sync", "status", "--profile", "m1")["pending"] == 3
    # another server of the platform: its database and secret (SQLite takes one server process at a time)
    second = first.another_process(tmp_path / "second.log")
    request.addfinalizer(second.stop)
    port_b = second.port

    # both servers say one platform id, the same: from the one secret, never the secret itself
    with httpx.Client(base_url=second.url, headers={"Authorization": f"Bearer {cli.token}"}) as client:
        platform_id = client.get("/v1/me").json()["platform_id"]
    assert isinstance(platform_id, str) and len(platform_id) == 12
    secret = Path(first.env["O2O_SECRET_FILE"]).read_text().strip()
    assert platform_id not in secret

    # another host name and port of the same platform: not another identity, the queue is kept and sent there
    saved = cli.json("login", "--url", f"http://127.0.0.1:{port_b}", "--token", cli.token, "--profile", "m1")
    assert saved["url"] == f"http://127.0.0.1:{port_b}" and saved["platform_id"] == platform_id
    report = cli.json("sync", "--once", "--profile", "m1")
    assert report["pushed"] == 3 and report["pending"] == 0, report


def test_another_platform_is_still_refused(first: RunningPlatform, tmp_path: Path) -> None:
    assert first.seed is not None
    other = start_platform(tmp_path / "other")  # its own database and secret: another platform
    try:
        assert other.seed is not None
        cli = Cli(tmp_path / "home", first.seed.tokens["merchant"])
        cli("login", "--url", first.url, "--token", cli.token, "--profile", "m1")
        [order_id] = place_orders(first.url, first.seed, 1)
        cli("orders", "list", "--profile", "m1")
        first.stop()
        cli("orders", "accept", order_id, "--prep", "10", "--profile", "m1")
        cli.token = other.seed.tokens["merchant"]
        refused = cli("login", "--url", other.url, "--token", cli.token, "--profile", "m1", code=Exit.USAGE)
        assert "unsent" in refused.stderr and "m1" in refused.stderr
    finally:
        other.stop()


def test_servers_without_an_id_are_compared_by_their_normalised_url() -> None:
    assert same_platform("http://Example.com", "", "http://example.com:80/", None)
    assert same_platform("https://example.com:443", "", "https://EXAMPLE.com/v1", None)
    assert not same_platform("http://example.com", "", "https://example.com", None)
    assert not same_platform("http://localhost:1", "", "http://127.0.0.1:1", None)  # no id: nothing says so
    assert same_platform("http://localhost:1", "abc", "http://127.0.0.1:2", "abc")
    assert not same_platform("http://h:1", "abc", "http://h:1", "def")  # one URL now names another platform
