"""Convert resemblyzer's GE2E speaker encoder to numpy weights, and check the numpy network against it.

Run once at build time, in an environment with torch, resemblyzer and librosa (never needed at
run time):

    pip install torch resemblyzer librosa soxr
    PYTHONPATH=$PWD python scripts/convert_speaker_encoder.py

It writes voicecare/listening/data/speaker_encoder.npz (the LSTM and linear weights and the mel
filterbank), speaker_encoder.json (the npz's SHA-256, the source, the parity figures),
SPEAKER_ENCODER_LICENSE.txt (resemblyzer's Apache-2.0 licence), and tests/data/speaker_reference.npz
(resemblyzer's embeddings of two generated signals, which the tests regenerate without torch).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.speaker_signals import REFERENCE_SIGNALS, synthetic_voice  # noqa: E402
from voicecare.audio.chunk import AudioChunk  # noqa: E402
from voicecare.listening import speaker_encoder as enc  # noqa: E402
from voicecare.listening.speaker_features import normalize_volume, trim_long_silences  # noqa: E402
from voicecare.testing.voices import speak  # noqa: E402

PARITY_LINES: tuple[tuple[str, str], ...] = (
    ("slt", "My left leg has gone numb and I can't feel my foot."),
    ("rms", "Hey care, start my daily stretches please."),
    ("awb", "Stop."),
    ("kal", "I fell on the patio this morning and now my hip really hurts when I try to stand."),
    ("espeak:en-us", "yes"),
)
"""Utterances (voice, text) the numpy network is compared with resemblyzer on: short to long."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def convert(dtype: str) -> dict:
    """Write the npz and licence; return what the manifest records about the source."""
    import librosa
    import resemblyzer
    import torch

    package = Path(resemblyzer.__file__).resolve().parent
    source = package / "pretrained.pt"
    state = torch.load(source, map_location="cpu")["model_state"]
    arrays: dict[str, np.ndarray] = {}
    for layer in range(enc.LAYERS):
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            arrays[f"{kind}_l{layer}"] = state[f"lstm.{kind}_l{layer}"].numpy()
    arrays["linear_weight"] = state["linear.weight"].numpy()
    arrays["linear_bias"] = state["linear.bias"].numpy()
    arrays["mel_basis"] = librosa.filters.mel(sr=16000, n_fft=400, n_mels=40)
    arrays = {name: value.astype(dtype) for name, value in arrays.items()}
    enc.DATA_DIR.mkdir(parents=True, exist_ok=True)
    out = enc.DATA_DIR / enc.WEIGHTS_NAME
    np.savez(out, **arrays)  # not compressed: the zip's bytes are the same every run
    licence = next(package.parent.glob("[Rr]esemblyzer-*.dist-info")) / "LICENSE"
    shutil.copyfile(licence, enc.DATA_DIR / "SPEAKER_ENCODER_LICENSE.txt")
    return {
        "source": f"resemblyzer {resemblyzer.__version__ if hasattr(resemblyzer, '__version__') else '0.1.4'} "
                  "pretrained.pt (GE2E speaker encoder, Apache-2.0, Corentin Jemine / Resemble AI)",
        "source_sha256": _sha256(source),
        "dtype": dtype,
        "librosa": librosa.__version__,
        "torch": torch.__version__,
    }


def parity() -> dict:
    """The numpy network against resemblyzer's on the same audio, and the whole path end to end."""
    from resemblyzer import VoiceEncoder, preprocess_wav

    reference = VoiceEncoder("cpu", verbose=False)
    ours = enc.SpeakerEncoder(max_partials=None)  # every partial, as resemblyzer does
    network, end_to_end = [], []
    for voice, text in PARITY_LINES:
        chunk = speak(text, voice)
        wav = chunk.array().astype(np.float32) / 32768.0
        pre = preprocess_wav(wav)
        theirs = reference.embed_utterance(pre)
        mine = ours.partial_embeddings(pre).mean(axis=0)
        network.append(_cos(theirs, mine))
        trimmed = ours.partial_embeddings(trim_long_silences(normalize_volume(wav))).mean(axis=0)
        end_to_end.append(_cos(theirs, trimmed))
        print(f"  {voice:14s} {chunk.seconds:4.1f} s  network {network[-1]:.6f}  "
              f"with the numpy energy gate for webrtcvad {end_to_end[-1]:.4f}  {text!r}")
    refs = {}
    for seed, f0, seconds in REFERENCE_SIGNALS:
        wav = synthetic_voice(seed, f0, seconds)
        refs[f"signal_{seed}"] = reference.embed_utterance(wav).astype(np.float32)
        print(f"  generated signal {seed}: cosine {_cos(refs[f'signal_{seed}'], ours.partial_embeddings(wav).mean(axis=0)):.6f}")
    (ROOT / "tests" / "data").mkdir(exist_ok=True)
    np.savez(ROOT / "tests" / "data" / "speaker_reference.npz", **refs)
    return {"network_min_cosine": round(min(network), 6), "energy_gate_min_cosine": round(min(end_to_end), 4),
            "utterances": [f"{v}: {t}" for v, t in PARITY_LINES]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=("float16", "float32"), default="float16",
                        help="storage precision of the weights (computation is always float32)")
    args = parser.parse_args()
    manifest = convert(args.dtype)
    weights = enc.DATA_DIR / enc.WEIGHTS_NAME
    manifest_path = enc.DATA_DIR / enc.MANIFEST_NAME
    manifest["sha256"] = _sha256(weights)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {weights} ({weights.stat().st_size / 1e6:.2f} MB, {args.dtype})")
    result = parity()
    manifest["parity"] = result
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"parity: network {result['network_min_cosine']}, with the energy gate {result['energy_gate_min_cosine']}")
    if result["network_min_cosine"] < 0.999:
        print("Error: the numpy network does not match resemblyzer (cosine < 0.999) — check the conversion",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
