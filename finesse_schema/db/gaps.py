"""What migra misses, inspected and diffed by finesse itself.

migra is frozen; these are the gaps the plan verification found, closed here
rather than in a fork, and kept beside the diff module that assembles them:

* comments on every object kind (migra compares none), also of the views and functions migra
  drops and creates again unchanged (a view over a changed table loses its comment);
* domains (migra never creates, alters or drops them);
* sequence attributes (migra creates and drops sequences, never alters them);
* a function a column default or check calls must exist before that table
  and outlive it (migra creates functions after tables and drops them before);
* FORCE ROW LEVEL SECURITY (migra only knows ENABLE);
* partitioned tables: an index of a partition is created or dropped with its
  parent index or its partition, not on its own; a parent index cascades to the
  partitions (no ON ONLY); a primary or unique key is added from its definition;
  a constraint a partition inherits from its parent is left to the parent;
* a domain over an enum, which schemainspect also lists as an empty enum;
* identity columns: migra creates them without their sequence options (start,
  increment, ...) and never alters those;
* a NOT VALID constraint: migra doubles the clause and validates it right away;
* rebuilding an enum, migra restores the column's old default (which may name a
  removed value) before setting the new one: only the last default is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..logic.compile.order import topological
from ..logic.sql.quoting import qualified, quote, sql_literal

_OBJECTS_SQL = """
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                      WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX' ELSE 'TABLE' END,
       n.nspname, c.relname, NULL::text, obj_description(c.oid, 'pg_class')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'i', 'I')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'COLUMN', n.nspname, c.relname, a.attname, col_description(c.oid, a.attnum)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, NULL,
       obj_description(t.oid, 'pg_type')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE (t.typtype IN ('e', 'd') OR t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname,
       pg_get_function_identity_arguments(p.oid), obj_description(p.oid, 'pg_proc')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind IN ('f', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'TRIGGER', n.nspname, c.relname, tg.tgname, obj_description(tg.oid, 'pg_trigger')
  FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'SCHEMA', n.nspname, n.nspname, NULL, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n
"""

_FORCED_RLS_SQL = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relforcerowsecurity AND c.relkind IN ('r', 'p')
"""

_PARTITIONS_SQL = """
SELECT n.nspname, c.relname, c.relkind, pn.nspname, p.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
  LEFT JOIN pg_class p ON p.oid = i.inhparent LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
 WHERE c.relkind = 'p' OR (c.relkind IN ('i', 'I', 'r') AND c.relispartition)
"""

_INHERITED_CONSTRAINTS_SQL = """
SELECT n.nspname, c.relname, k.conname FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.conparentid <> 0 OR NOT k.conislocal
"""

_UNVALIDATED_SQL = """
SELECT n.nspname, c.relname, k.conname FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT k.convalidated
"""

_DOMAINS_SQL = """
SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
       coalesce((SELECT array_agg(ARRAY[c.conname, pg_get_constraintdef(c.oid)] ORDER BY c.conname)
                   FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '{}'),
       (SELECT ARRAY[bn.nspname, b.typname] FROM pg_type b JOIN pg_namespace bn ON bn.oid = b.typnamespace
         WHERE b.oid = t.typbasetype AND b.typtype = 'd')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype = 'd'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
"""

_SEQUENCES_SQL = """
SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       s.seqcache, s.seqcycle, t.relname, a.attname
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
  LEFT JOIN pg_class t ON t.oid = d.refobjid
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
"""

ObjectKey = tuple[str, str, str, str | None]  # (kind, schema, name, column / arguments / trigger)


@dataclass(frozen=True)
class DomainInfo:
    base_type: str
    not_null: bool
    default: str | None
    constraints: tuple[tuple[str, str], ...]  # (name, definition)
    over: tuple[str, str] | None = None  # the domain this one is over, if it is over one: (schema, name)


@dataclass
class Extras:
    """One database's facts that migra does not compare."""

    objects: dict[ObjectKey, str | None] = field(default_factory=dict)  # every commentable object -> comment
    domains: dict[tuple[str, str], DomainInfo] = field(default_factory=dict)
    sequences: dict[tuple[str, str], tuple] = field(default_factory=dict)
    identities: dict[tuple[str, str, str], tuple] = field(default_factory=dict)  # (schema, table, column)
    forced_rls: frozenset[tuple[str, str]] = frozenset()  # tables with FORCE ROW LEVEL SECURITY
    partitioned: frozenset[tuple[str, str]] = frozenset()  # partitioned tables
    index_parents: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # partition index -> parent
    partition_parents: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # partition -> table
    inherited_constraints: frozenset[tuple[str, str, str]] = frozenset()  # (schema, partition, constraint)
    unvalidated: frozenset[tuple[str, str, str]] = frozenset()  # NOT VALID constraints: (schema, table, name)
    inherited_columns: frozenset[tuple[str, str, str]] = frozenset()  # a child's columns that are only its parent's


# columns a child of table inheritance (not a partition) has only from its parents: not its own to create,
# alter or drop
_INHERITED_COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attinhcount > 0 AND NOT a.attislocal AND NOT c.relispartition
  AND c.relkind IN ('r', 'p')
"""


def inspect_extras(conn: Any, keep: set[str]) -> Extras:
    """Read comments, domains and sequences through a SQLAlchemy connection, for schemas in ``keep``."""
    out = Extras()
    for kind, schema, name, sub, text in conn.exec_driver_sql(_OBJECTS_SQL):
        if schema in keep:
            out.objects[(kind, schema, name, sub)] = text
    for schema, name, base, not_null, default, cons, over in conn.exec_driver_sql(_DOMAINS_SQL):
        if schema in keep:
            pairs = tuple((c[0], c[1]) for c in cons)  # a constraint's name may have spaces in it
            out.domains[(schema, name)] = DomainInfo(base, not_null, default, pairs, tuple(over) if over else None)
    out.forced_rls = frozenset((s, t) for s, t in conn.exec_driver_sql(_FORCED_RLS_SQL) if s in keep)
    partitioned = set()
    for schema, name, kind, parent_schema, parent in conn.exec_driver_sql(_PARTITIONS_SQL):
        if schema not in keep:
            continue
        if kind == "p":
            partitioned.add((schema, name))
        if parent is None:
            continue
        if kind in ("i", "I"):
            out.index_parents[(schema, name)] = (parent_schema, parent)
        else:
            out.partition_parents[(schema, name)] = (parent_schema, parent)
    out.partitioned = frozenset(partitioned)
    out.unvalidated = frozenset((s, t, n) for s, t, n in conn.exec_driver_sql(_UNVALIDATED_SQL) if s in keep)
    out.inherited_columns = frozenset((s, t, n) for s, t, n in conn.exec_driver_sql(_INHERITED_COLUMNS_SQL)
                                      if s in keep)
    out.inherited_constraints = frozenset(
        (s, t, n) for s, t, n in conn.exec_driver_sql(_INHERITED_CONSTRAINTS_SQL) if s in keep)
    for schema, name, *attrs, table, column in conn.exec_driver_sql(_SEQUENCES_SQL):
        if schema not in keep:
            continue
        if table is None:
            out.sequences[(schema, name)] = tuple(attrs)
        else:
            out.identities[(schema, table, column)] = tuple(attrs)
    return out


def _literal(text: str | None) -> str:
    return "NULL" if text is None else sql_literal(text)


_DROP_RE = re.compile(r'^\s*drop\s+(view|materialized view|function|procedure|table)\s+(?:if exists\s+)?'
                      r'("(?:[^"]|"")+")\s*\.\s*("(?:[^"]|"")+")', re.I)
_DROP_TRIGGER_RE = re.compile(r'^\s*drop\s+trigger\s+(?:if exists\s+)?("(?:[^"]|"")+")\s+on\s+'
                              r'("(?:[^"]|"")+")\s*\.\s*("(?:[^"]|"")+")', re.I)
_OWNED = {"VIEW": ("VIEW", "COLUMN"), "MATERIALIZED VIEW": ("MATERIALIZED VIEW", "COLUMN"),
          "TABLE": ("TABLE", "COLUMN", "TRIGGER"), "FUNCTION": ("FUNCTION",), "PROCEDURE": ("PROCEDURE",)}


def _ident(quoted: str) -> str:
    return quoted[1:-1].replace('""', '"')


def dropped_objects(statements: list[str]) -> set[tuple[str, str, str, str | None]]:
    """Keys (as in Extras.objects, with None for 'any') of what ``statements`` drop, with what goes with it: a
    view's or table's columns, a table's triggers."""
    out: set[tuple[str, str, str, str | None]] = set()
    for stmt in statements:
        m = _DROP_RE.match(stmt)
        if m:
            kind = m.group(1).upper()
            for owned in _OWNED[kind]:
                out.add((owned, _ident(m.group(2)), _ident(m.group(3)), None))
            continue
        m = _DROP_TRIGGER_RE.match(stmt)
        if m:
            out.add(("TRIGGER", _ident(m.group(2)), _ident(m.group(3)), _ident(m.group(1))))
    return out


def comment_statements(source: Extras, target: Extras, statements: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """COMMENT ON for every object in ``target`` whose comment differs from ``source`` (sorted).

    An object that ``statements`` drop (and create again: migra recreates the views over a changed table)
    has lost its comment, whatever ``source`` said."""
    gone = dropped_objects(list(statements))
    out = []
    for key in sorted(target.objects, key=lambda k: tuple(x or "" for x in k)):
        kind, schema, name, sub = key
        dropped = (kind, schema, name, None) in gone or (kind, schema, name, sub) in gone
        new, old = target.objects[key], None if dropped else source.objects.get(key)
        if new == old:
            continue
        if kind == "COLUMN":
            target_sql = f"{qualified(schema, name)}.{quote(sub or '')}"
        elif kind in ("FUNCTION", "PROCEDURE"):
            target_sql = f"{qualified(schema, name)}({sub})"
        elif kind == "TRIGGER":
            target_sql = f"{quote(sub or '')} on {qualified(schema, name)}"
        elif kind == "SCHEMA":
            target_sql = quote(name)
        else:
            target_sql = qualified(schema, name)
        out.append(f"comment on {kind.lower()} {target_sql} is {_literal(new)};")
    return out


def _domain_create(schema: str, name: str, d: DomainInfo) -> str:
    sql = f"create domain {qualified(schema, name)} as {d.base_type}"
    if d.default is not None:
        sql += f" default {d.default}"
    if d.not_null:
        sql += " not null"
    for cname, definition in d.constraints:
        sql += f" constraint {quote(cname)} {definition}"
    return sql + ";"


def domain_statements(source: Extras, target: Extras) -> tuple[list[str], list[str]]:
    """(statements to run before tables change, statements to run after): create, alter, drop domains."""
    early, late = [], []
    keys = sorted(set(source.domains) | set(target.domains))  # by name, a domain over another after it
    over = {repr(k): {repr(d.over)} for k, d in target.domains.items() if d.over}
    for key in topological(keys, repr, lambda k: over.get(repr(k), set())):
        old, new = source.domains.get(key), target.domains.get(key)
        name = qualified(*key)
        if old is None and new is not None:
            early.append(_domain_create(*key, new))
        elif new is None and old is not None:
            late.append(f"drop domain {name};")
        elif old is not None and new is not None and old != new:
            if old.base_type != new.base_type:
                late.append(f"drop domain {name};")  # cannot change in place; the verification tells if in use
                late.append(_domain_create(*key, new))
                continue
            if old.default != new.default:
                early.append(f"alter domain {name} " +
                             ("drop default;" if new.default is None else f"set default {new.default};"))
            if old.not_null != new.not_null:
                early.append(f"alter domain {name} {'set' if new.not_null else 'drop'} not null;")
            old_c, new_c = dict(old.constraints), dict(new.constraints)
            for cname in sorted(old_c):
                if old_c[cname] != new_c.get(cname):
                    early.append(f"alter domain {name} drop constraint {quote(cname)};")
            for cname in sorted(new_c):
                if old_c.get(cname) != new_c[cname]:
                    early.append(f"alter domain {name} add constraint {quote(cname)} {new_c[cname]};")
    return early, late


_SEQ_CLAUSES = ("as {}", "start with {}", "increment by {}", "minvalue {}", "maxvalue {}", "cache {}", None)


# what CREATE SEQUENCE without options gives (migra creates sequences bare)
_FRESH_SEQUENCE = ("bigint", 1, 1, 1, 9223372036854775807, 1, False)


def sequence_statements(source: Extras, target: Extras) -> list[str]:
    """ALTER SEQUENCE for sequences whose attributes differ; a new one is compared with a bare CREATE SEQUENCE."""
    out = []
    for key in sorted(target.sequences):
        old, new = source.sequences.get(key, _FRESH_SEQUENCE), target.sequences[key]
        if old == new:
            continue
        clauses = [tpl.format(n) for tpl, o, n in zip(_SEQ_CLAUSES, old, new) if tpl and o != n]
        if old[-1] != new[-1]:
            clauses.append("cycle" if new[-1] else "no cycle")
        if key not in source.sequences and old[1] != new[1]:
            clauses.append("restart")  # a new sequence begins at its start; an existing one keeps its place
        out.append(f"alter sequence {qualified(*key)} {' '.join(clauses)};")
    return out


_TYPE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
_IDENTITY_OPTIONS = (None, "start with {}", "increment by {}", "minvalue {}", "maxvalue {}", "cache {}")


def identity_statements(source: Extras, target: Extras) -> list[str]:
    """Sequence options of identity columns: set on new ones (which then restart), changed on existing ones."""
    out = []
    for key in sorted(target.identities):
        new = target.identities[key]
        old = source.identities.get(key) or (new[0], 1, 1, 1, _TYPE_MAX.get(new[0], new[4]), 1, False)
        if old[1:] == new[1:]:
            continue
        clauses = [f"set {tpl.format(n)}" for tpl, o, n in zip(_IDENTITY_OPTIONS, old, new) if tpl and o != n]
        if old[-1] != new[-1]:
            clauses.append("set cycle" if new[-1] else "set no cycle")
        if key not in source.identities and old[1] != new[1]:
            clauses.append("restart")
        schema, table, column = key
        out.append(f"alter table {qualified(schema, table)} alter column {quote(column)} {' '.join(clauses)};")
    return out


_FUNCTION_CREATE_RE = re.compile(r'^\s*create\s+or\s+replace\s+function\s+(?:"?([\w$]+)"?\s*\.\s*)?"?([\w$]+)"?',
                                 re.I)


def hoist_functions(statements: list[str]) -> list[str]:
    """Move each function creation before the first earlier statement that calls it (a default, a check)."""
    out = list(statements)
    moved = True
    while moved:
        moved = False
        for j, stmt in enumerate(out):
            m = _FUNCTION_CREATE_RE.match(stmt)
            if not m:
                continue
            call = re.compile(rf'(?<![\w$"])(?:"?{re.escape(m.group(1) or "")}"?\s*\.\s*)?"?{re.escape(m.group(2))}"?\s*\(',
                              re.I)
            first = next((i for i in range(j) if not _FUNCTION_CREATE_RE.match(out[i]) and call.search(out[i])), None)
            if first is not None:
                out.insert(first, out.pop(j))
                moved = True
                break
    if out != statements:
        out.insert(0, "set local check_function_bodies = off;")
    return out


_FUNCTION_DROP_RE = re.compile(r'^\s*drop\s+function\s+(?:if\s+exists\s+)?(?:"?([\w$]+)"?\s*\.\s*)?"?([\w$]+)"?',
                               re.I)


_TYPE_DROP_RE = re.compile(r"^\s*drop\s+(type|extension)\b", re.I)


def sink_function_drops(statements: list[str], also: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Move function drops (and the statements ``also``, e.g. domain drops) after the table changes but
    before types and extensions are dropped: tables whose defaults or checks call a function go first,
    and a function or domain may use a type. A function created again later (a changed signature or
    return type) keeps its place."""
    keep, sunk = [], []
    for i, stmt in enumerate(statements):
        m = _FUNCTION_DROP_RE.match(stmt)
        recreated = m and any((c := _FUNCTION_CREATE_RE.match(later)) and c.group(2) == m.group(2)
                              for later in statements[i + 1:])
        (sunk if m and not recreated else keep).append(stmt)
    cut = next((i for i, stmt in enumerate(keep) if _TYPE_DROP_RE.match(stmt)), len(keep))
    return keep[:cut] + sunk + list(also) + keep[cut:]


def enum_additions(old: tuple[str, ...], new: tuple[str, ...]) -> list[str] | None:
    """ADD VALUE clauses turning enum values ``old`` into ``new``, or None when values go or move.

    Each new value goes BEFORE the next value that already exists, else AFTER the one before it.
    """
    if [v for v in new if v in old] != list(old):
        return None
    clauses, present = [], list(old)
    for i, value in enumerate(new):
        if value in present:
            continue
        following = next((v for v in new[i + 1:] if v in present), None)
        where = f"before {_literal(following)}" if following is not None else f"after {_literal(new[i - 1])}"
        clauses.append(f"add value if not exists {_literal(value)} {where}")
        present.insert(present.index(following) if following is not None else len(present), value)
    return clauses


_SET_DEFAULT_RE = re.compile(r'^\s*alter\s+table\s+(.+?)\s+alter\s+column\s+("(?:[^"]|"")+"|[\w$]+)\s+set\s+default\b',
                             re.I | re.S)


def last_default_wins(statements: list[str]) -> list[str]:
    """Drop a SET DEFAULT that a later SET DEFAULT of the same column overrides (defaults touch no rows)."""
    last: dict[tuple[str, str], int] = {}
    for i, stmt in enumerate(statements):
        m = _SET_DEFAULT_RE.match(stmt)
        if m:
            last[(m.group(1).replace('"', ""), m.group(2).replace('"', ""))] = i
    out = []
    for i, stmt in enumerate(statements):
        m = _SET_DEFAULT_RE.match(stmt)
        if m and last[(m.group(1).replace('"', ""), m.group(2).replace('"', ""))] != i:
            continue
        out.append(stmt)
    return out


def forced_rls_statements(source: Extras, target: Extras, target_tables: set[tuple[str, str]]) -> list[str]:
    """FORCE / NO FORCE ROW LEVEL SECURITY for tables that exist in ``target`` and changed."""
    out = []
    for key in sorted((source.forced_rls ^ target.forced_rls) & target_tables):
        out.append(f"alter table {qualified(*key)} {'' if key in target.forced_rls else 'no '}force row level security;")
    return out
