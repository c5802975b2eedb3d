"""CLI messages and exit codes an outside tester found wrong, against the real platform:

- a disabled account (`o2o admin disable-user`): an action (`o2o store resume`) and `o2o sync --once` say to ask the
  administrator (logging in again will not help), as `o2o sync status` and `whoami` do, never "log in again"; a
  bad token still says to log in again;
- "not found" in `o2o admin` is exit 6 everywhere (an unknown store or courier for `create-user`, an unknown store
  for `voucher list`, which said `{"vouchers": []}` and exit 0);
- `o2o serve --port 80000` (or -1) is a one-line usage error (exit 2), not an OverflowError traceback;
- `o2o report day`: `--json` with `--csv`, or `--what` without `--csv`, is a usage error naming them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from o2o_tui.cli.exits import Exit
from o2o_tui.platform import auth
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli

ASK_ADMIN = "ask your administrator (logging in again will not help)"


def test_a_disabled_account_is_told_to_ask_the_administrator_not_to_log_in_again(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    seed = platform.seed
    assert seed is not None
    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    cli("sync", "--once")
    admin = Cli(tmp_path / "admin", "")
    admin("admin", "disable-user", seed.user_ids["merchant"], "--db", platform.db_url)
    time.sleep(auth.CACHE_SECONDS + 0.1)  # a token looked up a moment ago is trusted that long

    resumed = cli("store", "resume", code=Exit.AUTH)
    assert ASK_ADMIN in resumed.stderr and "log in again with" not in resumed.output
    once = cli("sync", "--once", code=Exit.AUTH)
    assert ASK_ADMIN in once.stderr and "log in again with" not in once.output
    assert once.stdout.startswith("ACCOUNT DISABLED")  # its state word too: not LOG IN AGAIN
    status = cli("sync", "status")
    assert status.stdout.startswith("ACCOUNT DISABLED") and ASK_ADMIN in status.stdout
    assert cli.json("sync", "status")["pending"] == 1  # the queue is kept for when it is enabled again

    # a bad token (not a disabled account) still says to log in again
    admin("admin", "enable-user", seed.user_ids["merchant"], "--db", platform.db_url)
    profiles = next(cli.home.rglob("profiles.json"))
    profiles.write_text(profiles.read_text(encoding="utf-8").replace(cli.token, "revoked-token"), encoding="utf-8")
    refused = cli("sync", "--once", code=Exit.AUTH)
    assert "log in again with `o2o login`" in refused.stderr and "disabled" not in refused.output
    assert refused.stdout.startswith("LOG IN AGAIN")


def test_not_found_is_exit_6_in_every_admin_command(platform: RunningPlatform, tmp_path: Path) -> None:
    admin = Cli(tmp_path / "admin", "")
    db = ("--db", platform.db_url)
    created = admin("admin", "voucher", "create", "--store", "st_nope", "--title", "T", "--value", "10",
                    "--expires", "30d", *db, code=Exit.NOT_FOUND)
    assert "No store st_nope." in created.stderr
    merchant = admin("admin", "create-user", "--role", "merchant", "--store", "st_nope", *db, code=Exit.NOT_FOUND)
    assert "No store st_nope." in merchant.stderr
    courier = admin("admin", "create-user", "--role", "courier", "--courier", "cr_nope", *db, code=Exit.NOT_FOUND)
    assert "No courier cr_nope." in courier.stderr
    listed = admin("admin", "voucher", "list", "--store", "st_nope", *db, code=Exit.NOT_FOUND)
    assert "No store st_nope." in listed.stderr and not listed.stdout
    as_json = admin("admin", "voucher", "list", "--store", "st_nope", "--json", *db, code=Exit.NOT_FOUND)
    assert "vouchers" not in as_json.stdout
    # bad arguments stay exit 2: a merchant without a store is not a store that is not there
    admin("admin", "create-user", "--role", "merchant", *db, code=Exit.USAGE)
    # a store that is there but has no vouchers: listed as empty, exit 0
    assert platform.seed is not None
    listed_json = json.loads(admin("admin", "voucher", "list", "--store", platform.seed.store_id, "--json", *db).stdout)
    assert listed_json["vouchers"] == [] and set(listed_json) == {"vouchers", "database"}


def test_serve_with_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", "")
    for port in ("80000", "-1", "65536"):
        refused = cli("serve", "--port", port, "--db", f"sqlite:///{tmp_path / 'p.sqlite3'}", code=Exit.USAGE)
        assert "--port" in refused.stderr and "Traceback" not in refused.output


def test_report_day_refuses_json_with_csv_and_what_without_csv(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    both = cli("report", "day", "--json", "--csv", "--what", "items", code=Exit.USAGE)
    assert "--json" in both.output and "--csv" in both.output and not both.stdout.startswith("{\"report\"")
    what = cli("report", "day", "--what", "items", code=Exit.USAGE)
    assert "--what needs --csv" in what.stderr
    cli("report", "day", "--json", "--what", "money", code=Exit.USAGE)
    assert cli("report", "day", "--csv", "--what", "items").stdout  # the meaningful ones still work
    assert "report" in cli.json("report", "day")
