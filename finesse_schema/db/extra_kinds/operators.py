"""Operators, which migra does not see: read from pg_operator, created and dropped by symbol and argument types.

An operator PostgreSQL made as a placeholder (a commutator named before it was declared: no function) is left
out; so are an extension's own.
"""

from __future__ import annotations

from typing import Any

from ...logic.compile.objects import operator_name
from ...logic.sql.quoting import sql_literal

_OPERATORS_SQL = """
SELECT n.nspname, o.oprname,
       CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END,
       format_type(o.oprright, NULL),
       concat_ws(', ', format('FUNCTION = %%s', o.oprcode::regprocedure::text),
                 CASE WHEN o.oprleft <> 0 THEN format('LEFTARG = %%s', format_type(o.oprleft, NULL)) END,
                 format('RIGHTARG = %%s', format_type(o.oprright, NULL)),
                 CASE WHEN o.oprcom <> 0 THEN format('COMMUTATOR = OPERATOR(%%I.%%s)', cn.nspname, c.oprname) END,
                 CASE WHEN o.oprnegate <> 0 THEN format('NEGATOR = OPERATOR(%%I.%%s)', gn.nspname, g.oprname) END,
                 CASE WHEN o.oprrest <> 0 THEN format('RESTRICT = %%s', o.oprrest::regproc) END,
                 CASE WHEN o.oprjoin <> 0 THEN format('JOIN = %%s', o.oprjoin::regproc) END,
                 CASE WHEN o.oprcanhash THEN 'HASHES' END, CASE WHEN o.oprcanmerge THEN 'MERGES' END),
       obj_description(o.oid, 'pg_operator')
FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
LEFT JOIN pg_operator c ON c.oid = o.oprcom LEFT JOIN pg_namespace cn ON cn.oid = c.oprnamespace
LEFT JOIN pg_operator g ON g.oid = o.oprnegate LEFT JOIN pg_namespace gn ON gn.oid = g.oprnamespace
WHERE o.oprcode <> 0
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_operator'::regclass AND d.objid = o.oid
                  AND d.deptype = 'e')
"""

# (schema, symbol, left type or NONE, right type) -> (its options, its comment)
Operators = dict[tuple[str, str, str, str], tuple[str, str | None]]


def read_operators(conn: Any, keep: set[str]) -> Operators:
    return {(s, name, left, right): (options, comment)
            for s, name, left, right, options, comment in conn.exec_driver_sql(_OPERATORS_SQL) if s in keep}


def operator_statements(source: Operators, target: Operators) -> tuple[list[str], list[str]]:
    """(drops, creates): an operator gone or changed is dropped (before the functions it calls), one new or
    changed is created (after them), with its comment."""
    drops = [f"drop operator if exists {operator_name(k[0], k[1])} ({k[2]}, {k[3]});" for k in sorted(source)
             if target.get(k) != source[k]]
    creates = []
    for k in sorted(target):
        if source.get(k) != target[k]:
            options, comment = target[k]
            creates.append(f"create operator {operator_name(k[0], k[1])} ({options});")
            if comment is not None:
                creates.append(f"comment on operator {operator_name(k[0], k[1])} ({k[2]}, {k[3]}) is "
                               f"{sql_literal(comment)};")
    return drops, creates
