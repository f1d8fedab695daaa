"""The Linux desktop entry and the app icon that the bundle ships."""

from __future__ import annotations

import configparser
import struct

from annotator import paths


def test_desktop_entry_starts_the_annotator_command_with_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(paths.resource("annotator.desktop"), encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "annotator"
    assert section["Icon"] == "annotator"
    assert section["Terminal"] == "false"
    assert section["Categories"].endswith(";")
    assert section["StartupWMClass"] == "annotator"  # Qt's WM_CLASS for the app: the window groups under it


def test_icon_is_a_256_pixel_png_beside_its_svg_source() -> None:
    png = paths.resource("icons/annotator.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (256, 256)
    svg = paths.resource("icons/annotator.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and 'viewBox="0 0 256 256"' in svg
