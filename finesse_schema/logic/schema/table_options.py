"""schema.yaml nodes -> what a table has besides columns and keys: exclusion constraints, storage parameters,
inheritance, UNLOGGED, CLUSTER ON; and storage parameters of indexes.

Grammar::

    tables:
      bookings:
        unlogged: false                  # true: not written to the WAL (lost on a crash, not replicated)
        with: {fillfactor: 70, autovacuum_vacuum_scale_factor: 0.005}   # storage parameters
        inherits: [base_record]          # table inheritance (not partitioning)
        cluster_on: bookings_room_idx    # the index CLUSTER uses
        exclude:
          - {name: no_double_booking, using: gist, elements: [{column: room, operator: "="},
                                                                {column: during, operator: "&&"}],
             where: "not cancelled", deferrable: false, initially_deferred: false}
"""

from __future__ import annotations

import re

from ...core.model import Exclusion, ExclusionElement, QualifiedName
from .columns import INDEX_METHODS, ColumnReader
from .naming import split_name
from .yaml_source import Node

EXCLUDE_KEYS = ("name", "using", "elements", "where", "deferrable", "initially_deferred")
EXCLUDE_ELEMENT_KEYS = ("column", "expression", "operator", "opclass")
_OPERATOR_RE = re.compile(r"[+\-*/<>=~!@#%^&|`?]+")


def read_inherits(r: ColumnReader, node: Node | None, table: QualifiedName) -> tuple[QualifiedName, ...]:
    """inherits: [parent, schema.parent]: the parents of table inheritance (schema: the table's own)."""
    return tuple(split_name(n, table.schema) if "." in n else QualifiedName("", n)
                 for n in r.names(node, "inherits"))


def read_exclusions(r: ColumnReader, table: QualifiedName, node: Node | None) -> list[Exclusion]:
    out = []
    for item in r.list_of(node, "exclude"):
        if not r.keys(item, EXCLUDE_KEYS, "an exclusion constraint"):
            continue
        elements = [e for e in (_element(r, e) for e in r.list_of(item.get("elements"), "elements")) if e]
        if not elements:
            r.problem(item, "an exclusion constraint needs elements",
                      "e.g. elements: [{column: room, operator: \"=\"}, {column: during, operator: \"&&\"}]")
            continue
        method = (r.text(item.get("using"), "using") or "gist").lower()
        if method not in INDEX_METHODS:
            r.problem(item.get("using"), f"unknown index method '{method}'", f"one of {', '.join(INDEX_METHODS)}")  # type: ignore[arg-type]
            continue
        deferred = r.boolean(item.get("initially_deferred"), "initially_deferred")
        name = r.text(item.get("name"), "name") or r.namer.exclusion(
            table.schema, table.name, [e.column or "expr" for e in elements])
        out.append(Exclusion(name, tuple(elements), method, r.sql(item.get("where"), "where"),
                             r.boolean(item.get("deferrable"), "deferrable") or deferred, deferred, loc=item.loc))
    return out


def _element(r: ColumnReader, node: Node) -> ExclusionElement | None:
    if not r.keys(node, EXCLUDE_ELEMENT_KEYS, "an exclusion element"):
        return None
    column, expression = r.text(node.get("column"), "column"), r.sql(node.get("expression"), "expression")
    operator = r.text(node.get("operator"), "operator") or ""
    if bool(column) == bool(expression) or not _OPERATOR_RE.fullmatch(operator):
        r.problem(node, "an exclusion element needs one of column: or expression:, and an operator",
                  "e.g. {column: during, operator: \"&&\"}")
        return None
    opclass = r.text(node.get("opclass"), "opclass")
    return ExclusionElement(operator, column, expression, opclass.lower() if opclass else None)
