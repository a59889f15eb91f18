"""Reading and pruning the audit trail that [tool.finesse.audit] names (finesse audit)."""

from __future__ import annotations

from ..core.errors import DatabaseError, InputError, Problem
from ..logic.check.audit_config import COLUMNS, AuditConfig
from ..logic.check.render_audit import AuditEntry
from .connect import Error, composed, connect, error_text, identifier, literal


def _check_table(conn, config: AuditConfig) -> None:  # type: ignore[no-untyped-def]
    schema, name = config.qualified
    have = {r[0] for r in conn.execute(
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
        "AND a.attnum > 0 AND NOT a.attisdropped", (schema, name)).fetchall()}
    if not have:
        raise InputError(Problem(f"the database has no audit table {schema}.{name}", None, "tool.finesse.audit.table",
                                 "declare it in schema.yaml and apply, or point [tool.finesse.audit] table at it"))
    missing = [c for c in COLUMNS if c not in have]
    if missing:
        raise InputError(Problem(f"audit table {schema}.{name} lacks {', '.join(missing)}", None,
                                 "tool.finesse.audit.table", f"an audit table has the columns {', '.join(COLUMNS)}"))


def read_history(url: str, config: AuditConfig, *, table: str, row_id: str | None = None, limit: int = 50,
                 since: str | None = None, timeout: str = "30s") -> list[AuditEntry]:
    """The entries of ``table`` (schema.table), of one row when ``row_id``, newest first; in a read-only
    transaction."""
    schema, name = config.qualified
    where = [composed("table_name = {}", literal(table))]
    if row_id is not None:
        where.append(composed("row_id::text = {}", literal(row_id)))
    if since is not None:
        where.append(composed("changed_at >= {}::timestamptz", literal(since)))
    query = composed("SELECT changed_at, table_name, row_id::text, action::text, actor, transaction_id, "
                     "coalesce(changed_columns, '{{}}'), old_values, new_values FROM {} WHERE {} "
                     "ORDER BY changed_at DESC LIMIT {}", identifier(schema, name),
                     composed(" AND ".join("{}" for _ in where), *where), literal(limit))
    with connect(url, autocommit=False) as conn:
        try:
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute("SELECT set_config('statement_timeout', %s, true)", (timeout,))
            _check_table(conn, config)
            rows = conn.execute(query).fetchall()
        except Error as exc:
            raise DatabaseError(f"cannot read the audit trail: {error_text(exc)}") from None
        finally:
            conn.rollback()
    return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6]), r[7], r[8]) for r in rows]


def prune(url: str, config: AuditConfig, *, older_than: str, dry_run: bool = False) -> int:
    """Delete (or with ``dry_run`` count) the entries older than ``older_than`` (an interval); returns how many.
    Calls [tool.finesse.audit] prune_function when set, in one transaction."""
    schema, name = config.qualified
    with connect(url, autocommit=False) as conn:
        try:
            _check_table(conn, config)
            conn.execute("SELECT %s::interval", (older_than,))
        except Error as exc:
            conn.rollback()
            raise InputError(Problem(f"'{older_than}' is not a retention PostgreSQL understands: {error_text(exc)}",
                                     None, "--older-than", "e.g. '90 days' or '1 year'")) from None
        try:
            if dry_run:
                n = conn.execute(composed("SELECT count(*) FROM {} WHERE changed_at < now() - {}::interval",
                                          identifier(schema, name), literal(older_than))).fetchone()[0]  # type: ignore[index]
            elif config.prune_function:
                fschema, _, fname = config.prune_function.rpartition(".")
                fn = identifier(fschema or "public", fname)
                n = conn.execute(composed("SELECT {}({}::interval)", fn, literal(older_than))).fetchone()[0]  # type: ignore[index]
            else:
                n = conn.execute(composed("DELETE FROM {} WHERE changed_at < now() - {}::interval",
                                          identifier(schema, name), literal(older_than))).rowcount
            conn.rollback() if dry_run else conn.commit()
        except Error as exc:
            conn.rollback()
            raise DatabaseError(f"the audit trail was not pruned (nothing changed): {error_text(exc)}") from None
    return int(n)
