from tests.helpers.whisper import whisper_model  # noqa: F401  (session fixture)
