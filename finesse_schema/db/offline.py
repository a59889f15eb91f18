"""What revisions would run, without a database: previews (apply --dry-run, down --dry-run) and the
offline script (apply --sql, and plain ``alembic upgrade --sql``).

Each revision's own upgrade() or downgrade() runs with a recording ``op`` in place of Alembic's: the
statements are exactly what finesse wrote, in order, and a data section's as far as it goes without
reading the database. The offline script adds what Alembic's ``--sql`` adds, for finesse's tables: the
version table kept in ``finesse``, the hash of each revision file, a transaction per revision (a step
that cannot run in one stands outside it, as when applied).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..core.errors import RefusedError
from ..logic.plan.render_online import PROGRESS_TABLE as ONLINE_STEPS
from ..logic.sql.quoting import sql_literal as literal
from .migrations import HASH_TABLE, VERSION_SCHEMA, VERSION_TABLE, Revision, RunSettings, file_hash, revision_module


@dataclass(frozen=True)
class Preview:
    """What a revision would run, in order: each statement as sent (an online step once, marked)."""

    revision: str
    message: str
    statements: tuple[str, ...]
    note: str = ""  # where the list stops short: a data section that reads the database to decide
    outside: tuple[bool, ...] = ()  # per statement: sent outside the revision's transaction (autocommit)
    parameters: tuple[str, ...] = ()  # statements sent with bound parameters (the script cannot hold them)


class _Nothing:
    """The answer of the recording connection: no row, no value (an online step is not done yet)."""

    rowcount = 0

    def first(self) -> None:
        return None

    def scalar(self) -> None:
        return None

    def fetchall(self) -> list:  # type: ignore[type-arg]
        return []

    def __iter__(self) -> Iterator[object]:
        return iter(())


class _Recording:
    """Stands for Alembic's ``op``, its context and its connection: records each statement instead of running
    it, and whether it was sent inside an autocommit block."""

    _BOOKKEEPING = re.compile(rf"^\s*(ROLLBACK|SHOW lock_timeout|SELECT set_config\('lock_timeout'"
                              rf"|.*{re.escape(ONLINE_STEPS)})", re.I | re.S)

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.outside: list[bool] = []
        self.parameters: list[str] = []
        self._autocommit = False

    def get_bind(self) -> "_Recording":
        return self

    def get_context(self) -> "_Recording":
        return self

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        self._autocommit = True
        try:
            yield
        finally:
            self._autocommit = False

    def exec_driver_sql(self, sql: str, *args: object, **_kw: object) -> _Nothing:
        if not self._BOOKKEEPING.match(sql) and "pg_index i JOIN pg_class" not in sql:
            self.statements.append(sql.strip())
            self.outside.append(self._autocommit)
            if args and args[0]:
                self.parameters.append(sql.strip())
        return _Nothing()

    def execute(self, sql: object, *args: object, **_kw: object) -> _Nothing:
        return self.exec_driver_sql(str(sql), *args)


_TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT)\s*;?\s*$", re.I)


def preview(migrations_dir: Path, revisions: list[str], direction: str) -> list[Preview]:
    """The statements ``revisions`` would run (``direction`` "up" or "down"), transaction control left out."""
    out = []
    for p in _recorded(migrations_dir, revisions, direction):
        kept = [i for i, sql in enumerate(p.statements) if not _TRANSACTION.match(sql)]
        out.append(Preview(p.revision, p.message, tuple(p.statements[i] for i in kept), p.note,
                           tuple(p.outside[i] for i in kept), p.parameters))
    return out


def _recorded(migrations_dir: Path, revisions: list[str], direction: str) -> list[Preview]:
    out = []
    for rev in revisions:
        message, module = revision_module(migrations_dir, rev)
        recorder = _Recording()
        saved = module.op  # type: ignore[attr-defined]
        module.op = recorder  # type: ignore[attr-defined]
        note = ""
        try:
            getattr(module, "upgrade" if direction == "up" else "downgrade")()
        except Exception as exc:  # noqa: BLE001 - Python in a data section that needs the database's answers
            note = f"the rest depends on what the database answers ({type(exc).__name__} without one)"
        finally:
            module.op = saved  # type: ignore[attr-defined]
        out.append(Preview(rev, message, tuple(recorder.statements), note, tuple(recorder.outside),
                           tuple(recorder.parameters)))
    return out


def _ended(sql: str) -> str:
    return sql if sql.rstrip().endswith(";") else sql.rstrip() + ";"


def offline_script(migrations_dir: Path, chain: list[Revision], start: str | None, direction: str,
                   settings: RunSettings, origin: str) -> str:
    """The SQL script that takes a database at ``start`` through ``chain`` (in order; ``direction`` "up" or
    "down") as finesse apply would, for psql -v ON_ERROR_STOP=1. RefusedError when a revision decides
    what to do from the database's answers, or binds parameters: a script cannot hold that."""
    version = f"{VERSION_SCHEMA}.{VERSION_TABLE}"
    lines = [f"-- {origin}",
             f"-- {'Applies' if direction == 'up' else 'Reverts'} {', '.join(r.id for r in chain) or 'nothing'}, "
             f"starting from {start or 'no revision'}. Run it with: psql -v ON_ERROR_STOP=1 -f FILE",
             "-- Each revision is one transaction, with its version update; a step that cannot run in a",
             "-- transaction (an enum value, an online step) runs on its own, as finesse apply runs it.", "",
             f"SET lock_timeout = {literal(settings.lock_timeout)};",
             f"SET statement_timeout = {literal(settings.statement_timeout)};",
             f"CREATE SCHEMA IF NOT EXISTS {VERSION_SCHEMA};",
             f"CREATE TABLE IF NOT EXISTS {version} (version_num varchar(32) NOT NULL, "
             "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));",
             f"CREATE TABLE IF NOT EXISTS {HASH_TABLE} (revision text PRIMARY KEY, sha256 text NOT NULL, "
             "applied_at timestamptz NOT NULL DEFAULT now());", ""]
    before = start
    for rev, recorded in zip(chain, _recorded(migrations_dir, [r.id for r in chain], direction)):
        if recorded.note or recorded.parameters:
            why = recorded.note or f"it binds parameters ({recorded.parameters[0][:80]})"
            raise RefusedError(f"revision {rev.id} cannot be written as a script: {why}; apply it with finesse "
                               "apply, or write the script from the revision after it")
        after = rev.id if direction == "up" else rev.down
        lines.append(f"-- revision {rev.id}: {recorded.message}")
        open_ = False
        for sql, outside in zip(recorded.statements, recorded.outside):
            if outside:
                if open_:
                    lines.append("COMMIT;")
                    open_ = False
            elif not open_:
                lines.append("BEGIN;")
                open_ = True
            lines.append(_ended(sql))
        if not open_:
            lines.append("BEGIN;")
        lines.extend(_version_update(version, before, after))
        lines.append(f"DELETE FROM {HASH_TABLE} WHERE revision = {literal(rev.id)};")
        if direction == "up":
            lines.append(f"INSERT INTO {HASH_TABLE} (revision, sha256) VALUES ({literal(rev.id)}, "
                         f"{literal(file_hash(rev.path))});")
        lines += ["COMMIT;", ""]
        before = after
    return "\n".join(lines)


def _version_update(version: str, before: str | None, after: str | None) -> list[str]:
    if before is None:
        return [f"INSERT INTO {version} (version_num) VALUES ({literal(after or '')});"] if after else []
    if after is None:
        return [f"DELETE FROM {version} WHERE version_num = {literal(before)};"]
    return [f"UPDATE {version} SET version_num = {literal(after)} WHERE version_num = {literal(before)};"]
