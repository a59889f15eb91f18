"""The relations between tables that documentation draws: declared foreign keys (enforced) and references
that only a column's name implies (or [tool.finesse.check.references] names), with the orphans a check
report counted. Pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ...core.errors import InputError, Location, Problem
from ...core.model import QualifiedName, Schema
from ..check.audit import audit_model
from ..check.config import CheckConfig
from ..check.rules.id_columns_have_foreign_keys import implied_parent

ENFORCED, IMPLIED = "enforced", "implied"


@dataclass(frozen=True)
class Relation:
    child: QualifiedName
    columns: tuple[str, ...]
    parent: QualifiedName
    parent_columns: tuple[str, ...]
    kind: str  # enforced | implied
    name: str = ""  # the foreign key's name (enforced)
    on_delete: str = ""
    on_update: str = ""
    required: bool = False  # every child row has a parent (its columns are NOT NULL)
    orphans: int | None = None  # rows naming no parent, per the check report given (None: not measured)

    @property
    def label(self) -> str:
        return ", ".join(self.columns)


def relations(schema: Schema, config: CheckConfig, orphans: dict[tuple[str, str], int] | None = None) -> list[Relation]:
    """Every relation of ``schema``, by child then columns; ``orphans`` maps (schema.table, column) to the
    count a check report found (see :func:`orphans_from_report`)."""
    orphans = orphans or {}
    out: list[Relation] = []
    for t in schema.tables:
        for fk in t.foreign_keys:
            required = all(not (c := t.column(name)) or not c.nullable for name in fk.columns)
            out.append(Relation(t.qualified, fk.columns, fk.ref_table, fk.ref_columns, ENFORCED, fk.name,
                                fk.on_delete.value, fk.on_update.value, required,
                                orphans.get((str(t.qualified), fk.columns[0])) if len(fk.columns) == 1 else None))
    named = dict(config.references)
    for f in audit_model(schema, config).findings:  # FS104: a *_id column without a foreign key, not exempted
        if f.code != "FS104" or ".columns." not in f.path:
            continue
        table = next(t for t in schema.tables if str(t.qualified) == f.subject)
        column = f.path.split(".columns.", 1)[1].split(".")[0]
        target = named.get(f"{table.name}.{column}") or named.get(f"{table.qualified}.{column}")
        if target:
            parent_name, _, parent_column = target.rpartition(".")
            parent = schema.table(_qualified(parent_name, table.schema))
        else:
            parent = implied_parent(schema, table, column, config.options.reference_suffix)
            parent_column = parent.primary_key.columns[0] if parent is not None and parent.primary_key else ""
        if parent is None or not parent_column:
            continue
        col = table.column(column)
        out.append(Relation(table.qualified, (column,), parent.qualified, (parent_column,), IMPLIED,
                            required=bool(col and not col.nullable), orphans=orphans.get((f.subject, column))))
    return sorted(out, key=lambda r: (str(r.child), r.columns, str(r.parent)))


def _qualified(name: str, default_schema: str) -> QualifiedName:
    schema, dot, table = name.rpartition(".")
    return QualifiedName(schema if dot else "public", table)


_COUNT = re.compile(r"^(\d+) row")


def orphans_from_report(text: str, source: str) -> dict[tuple[str, str], int]:
    """(schema.table, column) -> orphan rows, from the JSON of ``finesse check --live --format json``."""
    try:
        data = json.loads(text)
        findings = data["findings"]
    except (ValueError, KeyError, TypeError):
        raise InputError(Problem("not a finesse check report (finesse check --live --format json)",
                                 Location(source))) from None
    out: dict[tuple[str, str], int] = {}
    for f in findings:
        if f.get("code") != "FS201" or ".columns." not in (f.get("path") or ""):
            continue
        m = _COUNT.match(f.get("message") or "")
        if m:
            column = f["path"].split(".columns.", 1)[1].split(".")[0]
            out[(f["subject"], column)] = int(m.group(1))
    return out
