"""The library page: listing, search, open at a line, rename, repair and delete, through the real index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.app import App, compose
from annotator.config.schema import Config
from annotator.journal.reader import read_journal
from annotator.library.feed import IndexFeed
from annotator.library.index import LibraryIndex
from annotator.library.search import Hit
from annotator.library.summary import SessionSummary
from annotator.ui.library_view import TITLE_COLUMN, LibraryView
from tests.helpers.trash import private_trash
from tests.unit.library.helpers import write_session

T0 = 1_764_087_603.0


def summary(sid: str, title: str = "", *, unclean: bool = False) -> SessionSummary:
    return SessionSummary(
        id=sid,
        path=f"/s/{sid}.jsonl",
        created=f"{sid}T10:00:00+00:00",
        duration=3725.0,
        title=title,
        default_title="first line",
        speakers=("Ada", "Bob"),
        flags=2,
        review="reviewed",
        cost_usd=0.0123,
        end_reason=None if unclean else "closed",
        chunks=3,
    )


def test_the_view_lists_sessions_and_reports_intents(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = LibraryView()
    qtbot.addWidget(view)
    view.show_sessions([summary("2026-02-01", "Ada interview"), summary("2026-01-01", unclean=True)])
    model = view.model
    assert model.rowCount() == 2
    assert model.index(0, TITLE_COLUMN).data() == "Ada interview"
    assert model.index(1, TITLE_COLUMN).data() == "first line"
    assert model.index(0, 1).data() == "1:02:05" and model.index(0, 4).data() == "2"
    assert model.index(1, 7).data() == "did not close cleanly"
    assert not view.buttons["open"].isEnabled()
    view.table.selectRow(1)
    assert view.buttons["repair"].isEnabled()
    view.table.selectRow(0)
    assert not view.buttons["repair"].isEnabled()
    with qtbot.waitSignal(view.act_requested) as got:
        view.buttons["delete"].click()
    assert got.args == ["delete", "/s/2026-02-01.jsonl"]
    with qtbot.waitSignal(view.rename_requested) as got:
        model.setData(model.index(1, TITLE_COLUMN), "  Bob, second round ")
    assert got.args == ["/s/2026-01-01.jsonl", "Bob, second round"]


def test_hits_show_as_plain_lines_and_open_at_their_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = LibraryView()
    qtbot.addWidget(view)
    view.search.setText("kube")
    hit = Hit(
        "s1",
        "/s/s1.jsonl",
        "Ada & Bob",
        "",
        "line",
        75.0,
        "Ada",
        4,
        "I ran <b>Kubernetes</b>",
        "I ran [<b>Kubernetes</b>]",
    )
    view.show_hits("kube", [hit])
    assert view.pages.currentWidget() is view.hits
    item = view.hits.item(0)
    assert item.text() == "Ada & Bob · 01:15 · Ada: I ran [<b>Kubernetes</b>]"  # shown as typed, never as HTML
    with qtbot.waitSignal(view.open_requested) as got:
        view.hits.itemActivated.emit(item)
    assert got.args == ["/s/s1.jsonl", 4]
    view.show_hits("older query", [])  # a late answer to an earlier query is dropped
    assert view.hits.count() == 1


@pytest.fixture
def library_app(qtbot, aio_loop, hub, bridge, window, sessions_dir: Path, tmp_path: Path) -> Iterator[App]:  # type: ignore[no-untyped-def]
    sessions_dir.mkdir(parents=True)
    write_session(sessions_dir, [("Ada", "I led the Kubernetes migration"), ("Bob", "How long did it take?")], when=T0)
    write_session(sessions_dir, [("You", "Tell me about your last role")], when=T0 + 86_400, close=False)
    feed = IndexFeed(lambda: LibraryIndex.open(tmp_path / "library.sqlite3", sessions_dir))
    app = compose(Config(), bridge, hub, window, sessions_dir=sessions_dir, library=feed)
    assert app.library is not None
    app.library.show_library()
    yield app
    bridge.cancel_all()
    qtbot.waitUntil(lambda: bridge.pending() == 0, timeout=10000)
    feed.close()


def test_the_library_is_the_start_page_and_lists_the_sessions(qtbot, library_app: App) -> None:  # type: ignore[no-untyped-def]
    lib = library_app.library
    assert lib is not None
    assert lib.pages.currentWidget() is lib.view
    qtbot.waitUntil(lambda: lib.view.model.rowCount() == 2, timeout=10000)
    newest, oldest = lib.view.model.sessions
    assert newest.unclean and oldest.shown_title == "Ada & Bob"
    assert lib.action is not None and lib.action.shortcut().toString() == "Ctrl+L"
    lib.action.trigger()
    assert lib.pages.currentIndex() == 1
    lib.action.trigger()
    assert lib.pages.currentWidget() is lib.view
    library_app.controller.open(newest.path)  # as start-up reopens a repaired session: the session page shows
    qtbot.waitUntil(lambda: lib.pages.currentIndex() == 1, timeout=10000)


def test_a_search_result_opens_the_session_at_its_line(qtbot, library_app: App) -> None:  # type: ignore[no-untyped-def]
    lib = library_app.library
    assert lib is not None
    qtbot.waitUntil(lambda: lib.view.model.rowCount() == 2, timeout=10000)
    lib.view.search.setText("how long")
    qtbot.waitUntil(lambda: lib.view.hits.count() == 2, timeout=10000)  # the line, and the flag quoting it
    items = [lib.view.hits.item(i) for i in range(2)]
    (line,) = [item for item in items if "Bob: [How] [long]" in item.text()]
    lib.view.hits.itemActivated.emit(line)
    window = library_app.window
    qtbot.waitUntil(lambda: window.transcript.selectionModel().selectedRows() != [], timeout=10000)
    assert lib.pages.currentIndex() == 1
    (row,) = window.transcript.selectionModel().selectedRows()
    assert "How long did it take?" in [row.siblingAtColumn(c).data() for c in range(4)]


def test_rename_repair_and_delete_from_the_library(
    qtbot, library_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    trash = private_trash(monkeypatch, tmp_path / "xdg")
    lib = library_app.library
    assert lib is not None
    model = lib.view.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10000)
    model.setData(model.index(1, TITLE_COLUMN), "Ada, platform lead")
    qtbot.waitUntil(lambda: model.sessions[1].title == "Ada, platform lead", timeout=10000)
    assert read_journal(Path(model.sessions[1].path)).title == "Ada, platform lead"

    unclean = Path(model.sessions[0].path)
    lib.view.table.selectRow(0)
    lib.view.buttons["repair"].click()
    qtbot.waitUntil(lambda: not model.sessions[0].unclean, timeout=10000)
    assert read_journal(unclean).end_reason == "recovered"

    lib.view.table.selectRow(0)
    lib.view.buttons["delete"].click()  # the test window's confirm says yes
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10000)
    assert not unclean.exists()
    assert (trash / unclean.name).exists()
    assert model.index(0, TITLE_COLUMN).data(Qt.ItemDataRole.DisplayRole) == "Ada, platform lead"


def test_a_session_is_one_line_with_its_whole_date(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = LibraryView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show_sessions([summary("2026-02-01", "Ada interview"), summary("2026-01-01", unclean=True)])
    metrics = view.table.fontMetrics()
    assert not view.table.wordWrap()
    assert view.table.columnWidth(0) > metrics.horizontalAdvance("2026-02-01 10:00")
    assert view.table.columnWidth(7) > metrics.horizontalAdvance("did not close cleanly")
