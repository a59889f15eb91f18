"""Tables and relations -> a Mermaid erDiagram (renders on GitHub and in the HTML page). Pure.

An enforced foreign key is a solid line, a reference only a column's name implies a dotted one; a
relation with orphan rows (from a check report) says how many in its label. The overview draws the
tables alone (a column list of every table would be unreadable); a group's diagram draws their columns.
"""

from __future__ import annotations

import re

from ...core.model import QualifiedName, Schema, Table
from .relations import ENFORCED, Relation


def entity(name: QualifiedName) -> str:
    """A Mermaid-safe entity name: the table's, schema-prefixed outside public."""
    text = name.name if name.schema == "public" else f"{name.schema}__{name.name}"
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


_SHORT = {"timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
          "character varying": "varchar", "character": "char", "double precision": "float8",
          "time without time zone": "time", "time with time zone": "timetz", "bit varying": "varbit"}


def _type(type_name: str) -> str:
    """The type as a diagram shows it: short, without its modifiers (the table pages have them in full)."""
    array = "[]" if type_name.endswith("[]") else ""
    base = type_name[: -len(array) or None].split("(")[0].strip()
    base = _SHORT.get(base, base.removeprefix("public."))
    return (re.sub(r"[^A-Za-z0-9_]", "_", base) or "unknown") + array


def _quoted(text: str) -> str:
    return '"' + " ".join(text.split()).replace('"', "'") + '"'


def _entity_block(t: Table, with_columns: bool, keys: dict[str, list[str]]) -> list[str]:
    head = f'    {entity(t.qualified)}["{t.qualified}"]' if t.schema != "public" else f"    {entity(t.qualified)}"
    if not with_columns:
        return [head]
    lines = [head + " {"]
    for c in t.columns:
        marks = ",".join(keys.get(c.name, []))
        line = f"        {_type(c.type)} {c.name}" + (f" {marks}" if marks else "")
        if c.comment:
            line += f" {_quoted(c.comment[:80])}"
        lines.append(line)
    lines.append("    }")
    return lines


def _keys(t: Table, rels: list[Relation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in t.primary_key.columns if t.primary_key else ():
        out.setdefault(c, []).append("PK")
    for r in rels:
        if r.child == t.qualified:
            for c in r.columns:
                if "FK" not in out.get(c, []):
                    out.setdefault(c, []).append("FK")
    for u in t.uniques:
        for c in u.columns:
            if "UK" not in out.get(c, []):
                out.setdefault(c, []).append("UK")
    return out


def relation_line(r: Relation) -> str:
    """Many children to one parent (zero or one when the reference may be null)."""
    one = "||" if r.required else "o|"
    line = "--" if r.kind == ENFORCED else ".."
    label = r.label + ("" if r.kind == ENFORCED else " (implied)")
    if r.orphans:
        label += f": {r.orphans} orphan row{'s' if r.orphans != 1 else ''}"
    return f"    {entity(r.child)} }}o{line}{one} {entity(r.parent)} : {_quoted(label)}"


def er_diagram(schema: Schema, tables: list[QualifiedName], rels: list[Relation], *, with_columns: bool,
               title: str = "") -> str:
    """The erDiagram of ``tables`` and the relations among them (and to tables outside, drawn bare)."""
    chosen = set(tables)
    shown = [r for r in rels if r.child in chosen or r.parent in chosen]
    outside = sorted({q for r in shown for q in (r.child, r.parent)} - chosen, key=str)
    lines = (["---", f"title: {title}", "---"] if title else []) + ["erDiagram"]
    for q in sorted(chosen, key=str):
        t = schema.table(q)
        if t is not None:
            lines += _entity_block(t, with_columns, _keys(t, rels))
    for q in outside:
        t = schema.table(q)
        if t is not None:
            lines += _entity_block(t, False, {})
    lines += [relation_line(r) for r in shown]
    return "\n".join(lines) + "\n"
