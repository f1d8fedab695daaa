"""Keeping the library's index up to date off the caller's thread: one worker, a queue of updates.

``IndexFeed.put`` never blocks (the session's sink calls it on the Qt
thread as each line is transcribed); the worker thread opens the index on
first use and applies the updates in order. What has queued up by the time
the worker takes the next update is applied with it in one transaction (one
commit; up to ``BATCH_MAX``), each update in its own savepoint, so one that
fails is undone alone. When nothing has come for ``IDLE_S`` the worker merges
the index's FTS5 segments and folds its WAL back into its file
(``LibraryIndex.tidy``): that cost falls between lines, never on one (and, should updates never pause, after
``CHECKPOINT_AFTER`` transactions, so the WAL stays bounded). ``call`` runs a query in the calling
thread (the window calls it through ``asyncio.to_thread``). A
``LibraryError`` (a second annotator holding the database, a full disk)
goes to ``on_error`` as its sentence, and the updates of that transaction
are lost to the index only: the journals hold them and the next refresh
re-reads those sessions. Other failures are logged. Nothing here ever
writes a journal.

    feed = IndexFeed(LibraryIndex.open)
    feed.put(lambda index: add_chunk(index, journal, chunk))
    hits = await asyncio.to_thread(feed.call, lambda index: search(index, "kubernetes"))
    feed.close()
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

from annotator.errors import AnnotatorError, LibraryError
from annotator.library.index import LibraryIndex

log = logging.getLogger(__name__)

T = TypeVar("T")
Update = Callable[[LibraryIndex], object]

BATCH_MAX = 256  # updates in one transaction
IDLE_S = 1.0  # no update for this long: tidy up (merge, checkpoint)
CHECKPOINT_AFTER = 1000  # transactions without a pause: tidy up anyway (bounds the WAL)


class IndexFeed:
    """Applies index updates on its own thread (see the module docstring)."""

    def __init__(
        self, opener: Callable[[], LibraryIndex], on_error: Callable[[AnnotatorError], None] | None = None
    ) -> None:
        self._opener = opener
        self.on_error = on_error
        self._index: LibraryIndex | None = None
        self._open_lock = threading.Lock()
        self._queue: queue.SimpleQueue[Update | None] = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._pending = 0
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="library-index", daemon=True)
        self._thread.start()

    def index(self) -> LibraryIndex:
        """The index, opened (and healed) on first use; blocks: not on the Qt thread."""
        with self._open_lock:
            if self._index is None:
                self._index = self._opener()
            return self._index

    def call(self, query: Callable[[LibraryIndex], T]) -> T:
        """Run ``query`` against the index in the calling thread (a worker thread, never the Qt thread)."""
        return query(self.index())

    def put(self, update: Update) -> None:
        """Queue an update; returns at once."""
        if self._closed:
            return
        with self._idle:
            self._pending += 1
        self._queue.put(update)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every update queued so far is applied (tests, shutdown); True if it was."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Apply what is queued (bounded by ``timeout``), then close the index."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)
        with self._open_lock:
            if self._index is not None:
                self._index.close()

    def _loop(self) -> None:
        written = 0  # transactions since the last tidy-up
        while True:
            try:
                first = self._queue.get(timeout=IDLE_S if written else None)
            except queue.Empty:
                self._tidy()
                written = 0
                continue
            batch: list[Update] = []
            update: Update | None = first
            while update is not None:
                batch.append(update)
                if len(batch) >= BATCH_MAX:
                    break
                try:
                    update = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._apply(batch)
                written += 1
            if written >= CHECKPOINT_AFTER:
                self._tidy()
                written = 0
            if update is None:  # closing
                return

    def _apply(self, batch: list[Update]) -> None:
        """The updates in one transaction, each in a savepoint (see the module docstring)."""
        try:
            index = self.index()
            with index.transaction():
                for update in batch:
                    try:
                        with index.step():
                            update(index)
                    except LibraryError:
                        raise
                    except AnnotatorError as err:
                        log.warning("library index update failed: %s", err)
                    except Exception:
                        log.exception("library index update failed")
        except LibraryError as err:
            if self.on_error is not None:
                with contextlib.suppress(Exception):
                    self.on_error(err)
        except Exception:
            log.exception("library index update failed")
        finally:
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _tidy(self) -> None:
        with self._open_lock:
            index = self._index
        if index is not None:
            index.tidy()
