"""`voicecare say TEXT [--out F.wav]`: speak a sentence, or write it to a WAV file."""

from __future__ import annotations

import argparse
import logging

from voicecare.errors import EXIT_OK

log = logging.getLogger(__name__)

NAME = "say"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="speak a sentence, or write the speech to a WAV file")
    p.add_argument("text", nargs="+", help="what to say")
    p.add_argument("--out", metavar="F.wav", help="write the speech to this WAV file instead of the speaker")
    p.add_argument("--rate", type=int, default=None, metavar="WPM",
                   help="words per minute (default: [speech] voice_rate_wpm, 150)")
    p.add_argument("--volume", type=float, default=None, metavar="V", help="0.0 to 1.0 (default: [audio] volume)")
    p.add_argument("--device", default=None, help="output device name or index (default: the system default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voicecare.audio.wav import write_wav
    from voicecare.commands._common import config_from
    from voicecare.speech.select import voice_from_config

    # the assistant's own voice and rate; a one-off sentence is not kept in the phrase cache
    voice = voice_from_config(config_from(args), rate_wpm=args.rate, volume=args.volume, store_new=False)
    text = " ".join(args.text)
    if args.out:
        write_wav(args.out, voice.synthesize(text))
        return EXIT_OK
    from voicecare.audio.devices import Speaker

    speaker = Speaker(args.device)  # fails with a clear line before any synthesis when there is no speaker
    try:
        speaker.play(voice.synthesize(text))
        speaker.wait()
    finally:
        speaker.close()
    return EXIT_OK
