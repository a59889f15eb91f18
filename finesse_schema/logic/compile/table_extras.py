"""DDL for the parts of tables SQLAlchemy does not write: exclusion constraints, CLUSTER ON, per-column
statistics targets, storage parameters of indexes, and the keys CREATE TABLE cannot hold."""

from __future__ import annotations

from ...core.model import Column, Exclusion, FkAction, ForeignKey, Table
from ..sql.expressions import expression_sql
from ..sql.quoting import number_options, qualified, quote, quote_name


def storage_sql(storage: tuple[tuple[str, str], ...]) -> str:
    """`` WITH (fillfactor=70, ...)`` (the reader allows only plain names and values), or ''."""
    return f" WITH ({', '.join(f'{name}={value}' for name, value in storage)})" if storage else ""


def exclusion_sql(t: Table, x: Exclusion) -> str:
    parts = []
    for e in x.elements:
        target = quote(e.column) if e.column else f"({expression_sql(e.expression or '')})"
        parts.append(target + (f" {quote_name(e.opclass)}" if e.opclass else "") + f" WITH {e.operator}")
    sql = (f"ALTER TABLE {qualified(t.schema, t.name)} ADD CONSTRAINT {quote(x.name)} EXCLUDE USING {x.method} "
           f"({', '.join(parts)})")
    if x.where:
        sql += f" WHERE ({expression_sql(x.where)})"
    if x.deferrable:
        sql += " DEFERRABLE INITIALLY " + ("DEFERRED" if x.initially_deferred else "IMMEDIATE")
    return sql


def cluster_sql(t: Table) -> str | None:
    return f"ALTER TABLE {qualified(t.schema, t.name)} CLUSTER ON {quote(t.cluster_on)}" if t.cluster_on else None


def statistics_sql(t: Table) -> list[str]:
    """SET STATISTICS and SET (n_distinct, n_distinct_inherited): what the planner is told of each column."""
    out = [f"ALTER TABLE {qualified(t.schema, t.name)} ALTER COLUMN {quote(c.name)} SET STATISTICS {c.statistics}"
           for c in t.columns if c.statistics is not None]
    for c in t.columns:
        options = column_options(c)
        if options:
            out.append(f"ALTER TABLE {qualified(t.schema, t.name)} ALTER COLUMN {quote(c.name)} SET ({options})")
    return out


def column_options(c: Column) -> str:
    """A column's attribute options as SET (...) takes them: ``n_distinct=-0.02``."""
    return number_options((("n_distinct", c.n_distinct), ("n_distinct_inherited", c.n_distinct_inherited)))


def foreign_key_sql(schema: str, table: str, fk: ForeignKey) -> str:
    """ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY, for a table SQLAlchemy does not hold (a partition)."""
    sql = (f"ALTER TABLE {qualified(schema, table)} ADD CONSTRAINT {quote(fk.name)} FOREIGN KEY "
           f"({', '.join(quote(c) for c in fk.columns)}) REFERENCES {qualified(fk.ref_table.schema, fk.ref_table.name)}"
           f" ({', '.join(quote(c) for c in fk.ref_columns)})")
    for word, action in (("DELETE", fk.on_delete), ("UPDATE", fk.on_update)):
        if action != FkAction.NO_ACTION:
            sql += f" ON {word} {action.value.upper()}"
    if fk.deferrable:
        sql += " DEFERRABLE INITIALLY " + ("DEFERRED" if fk.initially_deferred else "IMMEDIATE")
    return sql + (" NOT VALID" if fk.not_valid else "")


def keys_added_after(t: Table) -> set[str]:
    """The keys CREATE TABLE cannot hold, added by ALTER TABLE after it: those on columns ``t`` inherits, and a
    unique constraint on the very columns of the primary key or of an earlier unique constraint (CREATE TABLE
    keeps only one of equal keys; pg_dump adds such keys apart too)."""
    local = {c.name for c in t.columns}
    out: set[str] = set()
    seen: set[tuple[str, ...]] = set()
    for key in ([t.primary_key] if t.primary_key else []) + list(t.uniques):
        if not set(key.columns) <= local or tuple(key.columns) in seen:
            out.add(key.name)
        else:
            seen.add(tuple(key.columns))
    return out


def keys_after_create_sql(t: Table) -> list[str]:
    """ALTER TABLE ... ADD for the keys CREATE TABLE does not hold (keys_added_after)."""
    later = keys_added_after(t)
    keys = ([("PRIMARY KEY", t.primary_key)] if t.primary_key else []) + [("UNIQUE", u) for u in t.uniques]
    out = []
    for word, key in keys:
        if key.name not in later:
            continue
        nulls = " NULLS NOT DISTINCT" if getattr(key, "nulls_not_distinct", False) else ""
        sql = (f"ALTER TABLE {qualified(t.schema, t.name)} ADD CONSTRAINT {quote(key.name)} {word}{nulls} "
               f"({', '.join(quote(c) for c in key.columns)})")
        if key.deferrable:
            sql += " DEFERRABLE INITIALLY " + ("DEFERRED" if key.initially_deferred else "IMMEDIATE")
        out.append(sql)
    return out
