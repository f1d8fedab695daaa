"""annotator: live interview annotation with local transcription and failover LLM analysis."""

__version__ = "0.1.0"
