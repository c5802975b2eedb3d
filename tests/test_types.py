"""The strict type check (mypy, configured in mypy.ini) runs as part of the test suite.

One mypy run checks the strict packages and, with them, a small file of deliberate mistakes written to
tmp_path: the packages must have no error at all and every planted mistake must be reported, so the check
cannot pass by checking nothing (a weakened config, a package dropped from `files`, types that decay to Any).
"""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mypy.ini"
STRICT = (
    "o2o_tui/domain",
    "o2o_tui/client",
    "offline_cache",
    "o2o_tui/sync/ports.py",
    "o2o_tui/platform/routes",
    "o2o_tui/platform/pipeline.py",
    "o2o_tui/platform/openapi.py",
    "o2o_tui/platform/state.py",
    "o2o_tui/platform/app.py",
    "o2o_tui/dispatch",
)

CANARY_NAME = "o2o_types_canary.py"
# Each line marked `# expect: code` must be reported with that error code.
CANARY = """\
from o2o_tui.client.aio import AsyncPlatformClient
from o2o_tui.domain.order import Order
from o2o_tui.sync.ports import FleetClient, SyncCache
from offline_cache import ProfileCache


def untyped(value):  # expect: no-untyped-def
    return value


def order_number(order: Order) -> int:
    return order.id  # expect: return-value


async def store_name(client: AsyncPlatformClient) -> int:
    store = await client.get_store("st_1")
    return store.name  # expect: return-value


def wrong_port(cache: ProfileCache) -> FleetClient:
    return cache  # expect: return-value


def right_port(cache: ProfileCache) -> SyncCache:
    return cache
"""


def _config() -> configparser.SectionProxy:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser["mypy"]


def test_config_is_strict_on_the_strict_packages() -> None:
    config = _config()
    assert config.getboolean("strict") is True
    assert [part.strip() for part in config["files"].split(",")] == list(STRICT)
    assert config.get("ignore_errors", "False") == "False"
    assert "disable_error_code" not in config


def test_strict_packages_type_check_and_planted_mistakes_are_caught(tmp_path: Path) -> None:
    canary = tmp_path / CANARY_NAME
    canary.write_text(CANARY, encoding="utf-8")
    expected = {
        number: line.split("# expect: ")[1].strip()
        for number, line in enumerate(CANARY.splitlines(), start=1)
        if "# expect: " in line
    }
    # The files come from mypy.ini (the README's `mypy` checks the same); the cache is mypy's own .mypy_cache
    # (it ignores itself in git), so a second run takes well under a second.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), *STRICT, str(canary)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout + result.stderr
    errors = [line for line in output.splitlines() if ": error:" in line]
    # by name: an unchanged canary's errors come from mypy's cache, under the path of the run that wrote them
    in_packages = [line for line in errors if Path(line.split(":", 1)[0]).name != CANARY_NAME]
    assert not in_packages, "mypy (strict) found errors:\n" + "\n".join(in_packages)
    reported = {
        int(match.group(1)): match.group(2)
        for line in errors
        if (match := re.match(r".*" + re.escape(CANARY_NAME) + r":(\d+): error: .*\[([a-z-]+)\]$", line))
    }
    assert reported == expected, f"the planted mistakes were not all caught:\n{output}"
    assert result.returncode == 1, output
