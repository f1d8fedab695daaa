"""Imports point down: nothing but ``cli.py`` imports ``annotator.commands`` (commands sit on top)."""

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
