"""The model's ``grants:`` -> GRANT statements (run after every object exists).

An object that declares grants holds exactly them: PostgreSQL's default privileges of PUBLIC (EXECUTE on a
function, USAGE on the public schema) are revoked first unless ``public`` is listed."""

from __future__ import annotations

from ...core.errors import Location
from ...core.model import Schema
from ..sql.privileges import default_privilege_sql, grant_sql, privilege_target, revoke_sql


def grant_statements(schema: Schema) -> list[tuple[str, str, Location | None, str]]:
    """(sql, label, location, path) of each statement, for the compiler's DDL."""
    out: list[tuple[str, str, Location | None, str]] = []
    owners = [("schema", n.name, n.name, "", n.grants, n.loc, f"schemas.{n.name}") for n in schema.namespaces]
    owners += [("table", t.schema, t.name, "", t.grants, t.loc, f"tables.{t.name}") for t in schema.tables]
    owners += [("view", v.schema, v.name, "", v.grants, v.loc, f"views.{v.name}") for v in schema.views]
    owners += [("sequence", s.schema, s.name, "", s.grants, s.loc, f"sequences.{s.name}") for s in schema.sequences]
    owners += [(f.kind, f.schema, f.name, f.identity_arguments, f.grants, f.loc, f"functions.{f.name}")
               for f in schema.functions]
    for kind, owner_schema, name, arguments, grants, loc, path in owners:
        if grants is None:
            continue
        target = privilege_target(kind, owner_schema, name, arguments)
        if kind in ("schema", "function", "procedure"):
            out.append((revoke_sql(target, "public", ["all"]), f"privileges on {kind} {name}", loc, f"{path}.grants"))
        for g in grants:
            out.append((grant_sql(target, g.role, g.privileges), f"grant on {kind} {name} to {g.role}", g.loc,
                        f"{path}.grants.{g.role}"))
    return out


def roles_granted(schema: Schema) -> frozenset[str]:
    groups = (schema.namespaces, schema.tables, schema.views, schema.sequences, schema.functions)
    roles = {g.role for group in groups for o in group for g in (o.grants or ())}
    roles |= {d.role for n in schema.namespaces for d in (n.default_grants or ())}
    return frozenset(r for r in roles if r.lower() != "public")


def default_grant_statements(schema: Schema, name: str) -> list[tuple[str, str, Location | None, str]]:
    """ALTER DEFAULT PRIVILEGES of schema ``name``: right after it is created, so that what is created in it
    later gets them, as in a database where they were set first."""
    n = next((n for n in schema.namespaces if n.name == name), None)
    defaults = (n.default_grants or ()) if n is not None else ()
    return [(default_privilege_sql(name, d.objects, d.role, d.privileges), f"default privileges in {name} to {d.role}",
             d.loc, f"schemas.{name}.default_grants.{d.objects}.{d.role}") for d in defaults]
