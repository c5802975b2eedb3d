"""`o2o report day [--date YYYY-MM-DD] [--store ID] [--json | --csv [--what hours|items|reasons|money]]`: a day's
figures of the profile's store from the platform (o2o_tui/figures.py), or of any store `--store` names for a
platform admin's profile; offline, the figures last fetched on this device, said so on stderr (the output itself
stays the same shape, for scripts)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, fail_for, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say, warn, written
from o2o_tui.i18n import t


class What(enum.StrEnum):
    HOURS = "hours"
    ITEMS = "items"
    REASONS = "reasons"
    MONEY = "money"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (as `o2o menu export` writes them), with no control or
    bidi character left to act on the terminal it is printed to."""
    from o2o_tui.safe_text import safe_text

    text = safe_text(text, one_line=True)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _decimal(amount: int, currency: str) -> str:
    from o2o_tui.domain.money import minor_digits

    digits = minor_digits(currency)
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    return f"{sign}{value // 10**digits}.{value % 10**digits:0{digits}d}" if digits else f"{sign}{value}"


def _bounds(report: Any) -> list[str]:
    """The day's start and end on the store's clock with its zone, as the CLI says any time (`zoned_time`:
    "2026-12-06 00:00 Asia/Shanghai", "2026-12-07 03:00 Asia/Shanghai" for a Sunday that ran to 03:00), the last two
    columns of the hours and money tables; empty when the platform does not say them."""
    from o2o_tui.cli.output import zoned_time
    from o2o_tui.domain.clock import zone_named

    zone = zone_named(report.timezone)
    return ["" if moment is None else zoned_time(moment.isoformat(), zone) for moment in (report.starts_at, report.ends_at)]


def csv_bytes(report: Any, what: What) -> bytes:
    """The table as `o2o menu export` writes CSV: UTF-8 with a byte-order mark (without it a spreadsheet on
    Windows reads the Chinese item names as the local code page), CRLF, RFC 4180 quoting. The hours and money
    tables end with the day's bounds (`day_starts`, `day_ends`): a store open past midnight reports its trading
    day, and its hours run from the first of that day (03:00 ... 23:00, 00:00 ... 02:00)."""
    import codecs
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    bounds = _bounds(report)
    day_columns = ["day_starts", "day_ends"]
    if what is What.HOURS:
        writer.writerow(["date", "hour", "placed", "completed", *day_columns])
        for hour in report.hours:
            writer.writerow([report.date, f"{hour.hour:02d}:00", hour.placed, hour.completed, *bounds])
    elif what is What.ITEMS:
        writer.writerow(["date", "item_id", "name", "quantity", "revenue", "currency"])
        for item in report.items or report.top_items:  # every item sold (a platform without `items`: its top)
            revenue = _decimal(item.revenue.amount, item.revenue.currency)
            writer.writerow(
                [report.date, _cell(item.item_id), _cell(item.name), item.quantity, revenue, item.revenue.currency]
            )
    elif what is What.MONEY:  # one row: the day's money, revenue's figures, all refunded and vouchers redeemed
        writer.writerow(
            ["date", "gross", "refunds", "revenue", "refunded_today", "currency", "vouchers_redeemed",
             "vouchers_value", *day_columns]
        )
        amounts = (report.gross, report.refunds, report.revenue, report.refunded_today)
        vouchers = report.vouchers_value
        writer.writerow(
            [
                report.date,
                *("" if m is None else _decimal(m.amount, m.currency) for m in amounts),
                report.currency,
                "" if report.vouchers_redeemed is None else report.vouchers_redeemed,
                "" if vouchers is None else _decimal(vouchers.amount, vouchers.currency),
                *bounds,
            ]
        )
    else:
        writer.writerow(["date", "kind", "reason_code", "by", "count"])
        for c in report.cancellations:
            writer.writerow([report.date, "cancelled", _cell(c.reason_code), _cell(c.by), c.count])
        for r in report.refusals:
            writer.writerow([report.date, "refused", _cell(r.reason_code), "MERCHANT", r.count])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _store_name(profile: str | None, store_id: str) -> str:
    """The store's name as the offline cache has it (the title a person reads), else its id."""
    from o2o_tui.cli.common import cached_store
    from o2o_tui.safe_text import safe_text

    store = cached_store(profile)
    return safe_text(store.name, one_line=True) if store is not None and store.id == store_id else store_id


def plain_lines(report: Any, store_name: str, width: int = 80) -> list[str]:
    from o2o_tui import figures_text as ft

    summary = [part for line in ft.summary_lines(report) for part in ft.wrap(line, width)]
    day = ft.day_label(report)  # a trading day past midnight says until when: "Sun 6 Dec, until 03:00 Mon"
    title = [t("figures.title", date=day, store=store_name)]
    if ft.cells(title[0]) > width:  # the store's name on a line of its own
        title = [t("figures.title", date=day, store="").rstrip(" ·"), *ft.wrap(store_name, width)]
    lines = [*title, *summary, ""]
    lines.append(t("figures.hours.title", peak=ft.peak(report.hours)))
    lines += ft.hour_bars(report.hours, min(width, 60)) + [""]
    lines += ft.durations_lines(report) + [""] + ft.reason_lines(report, width) + [""]
    lines += ft.item_lines(report, width)
    return lines


def _now() -> datetime:
    return datetime.now(UTC)


def _refuse_future(profile: str | None, store_id: str, day: str | None) -> None:
    """A day after the store's today is a usage error: it has no figures yet, only zeros. Today is the store's
    trading day by the cached store's hours and clock, as the platform's report says it (at 01:40 on Monday after a
    Sunday open to 03:00, Sunday); without a cached store the platform's report says it."""
    from o2o_tui.cli.common import cached_store
    from o2o_tui.figures import FutureDay, trading_today

    if day is None:
        return
    store = cached_store(profile)
    if store is None or store.id != store_id:
        return
    today = trading_today(store, _now()).isoformat()
    if day > today:
        raise fail(FutureDay(day, today).i18n_message(), Exit.USAGE)


def _store_id(profile: Any, store: str | None) -> str:
    """The store whose figures to fetch: the profile's own, or `--store` for a platform admin (any store). A
    store's profile asking another store is refused here, in its words (the platform refuses it too: 403)."""
    from o2o_tui.safe_text import safe_text

    if profile.role == "courier":
        raise fail(t("figures.error.courier", profile=profile.name), Exit.USAGE)
    if store is not None and not store.strip():
        raise fail(t("figures.error.store_blank"), Exit.USAGE)
    if profile.role == "admin":
        if store is None:
            raise fail(t("figures.error.admin_no_store", profile=profile.name), Exit.USAGE)
        return store.strip()
    if not profile.store_id:
        raise fail(t("figures.error.no_store", profile=profile.name), Exit.USAGE)
    if store is not None and store.strip() != profile.store_id:
        shown = safe_text(store.strip(), one_line=True)
        raise fail(
            t("figures.error.other_store", profile=profile.name, store=shown, own=profile.store_id), Exit.USAGE
        )
    return str(profile.store_id)


def _platform_store_name(client: Any, store_id: str) -> str | None:
    """The store's name as the platform has it (an admin's device caches no store), else None."""
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.safe_text import safe_text

    try:
        return safe_text(client.get_store(store_id).name, one_line=True)
    except PlatformError:
        return None


def _check_formats(ctx: typer.Context, *, as_json: bool, as_csv: bool) -> None:
    """`--json` and `--csv` are one or the other; `--what` chooses the table `--csv` prints (the JSON and the text
    always hold every figure), so it is meaningless without `--csv`: both a usage error naming the options."""
    if as_json and as_csv:
        raise fail(t("figures.error.json_and_csv"), Exit.USAGE)
    source = ctx.get_parameter_source("what")
    if not as_csv and source is not None and source.name == "COMMANDLINE":
        raise fail(t("figures.error.what_needs_csv"), Exit.USAGE)


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help=t("figures.cli.help"), no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @report_app.command("day", help=t("figures.cli.day.help"))
    def day(
        ctx: typer.Context,
        date: Annotated[str | None, typer.Option("--date", help=t("figures.option.date"))] = None,
        as_csv: Annotated[bool, typer.Option("--csv", help=t("figures.option.csv"))] = False,
        what: Annotated[What, typer.Option("--what", help=t("figures.option.what"))] = What.HOURS,
        store: Annotated[str | None, typer.Option("--store", help=t("figures.option.store"))] = None,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        import shutil
        import sys
        from datetime import date as Date

        from o2o_tui.cli.common import fill_new_cache, open_client
        from o2o_tui.client.errors import PlatformError
        from o2o_tui.config import load_profile, profile_cache_dir
        from o2o_tui.figures import FutureDay, ReportCache, day_figures
        from o2o_tui.safe_text import safe_text

        _check_formats(ctx, as_json=as_json, as_csv=as_csv)
        if date is not None:
            try:
                date = Date.fromisoformat(date).isoformat()
            except ValueError:
                raise fail(t("figures.error.bad_date", value=safe_text(date, one_line=True)), Exit.USAGE) from None
        with handle_errors():
            chosen = load_profile(profile)
            store_id = _store_id(chosen, store)
            admin = chosen.role == "admin"  # its cache holds no store: the platform says the day and the name
            if not admin:
                fill_new_cache(profile, say_answered_errors=True)  # the store's name and its clock for the date
                _refuse_future(profile, store_id, date)
            cache = ReportCache(profile_cache_dir(chosen))
            name = None
            with open_client(chosen) as client:
                try:
                    found = day_figures(client, cache, store_id, date)
                    if admin and not found.cached and not (as_json or as_csv):
                        name = _platform_store_name(client, store_id)
                except FutureDay as future:
                    raise fail(future.i18n_message(), Exit.USAGE) from None
                except PlatformError as error:
                    if error.code == "unreachable":
                        raise fail(t("figures.error.nothing_kept", reason=error.i18n_message()), Exit.OFFLINE) from None
                    raise fail_for(error) from None
        if found.cached:  # on stderr: stdout keeps the shape a script reads
            from o2o_tui.domain.clock import zone_named  # the store's clock, like the report's hours

            local = found.fetched_at.astimezone(zone_named(found.report.timezone)).strftime("%Y-%m-%d %H:%M")
            warn(t("figures.as_of", time=local, reason=found.problem), "figures_cached", style="")
        report = found.report
        if as_json:
            emit_json({"report": report, "cached": found.cached, "fetched_at": found.fetched_at})
            return
        if as_csv:  # bytes, as `o2o menu export` writes them: never re-encoded by the terminal's locale
            data = csv_bytes(report, what)

            def write() -> None:
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.flush()

            written(write)  # a reader that left (`| head -c 10`) or stdout closed: dropped, still exit 0
            return
        width = shutil.get_terminal_size((80, 24)).columns
        for line in plain_lines(report, name or _store_name(profile, store_id), width):
            say(line)
