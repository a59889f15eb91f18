"""The live schema copied into a scratch database, where a plan is proved before it is written.

The live database is dumped first (its whole schema, which the copy is restored from); the copy is
restored at once when the proof is sure to run, or only when it turns out to be needed: a plan proved
before on the very same live schema (the same dump) is not proved again (db/cache/desired.py keeps
which). The managed schemas' dump, which the proof compares with, is taken beside the restore.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from .catalog import installed_extensions
from .dump import dump_schema, restore_schema, sql_lines
from .migra import INTERNAL_SCHEMAS

Progress = Callable[[str], None]


class LiveCopy:
    """The copy of ``live_url``'s schema in a scratch database (``url`` once begun), made by ``pool``'s workers."""

    def __init__(self, pool: ThreadPoolExecutor, live_url: str, database: Callable[[], str], managed: tuple[str, ...],
                 *, privileges: bool, progress: Progress, restore_now: bool) -> None:
        """``database`` gives the empty scratch database to restore into; it is called once, in this thread,
        when the copy is begun (so that a copy never begun creates none)."""
        self._pool, self._live_url, self._database, self._managed = pool, live_url, database, managed
        self._progress = progress
        self.url = ""
        self._whole = pool.submit(self._dump_whole, privileges)
        self._restored: Future[str] | None = None
        if restore_now:
            self._begin()

    def _begin(self) -> None:
        self.url = self._database()
        self._restored = self._pool.submit(self._restore)

    def _dump_whole(self, privileges: bool) -> tuple[str, dict[str, str]]:
        return (dump_schema(self._live_url, exclude_schemas=INTERNAL_SCHEMAS, privileges=privileges),
                {name: version for name, _, version in installed_extensions(self._live_url)})

    def _restore(self) -> str:
        """Restore the copy and, side by side, dump the live managed schemas (what the proof compares with)."""
        whole, versions = self._whole.result()
        self._progress("copying the live schema into a scratch database")
        with ThreadPoolExecutor(max_workers=1) as side:
            compared = side.submit(dump_schema, self._live_url, only_schemas=self._managed)
            restore_schema(self.url, whole, versions)
            return compared.result()

    def fingerprint(self) -> str:
        """The SHA-256 of the live schema as the copy is made from it (its dump and extension versions),
        without psql's meta-commands (pg_dump writes a random key into each \\restrict line)."""
        whole, versions = self._whole.result()
        digest = hashlib.sha256(repr(sorted(versions.items())).encode())
        for line in sql_lines(whole):
            digest.update(line.encode())
            digest.update(b"\n")
        return digest.hexdigest()

    def ready(self) -> str:
        """Wait for the copy (restoring it now if it was not begun); the live dump of the managed schemas."""
        if self._restored is None:
            self._begin()
        return self._restored.result()  # type: ignore[union-attr]
