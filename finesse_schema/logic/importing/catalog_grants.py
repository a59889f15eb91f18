"""The privileges read from the catalog -> ``grants:`` of the imported objects.

An object whose privileges are PostgreSQL's defaults (none but its owner's; EXECUTE for PUBLIC on a function;
on the public schema, USAGE for PUBLIC, and CREATE too before PostgreSQL 15) gets no ``grants:`` key; one
whose privileges differ gets them all, so that the project manages privileges exactly where the database has
some of its own, and not at all where it has none.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...core.grants import DEFAULT_KINDS, DefaultGrant, Grant
from ...core.model import Namespace, Schema
from .catalog_tables import Unsupported

_EXECUTE = frozenset({("public", "execute")})


def _default(kind: str, name: str, server_major: int) -> frozenset[tuple[str, str]]:
    if kind in ("function", "procedure"):
        return _EXECUTE
    if kind == "schema" and name == "public":
        return frozenset({("public", "usage")} | (set() if server_major >= 15 else {("public", "create")}))
    return frozenset()


def _signature(types: str) -> str:
    return "".join(types.lower().split())


def with_grants(schema: Schema, rows: list[dict[str, Any]], default_rows: list[dict[str, Any]],
                server_major: int) -> tuple[Schema, list[Unsupported]]:
    """``schema`` with the grants of its objects and the default privileges of its schemas (those of the role
    importing, which is the role finesse will run as); what it cannot hold, listed."""
    held: dict[tuple[str, str, str, str], set[tuple[str, str]]] = {}
    for row in rows:
        key = (row["kind"], row["schema"], row["name"], _signature(row["arguments"]))
        entry = held.setdefault(key, set())
        if row["role"] is not None:
            entry.add((row["role"], row["privilege"]))

    def grants(kind: str, owner: str, name: str, arguments: str = "") -> tuple[Grant, ...] | None:
        have = held.get((kind, owner, name, _signature(arguments)))
        if have is None or have == _default(kind, name, server_major):
            return None
        roles = sorted({r for r, _ in have})
        return tuple(Grant(r, tuple(sorted(p for who, p in have if who == r))) for r in roles)

    tables = tuple(replace(t, grants=grants("table", t.schema, t.name)) for t in schema.tables)
    views = tuple(replace(v, grants=grants("view", v.schema, v.name)) for v in schema.views)
    sequences = tuple(replace(s, grants=grants("sequence", s.schema, s.name)) for s in schema.sequences)
    functions = tuple(replace(f, grants=grants(f.kind, f.schema, f.name, f.identity_arguments))
                      for f in schema.functions)
    defaults: dict[str, list[DefaultGrant]] = {}
    unsupported: list[Unsupported] = []
    for row in default_rows:
        if not row["current"] or row["objects"] not in DEFAULT_KINDS:
            unsupported.append(Unsupported("default privileges", f"in schema {row['schema']} for role "
                                           f"{row['for_role']} on {row['objects']}",
                                           "only those of the role finesse runs as, on tables, sequences and "
                                           "functions, are kept"))
            continue
        defaults.setdefault(row["schema"], []).append(DefaultGrant(row["objects"], row["role"], (row["privilege"],)))

    def default_grants(name: str) -> tuple[DefaultGrant, ...] | None:
        merged: dict[tuple[str, str], list[str]] = {}
        for d in defaults.get(name, ()):
            merged.setdefault((d.objects, d.role), []).extend(d.privileges)
        return tuple(DefaultGrant(o, r, tuple(sorted(p))) for (o, r), p in sorted(merged.items())) or None

    namespaces = [replace(n, grants=grants("schema", n.name, n.name), default_grants=default_grants(n.name))
                  for n in schema.namespaces]
    declared = {n.name for n in namespaces}
    for name in schema.schemas:  # a schema declared only by its objects, with privileges of its own
        if name not in declared and (grants("schema", name, name) is not None or default_grants(name)):
            namespaces.append(Namespace(name, grants=grants("schema", name, name), default_grants=default_grants(name)))
    return replace(schema, tables=tables, views=views, sequences=sequences, functions=functions,
                   namespaces=tuple(sorted(namespaces, key=lambda n: (n.name != "public", n.name)))), \
        sorted(set(unsupported))

