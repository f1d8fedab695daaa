"""PyInstaller runtime hook: let sounddevice find the PortAudio library shipped in the bundle.

On Linux sounddevice asks ``ctypes.util.find_library("portaudio")``, which
only looks at the system's linker cache, so a bundle on a machine without
libportaudio2 would fail to import it. This hook runs before the app's code
and answers that one question with the bundled copy (build.spec puts it at
the top of the bundle); every other name goes to the original function.
"""

import ctypes.util
import os
import sys


def _install() -> None:
    base = getattr(sys, "_MEIPASS", None)
    if not base or not sys.platform.startswith("linux"):
        return
    bundled = os.path.join(base, "libportaudio.so.2")
    if not os.path.isfile(bundled):
        return
    original = ctypes.util.find_library

    def find_library(name: str) -> "str | None":
        if name == "portaudio":
            return bundled
        return original(name)

    ctypes.util.find_library = find_library


_install()
