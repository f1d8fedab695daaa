"""The config file: read it, and write it back as the user wrote it.

``load_config(None)`` reads the user's config file, or gives the defaults
(including ``DEFAULT_PROVIDERS``) when that file does not exist. Every problem
raises ``ConfigError`` naming the file, the provider and the key (the TOML
parser names the line). ``save_config`` rewrites only the values that changed
(tomlkit keeps comments, order and blank lines). Keys never live in the file
(see ``annotator.config.keys``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.container

from annotator import paths
from annotator.config.schema import POST_PROVIDER_DEFAULTS, Config, ProviderConfig
from annotator.config.validation import parse_config
from annotator.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def load_config(path: Path | None = None) -> Config:
    """Read the config file; ``None`` means the user's default file.

    A missing default file gives the built-in defaults; a missing file that was
    named explicitly is an error. Raises ``ConfigError`` naming file, provider
    and key.
    """
    explicit = path is not None
    path = Path(path) if path is not None else paths.default_config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return Config()
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config file: {err}") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_config(data, path)


HEADER = "annotator settings. Keys are read from environment variables or the OS keyring, never from here."


def _toml(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _set_key(table: Any, key: str, value: Any) -> None:
    """Set ``key`` in a tomlkit table: in place when it is there (its comment
    stays), else right after the table's last key, before any comment or blank
    line that ends the table."""
    if key in table:
        table[key] = value
        return
    keys = list(table.keys())
    container = getattr(table, "value", None)
    if keys and isinstance(container, tomlkit.container.Container):
        container._insert_after(keys[-1], key, tomlkit.item(value))  # tomlkit's own "add after", private
    else:
        table[key] = value


def _write_fields(table: Any, new: Any, before: Any, skip: tuple[str, ...] = ()) -> None:
    """Write into ``table`` each field of ``new`` whose value differs from
    ``before`` (what the table says now, defaults included); the rest of the
    table is left exactly as the user wrote it."""
    for f in fields(new):
        if f.name in skip or f.name == "path":
            continue
        value = getattr(new, f.name)
        if value == getattr(before, f.name):
            continue
        if value is None:
            if f.default is None:
                table.pop(f.name, None)  # absent = the default None
            else:
                _set_key(table, f.name, "")  # None where the default is not None: "" (e.g. language = "" -> detect)
        else:
            _set_key(table, f.name, _toml(value))


def _write_providers(
    container: Any,
    new: tuple[ProviderConfig, ...] | None,
    before: tuple[ProviderConfig, ...] | None,
    defaults: Mapping[str, Any],
) -> None:
    """Bring ``container["providers"]`` to ``new``. Each provider keeps its own
    table (comments and all), found by name (a renamed one: the next table no
    new name claims); only changed values are written. A new provider's table
    has the four required keys and whatever differs from ``defaults``."""
    if new == before:
        return
    if new is None:
        container.pop("providers", None)
        return
    if not new:
        container["providers"] = tomlkit.array()
        return
    raw = container.get("providers")
    tables = list(raw) if isinstance(raw, list) and all(isinstance(t, dict) for t in raw) else []
    pairs = list(zip(tables, before or ())) if len(tables) == len(before or ()) else []
    if [p.name for _t, p in pairs] == [p.name for p in new]:  # same providers in the same order: edit in place
        for (table, old), p in zip(pairs, new):
            _write_fields(table, p, old)
        return
    by_name = {old.name: (table, old) for table, old in pairs}
    unclaimed = [(table, old) for table, old in pairs if old.name not in {p.name for p in new}]
    aot = tomlkit.aot()
    for p in new:
        if p.name in by_name:
            table, old = by_name[p.name]
        elif unclaimed:
            table, old = unclaimed.pop(0)
        else:
            table = tomlkit.table()
            for key in ("name", "kind", "base_url", "model"):
                table[key] = getattr(p, key)
            old = replace(ProviderConfig(p.name, p.kind, p.base_url, p.model), **defaults)
        _write_fields(table, p, old)
        aot.append(table)
    container["providers"] = aot


def _section(doc: Any, name: str) -> Any:
    """``doc[name]``, created (as a ``[name]`` table) when the file has none."""
    if name not in doc:
        doc[name] = tomlkit.table()
    return doc[name]


def dumps_config(config: Config, original: str | None = None) -> str:
    """The config as TOML text (no keys: they never live in the file).

    With ``original`` (the text of the file it replaces, which must load), the
    user's file comes back as it was (comments, order, blank lines, keys the
    settings do not show) with only the values that changed rewritten. Without
    it, a new file holds only what differs from the built-in defaults."""
    if original is None:
        doc = tomlkit.document()
        doc.add(tomlkit.comment(HEADER))
        doc.add(tomlkit.nl())
        before = Config()
    else:
        doc = tomlkit.parse(original)
        before = parse_config(doc.unwrap(), config.path or Path("config.toml"))
    for name in ("analysis", "transcription", "audio"):
        new, old = getattr(config, name), getattr(before, name)
        if new != old:
            _write_fields(_section(doc, name), new, old)
    _write_providers(doc, config.providers, before.providers, {})
    if config.post != before.post:
        post = _section(doc, "post")
        _write_fields(post, config.post, before.post, skip=("providers",))
        _write_providers(post, config.post.providers, before.post.providers, POST_PROVIDER_DEFAULTS)
    return tomlkit.dumps(doc)


def refuse_to_replace_broken(path: Path) -> None:
    """``ConfigError`` when ``path`` holds a config file that does not load: the user's
    own text (a typo away from working) must not be replaced by what the window
    fell back to."""
    if not path.exists():
        return
    try:
        load_config(path)
    except ConfigError as err:
        raise ConfigError(f"{path} was left as it is, because it has an error to fix first ({err})") from err


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write ``config`` as TOML (atomically: temp file, then rename).

    An existing file keeps everything the user wrote; only changed values are
    rewritten (see ``dumps_config``)."""
    path = Path(path) if path is not None else (config.path or paths.default_config_path())
    refuse_to_replace_broken(path)
    try:
        original = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config file: {err}") from err
    text = dumps_config(replace(config, path=path), original)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        raise ConfigError(f"{path}: cannot write config file: {err}") from err
    return path
