"""Downloading a faster-whisper model with progress that can be cancelled (Settings > Transcription).

Files come from the Hugging Face hub (``HF_ENDPOINT``, as huggingface_hub reads it, else
https://huggingface.co): the repository's file list (``/api/models/REPO/tree/main``), then each
file the model needs (``/REPO/resolve/main/FILE``), streamed into ``<cache>/<name>.part/`` and
moved to ``<cache>/<name>/`` only once complete, so a cancelled or failed download leaves no
model that looks whole. Runs in a worker thread; ``on_progress(done_bytes, total_bytes)`` is
called from it, and setting ``cancel`` stops it within one block.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from annotator.errors import DownloadCancelled, ModelError
from annotator.transcription.catalog import download_dir, model_info

NEEDED = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*")
DEFAULT_ENDPOINT = "https://huggingface.co"
BLOCK = 1 << 16


def hub_endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def download_model(
    name: str,
    cache_dir: Path,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
    timeout_s: float = 30.0,
) -> Path:
    """Download model ``name`` (a name of ``catalog.MODELS``) into ``cache_dir``; its directory.

    ``ModelError`` with one sentence when it cannot be fetched (offline, not found, disk full),
    ``DownloadCancelled`` when ``cancel`` was set; in both cases nothing is left behind.
    """
    info = model_info(name)
    if info is None:
        raise ModelError(f"Unknown model {name!r}: it is not one of faster-whisper's models.")
    if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
        raise ModelError(
            f"Model {name} is not downloaded and offline mode is on (HF_HUB_OFFLINE); the current model is kept."
        )
    base = (endpoint or hub_endpoint()).rstrip("/")
    final = download_dir(cache_dir, name)
    part = final.with_name(final.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True) as client:
            listing = client.get(f"{base}/api/models/{info.repo}/tree/main")
            listing.raise_for_status()
            files = [
                (str(f["path"]), int(f.get("size") or 0))
                for f in listing.json()
                if f.get("type") == "file" and any(fnmatch.fnmatch(str(f["path"]), p) for p in NEEDED)
            ]
            if not any(path == "model.bin" for path, _ in files):
                raise ModelError(
                    f"Could not download model {name}: {info.repo} has no model.bin; the current model is kept."
                )
            total = sum(size for _, size in files)
            done = 0
            part.mkdir(parents=True, exist_ok=True)
            for path, _size in files:
                with client.stream("GET", f"{base}/{info.repo}/resolve/main/{path}") as reply:
                    reply.raise_for_status()
                    with open(part / path, "wb") as out:
                        for block in reply.iter_bytes(BLOCK):
                            if cancel is not None and cancel.is_set():
                                raise DownloadCancelled(
                                    f"The download of {name} was cancelled; the current model is kept."
                                )
                            out.write(block)
                            done += len(block)
                            if on_progress is not None:
                                on_progress(done, max(total, done))
        shutil.rmtree(final, ignore_errors=True)
        part.rename(final)
        return final
    except ModelError:
        shutil.rmtree(part, ignore_errors=True)
        raise
    except httpx.HTTPStatusError as err:
        shutil.rmtree(part, ignore_errors=True)
        raise ModelError(
            f"Could not download model {name}: {base} answered HTTP {err.response.status_code}; "
            "the current model is kept."
        ) from err
    except (httpx.HTTPError, OSError, ValueError, KeyError, TypeError) as err:
        shutil.rmtree(part, ignore_errors=True)
        raise ModelError(
            f"Could not download model {name} ({type(err).__name__}: {err}): are you online? The current model is kept."
        ) from err
