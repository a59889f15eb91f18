"""One table -> its Markdown page (generated/tables/<schema>.<table>.md). Pure."""

from __future__ import annotations

from ...core.findings import Finding
from ...core.model import Index, QualifiedName, Schema, Table
from .relations import ENFORCED, Relation


def page_name(q: QualifiedName) -> str:
    return f"{q.schema}.{q.name}.md"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") if text not in (None, "") else ""


def _code(text: str | None) -> str:
    return f"`{_cell(text)}`" if text else ""


def _link(q: QualifiedName) -> str:
    return f"[{q}]({page_name(q)})"


def _index(ix: Index) -> str:
    parts = []
    for e in ix.elements:
        part = e.column or f"({e.expression})"
        part += " desc" if e.descending else ""
        part += f" nulls {e.nulls}" if e.nulls else ""
        parts.append(part)
    text = f"{'unique ' if ix.unique else ''}{ix.method if ix.method != 'btree' else ''} ({', '.join(parts)})".strip()
    if ix.include:
        text += f" include ({', '.join(ix.include)})"
    if ix.where:
        text += f" where {ix.where}"
    return text


def _relation_row(r: Relation, other: QualifiedName, other_columns: tuple[str, ...], mine: tuple[str, ...]) -> str:
    what = "foreign key" if r.kind == ENFORCED else "implied by the name (no foreign key)"
    rules = f"on delete {r.on_delete}" + (f", on update {r.on_update}" if r.on_update not in ("", "no action") else "") \
        if r.kind == ENFORCED else ""
    orphans = "" if r.orphans is None else str(r.orphans)
    return f"| {', '.join(mine)} | {_link(other)} ({', '.join(other_columns)}) | {what} | {rules} | {orphans} |"


def render_table_page(schema: Schema, t: Table, rels: list[Relation], findings: list[Finding], *, group: str,
                      header: str) -> str:
    lines = [header, f"# {t.qualified}", ""]
    if t.comment:
        lines += [t.comment, ""]
    lines += [f"Group: {group}. [All tables](README.md)", ""]
    lines += ["## Columns", "", "| column | type | null | default | comment |", "|---|---|---|---|---|"]
    pk = set(t.primary_key.columns) if t.primary_key else set()
    for c in t.columns:
        default = c.default or (f"identity ({c.identity.kind.value})" if c.identity else "") or (
            f"generated: {c.generated}" if c.generated else "")
        name = f"**{c.name}**" if c.name in pk else c.name
        lines.append(f"| {name} | {_code(c.type)} | {'yes' if c.nullable else 'no'} | {_code(default)} | "
                     f"{_cell(c.comment)} |")
    lines.append("")
    keys = []
    if t.primary_key:
        keys.append(f"- primary key `{t.primary_key.name}` ({', '.join(t.primary_key.columns)})")
    keys += [f"- unique `{u.name}` ({', '.join(u.columns)})" for u in t.uniques]
    keys += [f"- check `{k.name}`: `{_cell(k.expression)}`" + (" (not valid: new rows only)" if k.not_valid else "")
             for k in t.checks]
    if keys:
        lines += ["## Keys and checks", "", *keys, ""]
    if t.indexes:
        lines += ["## Indexes", "", *[f"- `{ix.name}`: {_cell(_index(ix))}" for ix in t.indexes], ""]
    out_rels = [r for r in rels if r.child == t.qualified]
    in_rels = [r for r in rels if r.parent == t.qualified]
    if out_rels:
        lines += ["## References (foreign keys out)", "", "| columns | to | kind | rules | orphan rows |",
                  "|---|---|---|---|---|", *[_relation_row(r, r.parent, r.parent_columns, r.columns) for r in out_rels],
                  ""]
    if in_rels:
        lines += ["## Referenced by (foreign keys in)", "", "| columns | from | kind | rules | orphan rows |",
                  "|---|---|---|---|---|", *[_relation_row(r, r.child, r.columns, r.parent_columns) for r in in_rels],
                  ""]
    if t.triggers:
        lines += ["## Triggers", ""]
        for tr in t.triggers:
            fn = f"{tr.function.schema}.{tr.function.name}" if tr.function.schema else tr.function.name
            when = f" when `{_cell(tr.when)}`" if tr.when else ""
            deferred = " (at commit)" if tr.initially_deferred else " (deferrable)" if tr.deferrable else ""
            lines.append(f"- `{tr.name}`: {tr.timing} {' or '.join(tr.events)} for each {tr.level}{when} -> "
                         f"`{fn}()`{deferred}" + (f": {_cell(tr.comment)}" if tr.comment else ""))
        lines.append("")
    if t.partition_by:
        lines += ["## Partitions", "", f"Partitioned by {t.partition_by}.", "",
                  *[f"- `{p.name}`: {_cell(p.bound)}" for p in t.partitions], ""]
    lines += ["## finesse check", ""]
    if findings:
        lines += [f"- {f.code} {f.severity}: {_cell(f.message)}" + (f" (fix: {_cell(f.hint)})" if f.hint else "")
                  for f in findings]
    else:
        lines.append("No finding.")
    return "\n".join(lines) + "\n"
