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


def _leading_names(argv: list[str]) -> list[str]:
    """The benchmark names before the first option (`console --only list`: only `console` names one)."""
    names = []
    for arg in argv:
        if arg.startswith("-"):
            break
        names.append(arg)
    return names


def named(names: list[str]) -> dict[str, object] | None:
    """Only the benchmarks `names` names, each imported alone (one module that does not import, say while its
    subject is being rewritten, does not stop the others); None unless every name is a benchmark file."""
    if not names or any(n.startswith("_") or not (_HERE / f"{n}.py").exists() for n in names):
        return None
    found = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            found[name] = module
    return found if len(found) == len(names) else None


def main(argv: list[str]) -> int:
    leading = _leading_names(argv)
    benches = named(leading) or available()
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
    unknown = [a for a in leading if a not in benches]
    if unknown or not leading:
        shown = " ".join(unknown) or "(none named)"
        print(f"unknown benchmark: {shown}; known: {', '.join(sorted(benches))}", file=sys.stderr)
        return 2
    rest = argv[len(leading) :]
    for name in leading:
        if len(leading) > 1:
            print(f"\n== {name}: {getattr(benches[name], 'DESCRIPTION', '')}")
        benches[name].main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
