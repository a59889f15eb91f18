"""What migra does not compare about tables: storage parameters, per-column statistics targets and distinct
counts (n_distinct), CLUSTER ON; and
whether a sequence is unlogged (migra creates every sequence logged; a serial of an unlogged table is not).

Each is read from the catalog of both databases and turned into the ALTER statements that take one to the
other, for the tables (and materialized views) the target has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..logic.sql.quoting import number_options, qualified, quote

_STORAGE_SQL = """
SELECT n.nspname, c.relname, c.relkind, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND c.reloptions IS NOT NULL
"""
_STATISTICS_SQL = """
SELECT n.nspname, c.relname, a.attname, a.attstattarget FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget >= 0
"""
_COLUMN_OPTIONS_SQL = """
SELECT n.nspname, c.relname, a.attname, a.attoptions FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND a.attoptions IS NOT NULL
"""
_INDEX_STATISTICS_SQL = """
SELECT n.nspname, c.relname, a.attnum, a.attstattarget FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('i', 'I') AND a.attnum > 0 AND a.attstattarget >= 0
"""
_CLUSTER_SQL = """
SELECT n.nspname, c.relname, ic.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indisclustered
"""

# sequences not written to the WAL; an identity's own sequence goes with its column, and is left out
_UNLOGGED_SEQUENCES_SQL = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND c.relpersistence = 'u'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype = 'i')
"""


@dataclass
class TableFacts:
    storage: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # "name=value", in order
    kinds: dict[tuple[str, str], str] = field(default_factory=dict)  # relkind of those with storage parameters
    statistics: dict[tuple[str, str, str], int] = field(default_factory=dict)
    column_options: dict[tuple[str, str, str], dict[str, float]] = field(default_factory=dict)  # n_distinct...
    clustered: dict[tuple[str, str], str] = field(default_factory=dict)  # table -> the index CLUSTER uses
    unlogged_sequences: set[tuple[str, str]] = field(default_factory=set)
    index_statistics: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (schema, index, column n)


def read_table_facts(conn: Any, keep: set[str]) -> TableFacts:
    out = TableFacts()
    for schema, name, kind, options in conn.exec_driver_sql(_STORAGE_SQL):
        if schema in keep:
            out.storage[(schema, name)] = tuple(options)
            out.kinds[(schema, name)] = kind
    for schema, table, column, target in conn.exec_driver_sql(_STATISTICS_SQL):
        if schema in keep:
            out.statistics[(schema, table, column)] = target
    for schema, table, column, options in conn.exec_driver_sql(_COLUMN_OPTIONS_SQL):
        if schema in keep:  # compared by value: PostgreSQL keeps the text as it was set (-0.020, -0.02)
            out.column_options[(schema, table, column)] = {k: float(v) for k, v in _pairs(tuple(options))}
    for schema, table, index in conn.exec_driver_sql(_CLUSTER_SQL):
        if schema in keep:
            out.clustered[(schema, table)] = index
    out.unlogged_sequences = {(s, n) for s, n in conn.exec_driver_sql(_UNLOGGED_SEQUENCES_SQL) if s in keep}
    out.index_statistics = {(s, i, n): t for s, i, n, t in conn.exec_driver_sql(_INDEX_STATISTICS_SQL) if s in keep}
    return out


def table_fact_statements(source: TableFacts, target: TableFacts, tables: set[tuple[str, str]],  # noqa: PLR0913
                          matviews: set[tuple[str, str]], sequences: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
                          indexes: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
                          made: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
                          columns: set[tuple[str, str, str]] | None = None) -> list[str]:
    """ALTER statements for the storage parameters, statistics targets and clustering of the target's tables
    (``tables``) and materialized views (``matviews``), the persistence of its ``sequences`` and the statistics
    targets of its ``indexes``' expressions, after migra has created them (a sequence it creates is logged; an
    index it ``made`` has no statistics targets yet). A column's distinct counts are set where the target has
    the column (``columns``: every one, when not given)."""
    out: list[str] = []
    for key in sorted(set(source.index_statistics) | set(target.index_statistics)):
        old = None if key[:2] in made else source.index_statistics.get(key)
        if key[:2] in indexes and old != target.index_statistics.get(key):
            out.append(f"alter index {qualified(*key[:2])} alter column {key[2]} set statistics "
                       f"{target.index_statistics.get(key, -1)};")
    for key in sorted(sequences):
        unlogged = key in target.unlogged_sequences
        if unlogged != (key in source.unlogged_sequences):
            out.append(f"alter sequence {qualified(*key)} set {'unlogged' if unlogged else 'logged'};")
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
    for key in sorted(set(source.column_options) | set(target.column_options)):
        old_options, new_options = source.column_options.get(key, {}), target.column_options.get(key, {})
        if key[:2] in tables and old_options != new_options and (columns is None or key in columns):
            column = f"alter table {qualified(*key[:2])} alter column {quote(key[2])}"
            gone = sorted(set(old_options) - set(new_options))
            if gone:
                out.append(f"{column} reset ({', '.join(gone)});")
            if new_options:
                out.append(f"{column} set ({number_options(sorted(new_options.items()))});")
    for key in sorted(tables):
        if source.clustered.get(key) != target.clustered.get(key):
            index = target.clustered.get(key)
            out.append(f"alter table {qualified(*key)} " + (f"cluster on {quote(index)};" if index else
                                                            "set without cluster;"))
    return out


def _pairs(options: tuple[str, ...]) -> list[tuple[str, str]]:
    return [tuple(o.split("=", 1)) for o in options]  # type: ignore[misc]
