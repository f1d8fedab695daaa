"""The one piece of glue between asyncio and Qt (after ``starlette/concurrency.py``).

``Bridge`` is the pipeline's sink: each sink call becomes a Qt signal the
widgets connect to. The pipeline calls it on the asyncio loop's thread, which
under qasync is the GUI thread; the signals are also safe to emit from another
thread (Qt queues them). ``Bridge.run`` starts a coroutine from a Qt slot on
the qasync loop and reports its failure, as a sentence, to the message hub.
Nothing else in ``annotator/ui`` touches asyncio.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal

from annotator.errors import AnnotatorError
from annotator.models import Analysis, Chunk, Mark
from annotator.paths import log_dir
from annotator.sessions.events import Event
from annotator.ui.messages import MessageHub

log = logging.getLogger(__name__)
T = TypeVar("T")


def new_event_loop(app: QCoreApplication, *, already_running: bool = False) -> asyncio.AbstractEventLoop:
    """The qasync loop on ``app``, set as the current loop, with asyncio's async-generator hooks.

    qasync replaces ``run_forever`` and so never installs the hooks that let
    asyncio close an abandoned async generator (an HTTP stream left after its
    last event) on the loop; without them Python closes it synchronously and
    it complains. Blocking work handed to ``asyncio.to_thread`` runs on plain
    Python threads (a ``ThreadPoolExecutor``, joined by ``close_event_loop``).
    ``already_running=True`` marks the loop running on a Qt event loop someone
    else drives (pytest-qt in the tests).
    """
    import qasync

    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app, already_running=already_running)
    # plain Python threads for asyncio.to_thread (qasync's default is QThreads)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="annotator-io")
    loop.set_default_executor(executor)
    executor.submit(_import_http_backend)
    asyncio.set_event_loop(loop)
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook)  # type: ignore[attr-defined]
    return loop


def _import_http_backend() -> None:
    """Import the asyncio backend httpx sends requests through (httpcore, anyio, h11:
    about 100 ms with PySide's import hook) in a worker thread now; httpx imports it
    on the first request, which would run those imports on the GUI thread mid-session."""
    try:
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._async.http11
        import httpcore._backends.anyio  # noqa: F401
    except ImportError:  # a different httpx stack: it imports what it needs itself
        log.debug("httpx backend modules not found to preload", exc_info=True)


def close_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Undo ``new_event_loop`` after the loop has stopped."""
    sys.set_asyncgen_hooks(firstiter=None, finalizer=None)
    if loop.is_running():
        # A loop marked ``already_running`` would call QCoreApplication.exit() in
        # stop(), which leaves the Qt thread's timers dead for the next loop.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    executor = getattr(loop, "_QEventLoop__default_executor", None)
    loop.close()
    if executor is not None:
        executor.shutdown(wait=True)
    asyncio.set_event_loop(None)


class Bridge(QObject):
    """Implements the pipeline's ``Sink`` protocol by emitting Qt signals.

    Signals:
        chunk(Chunk): a transcript line.
        analysis(Analysis): the answer (or the failed attempts) for ``chunk_ids``.
        mark(Mark): a moment the user marked.
        error(AnnotatorError): a sentence for the user; also posted to the hub.
        event(Event): a session event (``sessions.events``: Recording, Stopped,
            ReplayProgress, SessionStarted, ...); slots match on its class.
        level(str, float): input level 0..1 of one source, about 20 times a second.
    """

    chunk = Signal(object)
    analysis = Signal(object)
    mark = Signal(object)
    error = Signal(object)
    event = Signal(object)  # type: ignore[assignment]  # shadows QObject.event()
    level = Signal(str, float)

    def __init__(self, messages: MessageHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messages = messages
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- Sink protocol -------------------------------------------------------
    def on_chunk(self, chunk: Chunk) -> None:
        self.chunk.emit(chunk)

    def on_analysis(self, analysis: Analysis) -> None:
        self.analysis.emit(analysis)

    def on_mark(self, mark: Mark) -> None:
        self.mark.emit(mark)

    def on_error(self, error: AnnotatorError) -> None:
        self._messages.error(str(error))
        self.error.emit(error)

    def on_event(self, event: Event) -> None:
        self.event.emit(event)

    def on_level(self, source: str, level: float) -> None:
        self.level.emit(source, float(level))

    # -- running coroutines from slots ----------------------------------------
    def run(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        what: str,
        on_result: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T]:
        """Start ``coro`` on the running (qasync) loop without waiting for it.

        ``what`` names the action for the message if it fails ("Starting the
        recording"). An ``AnnotatorError`` is shown as its own sentence; any
        other exception as "<what> failed unexpectedly" and logged with its
        traceback. ``on_result`` gets the value on success; ``on_failure`` the
        exception after it was reported. Cancellation is silent.
        """
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[T]) -> None:
            self._tasks.discard(t)
            if t.cancelled():
                return
            err = t.exception()
            if err is None:
                if on_result is not None:
                    on_result(t.result())
                return
            self.report(err, what)
            if on_failure is not None:
                on_failure(err)

        task.add_done_callback(done)
        return task

    def run_blocking(
        self,
        fn: Callable[..., T],
        *args: Any,
        what: str,
        on_result: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T]:
        """``run`` for a blocking call (a keyring read, a file write): ``fn(*args)``
        runs in a worker thread, the callbacks on the GUI thread."""
        return self.run(asyncio.to_thread(fn, *args), what=what, on_result=on_result, on_failure=on_failure)

    def report(self, err: BaseException, what: str) -> None:
        """Show an exception at the message boundary: a sentence, never a traceback."""
        if isinstance(err, AnnotatorError):
            self._messages.error(str(err))
            return
        log.error("%s failed", what, exc_info=(type(err), err, err.__traceback__))
        self._messages.error(
            f"{what} failed unexpectedly ({type(err).__name__}: {err}). "
            f"This is a bug; the details are in the log under {log_dir()}."
        )

    def pending(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        """Cancel every coroutine started by ``run`` (used when the window closes)."""
        for task in list(self._tasks):
            task.cancel()
