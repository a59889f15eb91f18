"""The schema -> DBML (dbdiagram.io, dbdocs). Pure.

Declared foreign keys are Refs (with their on delete / on update); a reference only a column's name
implies is a note on the column, so that dbdiagram does not draw it as enforced.
"""

from __future__ import annotations

import re

from ...core.model import QualifiedName, Schema, Table
from .relations import ENFORCED, Relation

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _name(text: str) -> str:
    return text if _PLAIN.match(text) else '"' + text.replace('"', '\\"') + '"'


def _qn(q: QualifiedName) -> str:
    return f"{_name(q.schema)}.{_name(q.name)}"


def _note(text: str) -> str:
    return "'" + " ".join(text.split()).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _type(type_name: str) -> str:
    return type_name if re.match(r"^[A-Za-z_][A-Za-z0-9_.]*(\(\d+(,\s*\d+)?\))?$", type_name) else f'"{type_name}"'


def _default(text: str) -> str:
    if re.fullmatch(r"-?\d+(\.\d+)?", text) or text in ("true", "false", "null"):
        return text
    return "`" + text.replace("`", "'") + "`"


def _table(t: Table, implied: dict[str, Relation], group: str) -> list[str]:
    settings = [f"note: {_note(t.comment)}"] if t.comment else []
    lines = [f"Table {_qn(t.qualified)}" + (f" [{', '.join(settings)}]" if settings else "") + " {"]
    pk = list(t.primary_key.columns) if t.primary_key else []
    uniques = {u.columns[0] for u in t.uniques if len(u.columns) == 1}
    for c in t.columns:
        opts = []
        if pk == [c.name]:
            opts.append("pk")
        if not c.nullable and pk != [c.name]:
            opts.append("not null")
        if c.name in uniques:
            opts.append("unique")
        if c.identity:
            opts.append("increment")
        if c.default:
            opts.append(f"default: {_default(c.default)}")
        note = c.comment or ""
        r = implied.get(c.name)
        if r is not None:
            note = (note + " " if note else "") + f"(references {r.parent}.{r.parent_columns[0]} by its name only: no " \
                                                  "foreign key)"
        if note:
            opts.append(f"note: {_note(note)}")
        lines.append(f"  {_name(c.name)} {_type(c.type)}" + (f" [{', '.join(opts)}]" if opts else ""))
    composite = ([("(" + ", ".join(map(_name, pk)) + ")", "pk")] if len(pk) > 1 else []) + \
        [("(" + ", ".join(map(_name, u.columns)) + ")", f"unique, name: {_note(u.name)}") for u in t.uniques
         if len(u.columns) > 1]
    for ix in t.indexes:
        cols = ", ".join(_name(e.column) if e.column else f"`{e.expression}`" for e in ix.elements)
        opts = [f"name: {_note(ix.name)}"] + (["unique"] if ix.unique else []) + (
            [f"type: {ix.method}"] if ix.method in ("btree", "hash") and ix.method != "btree" else []) + (
            [f"note: {_note('where ' + ix.where)}"] if ix.where else [])
        composite.append((f"({cols})", ", ".join(opts)))
    if composite:
        lines.append("  indexes {")
        lines += [f"    {cols} [{opts}]" for cols, opts in composite]
        lines.append("  }")
    lines.append("}")
    return lines


def render_dbml(schema: Schema, rels: list[Relation], groups: dict[str, list[QualifiedName]], *, header: str) -> str:
    lines = [header, "Project finesse {", "  database_type: 'PostgreSQL'", "}", ""]
    for e in sorted(schema.enums, key=lambda e: str(e.qualified)):
        lines += [f"Enum {_qn(e.qualified)} {{", *[f"  {_name(v)}" for v in e.values], "}", ""]
    group_of = {q: g for g, members in groups.items() for q in members}
    for t in sorted(schema.tables, key=lambda t: str(t.qualified)):
        implied = {r.columns[0]: r for r in rels if r.child == t.qualified and r.kind != ENFORCED}
        lines += _table(t, implied, group_of.get(t.qualified, "")) + [""]
    for r in rels:
        if r.kind != ENFORCED:
            continue
        child = f"{_qn(r.child)}." + (_name(r.columns[0]) if len(r.columns) == 1 else
                                      "(" + ", ".join(map(_name, r.columns)) + ")")
        parent = f"{_qn(r.parent)}." + (_name(r.parent_columns[0]) if len(r.parent_columns) == 1 else
                                        "(" + ", ".join(map(_name, r.parent_columns)) + ")")
        opts = [f"delete: {r.on_delete}"] + ([f"update: {r.on_update}"] if r.on_update != "no action" else [])
        lines.append(f"Ref {_name(r.name)}: {child} > {parent} [{', '.join(opts)}]")
    lines.append("")
    for g, members in groups.items():
        lines += [f"TableGroup {_name(g)} {{", *[f"  {_qn(q)}" for q in members], "}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
