"""Courier dispatch: the epoch policy (`engine.plan`) plus the MDRP simulator, baselines and metrics used to
measure it. Pure functions; no I/O except the instance loader in `mdrp.py`."""
