"""The live schema copied into a scratch database, where a plan is proved before it is written.

The live database is dumped first: its whole schema, which the copy is restored from, and its managed
schemas, which the proof compares with. The copy is restored at once when asked, or only when it turns
out to be needed: a plan proved before on the very same live schema (the same dump) is not proved again
(db/cache/desired.py keeps which), and a database that already stands for the live schema exactly (see
``stands_in``) makes the restore unnecessary.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from .catalog import installed_extensions
from .dump import dump_differences, dump_schema, normalize_dump, restore_schema, sql_lines
from .migra import INTERNAL_SCHEMAS

Progress = Callable[[str], None]


def _compared_apart(line: str, managed: tuple[str, ...]) -> bool:
    """Whether ``line`` of a dump of the whole database, not in the dump of its managed schemas, is what the
    proof compares apart: an extension, or privileges on the managed schemas and their objects (what
    ALTER DEFAULT PRIVILEGES leaves for a role, not in a managed schema, would change what a plan creates)."""
    if line.startswith(("CREATE EXTENSION ", "COMMENT ON EXTENSION ")):
        return True
    quoted = ['"' + s.replace('"', '""') + '"' for s in managed]  # pg_dump --quote-all-identifiers
    if line.startswith(("GRANT ", "REVOKE ")):
        return any(f" SCHEMA {q} " in line or f" {q}." in line for q in quoted)
    return line.startswith("ALTER DEFAULT PRIVILEGES ") and any(f" IN SCHEMA {q} " in line for q in quoted)


class LiveCopy:
    """The copy of ``live_url``'s schema in a scratch database (``url`` once begun), made by ``pool``'s workers
    (two of them dump the live schema side by side: the whole, and the managed schemas)."""

    def __init__(self, pool: ThreadPoolExecutor, live_url: str, database: Callable[[], str], managed: tuple[str, ...],
                 *, privileges: bool, progress: Progress, restore_now: bool, compare_now: bool = False) -> None:
        """``database`` gives the empty scratch database to restore into; it is called once, in this thread,
        when the copy is begun (so that a copy never begun creates none). The managed schemas are dumped now
        with ``restore_now`` or ``compare_now`` (a proof will run), else when first asked for."""
        self._pool, self._live_url, self._database, self._managed = pool, live_url, database, managed
        self._progress = progress
        self.url = ""
        self._whole = pool.submit(self._dump_whole, privileges)
        self._compared: Future[str] | None = None
        self._restored: Future[None] | None = None
        if restore_now or compare_now:
            self._compare()
        if restore_now:
            self._begin()

    def _compare(self) -> Future[str]:
        if self._compared is None:
            self._compared = self._pool.submit(dump_schema, self._live_url, only_schemas=self._managed)
        return self._compared

    def _begin(self) -> None:
        self.url = self._database()
        self._restored = self._pool.submit(self._restore)

    def _dump_whole(self, privileges: bool) -> tuple[str, dict[str, str]]:
        return (dump_schema(self._live_url, exclude_schemas=INTERNAL_SCHEMAS, privileges=privileges),
                {name: version for name, _, version in installed_extensions(self._live_url)})

    def _restore(self) -> None:
        whole, versions = self._whole.result()
        self._progress("copying the live schema into a scratch database")
        restore_schema(self.url, whole, versions)

    def fingerprint(self) -> str:
        """The SHA-256 of the live schema as the copy is made from it (its dump and extension versions),
        without psql's meta-commands (pg_dump writes a random key into each \\restrict line)."""
        whole, versions = self._whole.result()
        digest = hashlib.sha256(repr(sorted(versions.items())).encode())
        for line in sql_lines(whole):
            digest.update(line.encode())
            digest.update(b"\n")
        return digest.hexdigest()

    def compared(self) -> str:
        """The live dump of the managed schemas, what the proof compares with (no copy is made for it)."""
        return self._compare().result()

    def ready(self) -> str:
        """Wait for the copy (restoring it now if it was not begun); the live dump of the managed schemas."""
        compared = self._compare()
        if self._restored is None:
            self._begin()
        self._restored.result()  # type: ignore[union-attr]
        return compared.result()

    def stands_in(self, url: str, dump: str) -> bool:
        """Whether the database at ``url``, whose managed schemas dump as ``dump``, is as good a copy of the live
        schema as a restore would make: a restore would bring nothing beyond the managed schemas (the whole dump
        has no line their dump lacks but the extensions and privileges, which the proof compares apart: no
        other schema, no event trigger, no publication, ...), the dumps are the same to the order of the
        columns, and the extensions and their versions are the same."""
        whole, versions = self._whole.result()
        compared = self.compared()
        managed = set(normalize_dump(compared))
        return (all(line in managed or _compared_apart(line, self._managed) for line in normalize_dump(whole))
                and not dump_differences(compared, dump, limit=1, column_order=True)
                and {name: version for name, _, version in installed_extensions(url)} == versions)
