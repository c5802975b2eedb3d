"""A layout (`layout.py`) as the ESC/POS bytes python-escpos builds for it.

CJK text, two ways (the printer setting `printer_cjk`):
- `native`: the printer's Chinese mode. `FS &` is sent once after the reset (python-escpos has no call for it),
  then every line that is not plain ASCII is sent the same way, whatever its script: `charset.encode` (GBK, the
  two-byte GB codes the mode reads; "?" for what it cannot print, zero-width characters removed). A line with an
  amount at its right edge (`TextOp.right`) is padded with spaces to the line's cells at its size.
- `image`: for printers without a Chinese mode: every line that is not plain ASCII is drawn with a CJK font
  (Debian's fonts-wqy-microhei, which `.ci/run` installs) and sent as a raster image (`GS v 0`). The font is
  proportional, so an amount is drawn at the paper's right edge by itself, and a line too wide for the paper is
  drawn smaller rather than cut.

The paper (`columns`: 48 on 80 mm, the default, 32 on 58 mm; the printer setting `printer_paper`): a rule and a
padded amount take the line's columns, and an image line is as many dots wide as the paper's (12 a column: 576 on
80 mm, 384 on 58 mm).

python-escpos (and Pillow, qrcode) are imported only here, when a job is rendered (~0.2 s): never at start-up.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rich.cells import cell_len

from o2o_tui.printing import charset
from o2o_tui.printing.layout import WIDTH, Align, CutOp, Op, QrOp, RuleOp, Size, TextOp, paper_for

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

CjkMode = Literal["native", "image"]
CJK_MODES: tuple[str, ...] = ("native", "image")
DOTS = 576  # dots per line of an 80 mm printer at 203 dpi (48 characters of font A, 12 dots each)
COLUMN_DOTS = 12  # font A's character width: a 58 mm printer's 32 columns are 384 dots
LINE_DOTS = 24  # a normal line's height in dots
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


class NoCjkFont(RuntimeError):
    """`image` mode needs a CJK font and none is installed."""


def cjk_font_path() -> Path | None:
    for path in FONT_PATHS:
        if Path(path).is_file():
            return Path(path)
    return None


@cache
def _font(pixels: int) -> FreeTypeFont:
    from PIL import ImageFont

    path = cjk_font_path()
    if path is None:
        raise NoCjkFont("no CJK font: apt-get install fonts-wqy-microhei (or set printer_cjk to native)")
    return ImageFont.truetype(str(path), pixels)


def dots_for(columns: int) -> int:
    """The printable width in dots of paper whose lines hold `columns` characters of font A."""
    return columns * COLUMN_DOTS


def _line_image(text: str, size: int, align: Align, right: str = "", dots: int = DOTS) -> object:
    """One line drawn in black on white, as wide as the paper (`dots`); `right` (an amount) ends at the paper's
    right edge. A line wider than the paper is drawn with a smaller font until it fits (never cut off)."""
    from PIL import Image, ImageDraw

    pixels = LINE_DOTS * size - 2 * size
    height = LINE_DOTS * size + 4
    image = Image.new("1", (dots, height), 1)
    draw = ImageDraw.Draw(image)
    gap = 12 if text and right else 0  # a character's width between the two sides
    while True:
        font = _font(pixels)
        width = int(draw.textlength(text, font=font)) if text else 0
        right_width = int(draw.textlength(right, font=font)) if right else 0
        if width + gap + right_width <= dots or pixels <= 8:
            break
        pixels = max(8, pixels * dots // (width + gap + right_width))
    if right:
        draw.text((dots - right_width, 1), right, font=font, fill=0)
        x = 0
    else:
        x = {Align.LEFT: 0, Align.CENTER: max(0, (dots - width) // 2), Align.RIGHT: max(0, dots - width)}[align]
    draw.text((x, 1), text, font=font, fill=0)
    return image


def _padded(op: TextOp, columns: int = WIDTH) -> str:
    """The line as the printer's own font prints it: `right` at the line's last cells, at its size."""
    if not op.right:
        return op.text
    cells = columns // int(op.size)
    left, right = charset.printable(op.text), charset.printable(op.right)  # as printed ("?" is one cell)
    return left + " " * max(1, cells - cell_len(left) - cell_len(right)) + right


def render(ops: list[Op], cjk: CjkMode = "native", columns: int = WIDTH) -> bytes:
    """The whole job's bytes (sent to the printer in one write), for paper of `columns` characters a line."""
    from escpos.constants import FS
    from escpos.printer import Dummy

    printer = Dummy()
    # the paper's width in dots: python-escpos's default profile has none and says so on stdout for every image
    media = {
        **printer.profile.profile_data.get("media", {}),
        "width": {"mm": paper_for(columns), "pixels": dots_for(columns)},
    }
    printer.profile.profile_data = {**printer.profile.profile_data, "media": media}
    printer.hw("INIT")
    if cjk == "native":
        printer._raw(FS + b"&")  # the printer's Chinese mode: two-byte GB characters from here on
    for op in ops:
        if isinstance(op, TextOp):
            _text(printer, op, cjk, columns)
        elif isinstance(op, RuleOp):
            printer.set(align="left", normal_textsize=True, bold=False)
            printer.textln(op.char * columns)
        elif isinstance(op, QrOp):
            printer.set(align="center", normal_textsize=True)
            printer.qr(op.data, native=True, size=6)
            printer.textln("")
            printer.set(align="left")
        elif isinstance(op, CutOp):
            printer.set(align="left", normal_textsize=True, bold=False)
            printer.cut()
    return bytes(printer.output)


def _text(printer: object, op: TextOp, cjk: CjkMode, columns: int = WIDTH) -> None:
    from escpos.printer import Dummy

    assert isinstance(printer, Dummy)
    text = _padded(op, columns)
    if op.size is Size.NORMAL:
        printer.set(align=op.align.value, bold=op.bold, normal_textsize=True)
    else:
        printer.set(
            align=op.align.value, bold=op.bold, custom_size=True, width=int(op.size), height=int(op.size)
        )
    if text.isascii():
        printer.textln(text)
    elif cjk == "image":
        printer.set(align="left")
        image = _line_image(op.text, int(op.size), op.align, op.right, dots_for(columns))
        printer.image(image, impl="bitImageRaster")
    else:  # one rule whatever the script: the Chinese mode's GB codes, "?" for what it cannot print
        printer._raw(charset.encode(text) + b"\n")
