"""Where a printer is (`printer` setting) and sending one job to it through python-escpos's back ends.

- `tcp://HOST[:PORT]` (port 9100 by default): python-escpos `Network`. Before a job the printer's real-time
  status is asked (`DLE EOT 1`, `2`, `4`): offline, cover open or out of paper leaves the job queued. A printer
  that does not answer the status within `STATUS_WAIT` is printed to anyway (some do not answer on the network).
- `file:PATH`: python-escpos `File`, opened for appending: each job is added at the end (the demo's
  `tickets.bin`, read with `o2o print show`). No status.
- `usb:VENDOR:PRODUCT` (hex, e.g. `usb:0x04b8:0x0202`): python-escpos `Usb` (needs `pyusb` and access to the
  device); status as on the network. Not tested here: no USB printer on the test machines.

`send` raises `PrinterProblem` with a `kind` the status line and the CLI put in words.
"""

from __future__ import annotations

import contextlib
import enum
import os
from dataclasses import dataclass

DEFAULT_PORT = 9100
CONNECT_TIMEOUT = 3.0
STATUS_WAIT = 1.0


class Problem(enum.StrEnum):
    UNREACHABLE = "unreachable"  # refused, timed out, no such host / file / device: the printer is off
    NO_DRIVER = "no_driver"  # a USB printer, and no pyusb to drive it: nothing will print until it is installed
    OFFLINE = "offline"  # the printer says it is offline
    COVER_OPEN = "cover_open"
    PAPER_OUT = "paper_out"
    FAILED = "failed"  # the connection broke while sending


class PrinterProblem(Exception):
    def __init__(self, kind: Problem, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail


class BadTarget(ValueError):
    """The `printer` setting does not name a printer this program can use."""


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # "tcp", "file" or "usb"
    host: str = ""
    port: int = DEFAULT_PORT
    path: str = ""
    vendor: int = 0
    product: int = 0

    def __str__(self) -> str:
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.kind == "file":
            return f"file:{self.path}"
        return f"usb:{self.vendor:#06x}:{self.product:#06x}"


def parse_target(text: str) -> Target:
    value = text.strip()
    if value.startswith("tcp://"):
        rest = value[len("tcp://") :].rstrip("/")
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        if not host:
            host, port = rest, ""
        try:
            number = int(port) if port else DEFAULT_PORT
        except ValueError:
            raise BadTarget(text) from None
        if not host or not 0 < number < 65536:
            raise BadTarget(text)
        return Target("tcp", host=host, port=number)
    if value.startswith("file:"):
        path = value[len("file:") :]
        if path.startswith("//"):
            path = path[2:]
        if not path:
            raise BadTarget(text)
        return Target("file", path=os.path.expanduser(path))
    if value.startswith("usb:"):
        parts = value[len("usb:") :].split(":")
        try:
            vendor, product = (int(part, 16) for part in parts)
        except ValueError:
            raise BadTarget(text) from None
        return Target("usb", vendor=vendor, product=product)
    raise BadTarget(text)


def _check_status(printer: object) -> None:
    """Ask the printer's real-time status; raise when it says it cannot print. No answer: print anyway."""
    from escpos.constants import RT_STATUS

    def ask(n: int) -> int | None:
        try:
            answer = printer.query_status(RT_STATUS + bytes([n]))  # type: ignore[attr-defined]
        except TimeoutError:
            return None
        except OSError as error:
            raise PrinterProblem(Problem.UNREACHABLE, str(error)) from error
        return answer[0] if answer else None

    online = ask(1)
    if online is None:
        return
    if online & 0x08:  # bit 3: offline (the cause is in n=2)
        cause = ask(2)
        if cause is not None and cause & 0x04:
            raise PrinterProblem(Problem.COVER_OPEN)
        if cause is not None and cause & 0x20:
            raise PrinterProblem(Problem.PAPER_OUT)
        raise PrinterProblem(Problem.OFFLINE)
    paper = ask(4)
    if paper is not None and paper & 0x60 == 0x60:  # bits 5-6: the roll is out
        raise PrinterProblem(Problem.PAPER_OUT)


def send(target: Target, data: bytes, *, timeout: float = CONNECT_TIMEOUT) -> None:
    """Send one whole job; returns once every byte was handed over. Raises PrinterProblem otherwise."""
    if target.kind == "file":
        _send_file(target, data)
    elif target.kind == "tcp":
        _send_tcp(target, data, timeout)
    else:
        _send_usb(target, data)


def _send_file(target: Target, data: bytes) -> None:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import File

    class AppendFile(File):  # type: ignore[misc]
        """python-escpos's File truncates; a file of tickets grows."""

        def open(self, raise_not_found: bool = True) -> None:
            try:
                # a new file of tickets is the user's only (0600): tickets carry pickup codes and names
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
                self.device = os.fdopen(os.open(self.devfile, flags, 0o600), "ab")
            except OSError as error:
                raise DeviceNotFoundError(str(error)) from error

    printer = AppendFile(target.path, auto_flush=False)
    try:
        printer.open()
        printer._raw(data)
        printer.device.flush()
        os.fsync(printer.device.fileno())
    except DeviceNotFoundError as error:
        raise PrinterProblem(Problem.UNREACHABLE, str(error)) from error
    except OSError as error:
        raise PrinterProblem(Problem.FAILED, str(error)) from error
    finally:
        printer.close()


def _send_tcp(target: Target, data: bytes, timeout: float) -> None:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    printer = Network(target.host, port=target.port, timeout=timeout)
    try:
        printer.open()
    except DeviceNotFoundError as error:
        raise PrinterProblem(Problem.UNREACHABLE, f"{target}: {error}") from error
    try:
        printer.device.settimeout(STATUS_WAIT)
        _check_status(printer)
        printer.device.settimeout(timeout)
        printer._raw(data)
    except PrinterProblem:
        raise
    except OSError as error:
        raise PrinterProblem(Problem.FAILED, str(error)) from error
    finally:
        printer.close()


def usb_usable() -> bool:
    """Whether python-escpos can drive a USB printer here (it needs pyusb; without it every call, even its
    destructor, raises a RuntimeError)."""
    try:
        from escpos.printer.usb import is_usable
    except ImportError:
        return False
    return bool(is_usable())


def _send_usb(target: Target, data: bytes) -> None:  # pragma: no cover - no USB printer on the test machines
    if not usb_usable():
        raise PrinterProblem(Problem.NO_DRIVER, "pyusb is not installed")
    from escpos.exceptions import DeviceNotFoundError, USBNotFoundError
    from escpos.printer import Usb

    printer = Usb(target.vendor, target.product)
    try:
        printer.open()
        with contextlib.suppress(NotImplementedError):  # a device that cannot be read: no status
            _check_status(printer)
        printer._raw(data)
    except (DeviceNotFoundError, USBNotFoundError) as error:
        raise PrinterProblem(Problem.UNREACHABLE, str(error)) from error
    except OSError as error:
        raise PrinterProblem(Problem.FAILED, str(error)) from error
    finally:
        printer.close()
