"""An ESC/POS stream read back as what the paper would show: text lines (GB18030 in the printer's Chinese mode,
the code page otherwise), raster images noted as images, QR payloads from the `GS ( k` store command, cuts.

`o2o print show FILE` prints a file back end's output with it, and the tests' fake printer
(tests/support/fake_printer.py) decodes what it receives on its socket with it. It knows the commands
python-escpos sends and skips the others by their length (an unknown `ESC x` is taken as one parameter byte).
Status requests (`DLE EOT n`) are returned apart, so a listener can answer them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len

ESC, GS, FS, DLE, LF, CR = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x0D
EOT = 0x04

# ESC commands and how many parameter bytes follow the command letter
_ESC_PARAMS = {
    ord("@"): 0, ord("a"): 1, ord("E"): 1, ord("-"): 1, ord("M"): 1, ord("!"): 1, ord("t"): 1, ord("2"): 0,
    ord("3"): 1, ord("d"): 1, ord("J"): 1, ord("{"): 1, ord("G"): 1, ord("V"): 1, ord("R"): 1, ord("c"): 2,
    ord("p"): 3, ord("="): 1, ord("e"): 1, ord("K"): 1, ord("L"): 0, ord("S"): 0, ord("T"): 1, ord("U"): 1,
}  # fmt: skip
_GS_PARAMS = {
    ord("!"): 1, ord("B"): 1, ord("H"): 1, ord("h"): 1, ord("w"): 1, ord("f"): 1, ord("b"): 1, ord("L"): 2,
    ord("W"): 2, ord("P"): 2, ord("a"): 1, ord("r"): 1, ord("I"): 1, ord("E"): 1,
}  # fmt: skip
_CODE_PAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    19: "cp858",
}


@dataclass
class Printed:
    """What a stream printed, in order. `lines` holds text lines and markers: `[image WxH]`, `[qr PAYLOAD]`,
    `[barcode PAYLOAD]`, `[cut]`. `big` holds the lines printed at more than the normal size; `widths` how many
    columns of font A each of `lines` takes on paper (a CJK character two, a double-width one twice that; an
    image its dots / 12; a cut 0): what a narrower printer would fold."""

    lines: list[str] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    big: list[str] = field(default_factory=list)
    images: int = 0
    qr: list[str] = field(default_factory=list)
    cuts: int = 0
    status_requests: list[int] = field(default_factory=list)  # the n of each DLE EOT n
    chinese_mode: bool = False  # FS & seen (and no FS . after it)

    def text(self) -> str:
        return "\n".join(self.lines)

    def too_wide(self, columns: int) -> list[tuple[int, str]]:
        """The lines wider than paper of `columns` characters (the printer would fold them), with their widths."""
        return [(width, line) for line, width in zip(self.lines, self.widths, strict=True) if width > columns]

    def tickets(self) -> list[list[str]]:
        """The lines between cuts (the last piece only when it ended in a cut)."""
        pieces: list[list[str]] = [[]]
        for line in self.lines:
            if line == "[cut]":
                pieces.append([])
            else:
                pieces[-1].append(line)
        return [piece for piece in pieces[:-1]]


class Decoder:
    """Feed bytes as they arrive (`feed`), read `printed`. A command split across two reads waits for the rest."""

    def __init__(self) -> None:
        self.printed = Printed()
        self._pending = b""
        self._line = bytearray()
        self._size = 0  # GS ! n / ESC ! n: anything but 0 is bigger than normal
        self._wide = 1  # how many columns one character's column takes (GS ! n's width bits, ESC ! n's double width)
        self._code_page = "cp437"

    def feed(self, data: bytes) -> list[int]:
        """Take more of the stream; returns the status requests (DLE EOT n) found in it, to be answered."""
        buffer = self._pending + data
        asked: list[int] = []
        index = 0
        while index < len(buffer):
            used = self._step(buffer, index, asked)
            if used == 0:  # an incomplete command: wait for more
                break
            index += used
        self._pending = buffer[index:]
        return asked

    def finish(self) -> Printed:
        """End of stream: a last line without LF is printed too (as the printer would on its next command)."""
        self._pending = b""
        self._end_line()
        return self.printed

    # -- one command ------------------------------------------------------------------------------------

    def _step(self, buf: bytes, i: int, asked: list[int]) -> int:
        byte = buf[i]
        rest = len(buf) - i
        if byte == LF:
            self._end_line(force=True)
            return 1
        if byte == CR:
            return 1
        if byte == DLE:
            if rest < 3:
                return 0
            if buf[i + 1] == EOT:
                asked.append(buf[i + 2])
                self.printed.status_requests.append(buf[i + 2])
            return 3
        if byte == ESC:
            if rest < 2:
                return 0
            command = buf[i + 1]
            if command == ord("*"):  # ESC * m nL nH d1..dk (column image)
                if rest < 5:
                    return 0
                width = buf[i + 3] + 256 * buf[i + 4]
                per_column = 3 if buf[i + 2] in (32, 33) else 1
                total = 5 + width * per_column
                if rest < total:
                    return 0
                self.printed.images += 1
                self._marker(f"[image {width}x{8 * per_column}]", -(-width // 12))
                return total
            count = _ESC_PARAMS.get(command, 1)
            if rest < 2 + count:
                return 0
            params = buf[i + 2 : i + 2 + count]
            if command == ord("!"):
                self._size = params[0] & 0x30  # double height / width bits
                self._wide = 2 if params[0] & 0x20 else 1
            elif command == ord("@"):
                self._size = 0
                self._wide = 1
                self.printed.chinese_mode = False
            elif command == ord("t"):
                self._code_page = _CODE_PAGES.get(params[0], "cp437")
            elif command == ord("d"):
                self._end_line()
            return 2 + count
        if byte == FS:
            if rest < 2:
                return 0
            command = buf[i + 1]
            if command == ord("&"):
                self.printed.chinese_mode = True
            elif command == ord("."):
                self.printed.chinese_mode = False
            elif command == ord("!") or command == ord("-") or command == ord("W"):
                if rest < 3:
                    return 0
                return 3
            return 2
        if byte == GS:
            return self._gs(buf, i)
        if byte < 0x20 or byte == 0x7F:
            return 1  # other control bytes print nothing
        return self._text(buf, i)

    def _gs(self, buf: bytes, i: int) -> int:
        rest = len(buf) - i
        if rest < 2:
            return 0
        command = buf[i + 1]
        if command == ord("V"):  # GS V m [n]
            if rest < 3:
                return 0
            used = 4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else 3
            if rest < used:
                return 0
            self._end_line()
            self.printed.cuts += 1
            self._marker("[cut]")
            return used
        if command == ord("v"):  # GS v 0 m xL xH yL yH data: raster image
            if rest < 8:
                return 0
            width_bytes = buf[i + 4] + 256 * buf[i + 5]
            height = buf[i + 6] + 256 * buf[i + 7]
            total = 8 + width_bytes * height
            if rest < total:
                return 0
            self.printed.images += 1
            self._marker(f"[image {width_bytes * 8}x{height}]", -(-width_bytes * 8 // 12))
            return total
        if command == ord("(") or command == ord("8"):  # GS ( k / GS ( L / GS 8 L: pL pH (or p1..p4) + data
            if command == ord("8"):
                if rest < 7:
                    return 0
                length = int.from_bytes(buf[i + 3 : i + 7], "little")
                total = 7 + length
                head = 7
            else:
                if rest < 5:
                    return 0
                length = buf[i + 3] + 256 * buf[i + 4]
                total = 5 + length
                head = 5
            if rest < total:
                return 0
            function = buf[i + 2]
            body = buf[i + head : i + total]
            is_qr = command == ord("(") and function == ord("k") and len(body) >= 3 and body[0] == ord("1")
            if is_qr and body[1] == ord("P"):  # store the QR data (cn=49, fn=80, m=48)
                payload = body[3:].decode("utf-8", errors="replace")
                self.printed.qr.append(payload)
                self._marker(f"[qr {payload}]")
            elif (command == ord("8") or function == ord("L")) and len(body) >= 2 and body[1] in (2, 50):
                self.printed.images += 1  # print the stored graphics
                self._marker("[image]")
            return total
        if command == ord("k"):  # GS k m ...: barcode
            if rest < 3:
                return 0
            kind = buf[i + 2]
            if kind <= 6:  # NUL-terminated
                end = buf.find(b"\x00", i + 3)
                if end < 0:
                    return 0
                payload = buf[i + 3 : end].decode("ascii", errors="replace")
                self._marker(f"[barcode {payload}]")
                return end + 1 - i
            if rest < 4 or rest < 4 + buf[i + 3]:
                return 0
            payload = buf[i + 4 : i + 4 + buf[i + 3]].decode("ascii", errors="replace")
            self._marker(f"[barcode {payload}]")
            return 4 + buf[i + 3]
        count = _GS_PARAMS.get(command, 1)
        if rest < 2 + count:
            return 0
        if command == ord("!"):
            self._size = buf[i + 2]
            self._wide = (buf[i + 2] >> 4 & 0x07) + 1
        return 2 + count

    def _text(self, buf: bytes, i: int) -> int:
        byte = buf[i]
        if byte < 0x80:
            self._line.append(byte)
            return 1
        if not self.printed.chinese_mode:
            self._line.extend(bytes([byte]).decode(self._code_page, errors="replace").encode("utf-8"))
            return 1
        rest = len(buf) - i
        if rest < 2:
            return 0
        second = buf[i + 1]
        width = 4 if 0x30 <= second <= 0x39 else 2  # GB18030 four-byte sequences have a digit second
        if rest < width:
            return 0
        self._line.extend(bytes(buf[i : i + width]).decode("gb18030", errors="replace").encode("utf-8"))
        return width

    def _marker(self, marker: str, columns: int = 0) -> None:
        self._end_line()
        self.printed.lines.append(marker)
        self.printed.widths.append(columns)

    def _end_line(self, *, force: bool = False) -> None:
        if not self._line and not force:
            return
        line = bytes(self._line).decode("utf-8", errors="replace").rstrip()
        self._line.clear()
        self.printed.lines.append(line)
        self.printed.widths.append(cell_len(line) * self._wide)
        if self._size and line:
            self.printed.big.append(line.strip())


def decode(data: bytes) -> Printed:
    """Everything a whole stream prints."""
    decoder = Decoder()
    decoder.feed(data)
    return decoder.finish()
