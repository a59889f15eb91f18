"""Aggregates, which migra does not see: read from pg_aggregate, created and dropped by signature."""

from __future__ import annotations

from typing import Any

from ...logic.sql.quoting import qualified

_AGGREGATES_SQL = """
SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
       format('SFUNC = %%s, STYPE = %%s', a.aggtransfn::regproc, format_type(a.aggtranstype, NULL))
       || CASE WHEN a.aggfinalfn <> 0 THEN format(', FINALFUNC = %%s', a.aggfinalfn::regproc) ELSE '' END
       || CASE WHEN a.agginitval IS NOT NULL THEN format(', INITCOND = %%L', a.agginitval) ELSE '' END
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
"""

Aggregates = dict[tuple[str, str, str], str]  # (schema, name, argument types) -> its options


def read_aggregates(conn: Any, keep: set[str]) -> Aggregates:
    return {(s, n, args): options for s, n, args, options in conn.exec_driver_sql(_AGGREGATES_SQL) if s in keep}


def aggregate_statements(source: Aggregates, target: Aggregates) -> tuple[list[str], list[str]]:
    """(drops, creates): an aggregate gone or changed is dropped (with the functions, before them), one new or
    changed is created (after the functions it calls)."""
    drops = [f"drop aggregate if exists {qualified(k[0], k[1])}({k[2] or '*'});" for k in sorted(source)
             if target.get(k) != source[k]]  # an aggregate of no arguments is name(*)
    creates = [f"create aggregate {qualified(k[0], k[1])}({k[2] or '*'}) ({target[k]});" for k in sorted(target)
               if source.get(k) != target[k]]
    return drops, creates
