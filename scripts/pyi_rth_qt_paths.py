"""PyInstaller runtime hook (Linux): point Qt at the bundled plugins without importing Qt.

It replaces PyInstaller's own PySide6 hook on Linux, which imports PySide6 at
start-up to check for a ``qt.conf`` that PyPI wheels never need; that import
cost every command, ``--version`` and ``transcribe`` included, about 0.2 s.
Setting ``QT_PLUGIN_PATH`` is the part of it this bundle uses.
"""

import os
import sys


def _install() -> None:
    base = getattr(sys, "_MEIPASS", None)
    if base:
        os.environ["QT_PLUGIN_PATH"] = os.path.join(base, "PySide6", "Qt", "plugins")


_install()
