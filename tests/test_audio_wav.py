"""WAV files round-trip in every common format, and bad files fail with one clear line."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.convert import from_float, to_float
from voicecare.audio.wav import load_wav, read_wav, write_wav
from voicecare.errors import BadInputError


def _tone(rate: int, seconds: float, freq: float, channels: int) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    left = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.stack([left] + [0.25 * np.sin(2 * np.pi * freq * 2 * t)] * (channels - 1), axis=1)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2])
def test_round_trip(tmp_path, rate, width, channels):
    floats = _tone(rate, 0.25, 440.0, channels)
    chunk = from_float(floats, rate, width)
    path = tmp_path / "x.wav"
    write_wav(path, chunk)
    back = read_wav(path)
    assert (back.rate, back.width, back.channels) == (rate, width, channels)
    assert back.audio == chunk.audio
    step = max(1.0 / (1 << (8 * width - 1)), 1e-6)  # float32 resolution limits 32-bit
    assert np.abs(to_float(back) - floats).max() <= step


def test_eight_bit_is_stored_unsigned(tmp_path):
    path = tmp_path / "u8.wav"
    write_wav(path, from_float(np.zeros(100), 8000, 1))
    assert set(path.read_bytes()[44:]) == {128}


def _float_wav(path, samples: np.ndarray, rate: int, extensible: bool = False) -> None:
    data = samples.astype("<f4").tobytes()
    if extensible:
        fmt = struct.pack("<HHIIHHHHI16s", 0xFFFE, 1, rate, rate * 4, 4, 32, 22, 32, 4,
                          struct.pack("<H", 3) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
    else:
        fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


@pytest.mark.parametrize("extensible", [False, True])
def test_float_wav(tmp_path, extensible):
    x = 0.5 * np.sin(np.linspace(0, 40 * np.pi, 4800))
    path = tmp_path / "f.wav"
    _float_wav(path, x, 48000, extensible)
    chunk = read_wav(path)
    assert chunk.rate == 48000 and chunk.samples == 4800
    assert np.abs(to_float(chunk)[:, 0] - x).max() < 1e-6


def test_load_wav_converts_to_internal(tmp_path):
    path = tmp_path / "s.wav"
    write_wav(path, from_float(_tone(44100, 1.0, 440.0, 2), 44100, 3))
    chunk = load_wav(path)
    assert chunk.is_internal
    assert abs(chunk.samples - RATE) <= 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"hello, this is not audio at all", "not a WAV"),
        (b"ID3\x03\x00" + bytes(200), "not a WAV"),
    ],
)
def test_bad_files_are_named_with_a_fix(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(BadInputError) as err:
        read_wav(path)
    line = err.value.line()
    assert message in line and str(path) in line and "—" in line and "\n" not in line


def test_truncated_and_zero_length(tmp_path):
    good = tmp_path / "good.wav"
    write_wav(good, AudioChunk.from_array(np.ones(16000, dtype=np.int16)))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(BadInputError, match="truncated"):
        read_wav(cut)
    empty = tmp_path / "zero.wav"
    write_wav(empty, AudioChunk(rate=16000, width=2, channels=1, audio=b""))
    with pytest.raises(BadInputError, match="no audio"):
        read_wav(empty)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(BadInputError, match="no such file"):
        read_wav(tmp_path / "nope.wav")
    with pytest.raises(BadInputError, match="directory"):
        read_wav(tmp_path)


def _streamed(chunk: AudioChunk, path, size: int) -> None:
    """``chunk`` as a tool writing to a pipe saves it: the data (and RIFF) sizes are placeholders."""
    write_wav(path, chunk)
    blob = bytearray(path.read_bytes())
    data = blob.index(b"data")
    blob[4:8] = struct.pack("<I", size)
    blob[data + 4:data + 8] = struct.pack("<I", size)
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize("size", [0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000, 0])
def test_unknown_length_headers_are_read_to_the_end_of_the_file(tmp_path, size):
    chunk = AudioChunk.from_array((np.arange(8001) % 200 - 100).astype(np.int16) * 50)
    path = tmp_path / "streamed.wav"
    _streamed(chunk, path, size)
    assert read_wav(path).audio == chunk.audio


def test_a_real_size_past_the_end_is_still_truncated(tmp_path):
    path = tmp_path / "cut.wav"
    _streamed(AudioChunk.from_array(np.ones(1000, dtype=np.int16)), path, 40_000)
    with pytest.raises(BadInputError, match="truncated: the header promises 40000 bytes"):
        read_wav(path)


def test_wavs_written_to_a_pipe_by_espeak_ng_and_sox_are_read(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("sox") or not shutil.which("espeak-ng"):
        pytest.skip("needs sox and espeak-ng (scripts/install-system-deps.sh --test)")
    whole, piped = tmp_path / "whole.wav", tmp_path / "piped.wav"
    subprocess.run(["sox", "-D", "-n", "-b", "16", str(whole), "synth", "0.3", "sine", "440"], check=True)
    piped.write_bytes(subprocess.run(["sox", "-D", "-n", "-b", "16", "-t", "wav", "-", "synth", "0.3", "sine", "440"],
                                     capture_output=True, check=True).stdout)  # through a pipe: no seeking back
    assert struct.unpack("<I", piped.read_bytes()[4:8])[0] > 0x7FFF0000  # sox's unknown-length header
    assert read_wav(piped).audio == read_wav(whole).audio
    spoken = tmp_path / "spoken.wav"
    spoken.write_bytes(subprocess.run(["espeak-ng", "--stdout", "hello"], capture_output=True, check=True).stdout)
    assert struct.unpack("<I", spoken.read_bytes()[40:44])[0] > 0x7FFF0000
    assert 0.3 < read_wav(spoken).seconds < 3.0
