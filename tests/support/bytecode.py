"""Imported first by tests/conftest.py: bytecode is cached during the run even where the environment says not to
(PYTHONDONTWRITEBYTECODE, as some sandboxes set). Otherwise each of the ~1,500 interpreters the suite starts
(servers, CLI runs, the four workers, each collecting every test module through pytest's assertion rewriting)
compiled every module from source again: ~22 s of CPU per worker's collection instead of ~8, ~0.25 s more per
server start. Done before the test modules are imported and before the workers and servers start (they inherit
the environment)."""

from __future__ import annotations

import os
import sys

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
