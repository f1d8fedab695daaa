"""The transcript pane's provisional rows: grey, plain text, updated in place, replaced by the line."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.models import Chunk
from annotator.ui.transcript_view import COL_TEXT, PARTIAL_COLOR, TranscriptModel, TranscriptView


def test_a_partial_row_is_grey_grows_in_place_and_is_replaced_by_the_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = TranscriptModel()
    view = TranscriptView(model)
    qtbot.addWidget(view)
    model.add_chunk(Chunk(1, "You", 0.0, 2.0, "Good morning."))
    with qtbot.waitSignal(model.rowsInserted):
        model.set_partial("Them", 2.5, "<b>And so</b>")
    assert model.rowCount() == 2
    idx = model.index(1, COL_TEXT)
    assert idx.data() == "<b>And so</b>"  # plain text, shown as said
    assert idx.data(Qt.ItemDataRole.ForegroundRole).color().name() == PARTIAL_COLOR
    assert idx.data(Qt.ItemDataRole.UserRole) is None and model.row_at(1).partial
    with qtbot.waitSignal(model.dataChanged):
        model.set_partial("Them", 2.5, "And so my fellow Americans")
    assert model.rowCount() == 2 and model.partial_text("Them") == "And so my fellow Americans"
    model.set_partial("You", 3.0, "Yes")  # a second source talking gets its own row
    assert model.rowCount() == 3
    model.add_chunk(Chunk(2, "Them", 2.5, 6.0, "And so, my fellow Americans, ask not."))
    assert model.rowCount() == 3 and model.partial_text("Them") is None
    assert [model.row_at(r).chunk.id for r in range(3)] == [1, 2, -1]  # the line, then what is still said
    assert model.index(1, COL_TEXT).data(Qt.ItemDataRole.ForegroundRole) != model.index(2, COL_TEXT).data(
        Qt.ItemDataRole.ForegroundRole
    )
    view.selectAll()
    assert view.selected_chunk_ids() == [1, 2]  # a provisional row is never a selected line
    model.clear_partials()
    assert model.rowCount() == 2 and set(model.chunks()) == {1, 2}


def test_fragments_of_one_sentence_share_a_row_and_each_chunk_finds_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = TranscriptModel()
    view = TranscriptView(model)
    qtbot.addWidget(view)
    model.add_chunk(Chunk(1, "Them", 0.0, 2.5, "And so my fellow Americans."))
    model.add_chunk(Chunk(2, "Them", 3.0, 4.6, "Ask not"))
    with qtbot.waitSignal(model.dataChanged):  # the sentence goes on: the row grows, no new row
        model.add_chunk(Chunk(3, "Them", 5.1, 7.9, "What your country can do for you."))
    model.add_chunk(Chunk(4, "Them", 7.9, 10.8, "ask what you can do for your country"))
    model.add_chunk(Chunk(5, "You", 11.0, 12.0, "thank you"))  # another source: its own row
    assert model.rowCount() == 3
    assert (
        model.index(1, COL_TEXT).data()
        == "Ask not what your country can do for you, ask what you can do for your country"
    )
    assert [model.row_of(i) for i in (1, 2, 3, 4, 5)] == [0, 1, 1, 1, 2]
    assert model.chunks()[3].text == "What your country can do for you."  # the chunks stay as transcribed
    assert view.select_chunks([3]) == [3]
    assert view.selected_chunk_ids() == [2, 3, 4]  # the row selected holds these lines' chunks


def test_a_late_line_leaves_the_partial_text_of_the_next_utterance(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = TranscriptModel()
    view = TranscriptView(model)
    qtbot.addWidget(view)
    model.set_partial("Them", 6.5, "and then")  # the next utterance is already being said
    model.add_chunk(Chunk(1, "Them", 1.0, 6.0, "That went well."))  # the line before it, labelled late
    assert model.rowCount() == 2 and model.partial_text("Them") == "and then"


def test_a_partial_row_shows_its_speaker_when_known_under_its_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    from annotator.ui.transcript_view import COL_SPEAKER

    model = TranscriptModel()
    view = TranscriptView(model)
    qtbot.addWidget(view)
    model.add_chunk(Chunk(1, "You", 0.0, 2.0, "Good morning.", "S1"))
    model.name_speaker("S1", "Candidate")
    model.set_partial("You", 2.5, "And so")  # not known yet: the input, as before
    assert model.index(1, COL_SPEAKER).data() == "You"
    with qtbot.waitSignal(model.dataChanged):
        model.set_partial("You", 2.5, "And so my", "S1")
    assert model.index(1, COL_SPEAKER).data() == "Candidate"
    model.set_partial("You", 2.5, "And so my fellow", "S2")  # a voice with no name yet: its id
    assert model.index(1, COL_SPEAKER).data() == "S2"
