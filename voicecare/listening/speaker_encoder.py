"""Who is speaking, as 256 numbers: the GE2E speaker encoder (resemblyzer's) run in numpy.

The weights were converted once from resemblyzer 0.1.4's ``pretrained.pt`` by
``scripts/convert_speaker_encoder.py``; their SHA-256 is checked at load, so a damaged file is
a clear error rather than wrong answers. No torch is needed to run it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.errors import ModelError
from voicecare.listening.speaker_features import (
    TrimSettings,
    normalize_volume,
    partial_mels,
    speech_seconds,
    trim_long_silences,
)

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
WEIGHTS_NAME = "speaker_encoder.npz"
MANIFEST_NAME = "speaker_encoder.json"
EMBEDDING_SIZE = 256
HIDDEN = 256
LAYERS = 3
_FIX = "reinstall voicecare, or rebuild it with python scripts/convert_speaker_encoder.py"


@dataclass(frozen=True, slots=True)
class Embedding:
    """One utterance's voice: the unit-length vector and how many seconds of voice it came from."""

    vector: np.ndarray
    speech_seconds: float


@dataclass(frozen=True)
class _Network:
    """The LSTM weights laid out for the numpy loop: gates ordered (i, f, o, g), sigmoid rows halved."""

    mel_basis: np.ndarray
    w_in: tuple[np.ndarray, ...]
    w_rec: tuple[np.ndarray, ...]
    bias: tuple[np.ndarray, ...]
    w_out: np.ndarray
    b_out: np.ndarray


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _gate_layout(matrix: np.ndarray) -> np.ndarray:
    """PyTorch's (i, f, g, o) gate rows as (i, f, o, g), the sigmoid gates' rows halved.

    Halving lets one tanh serve all four gates: sigmoid(x) = 0.5 + 0.5 * tanh(x / 2).
    """
    i, f, g, o = np.split(matrix.astype(np.float32), 4, axis=0)
    return np.concatenate([0.5 * i, 0.5 * f, 0.5 * o, g], axis=0)


def _load(directory: Path) -> _Network:
    weights, manifest_path = directory / WEIGHTS_NAME, directory / MANIFEST_NAME
    if not weights.is_file() or not manifest_path.is_file():
        missing = weights if not weights.is_file() else manifest_path
        raise ModelError(f"the speaker encoder's {missing.name} is missing from {directory}", _FIX)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected = str(manifest["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"the speaker encoder's manifest {manifest_path} is unreadable", _FIX) from None
    actual = file_sha256(weights)
    if actual != expected:
        raise ModelError(f"the speaker encoder's weights {weights} are corrupt (SHA-256 {actual[:12]}…, "
                         f"expected {expected[:12]}…)", _FIX)
    try:
        with np.load(weights) as data:
            arrays = {name: data[name].astype(np.float32) for name in data.files}
        network = _Network(
            mel_basis=arrays["mel_basis"],
            w_in=tuple(np.ascontiguousarray(_gate_layout(arrays[f"weight_ih_l{k}"]).T) for k in range(LAYERS)),
            w_rec=tuple(np.ascontiguousarray(_gate_layout(arrays[f"weight_hh_l{k}"]).T) for k in range(LAYERS)),
            bias=tuple(_gate_layout(arrays[f"bias_ih_l{k}"] + arrays[f"bias_hh_l{k}"]) for k in range(LAYERS)),
            w_out=np.ascontiguousarray(arrays["linear_weight"].T),
            b_out=arrays["linear_bias"],
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"the speaker encoder's weights {weights} cannot be read ({exc})", _FIX) from None
    if network.w_rec[0].shape != (HIDDEN, 4 * HIDDEN) or network.w_out.shape != (HIDDEN, EMBEDDING_SIZE):
        raise ModelError(f"the speaker encoder's weights {weights} have the wrong shapes", _FIX)
    return network


class _OneBlasThread:
    """Runs the network's many small matrix products on one BLAS thread.

    Spread over threads they wait on each other: measured here, one 3 s utterance took 66 ms of
    CPU with the default threads and 15 ms with one. Without threadpoolctl nothing is changed.
    """

    def __init__(self) -> None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            log.debug("threadpoolctl is not installed: the speaker encoder uses numpy's default threads")
            self._controller = None
        else:
            self._controller = ThreadpoolController()

    def __call__(self):  # noqa: ANN204 - a context manager
        if self._controller is None:
            return contextlib.nullcontext()
        return self._controller.limit(limits=1, user_api="blas")


def _lstm_last_hidden(net: _Network, mels: np.ndarray) -> np.ndarray:
    """The last layer's final hidden state for a batch of (partials, frames, 40) mel frames."""
    batch, steps, _ = mels.shape
    x = mels
    h = np.zeros((batch, HIDDEN), np.float32)
    for layer in range(LAYERS):
        gates_in = (x.reshape(batch * steps, -1) @ net.w_in[layer] + net.bias[layer]).reshape(batch, steps, -1)
        w_rec = net.w_rec[layer]
        h = np.zeros((batch, HIDDEN), np.float32)
        c = np.zeros((batch, HIDDEN), np.float32)
        z = np.empty((batch, 4 * HIDDEN), np.float32)
        outputs = np.empty((batch, steps, HIDDEN), np.float32) if layer < LAYERS - 1 else None
        for t in range(steps):
            np.matmul(h, w_rec, out=z)
            z += gates_in[:, t]
            np.tanh(z, out=z)
            sig = z[:, : 3 * HIDDEN]
            sig *= 0.5
            sig += 0.5
            c *= z[:, HIDDEN : 2 * HIDDEN]
            c += z[:, :HIDDEN] * z[:, 3 * HIDDEN :]
            np.tanh(c, out=h)
            h *= z[:, 2 * HIDDEN : 3 * HIDDEN]
            if outputs is not None:
                outputs[:, t] = h
        if outputs is not None:
            x = outputs
    return h


class SpeakerEncoder:
    """Utterance audio to a unit-length voice embedding; the weights load on first use."""

    def __init__(self, data_dir: Path | None = None, trim: TrimSettings = TrimSettings(),
                 max_partials: int | None = 1) -> None:
        """``max_partials`` caps the 1.6 s windows run per utterance (spread evenly; None: all, as trained).

        One window (the middle 1.6 s of the voice) costs half of two and verified as well on the
        benchmark's choosing voices (equal error rates within a point, better for weak speech).
        """
        self._dir = Path(data_dir) if data_dir is not None else DATA_DIR
        self._trim = trim
        self._max_partials = max_partials
        self._net: _Network | None = None
        self._one_thread: _OneBlasThread | None = None
        self._lock = threading.Lock()

    @property
    def max_partials(self) -> int | None:
        return self._max_partials

    def load(self) -> None:
        """Load and check the weights now (start-up checks); a ModelError says what is wrong."""
        self._network()

    def _network(self) -> tuple[_Network, _OneBlasThread]:
        with self._lock:
            if self._net is None or self._one_thread is None:
                self._net = _load(self._dir)
                self._one_thread = _OneBlasThread()
                log.debug("speaker encoder loaded from %s", self._dir)
            return self._net, self._one_thread

    def partial_embeddings(self, wav: np.ndarray, pad_short: bool = True) -> np.ndarray:
        """Unit-length embeddings of each 1.6 s partial of already preprocessed float audio."""
        net, one_thread = self._network()
        with one_thread():
            hidden = _lstm_last_hidden(net, partial_mels(wav, net.mel_basis, self._max_partials, pad_short))
        raw = np.maximum(hidden @ net.w_out + net.b_out, 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return raw / np.maximum(norms, 1e-12)

    def encode(self, audio: AudioChunk) -> Embedding:
        """The utterance's embedding and how long the voice in it lasted."""
        if not audio.is_internal:
            raise ValueError("the speaker encoder needs 16 kHz 16-bit mono audio")
        loud = normalize_volume(audio.array().astype(np.float32) / 32768.0)
        seconds = speech_seconds(loud, self._trim)
        trimmed = trim_long_silences(loud, self._trim)
        partials = self.partial_embeddings(normalize_volume(trimmed if len(trimmed) else loud, lower=True),
                                           pad_short=False)
        mean = partials.mean(axis=0)
        return Embedding(vector=(mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32),
                         speech_seconds=seconds)

    def embed(self, audio: AudioChunk) -> np.ndarray:
        """The utterance's unit-length 256-number voice embedding."""
        return self.encode(audio).vector
