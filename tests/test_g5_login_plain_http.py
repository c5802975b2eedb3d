"""`o2o login` warns before it sends a token over plain http:// to another machine (stderr; a JSON warning line under
--json); loopback and https:// are said nothing of (docs/operations.md, TLS)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.login import plain_http_to_another_host


def test_which_urls_cross_a_network_in_the_clear() -> None:
    for url in ("http://192.0.2.7:8765", "http://platform.example", "HTTP://shop-pc.lan:8765", "http://[2001:db8::1]"):
        assert plain_http_to_another_host(url), url
    for url in ("http://127.0.0.1:8765", "http://127.8.0.1", "http://localhost:8765", "http://[::1]:8765",
                "https://platform.example", "http://LOCALHOST.", "http://0.0.0.0:8765"):
        assert not plain_http_to_another_host(url), url


def _closed_port_on_a_non_loopback_address() -> str:
    """`host:port` of this machine's own non-loopback address with nothing listening: refused at once."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.123", 9))  # no packet is sent: only the route's source address is chosen
        address = probe.getsockname()[0]
    except OSError:
        address = ""
    finally:
        probe.close()
    if not address or address.startswith("127.") or address == "0.0.0.0":
        pytest.skip("this machine has no non-loopback address")
    with socket.socket() as held:
        held.bind((address, 0))
        return f"{address}:{held.getsockname()[1]}"


def test_login_warns_before_sending_a_token_over_plain_http(tmp_path: Path) -> None:
    env = {"O2O_HOME": str(tmp_path), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "300", "O2O_TOKEN": None}
    url = f"http://{_closed_port_on_a_non_loopback_address()}"
    for more in ([], ["--json"]):
        result = CliRunner().invoke(app, ["login", "--url", url, "--token", "-", *more], input="o2o_x\n", env=env)
        assert result.exit_code == Exit.OFFLINE, (result.stdout, result.stderr)  # nothing there: the token unsent
        first = result.stderr.splitlines()[0]
        if more:
            assert json.loads(first) == {"warning": "plain_http", "message": json.loads(first)["message"]}
            first = json.loads(first)["message"]
        assert first.startswith(f"{url} is plain http://") and "https://" in first, result.stderr
    quiet = CliRunner().invoke(app, ["login", "--url", "http://127.0.0.1:9", "--token", "-"], input="o2o_x\n", env=env)
    assert quiet.exit_code == Exit.OFFLINE and "plain http" not in quiet.stderr, quiet.stderr


def test_simulate_warns_before_sending_a_token_over_plain_http(tmp_path: Path) -> None:
    """`o2o simulate --url` sends its token as `o2o login` does: the same warning first (a profile's URL was
    warned of when it was saved)."""
    env = {"O2O_HOME": str(tmp_path), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "300", "O2O_TOKEN": None}
    url = f"http://{_closed_port_on_a_non_loopback_address()}"
    result = CliRunner().invoke(app, ["simulate", "--url", url, "--token", "o2o_x", "--timeout", "1"], env=env)
    assert result.exit_code == Exit.OFFLINE, (result.stdout, result.stderr)  # nothing there
    assert result.stderr.splitlines()[0].startswith(f"{url} is plain http://"), result.stderr
    quiet = CliRunner().invoke(app, ["simulate", "--url", "http://127.0.0.1:9", "--token", "o2o_x"], env=env)
    assert quiet.exit_code == Exit.OFFLINE and "plain http" not in quiet.stderr, quiet.stderr
