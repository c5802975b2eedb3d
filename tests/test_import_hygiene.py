"""The core never imports Textual: `o2o orders list` must stay fast and the core usable without a TUI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("o2o_tui", "offline_cache")


def _modules(package: str) -> list[str]:
    names = []
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return sorted(names)


def test_core_modules_do_not_import_textual() -> None:
    modules = [m for package in CORE for m in _modules(package)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"textual imported by the core: {result.stdout}"


def test_cli_help_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from o2o_tui.cli import app\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


def test_orders_command_loads_only_what_it_needs() -> None:
    """`o2o orders ...` builds only its own command module: no server, simulator, dispatch engine or TUI."""
    code = (
        "import sys\n"
        "from o2o_tui.cli import build_app, command_in\n"
        "assert command_in(['--lang', 'zh', 'orders', 'list']) == 'orders'\n"
        "build_app('orders')\n"
        "heavy = ('textual', 'sqlalchemy', 'litestar', 'uvicorn', 'numpy', 'scipy', 'o2o_tui.platform')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith('o2o_tui.platform')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]", result.stdout


# the commands that open a screen (docs/architecture.md); every other module of the core leaves `screens` alone
_OPENS_A_SCREEN = {"console.py", "console_quick.py", "courier.py", "demo.py", "dispatch.py", "menu_edit.py"}


def test_only_the_commands_that_open_a_screen_import_screens() -> None:
    found = sorted(
        str(path.relative_to(ROOT))
        for package in CORE
        for path in (ROOT / package).rglob("*.py")
        if any(
            line.strip().startswith(("from screens", "import screens"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
        and not (path.parent.name == "cli" and path.name in _OPENS_A_SCREEN)
    )
    assert found == [], found
