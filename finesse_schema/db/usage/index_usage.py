"""The indexes of a live database with how often each was scanned (pg_stat_user_indexes) since the
statistics were reset, and its foreign keys: what the index rules (logic/check/index_use.py) and the
plan's lint (FL130) judge."""

from __future__ import annotations

from ...logic.check.index_use import IndexStatistics, LiveIndex
from ..connect import connect

_INDEXES = """
SELECT n.nspname, t.relname, i.relname,
       ARRAY(SELECT CASE WHEN x.indkey[k] = 0 THEN '(' || pg_get_indexdef(x.indexrelid, k + 1, true) || ')'
                         ELSE (SELECT a.attname FROM pg_attribute a
                               WHERE a.attrelid = x.indrelid AND a.attnum = x.indkey[k]) END
             FROM generate_series(0, x.indnkeyatts - 1) AS k ORDER BY k),
       pg_get_expr(x.indpred, x.indrelid, true), x.indisunique, am.amname,
       (SELECT c.conname FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
          AND c.contype IN ('p', 'u', 'x') LIMIT 1),
       coalesce(s.idx_scan, 0)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
WHERE n.nspname = ANY(%s) AND t.relkind IN ('r', 'p', 'm') AND NOT t.relispartition
ORDER BY 1, 2, 3"""

_FOREIGN_KEYS = """
SELECT n.nspname, t.relname, c.conname,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype = 'f' AND n.nspname = ANY(%s) AND NOT t.relispartition AND c.conparentid = 0
ORDER BY 1, 2, 3"""

_SINCE = """
SELECT d.stats_reset::text, extract(epoch FROM now() - coalesce(d.stats_reset, pg_postmaster_start_time()))
FROM pg_stat_database d WHERE d.datname = current_database()"""


def _age(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{int(seconds)} seconds"


def index_statistics(url: str, schemas: tuple[str, ...]) -> IndexStatistics:
    """Every index of ``schemas`` (partitions' own left out: their parent's stands for them) with its scans,
    and every foreign key."""
    with connect(url) as conn:
        rows = conn.execute(_INDEXES, (list(schemas),)).fetchall()
        keys = conn.execute(_FOREIGN_KEYS, (list(schemas),)).fetchall()
        since = conn.execute(_SINCE).fetchone()
    indexes = tuple(LiveIndex(schema, table, name, tuple(cols), pred, unique, method, constraint, int(scans))
                    for schema, table, name, cols, pred, unique, method, constraint, scans in rows)
    reset, seconds = since if since else (None, 0.0)
    return IndexStatistics(indexes, reset, _age(float(seconds or 0)),
                           tuple((s, t, n, tuple(c)) for s, t, n, c in keys))
