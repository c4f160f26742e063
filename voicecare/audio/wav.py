"""WAV files in and out: PCM 8/16/24/32-bit and 32-bit float, any rate and channel count."""

from __future__ import annotations

import logging
import os
import struct
import tempfile
import wave
from pathlib import Path

import numpy as np

from voicecare.audio.chunk import AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.errors import AudioError, BadInputError

log = logging.getLogger(__name__)

_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE
UNKNOWN_LENGTH_FROM = 0x7FFFF000
"""A data size this large that runs past the end of the file is a placeholder, not a promise: tools
writing to a pipe cannot go back to fill the length in (espeak-ng and sox write 0x7FFFF000, others
0x7FFFFFFF or 0xFFFFFFFF), so the audio runs to the end of the file. Some write 0."""
_FIX = "give a WAV file (PCM 8/16/24/32-bit or 32-bit float), e.g. `sox in.mp3 out.wav`"


def _bad(path: Path, what: str) -> BadInputError:
    return BadInputError(f"{path}: {what}", _FIX)


def _parse_riff(path: Path, blob: bytes) -> tuple[int, int, int, int, bytes]:
    """(format, channels, rate, bits, data) from the RIFF chunks; wave cannot read float files."""
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise _bad(path, "not a WAV file")
    fmt: tuple[int, int, int, int] | None = None
    data: bytes | None = None
    pos = 12
    while pos + 8 <= len(blob):
        cid, size = blob[pos:pos + 4], struct.unpack("<I", blob[pos + 4:pos + 8])[0]
        body = blob[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            if len(body) < 16:
                raise _bad(path, "broken format header")
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack("<H", body[24:26])[0]
            fmt = (tag, channels, rate, bits)
        elif cid == b"data":
            if len(body) < size and size >= UNKNOWN_LENGTH_FROM or (size == 0 and pos + 8 < len(blob)):
                body = blob[pos + 8:]  # written while streaming: the audio runs to the end of the file
                log.debug("%s: data size %#x means unknown length; read %d bytes to the end", path, size, len(body))
            elif len(body) < size:
                raise _bad(path, f"truncated: the header promises {size} bytes of audio, {len(body)} are there")
            data = body
            break
        pos += 8 + size + (size & 1)
    if fmt is None:
        raise _bad(path, "no format header")
    if data is None:
        raise _bad(path, "no audio data")
    return (*fmt, data)


def read_wav(path: str | os.PathLike[str]) -> AudioChunk:
    """The file's audio as it is stored (rate, channels, width); float becomes 32-bit integer."""
    p = Path(path)
    try:
        blob = p.read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"{p}: no such file", "check the path") from None
    except IsADirectoryError:
        raise BadInputError(f"{p}: is a directory, not a WAV file", "give the path of a .wav file") from None
    except OSError as exc:
        raise BadInputError(f"{p}: cannot be read ({exc.strerror})", "check the file's permissions") from None
    if not blob:
        raise _bad(p, "the file is empty")
    tag, channels, rate, bits, data = _parse_riff(p, blob)
    if channels < 1 or rate < 1:
        raise _bad(p, f"impossible header ({channels} channels at {rate} Hz)")
    if tag == _PCM and bits in (8, 16, 24, 32):
        width = bits // 8
        usable = len(data) - len(data) % (width * channels)
        raw = data[:usable]
        if width == 1:  # WAV stores 8-bit unsigned; chunks are signed
            raw = (np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128).astype("i1").tobytes()
        chunk = AudioChunk(rate=rate, width=width, channels=channels, audio=raw)
    elif tag == _FLOAT and bits in (32, 64):
        floats = np.frombuffer(data[: len(data) - len(data) % (bits // 8 * channels)], dtype=f"<f{bits // 8}")
        ints = np.clip(np.round(floats.astype(np.float64) * 2147483648.0), -2147483648, 2147483647)
        chunk = AudioChunk(rate=rate, width=4, channels=channels, audio=ints.astype("<i4").tobytes())
    else:
        raise _bad(p, f"unsupported encoding (format {tag}, {bits}-bit)")
    if chunk.samples == 0:
        raise _bad(p, "contains no audio (zero length)")
    log.debug("read %s: %d Hz, %d-bit, %d ch, %.2f s", p, rate, bits, channels, chunk.seconds)
    return chunk


def load_wav(path: str | os.PathLike[str]) -> AudioChunk:
    """Read a WAV and convert it once to the internal 16 kHz 16-bit mono format."""
    return to_internal(read_wav(path))


def write_wav(path: str | os.PathLike[str], chunk: AudioChunk) -> None:
    """Write the chunk as PCM WAV (atomically, so readers never see half a file)."""
    p = Path(path)
    audio = chunk.audio
    if chunk.width == 1:  # back to WAV's unsigned 8-bit
        audio = (np.frombuffer(audio, dtype="i1").astype(np.int16) + 128).astype(np.uint8).tobytes()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise AudioError(f"{p}: cannot write ({exc.strerror})", "choose a writable directory") from None
    try:
        with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as w:
            w.setnchannels(chunk.channels)
            w.setsampwidth(chunk.width)
            w.setframerate(chunk.rate)
            w.writeframes(audio)
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AudioError(f"{p}: cannot write ({exc.strerror})", "check free space and permissions") from None

