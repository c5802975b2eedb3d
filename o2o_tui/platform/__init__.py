"""The reference platform server: Litestar + SQLAlchemy Core, SQLite by default, PostgreSQL by URL.

`python -m o2o_tui.platform --host --port --db` (or `o2o serve`) runs it; `create_app()` builds the ASGI app.
"""
