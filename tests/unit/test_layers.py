"""Imports point down: nothing but ``cli.py`` imports ``annotator.commands`` (commands sit on top), and Qt stays in the window."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_cli_imports_commands() -> None:
    offenders = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if path.name != "cli.py"
        and "commands" not in path.relative_to(PACKAGE).parts
        and any(name == "annotator.commands" or name.startswith("annotator.commands.") for name in imported(path))
    )
    assert offenders == []


def test_qt_only_in_ui_and_app() -> None:
    """Every command but the window runs headless: Qt (and the Qt event loop) only in ``ui/`` and ``app.py``."""
    offenders = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("ui", "app.py")
        and any(name.split(".")[0] in ("PySide6", "shiboken6", "qasync") for name in imported(path))
    )
    assert offenders == []
