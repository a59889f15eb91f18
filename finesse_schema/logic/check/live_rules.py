"""The rules over live data, as probes: a query each, and how its answer becomes a Finding. Pure.

FS201 orphan-rows       rows whose reference (a declared foreign key, also NOT VALID, or an implied
                        ``<thing>_id``) points at no parent row
FS202 check-violations  rows breaking a check constraint declared not_valid
FS203 copies-disagree   rows whose copy of a parent column (FS105) differs from the parent's value
FS204 unique-duplicates rows that would break a unique key or index the model wants and the database
                        does not enforce yet

Every probe's query returns one row: ``(count, samples)``. The database edge runs it
(with a statement_timeout, sampling large tables) and hands the answer back here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.findings import Finding, Severity
from ...core.model import QualifiedName, Schema, Table
from .config import CheckConfig
from .index_use import INDEX_RULES
from ..sql.expressions import expression_sql
from ..sql.quoting import qualified, quote
from .rules.id_columns_have_foreign_keys import implied_parent
from .rules.redundant_parent_copy import RULE as REDUNDANT_COPY

LIVE_RULES = {
    "FS201": ("orphan-rows", Severity.ERROR, "rows whose reference points at no parent row"),
    "FS202": ("check-violations", Severity.ERROR, "rows breaking a check added NOT VALID"),
    "FS203": ("copies-disagree", Severity.ERROR, "copies of parent columns that differ from the parent"),
    "FS204": ("unique-duplicates", Severity.ERROR, "duplicates a wanted unique key would reject"),
    "FS205": ("preflight-failures", Severity.ERROR, "rows that make a planned change fail (finesse plan)"),
    **INDEX_RULES,
}
SAMPLES = 5
LIVE_DOCS = {
    "FS206": """An index never scanned since the statistics were reset (pg_stat_user_indexes.idx_scan = 0): it costs
every write and buys no read. The finding says how long the statistics have been gathered: an index a
monthly report uses looks unused for most of the month. Unique and key indexes enforce something and are
not reported.

Bad::

    orders_note_idx   -- idx_scan 0 after 90 days of the whole application

Good::

    dropped (finesse plan's FL130 then has nothing to say), or kept with the reason in schema.yaml""",
    "FS207": """An index whose every query another index serves: the same keys (a duplicate), or its keys a
leading prefix of the other's, with the same predicate, method and uniqueness.

Bad::

    orders (customer_id)  beside  orders (customer_id, created_at)

Good::

    only orders (customer_id, created_at)""",
    "FS208": """A foreign key that no index leads with: deleting or re-keying a parent row scans the whole child
table (under lock), and joins from the parent cannot use an index.

Bad::

    order_details.order_id REFERENCES orders  -- and no index on order_details (order_id, ...)

Good::

    indexes: [[order_id]]""",
    "FS201": """Rows whose reference points at no parent row: every declared foreign key (a NOT VALID one lets old
orphans stay), and every column named <thing>_id without one, or listed under [tool.finesse.check.references].

Bad::

    orders.user_id = 7f3c...  -- and no users row has id 7f3c...

Good::

    every orders.user_id is in users.id; then: ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users""",
    "FS202": """Rows breaking a check constraint that was added NOT VALID: new rows obey it, old ones may not,
and VALIDATE CONSTRAINT will fail until they are fixed.

Bad::

    checks: [{expression: price > 0, not_valid: true}]   -- with rows where price = -1

Good::

    the rows are fixed or moved aside, then the constraint is validated (not_valid removed)""",
    "FS203": """Rows whose copy of a parent column (see FS105) differs from the parent's value, counted per
column: the copies have drifted, and reads disagree depending on which one they use.

Bad::

    variants.product_name = 'Red Shirt' while its product's product_name = 'Crimson Shirt'

Good::

    variants has no product_name; reads join products""",
    "FS205": """Rows that make a change of the plan fail: nulls for a new NOT NULL, existing rows for a new NOT
NULL column without a default, values a narrower type cannot hold, rows holding an enum value being removed.
finesse plan measures them before writing a revision, and refuses a plan that would fail.

Bad::

    email: {type: text, nullable: false}    -- while 40 rows have no email

Good::

    a data step fills or moves those rows first; or the column stays nullable""",
    "FS204": """Rows that a unique key or unique index of schema.yaml would reject, because the database does
not enforce it yet: adding it will fail until the surplus rows are gone.

Bad::

    unique: [[user_id, product_id]]   -- with two wishlists rows for the same pair

Good::

    one row per (user_id, product_id); the surplus copies moved aside first""",
}


@dataclass(frozen=True)
class Probe:
    code: str
    table: Table  # the table the query reads (sampled when large)
    columns: tuple[str, ...]  # columns the query needs to exist, in ``table`` and in ``others``
    others: tuple[tuple[Table, tuple[str, ...]], ...]
    sql: str  # {t} stands for the (possibly sampled) table, aliased c
    message: str  # with {count} and {samples}
    hint: str
    path: str = ""
    extra: tuple[str, ...] = ()  # labels of further counts the query returns after (count, samples)

    def finding(self, count: int, samples: list, extras: list, sampled: str = "") -> Finding | None:  # type: ignore[type-arg]
        if not count:
            return None
        name, severity, _ = LIVE_RULES[self.code]
        shown = ", ".join(str(s) for s in (samples or [])[:SAMPLES])
        detail = "".join(f"; {label} {n}" for label, n in zip(self.extra, extras) if n)
        message = self.message.format(count=count, samples=shown) + detail + (f" ({sampled})" if sampled else "")
        t = self.table
        base = f"tables.{t.name if t.schema == 'public' else f'{t.schema}.{t.name}'}"
        col = self.table.column(self.columns[0]) if self.columns else None
        return Finding(f"{t.schema}.{t.name}", self.code, message, severity, self.hint,
                       getattr(col, "loc", None) or t.loc, f"{base}.{self.path}" if self.path else base, name)


def _key(alias: str, columns: tuple[str, ...]) -> str:
    cols = [f"{alias}.{quote(c)}" for c in columns]
    return cols[0] + "::text" if len(cols) == 1 else f"({', '.join(cols)})::text"


def orphan_probe(child: Table, columns: tuple[str, ...], parent: Table, ref_columns: tuple[str, ...],
                 label: str) -> Probe:
    present = " AND ".join(f"c.{quote(c)} IS NOT NULL" for c in columns)
    match = " AND ".join(f"p.{quote(r)} = c.{quote(c)}" for c, r in zip(columns, ref_columns))
    sql = (f"SELECT count(*), (array_agg(DISTINCT {_key('c', columns)}))[1:{SAMPLES}] FROM {{t}} "
           f"WHERE {present} AND NOT EXISTS (SELECT 1 FROM {qualified(parent.schema, parent.name)} p WHERE {match})")
    cols = ", ".join(columns)
    return Probe("FS201", child, columns, ((parent, ref_columns),), sql,
                 f"{{count}} row(s) have {cols} not in {parent.name}.{', '.join(ref_columns)} ({label}); "
                 "missing keys include {samples}",
                 "move the orphans aside (or fix them) before the foreign key is added or validated",
                 f"columns.{columns[0]}")


def _references(schema: Schema, config: CheckConfig) -> list[Probe]:
    probes = []
    overrides = dict(config.references)
    for t in schema.tables:
        covered = set()
        for fk in t.foreign_keys:
            parent = schema.table(fk.ref_table)
            covered.update(fk.columns)
            if parent is not None:
                label = f"foreign key {fk.name}" + (", NOT VALID" if fk.not_valid else "")
                probes.append(orphan_probe(t, fk.columns, parent, fk.ref_columns, label))
        for col in t.columns:
            if col.name in covered:
                continue
            target = overrides.get(f"{t.name}.{col.name}") or overrides.get(f"{t.schema}.{t.name}.{col.name}")
            parent, ref = None, None
            if target:
                *table_parts, ref = target.split(".")
                parent = _table_named(schema, ".".join(table_parts), t.schema)
            elif col.name.endswith(config.options.reference_suffix):
                parent = implied_parent(schema, t, col.name, config.options.reference_suffix)
                ref = parent.primary_key.columns[0] if parent and parent.primary_key and \
                    len(parent.primary_key.columns) == 1 else None
            if parent is not None and ref and (t.primary_key is None or t.primary_key.columns != (col.name,)):
                probes.append(orphan_probe(t, (col.name,), parent, (ref,),
                                           "configured reference" if target else "implied by its name, no foreign key"))
    return probes


def _table_named(schema: Schema, text: str, default_schema: str) -> Table | None:
    """``table`` (this schema, then public) or ``schema.table``."""
    s, dot, n = text.rpartition(".")
    if dot:
        return schema.table(QualifiedName(s, n))
    return schema.table(QualifiedName(default_schema, n)) or schema.table(QualifiedName("public", n))


def _checks(schema: Schema) -> list[Probe]:
    out = []
    for t in schema.tables:
        for c in t.checks:
            if c.not_valid:
                out.append(Probe("FS202", t, (), (),
                                 f"SELECT count(*), NULL::text[] FROM {{t}} WHERE NOT ({expression_sql(c.expression)})",
                                 f"{{count}} row(s) break check {c.name} ({c.expression}), which was added NOT VALID",
                                 "fix or move the rows, then validate the constraint", "checks"))
    return out


def _copies(schema: Schema, config: CheckConfig) -> list[Probe]:
    """One probe per (child, direct parent) with the columns FS105 reports as copies."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for f in REDUNDANT_COPY.check(schema, config.options):
        if ";" in f.message or f.message.count("->") != 1:
            continue  # only copies of a direct parent can be compared row by row
        column = f.path.rsplit(".", 1)[1]
        via = f.message.split("(via ", 1)[1].rstrip(")")
        groups.setdefault((f.subject, via, f.message.split(" repeats ")[1].split(".")[0]), []).append(column)
    out = []
    for (subject, via, parent_name), columns in sorted(groups.items()):
        schema_name, _, name = subject.partition(".")
        child = next(t for t in schema.tables if t.schema == schema_name and t.name == name)
        fk = next(fk for fk in child.foreign_keys if via.startswith(f"{child.name}.{', '.join(fk.columns)} ->")
                  and fk.ref_table.name == parent_name)
        parent = schema.table(fk.ref_table)
        if parent is None:
            continue
        join = " AND ".join(f"p.{quote(r)} = c.{quote(c)}" for c, r in zip(fk.columns, fk.ref_columns))
        def side(alias: str, c: str) -> str:  # json has no equality: compare its text
            col = child.column(c)
            return f"{alias}.{quote(c)}::text" if col is not None and col.type.startswith("json") else \
                f"{alias}.{quote(c)}"
        differs = [f"{side('c', c)} IS DISTINCT FROM {side('p', c)}" for c in columns]
        sample = _key("c", tuple(child.primary_key.columns) if child.primary_key else fk.columns)
        per_column = ", ".join(f"count(*) FILTER (WHERE {d})" for d in differs)
        sql = (f"SELECT count(*) FILTER (WHERE {' OR '.join(differs)}), "
               f"(array_agg({sample} ORDER BY {sample}) FILTER (WHERE {' OR '.join(differs)}))[1:{SAMPLES}], "
               f"{per_column} "
               f"FROM {{t}} JOIN {qualified(parent.schema, parent.name)} p ON {join}")
        out.append(Probe("FS203", child, tuple(columns) + fk.columns, ((parent, tuple(columns) + fk.ref_columns),),
                         sql, f"{{count}} row(s) hold copies of {parent.name} columns that differ from {parent.name} "
                         "(rows include {samples})", f"keep the disagreeing rows aside, then read the columns "
                         f"through {fk.name}", f"columns.{columns[0]}", tuple(f"{c} differs in" for c in columns)))
    return out


def _uniques(schema: Schema, enforced: set[tuple[str, str, tuple[str, ...]]]) -> list[Probe]:
    out = []
    for t in schema.tables:
        wanted = [(u.name, u.columns, None) for u in t.uniques]
        wanted += [(ix.name, tuple(e.column for e in ix.elements), ix.where) for ix in t.indexes
                   if ix.unique and all(e.column for e in ix.elements)]
        for name, columns, where in wanted:
            if (t.schema, t.name, tuple(columns)) in enforced and where is None:
                continue
            present = " AND ".join(f"c.{quote(c)} IS NOT NULL" for c in columns)
            cond = f"{present} AND ({expression_sql(where)})" if where else present
            key = _key("c", tuple(columns))
            sql = (f"SELECT coalesce(sum(n - 1), 0)::bigint, (array_agg(k ORDER BY k))[1:{SAMPLES}] FROM "
                   f"(SELECT {key} AS k, count(*) AS n FROM {{t}} WHERE {cond} GROUP BY 1 HAVING count(*) > 1) d")
            out.append(Probe("FS204", t, tuple(columns), (), sql,
                             f"{{count}} surplus row(s) repeat a ({', '.join(columns)}) that {name} wants unique; "
                             "repeated keys include {samples}", "keep one row per key, move the others aside",
                             f"columns.{columns[0]}"))
    return out


def live_probes(schema: Schema, config: CheckConfig, enforced_uniques: set[tuple[str, str, tuple[str, ...]]]
                ) -> list[Probe]:
    """Every probe the selected live rules want on ``schema``."""
    probes = _references(schema, config) + _checks(schema) + _copies(schema, config) + _uniques(schema,
                                                                                                 enforced_uniques)
    return [p for p in probes if config.selects(p.code)]
