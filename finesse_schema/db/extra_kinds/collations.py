"""Collations as finesse writes them: schemainspect reads an ICU collation's locale as None (PostgreSQL 15
keeps it apart, in colliculocale; 17 in colllocale) and writes the provider as a string. Each collation's
options are read here and written the way pg_dump writes them (logic/compile/objects.collation_clause);
db/migra/patches.py makes schemainspect's collations create and compare themselves by that clause."""

from __future__ import annotations

from typing import Any

from ...logic.compile.objects import collation_clause

_COLLATIONS_SQL = """
SELECT n.nspname, c.collname,
       CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END,
       coalesce(to_jsonb(c)->>'colllocale', to_jsonb(c)->>'colliculocale', c.collcollate), c.collcollate,
       c.collctype, c.collisdeterministic
FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE c.collprovider <> 'd'
"""


def read_collation_clauses(conn: Any, keep: set[str]) -> dict[tuple[str, str], str]:
    """(schema, name) -> the options of CREATE COLLATION, for the collations of ``keep``."""
    out = {}
    for schema, name, provider, locale, lc_collate, lc_ctype, deterministic in conn.exec_driver_sql(_COLLATIONS_SQL):
        if schema in keep:
            out[(schema, name)] = collation_clause(provider, locale, lc_collate, lc_ctype, deterministic)
    return out
