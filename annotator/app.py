"""The composition root: builds everything the window needs, in one explicit order.

    run_window(config_path, model, replay=None, speed=1.0) -> exit status

1. logging and standard streams
2. the QApplication and the qasync event loop (asyncio runs on the Qt thread)
3. the config (a broken file: the built-in settings, and the message strip says what is wrong)
4. the message hub, the bridge (the pipeline's sink), the window (``build_window``)
5. ``sessions.service.Sessions``: per session an analyser, a journal, inputs and a pipeline
6. the controller that carries out the window's intents

Steps 5 and 6 are ``compose``, which the window tests build their app with too.
On close, the bridge's tasks are cancelled and their callbacks run before the
window goes, so nothing finishing in a thread calls into a closed window.
7. the window is shown; then, on the loop: the model loads in the background,
   a first run without a provider key is told how to add one, unfinished
   sessions are offered back (and shown at once, as saved), and a file given
   on the command line replays.

``Sessions`` (``annotator/sessions/service.py``, no Qt) is the session backend, shared
with ``annotator listen``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from annotator import paths
from annotator.analysis.analyzer import check_provider
from annotator.audio.playback import LinePlayer
from annotator.config.file import load_config
from annotator.config.keys import key_status
from annotator.config.overrides import Overrides
from annotator.config.schema import Config, ProviderConfig
from annotator.errors import AnnotatorError, ConfigError
from annotator.library.feed import IndexFeed
from annotator.library.index import LibraryIndex
from annotator.library.refresh import index_journal
from annotator.models import Attempt
from annotator.sessions.events import Event, SessionClosed
from annotator.sessions.pipeline import AnalysisQueueLimits
from annotator.sessions.service import Sessions

if TYPE_CHECKING:  # Qt is imported only once the window is asked for (the CLI never loads it)
    from annotator.ui.bridge import Bridge
    from annotator.ui.dialogs import Confirm
    from annotator.ui.library_controller import LibraryController
    from annotator.ui.main_window import MainWindow
    from annotator.ui.messages import MessageHub
    from annotator.ui.session_controller import SessionController

log = logging.getLogger(__name__)


async def check_with_key(provider: ProviderConfig, key: str | None) -> Attempt:
    """The settings dialog's Test: the key typed there, else the stored one (looked up in a
    thread: an OS keyring can take a while to answer), then ``check_provider``."""
    status = await asyncio.to_thread(key_status, provider, None if key is None else {provider.name: key})
    return await check_provider(provider, status=status)


def default_keyring() -> Any:
    """The OS keyring module, or None where no backend is usable."""
    try:
        import keyring
        from keyring.backends import fail

        return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring
    except Exception:  # noqa: BLE001 - no keyring means "enter keys via environment"
        return None


def run_window(
    config_path: str | None,
    model: str | None,
    replay: str | None = None,
    speed: float = 1.0,
    vocabulary: tuple[str, ...] = (),
    speakers: int | None = None,
) -> int:
    """Open the window (live, or replaying ``replay``) and run until it closes."""
    from annotator.logs import ensure_std_streams, setup_logging

    ensure_std_streams()
    setup_logging()
    config, config_problem = load_window_config(config_path)
    overrides = Overrides(model=model, speakers=speakers, vocabulary=vocabulary)
    check_display(os.environ, sys.platform)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from annotator.ui.bridge import Bridge, close_event_loop, new_event_loop
    from annotator.ui.collector import GuiThreadCollector
    from annotator.ui.messages import MessageHub

    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("annotator")
    app.setDesktopFileName("annotator")  # matches resources/annotator.desktop (icon, WM class)
    app.setQuitOnLastWindowClosed(False)
    style = paths.resource("style.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    icon = paths.resource("icons/annotator.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    loop = new_event_loop(app)
    collector = GuiThreadCollector(app)  # Qt objects are never freed from a worker thread
    collector.start()

    messages = MessageHub()
    bridge = Bridge(messages)
    window = build_window(messages, bridge)

    def library_failed(err: AnnotatorError) -> None:  # from the index's thread: the sentence goes to the loop
        loop.call_soon_threadsafe(bridge.on_error, err)

    library = IndexFeed(LibraryIndex.open, on_error=library_failed)  # its own thread: the window never waits
    built = compose(
        config,
        bridge,
        messages,
        window,
        overrides=overrides,
        keyring_backend=default_keyring(),
        library=library,
    )
    sessions, controller = built.sessions, built.controller
    if built.library is not None and replay is None:
        built.library.show_library()  # the start page
    window.set_speed(speed)
    closed = loop.create_future()

    def close_loop() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(close_loop)
    bridge.event.connect(_tell_terminal)
    previous_hook = sys.excepthook
    sys.excepthook = lambda kind, err, tb: bridge.report(err, "Something in the window")  # the outermost catch-all
    for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C or a kill: stop the session cleanly, then quit
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, controller.stop_and_close)

    async def main() -> None:
        await start_up(window, bridge, sessions, controller, messages, config_problem=config_problem, replay=replay)
        await closed
        await sessions.shutdown()
        bridge.cancel_all()  # a listing still in its thread must not call into the closed window

    def drain() -> None:  # the cancelled tasks' callbacks run (silently) before the window goes
        for _ in range(1000):  # bounded: a task that ignores its cancellation cannot hang the exit
            if not bridge.pending():
                return
            loop.run_until_complete(asyncio.sleep(0.01))

    try:
        loop.run_until_complete(main())
        drain()
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        library.close()
        sys.excepthook = previous_hook
        close_event_loop(loop)
        collector.stop()
    return 0


@dataclass
class App:
    """What ``compose`` builds: the window, the session service, the controller, the bridge."""

    window: MainWindow
    sessions: Sessions
    controller: SessionController
    bridge: Bridge
    library: LibraryController | None = None


def build_window(messages: MessageHub, bridge: Bridge, *, confirm: Confirm | None = None) -> MainWindow:
    """The main window, rendering everything ``bridge`` delivers (``confirm``: how it asks yes/no)."""
    from annotator.ui.main_window import MainWindow

    window = MainWindow(messages, confirm=confirm)
    window.attach(bridge)
    return window


def compose(
    config: Config,
    bridge: Bridge,
    messages: MessageHub,
    window: MainWindow,
    *,
    overrides: Overrides | None = None,
    sessions_dir: Path | None = None,
    limits: AnalysisQueueLimits | None = None,
    stop_timeout_s: float = 30.0,
    keyring_backend: Any = None,
    library: IndexFeed | None = None,
    line_player: LinePlayer | None = None,
) -> App:
    """Wire the session service and the controller to a window built by ``build_window``
    (steps 5 and 6 above); the app and the window tests both build through here.
    ``config`` is the file's; ``overrides`` (the command line's) apply over it for the
    whole run, Settings saves included, and are never saved (``config.overrides``)."""
    from annotator.speakers.stage import SpeakerModel
    from annotator.ui.session_controller import SessionController
    from annotator.ui.settings_dialog import SettingsDialog

    file_config, run_overrides = config, overrides or Overrides()
    sessions = Sessions(
        run_overrides.apply(file_config),
        bridge,
        speaker_model=SpeakerModel(),  # loaded at the first session that separates speakers, kept for the next
        sessions_dir=sessions_dir,
        limits=limits if limits is not None else AnalysisQueueLimits(),
        stop_timeout_s=stop_timeout_s,
        library=library,
    )

    def open_settings() -> None:
        devices = window.devices()
        dialog = SettingsDialog(
            file_config,  # the file's own settings: what Save writes holds no command-line option
            keyring_backend=keyring_backend,
            bridge=bridge,
            checker=check_with_key,
            devices=devices,
            parent=window,
        )

        def saved(cfg: Config) -> None:
            nonlocal file_config, run_overrides
            run_overrides = run_overrides.after_edit(file_config, cfg)
            file_config = cfg
            sessions.set_config(run_overrides.apply(cfg))
            window.set_devices(devices, cfg.audio.devices)
            bridge.run(
                sessions.check_keys(), what="Checking the provider keys"
            )  # the new states are pushed to the window
            messages.info(f"Settings saved to {cfg.path}; they apply from the next session.")

        dialog.saved.connect(saved)
        dialog.open()

    controller = SessionController(window, bridge, sessions, messages, open_settings=open_settings, parent=window)
    from annotator.ui.correction import Corrections
    from annotator.ui.line_audio import LineAudio

    shelf = None
    if library is not None:
        from annotator.ui.library_controller import install_library

        shelf = install_library(window, library, bridge, messages)
    feed = library
    Corrections(
        window,
        sessions,
        bridge,
        messages,
        on_saved=None if feed is None else lambda path: feed.put(lambda index: index_journal(index, path)),
    )
    LineAudio(window, bridge, messages, player=line_player)
    return App(window, sessions, controller, bridge, shelf)


def load_window_config(config_path: str | None) -> tuple[Config, ConfigError | None]:
    """The window's settings, and the problem with the file if it could not be used.

    A broken file does not stop the window (launched from a desktop menu there
    is no terminal to print to): it runs on the built-in settings and the
    message strip says what is wrong. ``path`` stays the broken file's, so
    Settings > Save aims at it and is refused there (``save_config`` never
    replaces a file it cannot read) instead of writing defaults over it.
    """
    path = Path(config_path) if config_path else None
    try:
        return load_config(path), None
    except ConfigError as err:
        log.error("%s; running on the built-in settings", err)
        return replace(Config(), path=path or paths.default_config_path()), err


def report_config_problem(messages: Any, err: ConfigError, path: Path) -> None:
    """Say in the message strip what is wrong with the config file, with two ways forward."""
    from annotator.ui.messages import MessageAction

    def open_file() -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            messages.warning(
                f"No application would open {path}: open it in a text editor, fix it, and restart annotator."
            )

    def keep_defaults() -> None:
        messages.info(f"Running on the built-in settings this time; {path} is left as it is.")

    messages.error(
        f"{err}. annotator is running on the built-in settings this time; nothing in the file was changed. "
        "Fix the file and restart annotator to use it.",
        actions=(
            MessageAction("Open the file", open_file, dismisses=False),
            MessageAction("Run with defaults this time", keep_defaults),
        ),
    )


def _tell_terminal(event: Event) -> None:
    """A window started from a shell says there where each session was saved."""
    if isinstance(event, SessionClosed) and sys.stderr is not None:
        print(f"annotator: session saved: {event.path}", file=sys.stderr, flush=True)


def check_display(env: Mapping[str, str], platform: str) -> None:
    """On Linux without X11 or Wayland Qt would abort with its own message: say it in one sentence."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        raise AnnotatorError(
            "No display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). Run annotator "
            "from a desktop session, or use `annotator listen` to record without a window."
        )


def list_devices() -> list[tuple[str, str]]:
    """Input devices as (name to open, label) pairs; [] when none can be listed."""
    try:
        from annotator.audio.devices import list_input_devices

        return [(d.name, device_label(d)) for d in list_input_devices()]
    except Exception as err:  # noqa: BLE001 - the picker then offers only the default input
        log.warning("cannot list input devices: %s", err)
        return []


def device_label(device: Any) -> str:
    """How the picker names an input: its description, what kind it is, the default marked."""
    kind = "system audio" if device.is_monitor else "microphone"
    default = ", default" if device.is_default else ""
    return f"{device.description or device.name} ({kind}{default})"


def while_doing(journals: Sequence[Path]) -> str:
    """What the unfinished sessions were doing, from their headers: "while recording",
    "during a replay", or both (a replay's journal is not a recording that crashed)."""
    from annotator.journal.reader import read_header

    modes = {str((read_header(p) or {}).get("mode", "live")) for p in journals}
    if modes <= {"replay"}:
        return "during a replay"
    if "replay" in modes:
        return "while recording or replaying"
    return "while recording"


async def start_up(
    window: Any,
    bridge: Any,
    sessions: Any,
    controller: Any,
    messages: Any,
    *,
    config_problem: ConfigError | None = None,
    replay: str | None = None,
) -> None:
    """What the window does once built (step 7 above), as a coroutine on the loop.

    The model loads in its own task; everything slow here runs in a thread; and
    nothing waits on the user: the offer of unfinished sessions is a non-modal
    question (``ui.dialogs.ask``) answered through a callback. A modal dialog run
    inside this coroutine would spin a nested Qt loop inside a running asyncio
    task, and the loop could not step any other task (the model load) until the
    user answered: "Cannot enter into task ... while another task ... is being
    executed", and the model stays "loading" (issue 19).
    """
    from annotator.ui.dialogs import ask

    window.set_state("Loading transcription model…")
    window.show()
    await asyncio.sleep(0)  # let the window paint before anything heavy starts
    bridge.run(sessions.model.load(), what="Loading the transcription model")
    await sessions.check_keys()  # the states are pushed to the status bar ("providers" event)
    if config_problem is None:
        controller.hint_if_no_provider()
    else:  # instead of a hint about keys the broken file may well configure; said last, so the strip keeps it
        report_config_problem(messages, config_problem, sessions.config.path or paths.default_config_path())
    devices = await asyncio.to_thread(list_devices)
    window.set_devices(devices, sessions.config.audio.devices)
    if replay:
        controller.replay(replay)  # `annotator replay PATH` asks for a replay, a saved session too
        return
    found, question = await asyncio.to_thread(unfinished, controller.sessions_dir)
    if found:
        offer_unfinished(partial(ask, window), found, question, controller, messages)


def unfinished(directory: Path | None = None) -> tuple[list[Path], str]:
    """Sessions that did not close cleanly, newest first, and the question offering them
    back ([] and "" when there are none, or they cannot be looked for). Blocking (reads files)."""
    from annotator.journal.store import find_unfinished

    try:
        found = find_unfinished(directory)
    except Exception as err:  # noqa: BLE001 - never block start-up on this
        log.warning("cannot look for unfinished sessions: %s", err)
        return [], ""
    if not found:
        return [], ""
    names = ", ".join(p.name for p in found[:3]) + (" …" if len(found) > 3 else "")
    return found, (
        f"{len(found)} session(s) did not close cleanly ({names}); annotator was closed or crashed {while_doing(found)}. "
        "Close them properly and open the newest to review?"
    )


Ask = Callable[[str, str, Callable[[bool], None]], Any]
"""``ui.dialogs.ask`` bound to the window: put a yes/no question and return at once; the answer comes to the callback."""


def offer_unfinished(ask: Ask, found: Sequence[Path], question: str, controller: Any, messages: Any) -> None:
    """Offer the unfinished sessions back; Yes repairs them all and opens the newest, No leaves them."""

    def answered(yes: bool) -> None:
        if yes:
            reopen_unfinished(found, controller, messages)
        else:
            messages.info(f"{len(found)} unfinished session(s) left as they are in {Path(found[0]).parent}.")

    ask("Unfinished sessions", question, answered)


def repair_all(found: Sequence[Path]) -> list[str]:
    """Close each journal properly; the sentences of those that could not be. Blocking."""
    from annotator.journal.recovery import repair

    problems = []
    for path in found:
        try:
            repair(path)
        except AnnotatorError as err:
            problems.append(str(err))
    return problems


def reopen_unfinished(found: Sequence[Path], controller: Any, messages: Any) -> None:
    """Repair the unfinished sessions (in a thread: each is read and synced), then open the newest."""

    def repaired(problems: list[str]) -> None:
        for problem in problems:
            messages.error(problem)
        controller.open(str(found[0]))

    controller.bridge.run_blocking(repair_all, list(found), what="Closing the unfinished sessions", on_result=repaired)
