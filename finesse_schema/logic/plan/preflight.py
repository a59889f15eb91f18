"""Data preflight: what in the live data would make a plan fail, as probes over its changes. Pure.

For each change that checks existing rows, a query counting the rows that would
make it fail, with sample keys:

* a foreign key (validated): orphan rows;
* SET NOT NULL, or a new NOT NULL column without a default: nulls (rows);
* a unique constraint or unique index: surplus duplicate rows;
* a type change that may not keep every value: values that do not convert
  (``pg_input_is_valid`` on PostgreSQL 16 and later; lengths and integer ranges before);
* an enum losing values: rows holding them.

The database edge runs them (:mod:`finesse_schema.db.live_audit`, same probes as
``finesse check --live``) and the caller refuses a plan that would fail.
"""

from __future__ import annotations

import re

from ...core.model import Schema, Table
from ...core.plan import Change, ChangeKind, Plan
from ..sql.quoting import quote
from ..check.live_rules import SAMPLES, Probe, _key, orphan_probe

WAYS_OUT = ("clean or fix the rows", "declare the constraint not_valid: true (existing rows stay unchecked)",
            "move the rows aside (a quarantine table) in a data step before the change")
_INT_RANGE = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647)}


def affected_tables(plan: Plan) -> list[str]:
    """The existing tables (schema.table) the plan alters: their row counts go into the summary."""
    created = {c.object_name for c in plan.upgrade if c.kind == ChangeKind.CREATE and c.object_type == "table"}
    out = set()
    for c in plan.upgrade:
        if c.object_type in ("column", "constraint"):
            out.add(_split(c)[0])
        elif c.object_type == "index" and " on " in f" {c.reason}":
            out.add(c.reason.split("on ", 1)[1])
        elif c.object_type == "table" and c.kind == ChangeKind.ALTER:
            out.add(c.object_name)
    return sorted(out - created)


def _table(schema: Schema, qualified: str) -> Table | None:
    s, _, n = qualified.partition(".")
    return next((t for t in schema.tables if t.schema == s and t.name == n), None)


def _split(change: Change) -> tuple[str, str]:
    """(schema.table, last part) of a change on a column or constraint: public.orders.user_id."""
    parts = change.object_name.split(".")
    return ".".join(parts[:2]), parts[-1]


def _pk_sample(t: Table) -> str:
    return _key("c", tuple(t.primary_key.columns)) if t.primary_key else "c.ctid::text"


def _count_probe(t: Table, column: str, where: str, message: str, hint: str) -> Probe:
    sql = f"SELECT count(*), (array_agg({_pk_sample(t)}))[1:{SAMPLES}] FROM {{t}} WHERE {where}"
    return Probe("FS205", t, (column,), (), sql, message, hint, f"columns.{column}")


def _fit_condition(column: str, new_type: str, server_major: int) -> str | None:
    """SQL true for values of ``column`` that do not convert to ``new_type``, or None when not measurable."""
    col = f"c.{quote(column)}"
    if server_major >= 16:
        return f"{col} IS NOT NULL AND NOT pg_input_is_valid({col}::text, {_literal(new_type)})"
    m = re.fullmatch(r"character varying\((\d+)\)|character\((\d+)\)", new_type)
    if m:
        return f"length({col}::text) > {m.group(1) or m.group(2)}"
    if new_type in _INT_RANGE:
        low, high = _INT_RANGE[new_type]
        return f"{col} IS NOT NULL AND {col}::numeric NOT BETWEEN {low} AND {high}"
    return None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def preflight_probes(plan: Plan, schema: Schema, server_major: int) -> tuple[list[Probe], list[str]]:
    """Probes for the changes of ``plan`` that existing rows can make fail, and notes on what was not measured."""
    created = {c.object_name for c in plan.upgrade if c.kind == ChangeKind.CREATE and c.object_type == "table"}
    validated = {c.object_name for c in plan.upgrade if c.object_type == "constraint" and c.reason == "validate"}
    probes: list[Probe] = []
    notes: list[str] = []
    for c in plan.upgrade:
        if c.object_type not in ("constraint", "column", "index", "enum"):
            continue
        table_name, last = _split(c)
        if c.object_type == "enum" and c.reason.startswith("values removed"):
            values = [v.strip() for v in c.reason.split(":", 1)[1].split(",")]
            for t in schema.tables:
                for col in t.columns:
                    if col.type.replace("[]", "") == c.object_name and f"{t.schema}.{t.name}" not in created:
                        cond = " OR ".join(f"c.{quote(col.name)}::text = {_literal(v)}" for v in values)
                        probes.append(_count_probe(t, col.name, cond, f"{{count}} row(s) hold {', '.join(values)} in "
                                                   f"{col.name}, which {c.object_name} loses; rows include {{samples}}",
                                                   "update them to a value that stays"))
            continue
        if table_name in created:
            continue
        t = _table(schema, table_name)
        if t is None:
            continue
        if c.object_type == "constraint" and c.kind == ChangeKind.CREATE:
            if c.reason.startswith("foreign key") and (c.reason == "foreign key" or c.object_name in validated):
                fk = next((f for f in t.foreign_keys if f.name == last), None)
                parent = schema.table(fk.ref_table) if fk else None
                if fk is not None and parent is not None:
                    probes.append(orphan_probe(t, fk.columns, parent, fk.ref_columns, f"new foreign key {fk.name}"))
            elif c.reason in ("unique", "primary key"):
                key = next((u.columns for u in t.uniques if u.name == last), None) or \
                    (t.primary_key.columns if t.primary_key and t.primary_key.name == last else None)
                if key:
                    probes.append(_duplicates(t, tuple(key), last))
        elif c.object_type == "index" and c.kind == ChangeKind.CREATE and "unique index" in c.sql.lower()[:40]:
            ix = next((i for i in t.indexes if i.name == last.split(".")[-1]), None)
            if ix is not None and all(e.column for e in ix.elements) and not ix.where:
                probes.append(_duplicates(t, tuple(e.column for e in ix.elements), ix.name))  # type: ignore[misc]
        elif c.object_type == "column" and c.reason.startswith("set not null"):
            probes.append(_count_probe(t, last, f"c.{quote(last)} IS NULL",
                                       f"{{count}} row(s) have no {last}; rows include {{samples}}",
                                       "fill the nulls (a data step), or keep the column nullable"))
        elif c.object_type == "column" and c.kind == ChangeKind.CREATE and "not null" in c.reason \
                and "default" not in c.reason and "generated" not in c.reason:
            probes.append(_count_probe(t, t.columns[0].name, "true",
                                       f"{{count}} existing row(s) would have no {last}: a NOT NULL column needs a "
                                       "default; rows include {samples}", "give it a default, or add it nullable, "
                                       "backfill, then set not null"))
        elif c.object_type == "column" and c.reason.startswith("type ") and c.destructive:
            new_type = c.reason.split(" -> ", 1)[1].split(" (")[0]
            cond = _fit_condition(last, new_type, server_major)
            if cond is None:
                notes.append(f"preflight: whether every {table_name}.{last} converts to {new_type} was not measured")
                continue
            probes.append(_count_probe(t, last, cond, f"{{count}} value(s) of {last} do not fit {new_type}; rows "
                                       "include {samples}", "fix or move those rows, or keep the wider type"))
    return probes, notes


def _duplicates(t: Table, columns: tuple[str, ...], name: str) -> Probe:
    present = " AND ".join(f"c.{quote(c)} IS NOT NULL" for c in columns)
    sql = (f"SELECT coalesce(sum(n - 1), 0)::bigint, (array_agg(k ORDER BY k))[1:{SAMPLES}] FROM "
           f"(SELECT {_key('c', columns)} AS k, count(*) AS n FROM {{t}} WHERE {present} GROUP BY 1 "
           "HAVING count(*) > 1) d")
    return Probe("FS204", t, columns, (), sql, f"{{count}} surplus row(s) repeat a ({', '.join(columns)}) that "
                 f"{name} makes unique; repeated keys include {{samples}}", "keep one row per key, move the others "
                 "aside", f"columns.{columns[0]}")
