"""Where schemainspect writes SQL that PostgreSQL refuses or reads a catalog wrongly, the fix, applied to its
classes once on import (migra is frozen upstream: these are the places finesse and it part ways)."""

from __future__ import annotations

from typing import Any

from . import loader  # noqa: F401 - schemainspect is imported through the loader first


def _patch_column_collation() -> None:
    """migra's CREATE TABLE leaves out column collations, and its ADD COLUMN puts COLLATE after the
    default (where it collates the default, not the column). Both write it after the type here."""
    from schemainspect.inspected import ColumnInfo

    def creation_clause(self: Any) -> str:
        x = f"{self.quoted_name} {self.dbtypestr}{self.collation_subclause}"
        if self.is_identity:
            x += f" generated {'always' if self.is_identity_always else 'by default'} as identity"
        if self.not_null:
            x += " not null"
        if self.is_generated:
            x += f" generated always as ({self.default}) stored"
        elif self.default:
            x += f" default {self.default}"
        return x

    ColumnInfo.creation_clause = property(creation_clause)  # type: ignore[assignment]
    ColumnInfo.add_column_clause = property(lambda self: f"add column {self.creation_clause}")  # type: ignore[assignment]


_patch_column_collation()


def _patch_enum_literals() -> None:
    """schemainspect writes enum values between quotes without doubling the quotes inside them: a value
    with a quote broke the statement, and a crafted one could end it. Each value is a literal here; and the
    column an enum's rebuild moves is quoted (a column named "select" or "Mixed Case" broke it)."""
    from schemainspect.pg.obj import InspectedEnum

    from ...logic.sql.quoting import sql_literal

    InspectedEnum.quoted_elements = property(lambda self: ", ".join(sql_literal(e) for e in self.elements))  # type: ignore[assignment]

    from schemainspect.inspected import ColumnInfo

    def change_enum_statement(self: Any, table_name: str) -> str:  # the column's name was not quoted
        if not self.is_enum:
            raise ValueError
        enum = self.enum.quoted_full_name
        return f"alter table {table_name} alter column {self.quoted_name} type {enum} using {self.quoted_name}::text::{enum};"

    ColumnInfo.change_enum_statement = change_enum_statement  # type: ignore[assignment]


_patch_enum_literals()


def _patch_attach_statement() -> None:
    """schemainspect's ATTACH PARTITION names the partition where the parent goes, and reads an attribute it
    does not have (a traceback for any table that becomes a partition); INHERIT lacks its semicolon."""
    from schemainspect.pg.obj import InspectedSelectable

    def attach_statement(self: Any) -> str | None:
        if not self.parent_table:
            return None
        if self.partition_def:
            return f"alter table {self.parent_table} attach partition {self.quoted_full_name} {self.partition_def};"
        return f"alter table {self.quoted_full_name} inherit {self.parent_table};"

    def detach_statement(self: Any) -> str | None:
        if not self.parent_table:
            return None
        if self.partition_def:
            return f"alter table {self.parent_table} detach partition {self.quoted_full_name};"
        return f"alter table {self.quoted_full_name} no inherit {self.parent_table};"

    InspectedSelectable.attach_statement = property(attach_statement)  # type: ignore[assignment]
    InspectedSelectable.detach_statement = property(detach_statement)  # type: ignore[assignment]


_patch_attach_statement()


def patch_collations() -> None:
    """schemainspect's collations create themselves with the clause read here, and compare by it."""
    from schemainspect.pg.obj import InspectedCollation

    def create_statement(self: Any) -> str:
        clause = getattr(self, "finesse_clause", None) or f"(provider = {self.provider}, locale = '{self.locale}')"
        return f"create collation if not exists {self.quoted_full_name} {clause};"

    def equal(self: Any, other: Any) -> bool:
        return (self.name, self.schema, getattr(self, "finesse_clause", None)) == \
            (other.name, other.schema, getattr(other, "finesse_clause", None))

    InspectedCollation.create_statement = property(create_statement)  # type: ignore[assignment]
    InspectedCollation.__eq__ = equal  # type: ignore[assignment]


patch_collations()


def _patch_extension_composite_types() -> None:
    """schemainspect leaves out relations of extensions by their pg_class entry, but an extension's composite
    type (tablefunc's tablefunc_crosstab_2) belongs to it by its pg_type entry: it came back as the user's, to
    be created a second time beside the extension's own. Both entries count here."""
    from schemainspect.pg import obj

    old = "      d.refclassid = 'pg_extension'::regclass and\n      d.classid = 'pg_class'::regclass\n)"
    new = ("      d.refclassid = 'pg_extension'::regclass and\n      d.classid = 'pg_class'::regclass\n"
           "  union all\n  select t.typrelid from pg_depend d join pg_type t on t.oid = d.objid\n"
           "  where d.refclassid = 'pg_extension'::regclass and d.classid = 'pg_type'::regclass and t.typrelid <> 0\n)")
    if old in obj.ALL_RELATIONS_QUERY:
        obj.ALL_RELATIONS_QUERY = obj.ALL_RELATIONS_QUERY.replace(old, new, 1)


_patch_extension_composite_types()


def _patch_compiled_functions() -> None:
    """schemainspect leaves out every function in C or internal, the user's own too (a contrib library's symbol
    declared under the user's name): plans never made them. Only an extension's own stay left out."""
    from schemainspect.pg import obj

    line = "      -- SKIP_INTERNAL and p.external_language not in ('C', 'INTERNAL')\n"
    obj.FUNCTIONS_QUERY = obj.FUNCTIONS_QUERY.replace(line, "")


_patch_compiled_functions()


def _patch_view_equality() -> None:
    """schemainspect compares views by the text the server deparsed; a definition PostgreSQL writes back another
    way on reload (layout, parentheses) showed as changed on every plan. Views and materialized views compare
    here as PostgreSQL parses them (logic/sql/expressions.same_query); everything else as before."""
    from schemainspect.pg.obj import InspectedSelectable

    from ...logic.sql.expressions import same_query

    def equal(self: Any, other: Any) -> bool:
        if type(self) is not type(other):
            return False
        same = (self.relationtype == other.relationtype and self.name == other.name and self.schema == other.schema
                and (self.columns == other.columns or dict(self.columns) == dict(other.columns))
                and self.inputs == other.inputs
                and self.parent_table == other.parent_table and self.partition_def == other.partition_def
                and self.rowsecurity == other.rowsecurity and self.persistence == other.persistence)
        if not same or self.definition == other.definition:
            return same
        return self.relationtype in ("v", "m") and same_query(self.definition or "", other.definition or "")

    InspectedSelectable.__eq__ = equal  # type: ignore[assignment]


_patch_view_equality()
