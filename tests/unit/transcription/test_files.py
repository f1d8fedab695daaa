"""Audio files to chunks with the real offline model on real speech."""

from __future__ import annotations

from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf
from faster_whisper import WhisperModel

from annotator.errors import InputError
from annotator.transcription.files import transcribe_file
from tests.helpers.whisper import ljspeech_clips, normalise, speech_with_gaps

MAX_WER = 0.15  # tiny.en int8 on LJ Speech: about 0.07 measured


def test_word_error_rate_on_ljspeech(whisper_model: WhisperModel) -> None:
    refs, hyps = [], []
    for path, ref in ljspeech_clips():
        chunks = list(transcribe_file(path, whisper_model))
        assert len(chunks) == 1
        assert 0.0 <= chunks[0].start < chunks[0].end
        refs.append(normalise(ref))
        hyps.append(normalise(" ".join(c.text for c in chunks)))
    assert jiwer.wer(refs, hyps) < MAX_WER, list(zip(refs, hyps))


def test_file_with_pauses_gives_one_chunk_per_utterance(whisper_model: WhisperModel, tmp_path: Path) -> None:
    audio, spans, refs = speech_with_gaps(1.0)
    path = tmp_path / "joined.flac"
    sf.write(path, audio, 16000)
    progress: list[tuple[float, float]] = []
    chunks = list(transcribe_file(path, whisper_model, on_progress=lambda d, t: progress.append((d, t))))
    assert [c.id for c in chunks] == list(range(1, len(spans) + 1))
    for c, (start, end) in zip(chunks, spans):
        assert abs(c.start - start) < 0.6 and abs(c.end - end) < 0.6
    wer = jiwer.wer([normalise(r) for r in refs], [normalise(c.text) for c in chunks])
    assert wer < MAX_WER
    assert progress[-1][0] == pytest.approx(progress[-1][1]) == pytest.approx(len(audio) / 16000)


def test_bad_files_are_input_errors_naming_the_file(whisper_model: WhisperModel, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio")
    silent = tmp_path / "zero.wav"
    sf.write(silent, np.zeros(0, dtype=np.float32), 16000)
    for path in (tmp_path / "missing.wav", empty, text, silent):
        with pytest.raises(InputError, match=path.name):
            list(transcribe_file(path, whisper_model))


def encode_with_pyav(audio: np.ndarray, path: Path, codec: str, fmt: str | None = None) -> None:
    """Write 16 kHz mono audio compressed with ``codec`` (PyAV's bundled FFmpeg)."""
    import av

    pcm = (audio * 32767).astype(np.int16)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=16000)
        stream.layout = "mono"
        for i in range(0, len(pcm), 1024):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + 1024], format="s16", layout="mono")
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize(("name", "codec", "fmt"), [("clip.mp3", "libmp3lame", None), ("clip.m4a", "aac", "ipod")])
def test_compressed_files_transcribe_like_the_wav(
    whisper_model: WhisperModel, tmp_path: Path, name: str, codec: str, fmt: str | None
) -> None:
    from annotator.audio.decode import decode_file

    wav, ref = ljspeech_clips()[3]
    path = tmp_path / name
    encode_with_pyav(decode_file(wav), path, codec, fmt)
    chunks = list(transcribe_file(path, whisper_model))
    assert normalise(" ".join(c.text for c in chunks)) == normalise(ref)


def test_a_file_with_a_change_of_speaker_and_no_pause_gives_a_line_per_speaker(whisper_model: WhisperModel) -> None:
    from annotator.audio.segmenter import Segmenter
    from annotator.speakers.embedding import SpeakerEmbedder
    from annotator.speakers.stage import Speakers
    from annotator.transcription.files import transcribe_samples
    from tests.helpers.conversation import SR, voices

    pool = voices()
    # presenter, then LJ's reader with no pause between them, then (after a pause) the presenter again
    silence = np.zeros(SR, np.float32)
    audio = np.concatenate([silence, pool["presenter"][0], pool["lj"][1], silence, pool["presenter"][1], silence])
    join = 1.0 + len(pool["presenter"][0]) / SR
    speakers = Speakers(SpeakerEmbedder())
    chunks = list(transcribe_samples(audio, whisper_model, segmenter=Segmenter("You"), turns_of=speakers.spans))
    assert len(chunks) == 3, chunks
    texts = [normalise(c.text) for c in chunks]
    assert "welcome" in texts[0] and "printed book" in texts[1], texts
    assert abs(chunks[1].start - join) <= 0.6
    assert chunks[0].speaker == chunks[2].speaker != chunks[1].speaker
    assert speakers.splits == 1
