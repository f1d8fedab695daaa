"""Audio in: input devices, capture from them (or from a file), decoding files, voice-activity segmentation, recording."""

SAMPLE_RATE = 16_000
"""The one rate of every sample after capture (mono float32): what Silero VAD and Whisper
take, what recordings are saved at and what decoding resamples files to."""
