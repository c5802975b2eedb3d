"""A fake ESC/POS network printer on 127.0.0.1 (a free port): it decodes what it receives into text lines
(`o2o_tui.printing.decode`: GB18030 in the Chinese mode, raster images noted, QR payloads, cuts), answers the
real-time status requests (DLE EOT 1, 2, 4) as a printer that is online, out of paper or has its cover open,
and can be switched off (connections refused: the port is closed, as a printer powered down).

    with FakePrinter() as printer:
        ... send to printer.target ("tcp://127.0.0.1:PORT") ...
        printer.wait_for_cuts(1)
        printer.printed.text()
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Literal

from o2o_tui.printing.decode import Decoder, Printed

Condition = Literal["ok", "paper_out", "cover_open"]
_FIXED = 0x12  # bits 1 and 4 are always set in a status byte


def _status(n: int, condition: Condition) -> int:
    if n == 1:  # printer status: bit 3 = offline
        return _FIXED | (0x08 if condition != "ok" else 0)
    if n == 2:  # offline cause: bit 2 = cover open, bit 5 = stopped for the paper end
        return _FIXED | (0x04 if condition == "cover_open" else 0) | (0x20 if condition == "paper_out" else 0)
    if n == 4:  # roll paper sensor: bits 5-6 = out
        return _FIXED | (0x60 if condition == "paper_out" else 0)
    return _FIXED


class FakePrinter:
    def __init__(self, port: int = 0) -> None:
        self.condition: Condition = "ok"
        self.decoder = Decoder()
        self.connections = 0
        self.received = bytearray()
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.port = port
        self.power_on()

    @property
    def target(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def printed(self) -> Printed:
        with self._lock:
            return self.decoder.printed

    # -- power --------------------------------------------------------------------------------------------

    def power_on(self) -> None:
        """Listen (again, on the same port once it was given)."""
        if self._server is not None:
            return
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(8)
        server.settimeout(0.1)
        self.port = server.getsockname()[1]
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="fake-printer", daemon=True)
        self._thread.start()

    def power_off(self) -> None:
        """Close the port: connections are refused until `power_on`."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._server is not None:
            self._server.close()
        self._server = None
        self._thread = None

    def close(self) -> None:
        self.power_off()

    def __enter__(self) -> FakePrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving ------------------------------------------------------------------------------------------

    def _serve(self) -> None:
        assert self._server is not None
        server = self._server
        while not self._stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        connection.settimeout(0.2)
        with connection:
            while not self._stop.is_set():
                try:
                    data = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    break
                with self._lock:
                    self.received.extend(data)
                    asked = self.decoder.feed(data)
                for n in asked:
                    connection.sendall(bytes([_status(n, self.condition)]))
        with self._lock:
            self.decoder._end_line()

    # -- reading ------------------------------------------------------------------------------------------

    def wait_for_cuts(self, count: int, timeout: float = 10.0) -> Printed:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.printed.cuts >= count:
                return self.printed
            time.sleep(0.02)
        raise AssertionError(f"{self.printed.cuts} of {count} tickets printed: {self.printed.lines}")
