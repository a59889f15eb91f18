"""One database's dependency edges, by object key (see logic/plan/dependencies.py), read from pg_depend.

Every dependency PostgreSQL records between user objects is read: a view's rule on the columns, functions
and types it reads and on the constraint its GROUP BY relies on; an index on its table and columns; a
foreign key on the referenced columns and unique index; a default on its function and sequence; a column
on its type; a composite type (its attributes) on theirs; a function on the types of its arguments and
result (a table's row type too); a trigger on its function; a partition on its parent. An index that
implements a constraint is turned round: the constraint (ADD CONSTRAINT ... USING INDEX) needs the index.
An extension's own objects stand for the extension (a column of type citext needs the extension citext);
the system's objects are left out.
"""

from __future__ import annotations

from typing import Any

from ..logic.plan.dependencies import Dependencies, Key

# (classid, objid, objsubid) -> a key; the same expression serves both ends of an edge
_KEY = """
CASE {c}::regclass
  WHEN 'pg_class'::regclass THEN (SELECT CASE WHEN r.relkind = 'c' THEN ARRAY['type', n.nspname, r.relname]
                                             WHEN {s} = 0 THEN ARRAY['rel', n.nspname, r.relname]
                                             ELSE ARRAY['col', n.nspname, r.relname, a.attname] END
       FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = {s} WHERE r.oid = {o})
  WHEN 'pg_type'::regclass THEN (SELECT CASE WHEN b.typrelid <> 0 AND rr.relkind <> 'c'
                                             THEN ARRAY['rel', n.nspname, rr.relname]
                                             ELSE ARRAY['type', n.nspname, b.typname] END
       FROM pg_type t JOIN pg_type b ON b.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem
                                                     ELSE t.oid END
       JOIN pg_namespace n ON n.oid = b.typnamespace LEFT JOIN pg_class rr ON rr.oid = b.typrelid
       WHERE t.oid = {o})
  WHEN 'pg_proc'::regclass THEN (SELECT ARRAY['func', n.nspname, p.proname]
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = {o})
  WHEN 'pg_constraint'::regclass THEN (SELECT CASE WHEN k.conrelid <> 0
                                                   THEN ARRAY['con', n.nspname, r.relname, k.conname]
                                                   ELSE ARRAY['type', n.nspname, t.typname] END
       FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
       LEFT JOIN pg_class r ON r.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid WHERE k.oid = {o})
  WHEN 'pg_trigger'::regclass THEN (SELECT ARRAY['trigger', n.nspname, r.relname, g.tgname]
       FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
       WHERE g.oid = {o} AND NOT g.tgisinternal)
  WHEN 'pg_policy'::regclass THEN (SELECT ARRAY['policy', n.nspname, r.relname, y.polname]
       FROM pg_policy y JOIN pg_class r ON r.oid = y.polrelid JOIN pg_namespace n ON n.oid = r.relnamespace
       WHERE y.oid = {o})
  WHEN 'pg_rewrite'::regclass THEN (SELECT ARRAY['rel', n.nspname, r.relname]
       FROM pg_rewrite w JOIN pg_class r ON r.oid = w.ev_class JOIN pg_namespace n ON n.oid = r.relnamespace
       WHERE w.oid = {o})
  WHEN 'pg_attrdef'::regclass THEN (SELECT ARRAY['col', n.nspname, r.relname, a.attname]
       FROM pg_attrdef d JOIN pg_class r ON r.oid = d.adrelid JOIN pg_namespace n ON n.oid = r.relnamespace
       JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.oid = {o})
  WHEN 'pg_namespace'::regclass THEN (SELECT ARRAY['schema', nspname] FROM pg_namespace WHERE oid = {o})
  WHEN 'pg_extension'::regclass THEN (SELECT ARRAY['ext', extname] FROM pg_extension WHERE oid = {o})
  WHEN 'pg_operator'::regclass THEN (SELECT ARRAY['operator', n.nspname, o.oprname]
       FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE o.oid = {o})
  WHEN 'pg_collation'::regclass THEN (SELECT ARRAY['collation', n.nspname, l.collname]
       FROM pg_collation l JOIN pg_namespace n ON n.oid = l.collnamespace WHERE l.oid = {o})
END"""

_EDGES_SQL = f"""
WITH deps AS (
  SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
  FROM pg_depend d
  WHERE d.deptype IN ('n', 'a', 'i', 'P', 'S') AND d.refobjid >= 16384 AND d.objid >= 16384
)
SELECT {_KEY.format(c="classid", o="objid", s="objsubid")} AS dependent,
       {_KEY.format(c="refclassid", o="refobjid", s="refobjsubid")} AS referenced,
       deptype, classid = 'pg_class'::regclass AND refclassid = 'pg_constraint'::regclass AS index_of_constraint,
       classid = 'pg_class'::regclass AND refclassid = 'pg_class'::regclass AND objsubid = 0 AND refobjsubid <> 0
         AND (SELECT relkind FROM pg_class WHERE oid = objid) = 'S' AS owned_sequence
FROM deps
"""


# an extension's own objects (citext's type, pg_trgm's operator classes), by key: what uses one needs the
# extension, and goes before the extension is dropped
_MEMBERS_SQL = f"""
SELECT {_KEY.format(c="member.classid", o="member.objid", s="0")} AS member, e.extname
FROM pg_depend member JOIN pg_extension e ON e.oid = member.refobjid
WHERE member.deptype = 'e' AND member.refclassid = 'pg_extension'::regclass
"""


# every index on its table's columns: an index that implements a constraint records its columns on the
# constraint only, and the ordering needs them on the index too (CREATE UNIQUE INDEX before ADD CONSTRAINT)
_INDEX_COLUMNS_SQL = """
SELECT ARRAY['rel', n.nspname, ic.relname], ARRAY['col', n.nspname, tc.relname, a.attname]
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = tc.relnamespace
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) AND a.attnum > 0
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
"""


# a foreign key on every unique index of its referenced columns, not only the one pg_depend names: which of two
# equal keys PostgreSQL ties it to depends on the order they were made, which another database may not share
_FOREIGN_KEY_INDEXES_SQL = """
SELECT ARRAY['con', fn.nspname, ft.relname, f.conname], ARRAY['rel', n.nspname, ic.relname]
FROM pg_constraint f JOIN pg_class ft ON ft.oid = f.conrelid JOIN pg_namespace fn ON fn.oid = ft.relnamespace
JOIN pg_index i ON i.indrelid = f.confrelid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
 AND i.indnkeyatts = cardinality(f.confkey)
 AND (SELECT array_agg(k ORDER BY k) FROM unnest(i.indkey[0:i.indnkeyatts - 1]) k)
   = (SELECT array_agg(k ORDER BY k) FROM unnest(f.confkey) k)
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE f.contype = 'f' AND fn.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
"""


def read_dependencies(conn: Any, schemas: set[str]) -> Dependencies:
    """The edges between objects of ``schemas`` (and the schemas, extensions and types they use)."""
    edges: list[tuple[Key, Key]] = []
    owned: list[tuple[Key, Key]] = []
    extension_of = {tuple(member): ("ext", name) for member, name in conn.exec_driver_sql(_MEMBERS_SQL)
                    if member and None not in member}
    for dependent, referenced, deptype, index_of_constraint, owned_sequence in conn.exec_driver_sql(_EDGES_SQL):
        if not dependent or not referenced or None in dependent or None in referenced:
            continue
        dep, ref = tuple(dependent), tuple(referenced)
        dep, ref = extension_of.get(dep, dep), extension_of.get(ref, ref)
        if not (_in(dep, schemas) or _in(ref, schemas)) or _system(dep) or _system(ref):
            continue
        if owned_sequence:  # OWNED BY, or an identity's own sequence: part of the column, which needs it, not
            if dep[0] == "rel" and ref[0] == "col":  # after it; dropped with the column's table
                owned.append((("rel", ref[1], ref[2]), dep))
            continue
        if deptype == "i" and index_of_constraint:
            dep, ref = ref, dep  # ADD CONSTRAINT ... USING INDEX: the constraint needs its index
        edges.append((dep, ref))
    for index, column in conn.exec_driver_sql(_INDEX_COLUMNS_SQL):
        if index[1] in schemas:
            edges.append((tuple(index), tuple(column)))
    for foreign_key, index in conn.exec_driver_sql(_FOREIGN_KEY_INDEXES_SQL):
        if foreign_key[1] in schemas or index[1] in schemas:
            edges.append((tuple(foreign_key), tuple(index)))
    return Dependencies.from_edges(edges, owned)


_SYSTEM = ("pg_catalog", "information_schema", "pg_toast")


def _in(key: Key, schemas: set[str]) -> bool:
    return key[0] in ("schema", "ext") or (len(key) > 1 and key[1] in schemas)


def _system(key: Key) -> bool:
    return len(key) > 1 and key[0] != "ext" and (key[1] in _SYSTEM or key[1].startswith("pg_temp"))
