"""``annotator devices``: the audio inputs the user can choose, one list.

Each line: ``*`` for the default input, the id to pass as ``--device``,
whether it is an input (a microphone) or system audio (the monitor of an
output: what the computer plays, the other side of a call), and its name,
rate and channels. In a session a microphone is "You" and system audio
"Them".
"""

from __future__ import annotations

import argparse

from annotator.audio.devices import list_input_devices
from annotator.commands.terminal import flat


def run(args: argparse.Namespace) -> int:
    devices = list_input_devices()
    if not devices:
        print("No audio input devices found.")
        return 0
    width = max(len(flat(d.name)) for d in devices)
    kind_width = max(len(d.kind) for d in devices)
    for d in devices:
        mark = "*" if d.is_default else " "
        about = flat(d.description) if d.description and d.description != d.name else ""
        detail = f"{about}, " if about else ""
        print(
            f"{mark} {flat(d.name):<{width}}  {d.kind:<{kind_width}}  "
            f"{detail}{d.default_samplerate:g} Hz, {d.max_input_channels} ch"
        )
    print(
        "* the default input. Pass an id as --device (twice for you and the other side: "
        'a microphone is "You", system audio "Them").'
    )
    return 0
