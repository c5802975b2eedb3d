"""Run benchmarks by name: `python -m bench` runs every quick one; `python -m bench dispatch --json` passes the
remaining arguments to that benchmark.

A benchmark is a module `bench/<name>.py` with `DESCRIPTION: str`, `QUICK: bool` (run when no name is given)
and `main(argv: list[str]) -> None`, which prints its own table of medians and side-by-side ratios.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

_HERE = Path(__file__).parent


def available() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules([str(_HERE)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "main"):
            found[info.name] = module
    return found


def main(argv: list[str]) -> int:
    benches = available()
    if argv and argv[0] in ("-h", "--help"):
        for name, module in sorted(benches.items()):
            print(f"{name:12} {getattr(module, 'DESCRIPTION', '')}")
        return 0
    if not argv:
        for name, module in sorted(benches.items()):
            if getattr(module, "QUICK", True):
                print(f"\n== {name}: {getattr(module, 'DESCRIPTION', '')}")
                module.main([])
        return 0
    names = [a for a in argv if a in benches]
    rest = [a for a in argv if a not in benches]
    unknown = [a for a in rest if not a.startswith("-") and len(names) == 0]
    if unknown:
        print(f"unknown benchmark: {' '.join(unknown)}; known: {', '.join(sorted(benches))}", file=sys.stderr)
        return 2
    for name in names:
        if len(names) > 1:
            print(f"\n== {name}: {getattr(benches[name], 'DESCRIPTION', '')}")
        benches[name].main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
