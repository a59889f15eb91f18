"""Privileges declared on objects (``grants:`` in schema.yaml), opt-in: roles are referenced, never created."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Location
from .names import loc_field as _loc

# The privileges GRANT gives on each kind of object (PostgreSQL's names, lower case); ``all`` is every one of
# them but maintain (PostgreSQL 17 and later only).
_RELATION = ("select", "insert", "update", "delete", "truncate", "references", "trigger")
PRIVILEGES: dict[str, tuple[str, ...]] = {
    "schema": ("usage", "create"),
    "table": _RELATION,
    "view": _RELATION,
    "sequence": ("usage", "select", "update"),
    "function": ("execute",),
}
ALSO = {"table": ("maintain",), "view": ("maintain",)}  # allowed, not part of ``all``
# ALTER DEFAULT PRIVILEGES IN SCHEMA: the kinds of objects created later, and the privileges each may get
DEFAULT_KINDS: dict[str, str] = {"tables": "table", "sequences": "sequence", "functions": "function"}


@dataclass(frozen=True)
class Grant:
    """Privileges ``role`` holds on an object (``public``: every role). Roles are referenced, never created."""

    role: str
    privileges: tuple[str, ...]  # sorted, lower case
    loc: Location | None = _loc()


@dataclass(frozen=True)
class DefaultGrant:
    """Privileges ``role`` gets on every object of ``objects`` (tables, sequences, functions) created in the schema
    later by the role finesse runs as (ALTER DEFAULT PRIVILEGES IN SCHEMA)."""

    objects: str
    role: str
    privileges: tuple[str, ...]
    loc: Location | None = _loc()


Grants = tuple[Grant, ...] | None  # None: not declared (the object's privileges are whatever the database has)
