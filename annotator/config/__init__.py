"""Settings: the schema (``schema``), what makes them valid (``validation``), the
TOML file round trip (``file``) and provider keys (``keys``). Import the module
you need; this package re-exports nothing.
"""
