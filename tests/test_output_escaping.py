"""Untrusted text never reaches a terminal raw (issue 10, defects 5 and 8): `--json` escapes C1 controls, bidi
overrides and line separators losslessly (`\\u009b`), plain output replaces them as the console does, and a
one-line field folds every kind of line break."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import msgspec

from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderType
from o2o_tui.domain.requests import CreateOrderBody, NewOrderLine
from o2o_tui.safe_text import json_escaped, safe_text
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import simple_item_id

HOSTILE = "Li\u009b31mNa\u009d0;title\u0007\u202eevil\u2066x\u2069\u200f\u2028y\u2029z\u0085w"
ROOT = Path(__file__).resolve().parent.parent
RAW = tuple("\u009b\u009d\u202e\u2066\u2069\u200f\u2028\u2029\u0085\x1b\x07")


def o2o(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real `o2o` process with its own O2O_HOME."""
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("O2O_PROFILE", None)
    env.pop("O2O_TOKEN", None)
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_one_line_folds_every_line_break_and_replaces_controls() -> None:
    shown = safe_text("a\u2028b\u2029c\u0085d\r\ne\nf\tg\rh", one_line=True)
    assert shown == "a b c d e f g h"  # before the fix: U+2028/U+2029 passed through and split the line
    assert safe_text("a\u2029b\u0085c\r\nd") == "a\nb\nc\nd"
    assert safe_text(HOSTILE, one_line=True).count("\ufffd") == 7  # 9B 9D BEL 202E 2066 2069 200F


def test_json_escaping_is_lossless_and_leaves_nothing_raw() -> None:
    value = {"name": HOSTILE, "plain": "中文 é ok", "del": "a\x7fb"}
    encoded = json_escaped(msgspec.json.encode(value))
    text = encoded.decode("utf-8")
    assert not any(ch in text for ch in (*RAW, "\x7f"))
    assert "\\u009b" in text and "\\u202e" in text and "\\u2029" in text and "中文 é ok" in text
    assert json.loads(encoded) == value


def test_cli_output_of_a_hostile_customer_name(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    running, seed = shared_platform, shared_platform.seed
    with PlatformClient(running.url, seed.tokens["customer"]) as customer:
        body = CreateOrderBody(
            id=str(uuid.uuid4()),
            store_id=seed.store_id,
            type=OrderType.TAKEOUT,
            lines=[NewOrderLine(item_id=simple_item_id(customer, seed.store_id), quantity=1)],
            customer_name=HOSTILE,
            customer_phone="13800001111",
            note=HOSTILE,
        )
        order_id = customer.create_order(body).id
    home = tmp_path / "merchant"
    assert o2o(home, "login", "--url", running.url, "--token", seed.tokens["merchant"]).returncode == 0
    assert o2o(home, "sync", "--once").returncode == 0

    for command in (("orders", "show", order_id, "--json"), ("orders", "list", "--json")):
        result = o2o(home, *command)
        assert result.returncode == 0, result.stderr
        assert not [ch for ch in RAW if ch in result.stdout], command  # before the fix: raw U+009B, U+202E
        assert "\\u009b" in result.stdout and "\\u202e" in result.stdout
        document = json.loads(result.stdout)
        shown = document if isinstance(document, dict) else next(o for o in document if o["id"] == order_id)
        assert shown["customer"]["name"] == HOSTILE and shown["note"] == HOSTILE  # lossless

    plain = o2o(home, "orders", "show", order_id)
    assert plain.returncode == 0, plain.stderr
    assert not [ch for ch in RAW if ch in plain.stdout]
    assert "Li\ufffd31mNa\ufffd0;title" in plain.stdout
