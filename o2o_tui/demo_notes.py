"""What `o2o demo` tells the person before its console takes the screen, kept so the console's `?` can say it
again while the demo runs (the console runs in the demo's own process: nothing is written anywhere)."""

from __future__ import annotations

import msgspec

from o2o_tui.command_marks import command_parts


class DemoNotes(msgspec.Struct, frozen=True):
    courier_name: str  # the courier kept for the person
    handheld_command: str  # the full `O2O_HOME=… o2o courier --profile courier`
    offer_stands_s: int  # real seconds an offer to that courier waits for an answer
    vouchers: str  # the file the customers' voucher codes are added to
    tickets: str | None = None  # the file kitchen tickets print to (None: the user's own printer)


_running: DemoNotes | None = None


def set_running(notes: DemoNotes | None) -> None:
    """The demo running in this process (None once it stops)."""
    global _running
    _running = notes


def running() -> DemoNotes | None:
    return _running


def note_parts(notes: DemoNotes) -> list[list[tuple[str, bool]]]:
    """The notes as paragraphs in the current language, each as (text, is_command) parts (`command_parts`: the
    catalog's `commands` marked, the marks dropped; a screen shows a command in a style of its own). The paths
    and commands are the demo's own; a backtick in one would be text, never a mark."""
    paragraphs = [
        command_parts(
            "demo.notes.handheld",
            name=notes.courier_name,
            seconds=notes.offer_stands_s,
            command=notes.handheld_command,
        ),
        command_parts("demo.notes.door"),
        command_parts("demo.vouchers", path=notes.vouchers),
    ]
    if notes.tickets is not None:
        paragraphs.append(command_parts("demo.notes.tickets", path=notes.tickets))
    return paragraphs


def note_lines(notes: DemoNotes) -> list[str]:
    """The notes as plain paragraphs in the current language (`note_parts` without its styles)."""
    return ["".join(text for text, _ in parts) for parts in note_parts(notes)]
