"""The holder note in a profile's lock files (and the exit-7 message another process builds from it) names the
program, its subcommand words and the option names only: never a value typed on the command line (a note, a
chase reply's text, a voucher code, a token), which would stay in `cache/profiles/NAME/lock` until the next
command. On the rule's table, then a real `o2o` process against the real server on loopback, then a process stuck
holding the lock read by another."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from offline_cache import CacheLockedError, open_profile_cache
from offline_cache.lock import redact
from tests.support.platform import RunningPlatform
from tests.test_cli_deliveries import _offer
from tests.test_cli_orders import Cli

PY = "/usr/bin/python3"
SCRIPT = "/usr/local/bin/o2o"

SHAPES = [
    (
        [
            PY,
            SCRIPT,
            "orders",
            "chase-reply",
            "pd2",
            "--template",
            "TEXT",
            "--text",
            "SECRET",
            "--profile",
            "m",
        ],
        "o2o orders chase-reply … --template … --text … --profile …",
    ),
    (
        [PY, SCRIPT, "deliveries", "problem", "18", "--reason", "OTHER", "--note", "Zhang tel 13912345678"],
        "o2o deliveries problem … --reason … --note …",
    ),
    ([PY, SCRIPT, "redeem", "5960-6084-9357"], "o2o redeem …"),
    (["o2o", "redeem", "5960-6084-9357", "--json"], "o2o redeem … --json"),
    (
        ["o2o", "login", "--token", "abc", "--api-key=xyz", "--url", "http://x"],
        "o2o login --token … --api-key=… --url …",
    ),
    (
        ["o2o", "orders", "cancellation", "accept", "secretid"],
        "o2o orders cancellation accept …",
    ),  # 3 words at most
    (["o2o", "deliveries", "problem", "18", "--note=-call me 139"], "o2o deliveries problem … --note=…"),
    (["o2o", "deliveries", "problem", "18", "--note", "-Zhang 139"], "o2o deliveries problem … --note …"),
    (
        ["o2o", "orders", "show", "Zhang", "--", "--secret"],
        "o2o orders show … -- …",
    ),  # a capital: no subcommand
    ([PY, "-m", "pytest", "-q", "tests/x.py", "-k", "secret"], "python3 -m pytest -q … -k …"),
    ([PY, "-c", "print('SECRET')", "SECRET"], "python3 -c …"),
]


@pytest.mark.parametrize(("parts", "shown"), SHAPES)
def test_the_note_keeps_the_program_its_subcommands_and_option_names(parts: list[str], shown: str) -> None:
    assert " ".join(redact(parts)) == shown


def test_the_subcommand_words_the_cli_parsed_are_taken_as_they_are() -> None:
    """With the parser's words (click's command path), a value that looks like a subcommand is still a value, and
    an option of the program before the subcommand changes nothing."""
    parts = [PY, SCRIPT, "--lang", "zh", "deliveries", "duty", "on"]
    assert " ".join(redact(parts, ["deliveries", "duty"])) == "o2o deliveries duty --lang …"
    assert " ".join(redact([PY, SCRIPT, "orders", "show", "abc"], ["orders", "show"])) == "o2o orders show …"


def _lock_note(profile_dir: Path) -> dict[str, object]:
    return orjson.loads((profile_dir / "lock").read_bytes())  # type: ignore[no-any-return]


def test_a_real_o2o_command_leaves_no_typed_text_in_the_lock(running: RunningPlatform, courier: Cli) -> None:
    order = _offer(running)
    courier("deliveries", "accept", order["ref"])
    note = "CANARY Zhang Rm 2070 tel 13912345678"
    o2o = Path(sys.executable).parent / "o2o"
    env = {"O2O_HOME": str(courier.home), "O2O_LANG": "en", "PATH": str(o2o.parent), "NO_COLOR": "1"}
    done = subprocess.run(
        [str(o2o), "deliveries", "problem", order["ref"], "--reason", "OTHER", "--note", note],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [profile_dir] = [p.parent for p in (courier.home / "cache" / "profiles").glob("*/lock")]
    held = _lock_note(profile_dir)
    assert held["command"] == "o2o deliveries problem … --reason … --note …"
    text = (profile_dir / "lock").read_text("utf-8")
    assert "CANARY" not in text and "13912345678" not in text and order["ref"] not in text


STUCK = """
import sys, time
from pathlib import Path
from offline_cache.lock import WriteLock
lock = WriteLock(Path(sys.argv[1]))
lock.acquire()
print("HELD", flush=True)
time.sleep(60)
"""


def test_the_locked_message_to_another_process_holds_no_typed_text(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    with open_profile_cache(profile):
        pass
    holder = subprocess.Popen(
        [sys.executable, "-c", STUCK, str(profile), "--text", "CANARY SECRET", "5960-6084-9357"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "HELD"
        started = time.monotonic()
        with pytest.raises(CacheLockedError) as caught:
            open_profile_cache(profile, lock_wait=0.3)
        assert time.monotonic() - started < 5
        said = str(caught.value)
        assert caught.value.command is not None and caught.value.command.startswith("python")
        assert "--text" in caught.value.command
        assert "CANARY" not in said and "5960" not in said and "STUCK" not in said and "WriteLock" not in said
    finally:
        holder.kill()
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()
