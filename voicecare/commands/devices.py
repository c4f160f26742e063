"""`voicecare devices`: list microphones and speakers, or say what to check when there are none."""

from __future__ import annotations

import argparse

from voicecare.errors import EXIT_OK, EXIT_RUNTIME

NAME = "devices"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="list audio input and output devices")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voicecare.audio.devices import NO_MIC_FIX, NO_SPEAKER_FIX, list_devices

    devices = list_devices()
    inputs = [d for d in devices if d.inputs > 0]
    outputs = [d for d in devices if d.outputs > 0]
    for title, found, default_attr, channels in (
        ("Microphones (input)", inputs, "default_input", "inputs"),
        ("Speakers (output)", outputs, "default_output", "outputs"),
    ):
        print(f"{title}:")
        if not found:
            print("  none found")
        for d in found:
            mark = "*" if getattr(d, default_attr) else " "
            print(f" {mark}{d.index:3d}  {d.name}  ({getattr(d, channels)} ch, {d.default_rate:.0f} Hz)")
    if not inputs:
        print(f"No microphone: {NO_MIC_FIX}.")
    if not outputs:
        print(f"No speaker: {NO_SPEAKER_FIX}.")
    if inputs or outputs:
        print("* = default. Set a device by name or index in the config file.")
    return EXIT_OK if inputs and outputs else EXIT_RUNTIME
