"""schema.yaml nodes -> composite types (CREATE TYPE name AS (...)).

Grammar::

    types:
      address:
        attributes:                      # in order; a type as a column's, or {type, collation}
          street: text
          zip: {type: varchar(10), collation: "C"}
          country: country_code          # an enum, a domain or another composite type of the file
        comment: A postal address

A composite type is usable wherever a column type is: as a column's type (``address``, ``address[]``), a
domain's, a function's argument or result, another composite type's attribute.
"""

from __future__ import annotations

from ...core.model import Attribute, CompositeType, QualifiedName
from .columns import ColumnReader
from .naming import split_name
from .yaml_source import Node

TYPE_KEYS = ("attributes", "comment")
ATTRIBUTE_KEYS = ("type", "collation")
_TEXT_TYPES = ("text", "citext", "character varying", "character", "name")


def _items(r: ColumnReader, node: Node | None) -> list[tuple[QualifiedName, Node]]:
    if node is None or node.value is None:
        return []
    if not node.is_map:
        r.problem(node, "types must be a mapping of composite type name to {attributes, comment}")
        return []
    return [(split_name(key), item) for key, item in node.items()]


def declare_composite_types(r: ColumnReader, node: Node | None) -> None:
    """Make every composite type's name usable as a type before any type is read: a domain may be over one, an
    attribute may be of another, declared in any order."""
    r.declare_types([qn for qn, _ in _items(r, node)])


def read_composite_types(r: ColumnReader, node: Node | None) -> list[CompositeType]:
    out = []
    for qn, item in _items(r, node):
        what = f"composite type '{qn.name}'"
        if not item.is_map:
            r.problem(item, f"{what} must be a mapping with attributes", "e.g. attributes: {street: text, zip: text}")
            continue
        if not r.keys(item, TYPE_KEYS, what):
            continue
        attributes_node = item.get("attributes")
        if attributes_node is None or not attributes_node.is_map or not attributes_node.value:
            r.problem(attributes_node or item, f"{what} needs attributes: a mapping of name to type",
                      "e.g. attributes: {street: text, zip: text}", at_key=attributes_node is None)
            continue
        attributes = [a for a in (_attribute(r, name, a_node, qn) for name, a_node in attributes_node.items()) if a]
        if len(attributes) == len(attributes_node.value):
            out.append(CompositeType(qn.schema, qn.name, tuple(attributes), r.text(item.get("comment"), "comment"),
                                     loc=item.key_loc or item.loc))
    return out


def _attribute(r: ColumnReader, name: str, node: Node, owner: QualifiedName) -> Attribute | None:
    type_node, collation = node, None
    if node.is_map:
        if not r.keys(node, ATTRIBUTE_KEYS, f"attribute '{name}'"):
            return None
        type_node = node.get("type")  # type: ignore[assignment]
        collation = r.text(node.get("collation"), "collation")
    type_text = r.text(type_node, "type") if type_node is not None else None
    if not type_text:
        r.problem(type_node or node, f"attribute '{name}' needs a type", "e.g. text, integer, varchar(80)")
        return None
    atype = r.column_type(type_text, type_node)
    if atype is None:
        return None
    if atype.rstrip("[]") == f"{owner.schema}.{owner.name}":
        r.problem(type_node, f"composite type '{owner.name}' cannot contain itself")
        return None
    if collation and atype.rstrip("[]").split("(")[0] not in _TEXT_TYPES and "." not in atype:
        r.problem(node.get("collation"), f"collation applies to text types, not '{atype}'")  # type: ignore[arg-type]
        return None
    return Attribute(name, atype, collation, loc=node.key_loc or node.loc)
