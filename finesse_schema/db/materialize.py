"""Build a compiled schema in an (empty) database, and run plan statements.

A statement PostgreSQL rejects becomes an error at the schema.yaml line that
caused it; the transaction is rolled back, so nothing is left half-built.
"""

from __future__ import annotations

from typing import Iterable

from ..core.errors import DatabaseError, InputError, Problem
from ..core.plan import Change
from ..logic.compile.compiler import DDL, Compiled
from .connect import Error, connect, error_position, error_text


def materialize(url: str, compiled: Compiled) -> None:
    """Create every object of ``compiled`` in the database at ``url``, in one transaction.

    The statements go in one round trip; only when PostgreSQL rejects the batch are
    they replayed one by one, to find the declaration to blame.
    """
    with connect(url, autocommit=False) as conn:
        try:
            conn.execute(";\n".join(d.sql for d in compiled.statements))  # type: ignore[arg-type]
            conn.commit()
            return
        except Error:
            conn.rollback()
        for ddl in compiled.statements:
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
