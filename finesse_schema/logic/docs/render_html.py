"""The schema -> one self-contained HTML page: the diagrams rendered (Mermaid, inlined), every table,
and a search across tables and columns (``#q=word`` in the address searches on load). Pure: the caller
passes the Mermaid script in."""

from __future__ import annotations

import json
from html import escape

from ...core.findings import Finding
from ...core.model import QualifiedName, Schema, Table
from .relations import ENFORCED, Relation

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:260px;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6fa;border-right:1px solid #dde2ea;
padding:12px;box-sizing:border-box;flex:none}
main{padding:16px 28px;max-width:1100px;min-width:0}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde2ea}
h3{font-size:15px;margin:16px 0 6px}nav h4{margin:12px 0 4px;font-size:12px;text-transform:uppercase;color:#5b6577}
nav a{display:block;color:#1d2330;text-decoration:none;padding:1px 4px;border-radius:3px}nav a:hover{background:#e3e8f2}
#search{width:100%;box-sizing:border-box;padding:6px 8px;border:1px solid #b9c2d0;border-radius:4px;font-size:14px}
#results{margin:6px 0 0;padding:0;list-style:none;font-size:13px}#results li{padding:2px 0}
#results .kind{color:#5b6577;font-size:11px;margin-right:4px}
table{border-collapse:collapse;margin:4px 0 10px;width:100%}td,th{border:1px solid #dde2ea;padding:3px 6px;
text-align:left;vertical-align:top}th{background:#f4f6fa}code{font-size:12.5px;background:#f1f3f7;padding:0 3px;
border-radius:3px}.pk{font-weight:600}.implied{color:#8a5a00}.orphans{color:#b00020;font-weight:600}
.diagram{overflow:auto;border:1px solid #dde2ea;border-radius:6px;padding:8px;margin:8px 0;background:#fff}
.muted{color:#5b6577}section.table{scroll-margin-top:8px}
"""

_SCRIPT = """
const INDEX = %(index)s;
const box = document.getElementById('search'), list = document.getElementById('results');
function search(q) {
  q = q.trim().toLowerCase(); list.innerHTML = '';
  if (!q) return;
  const hits = INDEX.filter(e => e.text.includes(q)).slice(0, 200);
  for (const e of hits) {
    const li = document.createElement('li'), a = document.createElement('a'), k = document.createElement('span');
    k.className = 'kind'; k.textContent = e.kind; a.href = '#' + e.anchor; a.textContent = e.label;
    li.append(k, a); list.append(li);
  }
  if (!hits.length) { const li = document.createElement('li'); li.textContent = 'nothing matches'; list.append(li); }
}
box.addEventListener('input', () => search(box.value));
const m = /[#&]q=([^&]*)/.exec(location.hash);
if (m) { box.value = decodeURIComponent(m[1]); search(box.value); }
"""


def anchor(q: QualifiedName) -> str:
    return f"t-{q.schema}-{q.name}"


def _code(text: str | None) -> str:
    return f"<code>{escape(text)}</code>" if text else ""


def _table_section(t: Table, rels: list[Relation], findings: list[Finding], group: str) -> str:
    pk = set(t.primary_key.columns) if t.primary_key else set()
    rows = "".join(
        f"<tr id=\"{anchor(t.qualified)}-{escape(c.name)}\"><td class=\"{'pk' if c.name in pk else ''}\">"
        f"{escape(c.name)}</td><td>{_code(c.type)}</td><td>{'yes' if c.nullable else 'no'}</td>"
        f"<td>{_code(c.default or (c.generated and 'generated: ' + c.generated) or '')}</td>"
        f"<td>{escape(c.comment or '')}</td></tr>" for c in t.columns)
    parts = [f'<section class="table" id="{anchor(t.qualified)}"><h2>{escape(str(t.qualified))}</h2>',
             f'<p class="muted">group {escape(group)}</p>']
    if t.comment:
        parts.append(f"<p>{escape(t.comment)}</p>")
    parts.append("<table><tr><th>column</th><th>type</th><th>null</th><th>default</th><th>comment</th></tr>"
                 f"{rows}</table>")
    keys = []
    if t.primary_key:
        keys.append(f"primary key {_code(t.primary_key.name)} ({escape(', '.join(t.primary_key.columns))})")
    keys += [f"unique {_code(u.name)} ({escape(', '.join(u.columns))})" for u in t.uniques]
    keys += [f"check {_code(k.name)}: {_code(k.expression)}" for k in t.checks]
    keys += [f"index {_code(ix.name)}" + (" (unique)" if ix.unique else "") + ": "
             + escape(", ".join(e.column or e.expression or "" for e in ix.elements))
             + (f" where {_code(ix.where)}" if ix.where else "") for ix in t.indexes]
    if keys:
        parts.append("<h3>Keys, checks, indexes</h3><ul>" + "".join(f"<li>{k}</li>" for k in keys) + "</ul>")
    rel_rows = []
    for r in rels:
        if t.qualified not in (r.child, r.parent):
            continue
        out = r.child == t.qualified
        other = r.parent if out else r.child
        kind = "foreign key" if r.kind == ENFORCED else '<span class="implied">implied (no foreign key)</span>'
        rules = f"on delete {escape(r.on_delete)}" if r.kind == ENFORCED else ""
        orphans = f'<span class="orphans">{r.orphans} orphan rows</span>' if r.orphans else (
            "none" if r.orphans == 0 else "")
        rel_rows.append(f"<tr><td>{'to' if out else 'from'}</td><td>{escape(', '.join(r.columns))}</td>"
                        f"<td><a href=\"#{anchor(other)}\">{escape(str(other))}</a>"
                        f" ({escape(', '.join(r.parent_columns if out else r.columns))})</td><td>{kind}</td>"
                        f"<td>{rules}</td><td>{orphans}</td></tr>")
    if rel_rows:
        parts.append("<h3>Relations</h3><table><tr><th></th><th>columns</th><th>table</th><th>kind</th><th>rules</th>"
                     "<th>orphans</th></tr>" + "".join(rel_rows) + "</table>")
    if t.triggers:
        parts.append("<h3>Triggers</h3><ul>" + "".join(
            f"<li>{_code(tr.name)}: {escape(tr.timing)} {escape(' or '.join(tr.events))} -> "
            f"{_code(tr.function.name + '()')}" + (f": {escape(tr.comment)}" if tr.comment else "") + "</li>"
            for tr in t.triggers) + "</ul>")
    if findings:
        parts.append("<h3>finesse check</h3><ul>" + "".join(
            f"<li>{escape(f.code)} {escape(str(f.severity))}: {escape(f.message)}</li>" for f in findings) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def render_html(schema: Schema, groups: dict[str, list[QualifiedName]], rels: list[Relation],
                findings: dict[str, list[Finding]], diagrams: list[tuple[str, str]], *, mermaid_js: str,
                header: str, title: str) -> str:
    """``diagrams``: (title, Mermaid text), the overview first; ``findings`` by schema.table."""
    group_of = {q: g for g, members in groups.items() for q in members}
    index = []
    for t in sorted(schema.tables, key=lambda t: str(t.qualified)):
        text = " ".join(filter(None, (str(t.qualified), t.comment or ""))).lower()
        index.append({"kind": "table", "label": str(t.qualified), "anchor": anchor(t.qualified), "text": text})
        for c in t.columns:
            index.append({"kind": "column", "label": f"{t.qualified}.{c.name} {c.type}",
                          "anchor": f"{anchor(t.qualified)}-{c.name}",
                          "text": " ".join(filter(None, (f"{t.qualified}.{c.name}", c.type, c.comment or ""))).lower()})
    nav = ['<input id="search" type="search" placeholder="Search tables and columns" autocomplete="off">',
           '<ul id="results"></ul>', '<h4>Diagrams</h4>']
    nav += [f'<a href="#d-{i}">{escape(name)}</a>' for i, (name, _) in enumerate(diagrams)]
    for g, members in groups.items():
        nav.append(f"<h4>{escape(g)}</h4>")
        nav += [f'<a href="#{anchor(q)}">{escape(q.name if q.schema == "public" else str(q))}</a>' for q in members]
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="muted">{len(schema.tables)} tables, {sum(1 for r in rels if r.kind == ENFORCED)} foreign keys, '
            f"{sum(1 for r in rels if r.kind != ENFORCED)} references implied by column names. Solid lines are "
            "foreign keys, dotted ones implied references.</p>"]
    for i, (name, text) in enumerate(diagrams):
        body.append(f'<h2 id="d-{i}">{escape(name)}</h2><div class="diagram"><pre class="mermaid">{escape(text)}</pre>'
                    "</div>")
    for t in sorted(schema.tables, key=lambda t: str(t.qualified)):
        body.append(_table_section(t, rels, findings.get(str(t.qualified), []), group_of.get(t.qualified, "")))
    script = _SCRIPT % {"index": json.dumps(index, sort_keys=True, separators=(",", ":"))}
    return (f"{header}\n<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><nav>{''.join(nav)}</nav><main>{''.join(body)}</main>"
            f"<script>{_inline(mermaid_js)}</script>"
            "<script>mermaid.initialize({startOnLoad: true, securityLevel: 'strict', maxTextSize: 500000, "
            "er: {useMaxWidth: false}});</script>"
            f"<script>{script}</script></body></html>\n")


def _inline(js: str) -> str:
    """A script that can sit inside <script>: no closing tag can end it early."""
    return js.replace("</script", "<\\/script")
