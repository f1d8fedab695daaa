"""``annotator devices``: the audio inputs the user can choose."""

from __future__ import annotations

import argparse

from annotator.audio.capture import list_input_devices


def run(args: argparse.Namespace) -> int:
    devices = list_input_devices()
    if not devices:
        print("No audio input devices found.")
        return 0
    for d in devices:
        mark = "*" if d.is_default else " "
        kind = "  (monitor: system audio)" if d.is_monitor else ""
        print(f"{mark} {d.index:>3}  {d.name}  {d.default_samplerate:g} Hz, {d.max_input_channels} ch{kind}")
    print("* default input. Pass a name or index as --device.")
    return 0
