"""Entry point of the PyInstaller bundle (see build.spec).

The same as the ``annotator`` console script from source, with the frozen-app
set-up first: standard streams that may be missing in a windowed bundle, and
log records going to the user's log directory.
"""

from __future__ import annotations

import sys

from annotator.logs import ensure_std_streams, setup_logging


def main() -> int:
    ensure_std_streams()
    setup_logging()
    from annotator.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
