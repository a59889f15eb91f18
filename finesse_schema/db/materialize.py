"""Build a compiled schema in an (empty) database, and run plan statements.

A statement PostgreSQL rejects becomes an error at the schema.yaml line that
caused it. A schema is built in a scratch database, which is dropped afterwards.
"""

from __future__ import annotations

from typing import Iterable

from ..core.errors import DatabaseError, InputError, Problem
from ..core.plan import Change
from ..logic.compile.compiler import DDL, Compiled
from .connect import Error, connect, error_position, error_text


# Statements per transaction: every object a transaction creates holds a lock until it ends, and the lock table
# (max_locks_per_transaction, 64 per connection by default) holds a few thousand for the whole server; a
# schema of 5000 tables in one transaction ran out of it.
CHUNK = 400


def materialize(url: str, compiled: Compiled) -> None:
    """Create every object of ``compiled`` in the (scratch) database at ``url``, CHUNK statements per transaction.

    Each chunk goes in one round trip; only when PostgreSQL rejects one are its statements replayed one by
    one, to find the declaration to blame. The database is a scratch one, dropped whatever happens.
    """
    statements = compiled.statements
    with connect(url, autocommit=False) as conn:
        conn.execute("SET check_function_bodies = off")  # for every chunk (the DDL says SET LOCAL, once)
        for start in range(0, len(statements), CHUNK):
            chunk = statements[start:start + CHUNK]
            try:
                conn.execute(";\n".join(d.sql for d in chunk))  # type: ignore[arg-type]
                conn.commit()
                continue
            except Error:
                conn.rollback()
            for ddl in chunk:
                try:
                    conn.execute(ddl.sql)  # type: ignore[arg-type]
                except Error as exc:
                    conn.rollback()
                    raise InputError(_problem(ddl, exc)) from None
            conn.commit()


def _problem(ddl: DDL, exc: Exception) -> Problem:
    loc, path = ddl.locate(error_position(exc))
    hint = ("check the SQL expressions (default, check, where, generated) of this declaration"
            if path.startswith("tables.") else "")
    return Problem(f"PostgreSQL rejects {ddl.label}: {error_text(exc)}", loc, path, hint)


def run_statements(url: str, statements: Iterable[str], *, what: str) -> None:
    """Run ``statements`` in one transaction; on failure roll back and say which statement failed."""
    with connect(url, autocommit=False) as conn:
        for sql in statements:
            try:
                conn.execute(sql)  # type: ignore[arg-type]
            except Error as exc:
                conn.rollback()
                raise DatabaseError(f"{what} failed at:\n  {sql.strip()}\n{error_text(exc)}") from None
        conn.commit()


def run_changes(url: str, changes: "tuple[Change, ...]", *, what: str) -> None:
    """Run a plan's statements as a revision would: non-transactional ones on their own, the rest in one
    transaction; on failure say which statement failed."""
    pending: list[str] = []
    for c in changes:
        if c.transactional:
            pending.append(c.sql)
            continue
        if pending:
            run_statements(url, pending, what=what)
            pending = []
        with connect(url, autocommit=True) as conn:
            try:
                conn.execute(c.sql)  # type: ignore[arg-type]
            except Error as exc:
                raise DatabaseError(f"{what} failed at:\n  {c.sql.strip()}\n{error_text(exc)}") from None
    if pending:
        run_statements(url, pending, what=what)
