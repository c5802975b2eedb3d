"""`o2o ssh-gate --courier ID`: the forced command of a courier's SSH key (logic in `o2o_tui.ssh_gate`)."""

from __future__ import annotations

import os
import sys

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.i18n import t


def ssh_gate(
    courier: str = typer.Option(..., "--courier", help=t("ssh.gate.option.courier")),
    profile: str | None = typer.Option(None, "--profile", help=t("ssh.gate.option.profile")),
) -> None:
    from o2o_tui import ssh_gate as gate

    environ = dict(os.environ)
    has_tty = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        gate.check_request(courier, environ, has_tty=has_tty)
        gate.check_account(environ)  # never as root: before the plan writes or starts anything
        chosen = gate.plan(courier, profile, environ, has_tty=has_tty)
    except gate.Refused as refusal:
        _log(gate, courier, environ, "refused", refusal.reason)
        raise fail(t(refusal.key, **refusal.values), Exit(refusal.code)) from None
    except OSError as error:  # the data dir cannot be written: one line, not a traceback
        _log(gate, courier, environ, "refused", "data-dir")
        raise fail(t("ssh.refused.exec", detail=str(error)), Exit.ERROR) from None
    _log(gate, courier, environ, chosen.event)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(chosen.argv[0], chosen.argv, chosen.env)
    except OSError as error:
        _log(gate, courier, environ, "refused", "exec-failed")
        raise fail(t("ssh.refused.exec", detail=str(error)), Exit.ERROR) from None


def _log(gate: object, courier: str, environ: dict[str, str], event: str, detail: str = "") -> None:
    try:
        gate.log_event(courier, environ, event, detail)  # type: ignore[attr-defined]
    except OSError as error:  # an unwritable log must not lock the courier out; say it on stderr
        print(t("ssh.log_failed", detail=str(error)), file=sys.stderr)


def register(app: typer.Typer) -> None:
    app.command("ssh-gate", help=t("ssh.gate.help"))(ssh_gate)
