"""The transcription model of the session service: loaded in a thread, once, on first need. No Qt."""

from __future__ import annotations

import asyncio
from typing import Any

from annotator.config.schema import TranscriptionConfig
from annotator.errors import AnnotatorError, ModelError
from annotator.sessions.events import ModelLoading, ModelReady
from annotator.sessions.sinks import Sink


class ModelLoader:
    """Loads the whisper model ``name`` (None: the bundled tiny.en) once; "model_loading"
    and "model_ready" tell ``sink``. Concurrent callers share one load; a failed load
    is tried again by the next caller."""

    def __init__(self, name: str | None, transcription: TranscriptionConfig, sink: Sink) -> None:
        self.name = name
        self.transcription = transcription
        self.sink = sink
        self.whisper: Any = None  # the loaded WhisperModel
        self._task: asyncio.Task[Any] | None = None

    @property
    def label(self) -> str:
        return self.name or "tiny.en"

    async def load(self) -> Any:
        if self.whisper is not None:
            return self.whisper
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._load())
        return await asyncio.shield(self._task)

    async def _load(self) -> Any:
        from annotator.transcription.model import load_model

        self.sink.on_event(ModelLoading(self.name or "tiny.en (bundled)"))
        t = self.transcription
        try:
            self.whisper = await asyncio.to_thread(load_model, self.name, t.device, t.compute_type)
        except AnnotatorError:
            self._task = None
            raise
        except Exception as err:  # translated once, here
            self._task = None
            raise ModelError(f"The transcription model {self.label} could not be loaded ({err}).") from err
        self.sink.on_event(ModelReady(self.name or "tiny.en (bundled)"))
        return self.whisper

    def cancel(self) -> None:
        """Quitting: drop a load still running."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
