"""What the command line sets for one run of the window: ``--model``, ``--speakers``, ``--vocabulary``.

They apply over the config file's settings for the whole run, and again over
every config that Settings saves, so saving in the window does not lose them;
they are never written to the file (Settings is shown the file's own settings).
One the user changes in Settings gives way to that choice:

    overrides = Overrides(model="small.en", speakers=3)
    run_config = overrides.apply(file_config)                    # what sessions use
    overrides = overrides.after_edit(file_config, saved_config)  # Settings saved
    run_config = overrides.apply(saved_config)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from annotator.config.schema import Config


@dataclass(frozen=True)
class Overrides:
    """The command line's settings for this run; None / () where it set none."""

    model: str | None = None
    speakers: int | None = None
    vocabulary: tuple[str, ...] = ()

    def apply(self, config: Config) -> Config:
        """``config`` as this run uses it: the model and speaker count replaced, the terms added."""
        t = config.transcription
        if self.model is not None:
            t = replace(t, model=self.model)
        if self.speakers is not None:
            t = replace(t, speakers=self.speakers)
        if self.vocabulary:
            seen = {term.casefold() for term in t.vocabulary}
            added = tuple(term for term in self.vocabulary if term.casefold() not in seen)
            t = replace(t, vocabulary=t.vocabulary + added)
        return config if t == config.transcription else replace(config, transcription=t)

    def after_edit(self, before: Config, after: Config) -> Overrides:
        """The overrides still in force once Settings changed the file's config from ``before`` to
        ``after``: a setting the user changed there is their newer choice, and wins."""
        b, a = before.transcription, after.transcription
        return replace(
            self,
            model=self.model if a.model == b.model else None,
            speakers=self.speakers if a.speakers == b.speakers else None,
            vocabulary=self.vocabulary if a.vocabulary == b.vocabulary else (),
        )
