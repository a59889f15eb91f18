"""The ``finesse`` program's entry: a signal at any moment, even while the rest is still being imported, ends
it with one line and exit code 130, never a traceback.

Kept free of imports beyond the standard library, so that it is in place before anything slow runs.
"""

from __future__ import annotations

import gc
import os
import sys

from . import interrupts
from .core.collector import for_one_command

INTERRUPTED = 130


def run(argv: list[str] | None = None) -> None:
    """Run the command line; exit with its code."""
    collect_rarely()
    try:
        interrupts.install()
        from .cli import run_cli

        code = run_cli(argv)
    except SystemExit as exc:
        if interrupts.received() and exc.code != INTERRUPTED:  # an error an interrupt left behind
            _interrupted()
        raise
    except BaseException:  # noqa: BLE001 - an interrupt, or what a library wrapped it in (a class being made)
        if not interrupts.received():
            raise
        _interrupted()
    if interrupts.received():
        _interrupted()
    sys.exit(code)


def collect_rarely() -> None:
    """A command is a short process that builds large object graphs (the model, migra's inspections) and frees
    little of them: the collector's default pass every 700 allocations walked them for a third of the time of
    a 1000-table plan. Rarely, instead; the cycles a command leaves are freed at exit anyway. What finesse builds
    with the collector paused (a compiled schema, what a cache holds) is frozen after (core/collector.py)."""
    gc.set_threshold(100_000, 50, 100)
    for_one_command()


def _interrupted() -> None:
    """One line, exit code 130. The process ends here: an interrupt that landed inside an extension module's
    own evaluation (Cython's) leaves CPython marked to kill itself with SIGINT at exit, whatever code the
    program exits with; the cleanup that matters (scratch databases) is done by now."""
    try:
        sys.stderr.write(interrupts.MESSAGE + "\n")
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    run()
