"""Files standing in for microphone and speaker."""

from __future__ import annotations

import numpy as np
import pytest

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.convert import from_float
from voicecare.audio.files import FileMicrophone, FileSpeaker
from voicecare.audio.tones import TONES, tone
from voicecare.audio.wav import read_wav, write_wav
from voicecare.errors import BadInputError


def test_file_microphone_blocks_and_timestamps(tmp_path):
    path = tmp_path / "in.wav"
    ramp = np.arange(44100, dtype=np.float64) / 44100 * 0.5
    write_wav(path, from_float(np.stack([ramp, ramp], axis=1), 44100, 2))
    mic = FileMicrophone(path, block_seconds=0.03)
    blocks = list(mic)
    assert all(b.is_internal for b in blocks)
    assert blocks[0].samples == 480 and blocks[0].timestamp == 0.0
    assert blocks[5].timestamp == pytest.approx(5 * 0.03)
    assert abs(sum(b.samples for b in blocks) - RATE) <= 2
    assert mic.read() is None


def test_file_microphone_bad_file(tmp_path):
    path = tmp_path / "x.wav"
    path.write_text("nope")
    with pytest.raises(BadInputError, match="not a WAV"):
        FileMicrophone(path)


def test_file_speaker_places_audio_at_positions(tmp_path):
    out = tmp_path / "out.wav"
    speaker = FileSpeaker(out)
    a = AudioChunk.from_array(np.full(1600, 1000, dtype=np.int16))
    b = AudioChunk.from_array(np.full(800, -2000, dtype=np.int16))
    assert speaker.play(a, position_seconds=0.5) == pytest.approx(0.6)
    speaker.play(b, position_seconds=2.0)
    speaker.play(b)  # right after the previous sound
    speaker.close()
    x = read_wav(out).array()
    assert len(x) == int(2.1 * RATE)
    assert np.all(x[: 8000] == 0)
    assert np.all(x[8000:9600] == 1000)
    assert np.all(x[9600:32000] == 0)
    assert np.all(x[32000:33600] == -2000)
    assert speaker.last_sound_end == pytest.approx(2.1)


def test_file_speaker_stop_cuts_the_rest(tmp_path):
    speaker = FileSpeaker(tmp_path / "o.wav")
    speaker.play(AudioChunk.from_array(np.full(RATE, 500, dtype=np.int16)), position_seconds=1.0)
    speaker.stop(position_seconds=1.25)
    audio = speaker.audio()
    assert audio.seconds == pytest.approx(1.25)
    assert speaker.last_sound_end == pytest.approx(1.25)


def test_file_speaker_mixes_overlaps(tmp_path):
    speaker = FileSpeaker(tmp_path / "o.wav")
    one = AudioChunk.from_array(np.full(160, 100, dtype=np.int16))
    speaker.play(one, 0.0)
    speaker.play(one, 0.005)
    x = speaker.audio().array()
    assert list(x[[0, 100, 200]]) == [100, 200, 100]


@pytest.mark.parametrize("name", TONES)
def test_tones_are_short_soft_and_click_free(name):
    chunk = tone(name)
    x = chunk.array().astype(float) / 32768
    assert chunk.is_internal and 0.03 < chunk.seconds < 1.0
    assert 0.05 < np.abs(x).max() < 0.5
    assert np.abs(x[:16]).max() < 0.05 and np.abs(x[-16:]).max() < 0.05


def test_tones_differ_and_unknown_is_clear():
    assert tone("listening").audio != tone("release").audio
    with pytest.raises(BadInputError, match="unknown tone"):
        tone("siren")
