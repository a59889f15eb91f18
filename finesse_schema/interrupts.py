"""Ctrl-C and SIGTERM: each raises KeyboardInterrupt where the program is, and is remembered, so that an
interrupt a library turned into an error of its own (a connection attempt cut short) still ends the run as
an interrupt: one line, exit code 130. Standard library only."""

from __future__ import annotations

import signal

MESSAGE = "interrupted; scratch databases were removed and nothing was changed"
_received: list[int] = []


def _handler(signum: int, _frame: object) -> None:
    _received.append(signum)
    raise KeyboardInterrupt


def install() -> None:
    """Handle both signals from here on; one that arrived while they were blocked (a parent may start
    finesse so) is delivered now, to the handler."""
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def received() -> bool:
    """Whether Ctrl-C or SIGTERM arrived during this run."""
    return bool(_received)


class Interrupted(BaseException):
    """An interrupt on its way out past click, which would otherwise report it as "Aborted!" (exit 1)."""
