"""A body the platform would refuse for its shape (a bound stated on its request type) is said at once by the
CLI, with exit 2 and nothing queued; before, it was queued, sent and only then refused."""

from __future__ import annotations

from pathlib import Path

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli


def test_an_over_long_pause_reason_is_refused_before_queuing(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    cli = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    cli("login", "--url", shared_platform.url, "--token", cli.token)
    cli("sync", "--once")
    refused = cli("store", "pause", "--minutes", "10", "--reason", "x" * 201, code=Exit.USAGE)
    assert "reason" in refused.stderr and "200" in refused.stderr and "Nothing was queued" in refused.stderr
    status = cli.json("sync", "status")
    assert status["pending"] == 0 and status["conflicts"] == 0  # nothing in the outbox, nothing refused later
    cli("store", "pause", "--minutes", "10", "--reason", "x" * 200)  # at the bound: fine
    cli("store", "resume")
