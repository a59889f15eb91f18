"""``python -m finesse_schema``: the ``finesse`` command."""

from .entry import run

run()
