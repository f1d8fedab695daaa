"""Speaker separation: who said each utterance, as a stable id within the session (``S1``, ``S2``, ...).

- ``embedding``: ``SpeakerEmbedder``, a 256-d d-vector of an utterance (bundled ONNX model, numpy features).
- ``changes``: ``find_changes``, where the speaker changes inside one utterance with no pause.
- ``clustering``: ``SpeakerClusters``, online clustering of those vectors per source into ids.
- ``stage``: ``Speakers`` (embed + cluster, in order), ``SpeakerModel`` (the model, loaded once per
  process) and ``SpeakerStage``, the thread beside the
  transcriber that labels the live path's chunks without holding their text back.

The names a user gives the ids are ``models.SpeakerName`` values, journaled as ``speaker`` records
and applied to chunks as ``Chunk.speaker_name`` (``journal.reader``, ``sessions.pipeline``).
"""
