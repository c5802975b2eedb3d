"""`python -m o2o_tui.platform --host 127.0.0.1 --port 8765 --db URL`: the reference platform server."""

from __future__ import annotations

import argparse
import sys


def _port(text: str) -> int:
    """A TCP port 0-65535 (0: any free one): out of range is argparse's one-line usage refusal, as `o2o serve`
    refuses it, not bind's OSError traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not in the range 0-65535")
    return port


def main(argv: list[str] | None = None) -> None:
    from o2o_tui.platform.db import default_db_url
    from o2o_tui.platform.server import serve
    from o2o_tui.platform.server_secret import SecretFileError
    from o2o_tui.platform.settings import BadSetting
    from o2o_tui.platform.sqlite_lock import SqliteInUse

    parser = argparse.ArgumentParser(prog="python -m o2o_tui.platform")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8765)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a SQLite file in the data dir)")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, args.db or default_db_url())
    except BadSetting as error:
        print(error.message(), file=sys.stderr)
        sys.exit(2)
    except SecretFileError as error:
        print(error.message(), file=sys.stderr)
        sys.exit(1)
    except SqliteInUse as error:
        print(error.message(), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
