"""`python -m o2o_tui.platform --host 127.0.0.1 --port 8765 --db URL`: the reference platform server."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    from o2o_tui.platform.db import default_db_url
    from o2o_tui.platform.server import serve

    parser = argparse.ArgumentParser(prog="python -m o2o_tui.platform")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a SQLite file in the data dir)")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.db or default_db_url())


if __name__ == "__main__":
    main()
