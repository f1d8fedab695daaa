"""The command line's settings for a run: applied over the file's, giving way to a change made in Settings."""

from __future__ import annotations

from dataclasses import replace

from annotator.config.overrides import Overrides
from annotator.config.schema import Config, TranscriptionConfig


def test_applied_over_the_file_and_given_up_only_where_the_user_changed_that_setting() -> None:
    file = Config(transcription=TranscriptionConfig(model="tiny.en", vocabulary=("Globex", "ada")))
    overrides = Overrides(model="small.en", speakers=2, vocabulary=("Ada", "Kubernetes"))
    run = overrides.apply(file).transcription
    assert (run.model, run.speakers, run.vocabulary) == ("small.en", 2, ("Globex", "ada", "Kubernetes"))
    assert Overrides().apply(file) is file

    deadline_only = replace(file, analysis=replace(file.analysis, deadline_s=30))
    assert overrides.after_edit(file, deadline_only) == overrides
    model_changed = replace(file, transcription=replace(file.transcription, model="base.en"))
    kept = overrides.after_edit(file, model_changed)
    assert (kept.model, kept.speakers, kept.vocabulary) == (None, 2, ("Ada", "Kubernetes"))
    assert kept.apply(model_changed).transcription.model == "base.en"
