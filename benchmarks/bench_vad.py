"""End of speech: how soon each detector knows the person has stopped, and how often it cuts them off.

Run: ``.venv/bin/python -m benchmarks.bench_vad [--quick]``.

Each request and answer (several voices) is placed in a stream with room tone before and after, clean
and mixed with babble or a fan. For every detector the table gives the delay from the voice's real
end (by energy) to the moment the detector ends the utterance, and how often one request came out
as more than one utterance (cut mid-sentence) or as none. Detectors: the endpointer as it was (the
voice-activity window alone), the endpointer with its quiet-gate end (``end_quiet_seconds``), with and without counting a voice's
fading tail (``end_below_peak_db``) as quiet, and
the neural micro-vad of Home Assistant (``pymicro-vad``, when installed) with the same hangover.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import replace

import numpy as np

from benchmarks.bench_answers import load_rows
from benchmarks.bench_latency import TURNS, energy_end
from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.endpoint import Endpointer, EndpointSettings

LEAD_SECONDS, TAIL_SECONDS = 0.6, 1.5
BLOCK_SECONDS = 0.03
VOICES = ("slt", "rms", "festival:slt-hts", "piper:joe")
CONDITIONS = (("clean", None, None), ("babble 20 dB", "babble", 20.0), ("fan 10 dB", "fan", 10.0))
MICRO_THRESHOLD = 0.5
MICRO_HANG_SECONDS = 0.25


def _stream(speech: AudioChunk, kind: str | None, snr: float | None, seed: int) -> tuple[AudioChunk, float]:
    """Speech with room tone around it, and the stream time where the voice really ends."""
    from voicecare.testing.voices import babble, mix, noise

    lead, tail = np.zeros(int(LEAD_SECONDS * RATE), np.int16), np.zeros(int(TAIL_SECONDS * RATE), np.int16)
    audio = AudioChunk.from_array(np.concatenate([lead, speech.array(), tail]))
    end = LEAD_SECONDS + energy_end(speech)
    if kind is None or snr is None:
        return audio, end
    background = babble(audio.seconds, talkers=5, seed=seed) if kind == "babble" else noise(audio.seconds, "fan", seed=seed)
    louder = mix(speech, background, snr)  # the noise level the speech sets
    scale = float(np.sqrt(np.mean((louder.array().astype(float) - speech.array()) ** 2)))
    bg = background.array().astype(float)
    bg *= scale / (float(np.sqrt(np.mean(bg ** 2))) or 1.0)
    mixed = np.clip(audio.array().astype(float) + bg[: audio.samples], -32768, 32767).astype(np.int16)
    return AudioChunk.from_array(mixed), end


def endpointer_ends(audio: AudioChunk, settings: EndpointSettings) -> list[float]:
    """Stream seconds at which the endpointer handed over each utterance."""
    endpointer, step, samples, found = Endpointer(settings=settings), int(BLOCK_SECONDS * RATE), audio.array(), []
    for i in range(0, len(samples), step):
        block = AudioChunk.from_array(samples[i:i + step], timestamp=i / RATE)
        found += [(i + step) / RATE for _ in endpointer.feed(block)]
    return found


def micro_vad_ends(audio: AudioChunk) -> list[float] | None:
    """Ends found by pymicro-vad (speech while its probability >= 0.5, ended after the same hangover)."""
    try:
        from pymicro_vad import MicroVad
    except ImportError:
        return None
    vad, samples, frame = MicroVad(), audio.array(), RATE // 100
    ends, in_speech, quiet = [], False, 0
    for k in range(len(samples) // frame):
        prob = vad.process_10ms(samples[k * frame:(k + 1) * frame].tobytes())
        if prob < 0:
            continue
        if prob >= MICRO_THRESHOLD:
            in_speech, quiet = True, 0
        elif in_speech:
            quiet += 1
            if quiet * 0.01 >= MICRO_HANG_SECONDS:
                ends.append((k + 1) * 0.01)
                in_speech, quiet = False, 0
    return ends


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two voices, fewer utterances")
    args = parser.parse_args(argv)
    from voicecare.testing.voices import speak

    texts = [t for t, _ in TURNS] + [r.text for r in load_rows()][:: 3 if args.quick else 1]
    voices = VOICES[:2] if args.quick else VOICES
    detectors = {
        "VAD window only (before)": lambda a: endpointer_ends(a, EndpointSettings(end_quiet_seconds=None)),
        "VAD + quiet gate 0.25 s, gate only": lambda a: endpointer_ends(a, replace(EndpointSettings(),
                                                                                   end_below_peak_db=None)),
        "VAD + quiet gate 0.25 s + 35 dB below the peak (now)": lambda a: endpointer_ends(a, EndpointSettings()),
        "VAD + quiet gate 0.18 s": lambda a: endpointer_ends(a, replace(EndpointSettings(), end_quiet_seconds=0.18)),
        "VAD + quiet gate 0.35 s": lambda a: endpointer_ends(a, replace(EndpointSettings(), end_quiet_seconds=0.35)),
        "pymicro-vad, 0.25 s hangover": micro_vad_ends,
    }
    print(f"{len(texts)} utterances x {len(voices)} voices x {len(CONDITIONS)} conditions")
    print("\n| detector | condition | n | end delay median ms | p95 ms | cut in two | missed |")
    print("|---|---|---|---|---|---|---|")
    for name, kind, snr in CONDITIONS:
        streams = [_stream(speak(t, v), kind, snr, seed=i) for i, (t, v) in
                   enumerate((t, v) for t in texts for v in voices)]
        for label, detect in detectors.items():
            delays, cut, missed, n = [], 0, 0, 0
            for audio, end in streams:
                ends = detect(audio)
                if ends is None:
                    break
                n += 1
                after = [e for e in ends if e >= end - 0.05]
                cut += len(ends) > 1
                if not after:
                    missed += 1
                    continue
                delays.append(after[0] - end)
            if n == 0:
                print(f"| {label} | {name} | - | not installed (pip install pymicro-vad) | | | |")
                continue
            med = 1000 * statistics.median(delays) if delays else float("nan")
            p95 = 1000 * float(np.quantile(delays, 0.95)) if delays else float("nan")
            print(f"| {label} | {name} | {n} | {med:.0f} | {p95:.0f} | {cut} | {missed} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
