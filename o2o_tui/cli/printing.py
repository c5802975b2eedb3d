"""`o2o print`: kitchen tickets and receipts on the ESC/POS printer of the `printer` setting (o2o_tui/printing/).

`ticket ORDER [--receipt]` queues the job in the profile's print queue, then sends what waits (exit 0 either way,
as an action queued offline; `--json` says `printed` or `queued` and why); `status` shows the queue and the last
problem; `test` prints a test page at once, its time on the store's clock as the tickets' (this machine's,
said so, when the profile has no store cached; exit 3 when the printer does not answer: nothing is queued); `show
FILE` prints what an ESC/POS file (the demo's tickets.bin) would put on paper. A missing or unusable `printer`
setting is a usage error (exit 2). The order is read from the profile's offline cache.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.i18n import t

OrderArgument = typer.Argument(..., help=t("printing.cli.option.order"))


def _config() -> Any:
    from o2o_tui.paths import config_dir
    from o2o_tui.printing import BadTarget, printer_config
    from o2o_tui.settings import SETTINGS_FILE, load_settings

    try:
        config = printer_config()
    except BadTarget:
        raise fail(t("printing.cli.bad_printer", value=str(load_settings().printer)), Exit.USAGE) from None
    if config is None:
        raise fail(t("printing.cli.no_printer", path=str(config_dir() / SETTINGS_FILE)), Exit.USAGE)
    return config


def problem_text(kind: str | None) -> str:
    return t(f"printing.problem.{kind}") if kind else ""


def register(app: typer.Typer) -> None:
    printing = typer.Typer(help=t("printing.cli.help"), no_args_is_help=True)
    app.add_typer(printing, name="print")

    @printing.command("ticket", help=t("printing.cli.ticket.help"))
    def ticket(
        order_ref: str = OrderArgument,
        receipt: bool = typer.Option(False, "--receipt", help=t("printing.cli.option.receipt")),
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.cli.cache_errors import cache_errors
        from o2o_tui.cli.orders import _find
        from o2o_tui.cli.sync import cli_cache
        from o2o_tui.config import profile_cache_dir
        from o2o_tui.printing import layout
        from o2o_tui.printing.spool import PrintQueue
        from o2o_tui.sync.read_model import ReadModel

        config = _config()
        now = datetime.now(UTC)
        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
            order = _find(cache, order_ref).order
            store = ReadModel(cache).store()
            directory = profile_cache_dir(chosen)
        kind = layout.JobKind.RECEIPT if receipt else layout.JobKind.TICKET
        ops = layout.receipt(order, store, now) if receipt else layout.kitchen_ticket(order, store, now)
        queue = PrintQueue(directory)
        try:
            job = queue.add(kind, ops, order_id=order.id, number=order.display_number)
            result = queue.drain(config.target, config.cjk)
        finally:
            queue.close()
        printed = any(done.id == job.id for done in result.printed)
        what = t(f"printing.cli.what.{kind.value}")
        problem = result.problem.kind.value if result.problem else None
        if as_json:
            emit_json(
                {
                    "order_id": order.id,
                    "number": order.display_number,
                    "kind": kind.value,
                    "printer": str(config.target),
                    "printed": printed,
                    "queued": not printed,
                    "waiting": result.waiting,
                    "problem": problem,
                    "detail": result.problem.detail if result.problem else "",
                }
            )
            return
        if printed:
            say(t("printing.cli.printed", what=what, number=order.display_number, printer=str(config.target)))
        elif result.busy:
            say(t("printing.cli.busy", what=what, number=order.display_number))
        else:
            say(
                t(
                    "printing.cli.queued",
                    problem=problem_text(problem),
                    printer=str(config.target),
                    what=what,
                    number=order.display_number,
                    count=result.waiting,
                )
            )

    @printing.command("status", help=t("printing.cli.status.help"))
    def status(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        from o2o_tui.config import load_profile, profile_cache_dir
        from o2o_tui.printing.spool import PrintQueue

        config = _config()
        with handle_errors():
            directory = profile_cache_dir(load_profile(profile))
        queue = PrintQueue(directory)
        try:
            current = queue.status()
            jobs = queue.jobs()
        finally:
            queue.close()
        state = current.state
        if as_json:
            emit_json(
                {
                    "printer": str(config.target),
                    "cjk": config.cjk,
                    "waiting": current.waiting,
                    "jobs": [{"id": job.id, "kind": job.kind.value, "number": job.number} for job in jobs],
                    "problem": state.problem.value if state.problem else None,
                    "detail": state.detail,
                    "since": state.since,
                    "last_printed_at": state.last_printed_at,
                    "dropped": state.dropped,
                }
            )
            return
        if current.waiting:
            detail = problem_text(state.problem.value if state.problem else None)
            say(
                t(
                    "printing.cli.status_waiting",
                    printer=str(config.target),
                    count=current.waiting,
                    problem=detail,
                )
            )
        else:
            say(t("printing.cli.status_ok", printer=str(config.target)))
        if state.last_printed_at is not None:
            from o2o_tui.cli.common import cached_store
            from o2o_tui.domain.clock import zone_named

            store = cached_store(profile)  # the store's clock, as the tickets' times; else this machine's
            zone = zone_named(store.timezone) if store is not None else None
            say(
                t(
                    "printing.cli.last_printed",
                    time=state.last_printed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                )
            )

    @printing.command("test", help=t("printing.cli.test.help"))
    def test(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        from o2o_tui.cli.common import cached_store
        from o2o_tui.printing.devices import PrinterProblem, send
        from o2o_tui.printing.layout import page_clock, test_page
        from o2o_tui.printing.render import render

        config = _config()
        store = cached_store(profile)  # the store's clock, as the tickets' times; else this machine's
        now = datetime.now(UTC)
        clock = page_clock(now, store)
        data = render(test_page(now, str(config.target), store), config.cjk)
        try:
            send(config.target, data)
        except PrinterProblem as problem:
            if as_json:
                emit_json({"printer": str(config.target), "printed": False, "problem": problem.kind.value,
                           "detail": problem.detail})  # fmt: skip
            message = t(
                "printing.cli.test_failed",
                problem=problem_text(problem.kind.value),
                printer=str(config.target),
            )
            raise fail(message, Exit.OFFLINE) from None
        if as_json:
            emit_json({"printer": str(config.target), "printed": True, "problem": None, "detail": "",
                       "printed_at": clock.local, "clock": "store" if clock.store else "machine",
                       "timezone": clock.zone})  # fmt: skip
        else:
            key = "printing.cli.clock.store" if clock.store else "printing.cli.clock.machine"
            said = t(key, zone=clock.zone)
            say(t("printing.cli.test_printed", printer=str(config.target), clock=said))

    @printing.command("show", help=t("printing.cli.show.help"))
    def show(
        file: Path = typer.Argument(..., help=t("printing.cli.option.file")),
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.printing.decode import decode

        try:
            data = file.read_bytes()
        except OSError as error:
            raise fail(t("printing.cli.show_unreadable", path=str(file), error=error.strerror or str(error)),
                       Exit.NOT_FOUND) from None  # fmt: skip
        printed = decode(data)
        if as_json:
            emit_json(
                {
                    "tickets": printed.tickets(),
                    "qr": printed.qr,
                    "images": printed.images,
                    "cuts": printed.cuts,
                }
            )
            return
        for line in printed.lines:
            say("✂" + "-" * 30 if line == "[cut]" else line)
