"""Audio in: input devices, capture from them (or from a file), decoding files, voice-activity segmentation, recording."""
