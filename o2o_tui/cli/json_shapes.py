"""The shapes `--json` gives every command alike, so a script reads them the same way wherever they appear: an
order's day `number` as an int beside its `display_number` ("#0042"), as `o2o orders list/show` give them, and a
time as ISO 8601 UTC ending in `Z`, as the orders' own times are encoded."""

from __future__ import annotations

from datetime import UTC, datetime


def day_number(display: str | None) -> int | None:
    """The day number of a display form ("#0042" -> 42); None for none (a voucher, a printer's test page)."""
    text = (display or "").strip().removeprefix("#")
    return int(text) if text.isascii() and text.isdigit() else None


def number_fields(display: str | None) -> dict[str, int | str | None]:
    """`{"number": 42, "display_number": "#0042"}` for an order's display number (both None without one)."""
    number = day_number(display)
    return {"number": number, "display_number": display if number is not None else None}


def json_time(moment: datetime | str | None) -> str | None:
    """`moment` as the orders' JSON times are written: ISO 8601 in UTC ending in `Z` (a naive one is read as UTC;
    an ISO text, a stored `saved_at`, is read first; one that does not parse is given back as it is)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            return moment
        moment = parsed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
