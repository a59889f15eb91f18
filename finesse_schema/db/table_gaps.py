"""What migra does not compare about tables: storage parameters, per-column statistics targets, CLUSTER ON.

Each is read from the catalog of both databases and turned into the ALTER statements that take one to the
other, for the tables (and materialized views) the target has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..logic.sql.quoting import qualified, quote

_STORAGE_SQL = """
SELECT n.nspname, c.relname, c.relkind, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND c.reloptions IS NOT NULL
"""
_STATISTICS_SQL = """
SELECT n.nspname, c.relname, a.attname, a.attstattarget FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget >= 0
"""
_CLUSTER_SQL = """
SELECT n.nspname, c.relname, ic.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indisclustered
"""


@dataclass
class TableFacts:
    storage: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # "name=value", in order
    kinds: dict[tuple[str, str], str] = field(default_factory=dict)  # relkind of those with storage parameters
    statistics: dict[tuple[str, str, str], int] = field(default_factory=dict)
    clustered: dict[tuple[str, str], str] = field(default_factory=dict)  # table -> the index CLUSTER uses


def read_table_facts(conn: Any, keep: set[str]) -> TableFacts:
    out = TableFacts()
    for schema, name, kind, options in conn.exec_driver_sql(_STORAGE_SQL):
        if schema in keep:
            out.storage[(schema, name)] = tuple(options)
            out.kinds[(schema, name)] = kind
    for schema, table, column, target in conn.exec_driver_sql(_STATISTICS_SQL):
        if schema in keep:
            out.statistics[(schema, table, column)] = target
    for schema, table, index in conn.exec_driver_sql(_CLUSTER_SQL):
        if schema in keep:
            out.clustered[(schema, table)] = index
    return out


def table_fact_statements(source: TableFacts, target: TableFacts, tables: set[tuple[str, str]],
                          matviews: set[tuple[str, str]]) -> list[str]:
    """ALTER statements for the storage parameters, statistics targets and clustering of the target's tables
    (``tables``) and materialized views (``matviews``), after migra has created them."""
    out: list[str] = []
    for key in sorted(tables | matviews):
        what = "materialized view" if key in matviews else "table"
        old, new = source.storage.get(key, ()), target.storage.get(key, ())
        if old == new:
            continue
        if old:  # all of them again, in the target's order (PostgreSQL keeps them in the order set)
            out.append(f"alter {what} {qualified(*key)} reset ({', '.join(k for k, _ in _pairs(old))});")
        if new:
            out.append(f"alter {what} {qualified(*key)} set ({', '.join(f'{k}={v}' for k, v in _pairs(new))});")
    for key in sorted(set(source.statistics) | set(target.statistics)):
        if key[:2] in tables and source.statistics.get(key) != target.statistics.get(key):
            out.append(f"alter table {qualified(*key[:2])} alter column {quote(key[2])} set statistics "
                       f"{target.statistics.get(key, -1)};")
    for key in sorted(tables):
        if source.clustered.get(key) != target.clustered.get(key):
            index = target.clustered.get(key)
            out.append(f"alter table {qualified(*key)} " + (f"cluster on {quote(index)};" if index else
                                                            "set without cluster;"))
    return out


def _pairs(options: tuple[str, ...]) -> list[tuple[str, str]]:
    return [tuple(o.split("=", 1)) for o in options]  # type: ignore[misc]
