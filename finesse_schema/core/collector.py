"""Python's cyclic garbage collector, paused while finesse builds large values that it frees none of."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a schema is built: it makes objects by the hundred thousand and frees
    none, and the collector's passes over them took a third of the time of a 1000-table load."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
