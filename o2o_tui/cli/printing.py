"""`o2o print`: kitchen tickets and receipts on the ESC/POS printer of the `printer` setting (o2o_tui/printing/).

`ticket ORDER [--receipt] [--paper 58|80]` queues the job in the profile's print queue, then sends what waits (exit 0 either way,
as an action queued offline; `--json` says `printed` or `queued` and why; a cancelled order's ticket or receipt says
CANCELLED, and a ticket printed here is countermanded by the console's cancellation slip as the console's own); `status` shows the queue, the last
problem and what became of jobs dropped unprinted; `test` prints a test page at once, its time on the store's clock
as the tickets' (this machine's, said so, when the profile has no store cached; exit 3 when the printer does not
answer: nothing is queued); `show FILE` prints what an ESC/POS file (the demo's tickets.bin) would put on paper. A
missing or unusable `printer` setting is a usage error (exit 2). The order is read from the profile's offline cache.
The paper: `ticket`, `test` and `status` say the printer's paper width (the `printer_paper` setting, 58 or 80 mm:
32 or 48 characters a line) in words and in `--json` (`paper_mm`, `columns`); `ticket` and `test` take `--paper` for
this command (what waits is sent at that width too: one printer, one paper). `show --paper 58|80` draws the cut at
that width and says which lines a printer of that paper would fold: marked "»" in a margin, their numbers on stderr
(`--json`: `too_wide`; `widest` always).
`ticket` and `status` first drop the queued jobs of orders that ended longer than the cache's personal-data window
ago (spool.purge_ended).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.json_shapes import number_fields
from o2o_tui.cli.output import emit_json, fail, say, warn
from o2o_tui.i18n import t

OrderArgument = typer.Argument(..., help=t("printing.cli.option.order"))
FOLD_MARK = "» "  # `print show --paper`: the margin of a line that paper would fold
PaperOption = typer.Option(None, "--paper", metavar="58|80", help=t("printing.cli.option.paper"))


def _paper(value: str | None) -> int | None:
    """`--paper` as mm (58 or 80; `58mm` too); None when not given; a usage error (exit 2) for another width."""
    from o2o_tui.settings import paper_mm

    if value is None:
        return None
    found = paper_mm(value)
    if found is None:
        raise fail(t("printing.cli.bad_paper", value=value), Exit.USAGE)
    return found


def paper_words(paper_mm: int) -> str:
    """"58 mm paper", as the commands say it (the characters a line are in `--json`'s `columns`)."""
    return t("printing.cli.paper", mm=paper_mm)


def _config(paper: str | None = None) -> Any:
    from o2o_tui.paths import config_dir
    from o2o_tui.printing import BadTarget, printer_config
    from o2o_tui.settings import SETTINGS_FILE, load_settings

    wanted = _paper(paper)
    try:
        config = printer_config(wanted)
    except BadTarget:
        raise fail(t("printing.cli.bad_printer", value=str(load_settings().printer)), Exit.USAGE) from None
    if config is None:
        raise fail(t("printing.cli.no_printer", path=str(config_dir() / SETTINGS_FILE)), Exit.USAGE)
    return config


def problem_text(kind: str | None) -> str:
    return t(f"printing.problem.{kind}") if kind else ""


def _window_hours(left_open: bool = False) -> float:
    """The personal-data window in hours: after an order ended, or (`left_open`) past its promise while open."""
    from o2o_tui.sync.session import retention_from_env

    policy = retention_from_env()
    window = policy.purge_open_after if left_open else policy.purge_personal_after
    return float(window.total_seconds() / 3600)


def _purge_ended(queue: Any, cache: Any) -> list[Any]:
    """The queue's personal-data purge, by the windows and the orders of the profile's cache: ended, or left open
    past their promise."""
    from datetime import timedelta

    from o2o_tui.printing.spool import doc_ended_at, orders_left_open
    from o2o_tui.sync import tables

    orders = cache.table(tables.ORDERS)
    wanted = {job.order_id for job in queue.jobs() if job.order_id}
    docs = {order_id: doc for order_id in wanted if (doc := orders.get(order_id)) is not None}
    ended = {order_id: doc_ended_at(doc) for order_id, doc in docs.items()}
    now = datetime.now(UTC)
    left_open = orders_left_open(docs, now - timedelta(hours=_window_hours(left_open=True)))
    dropped: list[Any] = queue.purge_ended(now - timedelta(hours=_window_hours()), ended, left_open)
    return dropped


def _said_time(moment: datetime, profile: str | None) -> str:
    """`moment` on the store's clock, as the tickets' times (this machine's when no store is cached)."""
    from o2o_tui.cli.common import cached_store
    from o2o_tui.domain.clock import zone_named

    store = cached_store(profile)
    zone = zone_named(store.timezone) if store is not None else None
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _purged_number_fields(numbers: tuple[str, ...]) -> dict[str, list[Any]]:
    """`{"purged_numbers": [41, 42], "purged_display_numbers": ["#0041", "#0042"]}` for the stored day numbers of
    the jobs the purge dropped (`number_fields` of each; one that is no day number is left out of both)."""
    fields = [number_fields(number) for number in numbers]
    kept = [field for field in fields if field["number"] is not None]
    return {
        "purged_numbers": [field["number"] for field in kept],
        "purged_display_numbers": [field["display_number"] for field in kept],
    }


def _say_purged(count: int, numbers: list[str], when: str | None = None) -> None:
    """How many jobs the purge dropped and why; then their numbers (and when the last went, in `status`)."""
    hours, open_hours = f"{_window_hours():g}", f"{_window_hours(left_open=True):g}"
    say(t("printing.cli.purged", count=count, hours=hours, open_hours=open_hours))
    shown = ", ".join(numbers) or "-"
    if when is not None:
        say(t("printing.cli.purged_last", time=when, numbers=shown))
    elif numbers:
        say(t("printing.cli.purged_numbers", numbers=shown))


def register(app: typer.Typer) -> None:
    printing = typer.Typer(help=t("printing.cli.help"), no_args_is_help=True)
    app.add_typer(printing, name="print")

    @printing.command("ticket", help=t("printing.cli.ticket.help"))
    def ticket(
        order_ref: str = OrderArgument,
        receipt: bool = typer.Option(False, "--receipt", help=t("printing.cli.option.receipt")),
        paper: str | None = PaperOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.cli.cache_errors import cache_errors
        from o2o_tui.cli.orders import _find
        from o2o_tui.cli.sync import cli_cache
        from o2o_tui.config import load_profile, profile_cache_dir
        from o2o_tui.domain.order import OrderStatus
        from o2o_tui.printing import layout
        from o2o_tui.printing.spool import PrintQueue, paper_layouts, pending_accept_key
        from o2o_tui.sync.read_model import ReadModel

        config = _config(paper)
        now = datetime.now(UTC)
        with handle_errors(), cache_errors():
            queue = PrintQueue(profile_cache_dir(load_profile(profile)))
        try:
            with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (_, cache):
                view = _find(cache, order_ref)
                order = view.order
                store = ReadModel(cache).store()
                purged = _purge_ended(queue, cache)  # before sending: never a ticket for an order long gone
                # an unconfirmed ticket is printed for the accept waiting here: a duplicate slip follows (at the
                # console) when another device's accept stood
                accept_key = pending_accept_key(cache.outbox.pending(), order.id)
            kind = layout.JobKind.RECEIPT if receipt else layout.JobKind.TICKET
            # laid out for each paper: one that changes while it waits prints it laid out anew (`Job.layouts`)
            if receipt:
                laid = paper_layouts(lambda width: layout.receipt(order, store, now, width=width))
            else:  # an accept still queued here says so; a cancelled order's ticket says CANCELLED
                unconfirmed = "order.confirm" in view.pending
                laid = paper_layouts(
                    lambda width: layout.kitchen_ticket(order, store, now, unconfirmed=unconfirmed, width=width)
                )
            ops = laid[config.columns]
            # a ticket that sets the kitchen cooking: the console prints a slip if its order is cancelled
            arms = not receipt and order.status is not OrderStatus.CANCELLED
            job = queue.add(
                kind,
                ops,
                order_id=order.id,
                number=order.display_number,
                arms=arms,
                accept_key=accept_key if arms and "order.confirm" in view.pending else None,
                layouts=laid,
            )
            result = queue.drain(config.target, config.cjk, config.columns)
        finally:
            queue.close()
        printed = any(done.id == job.id for done in result.printed)
        what = t(f"printing.cli.what.{kind.value}")
        problem = result.problem.kind.value if result.problem else None
        if as_json:
            emit_json(
                {
                    "order_id": order.id,
                    "number": order.number,  # the int, and "#0042" beside it, as `o2o orders list` gives them
                    "display_number": order.display_number,
                    "kind": kind.value,
                    "printer": str(config.target),
                    "paper_mm": config.paper_mm,
                    "columns": config.columns,
                    "printed": printed,
                    "queued": not printed,
                    "waiting": result.waiting,
                    "problem": problem,
                    "detail": result.problem.detail if result.problem else "",
                    "purged": [dropped.number for dropped in purged],
                }
            )
            return
        if purged:
            numbers = [dropped.number for dropped in purged if dropped.number]
            _say_purged(len(purged), numbers)
        printer, paper_said = str(config.target), paper_words(config.paper_mm)
        if printed:
            say(t("printing.cli.printed", what=what, number=order.display_number, printer=printer, paper=paper_said))
        elif result.busy:
            say(t("printing.cli.busy", what=what, number=order.display_number))
        else:
            say(
                t(
                    "printing.cli.queued",
                    problem=problem_text(problem),
                    printer=printer,
                    paper=paper_said,
                    what=what,
                    number=order.display_number,
                    count=result.waiting,
                )
            )

    @printing.command("status", help=t("printing.cli.status.help"))
    def status(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        from o2o_tui.cli.cache_errors import cache_errors
        from o2o_tui.cli.sync import cli_cache
        from o2o_tui.config import load_profile, profile_cache_dir
        from o2o_tui.printing.spool import JOBS_MAX, PrintQueue

        config = _config()
        with handle_errors(), cache_errors():
            queue = PrintQueue(profile_cache_dir(load_profile(profile)))
        try:
            with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (_, cache):
                _purge_ended(queue, cache)
            current = queue.status()
            jobs = queue.jobs()
        finally:
            queue.close()
        state = current.state
        printer, paper_said = str(config.target), paper_words(config.paper_mm)
        if as_json:
            emit_json(
                {
                    "printer": str(config.target),
                    "cjk": config.cjk,
                    "paper_mm": config.paper_mm,
                    "columns": config.columns,
                    "waiting": current.waiting,
                    "jobs": [{"id": job.id, "kind": job.kind.value, **number_fields(job.number)} for job in jobs],
                    "problem": state.problem.value if state.problem else None,
                    "detail": state.detail,
                    "since": state.since,
                    "last_printed_at": state.last_printed_at,
                    "dropped": state.dropped,
                    "purged": state.purged,
                    "purged_at": state.purged_at,
                    # day numbers as ints, as `number` is everywhere else; their `#0042` form beside them
                    **_purged_number_fields(state.purged_numbers),
                    "purge_hours": _window_hours(),
                }
            )
            return
        if current.waiting:
            detail = problem_text(state.problem.value if state.problem else None)
            say(
                t(
                    "printing.cli.status_waiting",
                    printer=printer,
                    paper=paper_said,
                    count=current.waiting,
                    problem=detail,
                )
            )
        else:
            say(t("printing.cli.status_ok", printer=printer, paper=paper_said))
        if state.last_printed_at is not None:
            say(t("printing.cli.last_printed", time=_said_time(state.last_printed_at, profile)))
        if state.dropped:
            say(t("printing.cli.dropped_full", count=state.dropped, max=JOBS_MAX))
        if state.purged and state.purged_at is not None:
            _say_purged(state.purged, list(state.purged_numbers), _said_time(state.purged_at, profile))

    @printing.command("test", help=t("printing.cli.test.help"))
    def test(
        paper: str | None = PaperOption, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:
        from o2o_tui.cli.common import cached_store
        from o2o_tui.printing.devices import PrinterProblem, send
        from o2o_tui.printing.layout import page_clock, test_page
        from o2o_tui.printing.render import render

        config = _config(paper)
        store = cached_store(profile)  # the store's clock, as the tickets' times; else this machine's
        now = datetime.now(UTC)
        clock = page_clock(now, store)
        page = test_page(now, str(config.target), store, width=config.columns)
        data = render(page, config.cjk, config.columns)
        paper_fields = {"paper_mm": config.paper_mm, "columns": config.columns}
        try:
            send(config.target, data)
        except PrinterProblem as problem:
            if as_json:
                emit_json({"printer": str(config.target), **paper_fields, "printed": False,
                           "problem": problem.kind.value, "detail": problem.detail})  # fmt: skip
            message = t(
                "printing.cli.test_failed",
                problem=problem_text(problem.kind.value),
                printer=str(config.target),
            )
            raise fail(message, Exit.OFFLINE) from None
        if as_json:
            emit_json({"printer": str(config.target), **paper_fields, "printed": True, "problem": None, "detail": "",
                       # UTC with Z, as every time in --json (`print status`); `timezone`: the page's clock
                       "printed_at": now, "clock": "store" if clock.store else "machine",
                       "timezone": clock.zone})  # fmt: skip
        else:
            key = "printing.cli.clock.store" if clock.store else "printing.cli.clock.machine"
            said = t(key, zone=clock.zone)
            paper_said = paper_words(config.paper_mm)
            say(t("printing.cli.test_printed", printer=str(config.target), paper=paper_said, time_source=said))

    @printing.command("show", help=t("printing.cli.show.help"))
    def show(
        file: Path = typer.Argument(..., help=t("printing.cli.option.file")),
        paper: str | None = typer.Option(None, "--paper", metavar="58|80", help=t("printing.cli.option.show_paper")),
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.printing.decode import decode
        from o2o_tui.printing.layout import columns_for

        paper_mm = _paper(paper)
        columns = columns_for(paper_mm) if paper_mm is not None else None
        try:
            data = file.read_bytes()
        except OSError as error:
            raise fail(t("printing.cli.show_unreadable", path=str(file), error=error.strerror or str(error)),
                       Exit.NOT_FOUND) from None  # fmt: skip
        printed = decode(data)
        too_wide = printed.too_wide(columns) if columns is not None else []
        if as_json:
            emit_json(
                {
                    "tickets": printed.tickets(),
                    "qr": printed.qr,
                    "images": printed.images,
                    "cuts": printed.cuts,
                    "widest": max(printed.widths, default=0),  # in columns of font A, as the paper counts them
                    "paper_mm": paper_mm,
                    "columns": columns,
                    "too_wide": [{"line": line, "columns": width} for width, line in too_wide],
                }
            )
            return
        cut = "✂" + "-" * ((columns or 31) - 1)  # as wide as the paper when one is named
        # the lines the paper would fold, marked in a margin ("» ") and named by number on stderr
        folded = [index for index, width in enumerate(printed.widths) if columns is not None and width > columns]
        for index, line in enumerate(printed.lines):
            shown = cut if line == "[cut]" else line
            say(f"{FOLD_MARK if index in folded else '  '}{shown}" if folded else shown)
        if paper_mm is not None and too_wide:
            numbers = t("printing.cli.show_too_wide.separator").join(str(index + 1) for index in folded)
            said = t("printing.cli.show_too_wide", count=len(too_wide), paper=paper_words(paper_mm), lines=numbers)
            warn(said, "too_wide")
