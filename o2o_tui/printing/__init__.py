"""Kitchen tickets and receipts on ESC/POS printers (issue #12 item 1). No Textual here.

- `layout.py`: what a ticket, a receipt and a test page say (plain data, kept in the queue);
- `render.py`: the layout as the ESC/POS bytes python-escpos builds (CJK natively or as images);
- `devices.py`: the `printer` setting (`tcp://`, `file:`, `usb:`) and sending one job, with the printer's status;
- `spool.py`: the durable per-profile print queue (queued first, then sent whole, never lost);
- `decode.py`: an ESC/POS stream read back as text (`o2o print show`, the tests' fake printer).

python-escpos is imported only when a job is rendered or sent, never when this package is.
"""

from __future__ import annotations

from dataclasses import dataclass

from o2o_tui.printing.devices import BadTarget, Target, parse_target


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    target: Target
    cjk: str  # "native" or "image"
    paper_mm: int = 80  # the paper's width: 80 (48 columns) or 58 (32 columns), `printer_paper`

    @property
    def columns(self) -> int:
        """Characters per line of font A on this paper (a CJK character takes two): what tickets are laid out for."""
        from o2o_tui.printing.layout import columns_for

        return columns_for(self.paper_mm)


def printer_config(paper_mm: int | None = None) -> PrinterConfig | None:
    """The printer from the settings (`printer`, `printer_cjk`, `printer_paper`), None when none is set; BadTarget
    when the setting names nothing this program can print to. `paper_mm` (58 or 80) stands over the setting (a
    command's `--paper`)."""
    from o2o_tui.settings import PAPER_MM, load_settings
    from o2o_tui.settings import paper_mm as paper_of

    settings = load_settings()
    if settings.printer is None:
        return None
    paper = paper_mm or paper_of(settings.printer_paper) or PAPER_MM
    return PrinterConfig(parse_target(settings.printer), settings.printer_cjk, paper)


__all__ = ["BadTarget", "PrinterConfig", "Target", "parse_target", "printer_config"]
