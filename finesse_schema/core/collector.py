"""Python's cyclic garbage collector, paused while finesse builds large values that it frees none of."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


_short_lived = False  # whether this process ends with its command (the CLI), see for_one_command


def for_one_command() -> None:
    """This process ends when its command does: what a pause built is frozen rather than walked once more
    when collection resumes (the first pass after a 1000-table compile took 0.3 s over objects that all live
    to the end). A long-lived caller of the library keeps the default: nothing is frozen, cycles are freed."""
    global _short_lived
    _short_lived = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a schema is built: it makes objects by the hundred thousand and frees
    none, and the collector's passes over them took a third of the time of a 1000-table load."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _short_lived:
            gc.freeze()  # out of every later pass: cycles among them are freed at exit, with everything else
        if was:
            gc.enable()
