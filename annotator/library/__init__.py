"""The session library: every saved session listed and searchable, from an index derived from the journals."""
