"""GRANT and REVOKE statements, written one way for the compiled schema and for the plans that change it."""

from __future__ import annotations

from .quoting import qualified, quote

# the word GRANT uses for each kind of object (a view and a materialized view are TABLE to GRANT)
_ON = {"schema": "SCHEMA", "table": "TABLE", "view": "TABLE", "sequence": "SEQUENCE", "function": "FUNCTION",
       "procedure": "PROCEDURE"}


def privilege_target(kind: str, schema: str, name: str, arguments: str = "") -> str:
    """``TABLE "s"."t"``, ``SCHEMA "s"``, ``FUNCTION "s"."f"(integer)``: what GRANT and REVOKE name."""
    if kind == "schema":
        return f"SCHEMA {quote(name)}"
    if kind in ("function", "procedure"):
        return f"{_ON[kind]} {qualified(schema, name)}({arguments})"
    return f"{_ON[kind]} {qualified(schema, name)}"


def grantee_sql(role: str) -> str:
    return "PUBLIC" if role.lower() == "public" else quote(role)


def grant_sql(target: str, role: str, privileges: tuple[str, ...] | list[str]) -> str:
    return f"GRANT {', '.join(p.upper() for p in sorted(privileges))} ON {target} TO {grantee_sql(role)}"


def revoke_sql(target: str, role: str, privileges: tuple[str, ...] | list[str]) -> str:
    return f"REVOKE {', '.join(p.upper() for p in sorted(privileges))} ON {target} FROM {grantee_sql(role)}"


def default_privilege_sql(schema: str, objects: str, role: str, privileges: tuple[str, ...] | list[str], *,
                          revoke: bool = False) -> str:
    """ALTER DEFAULT PRIVILEGES IN SCHEMA: what ``objects`` (tables, sequences, functions) created there later
    give ``role`` (those the role running it creates)."""
    listed = ", ".join(p.upper() for p in sorted(privileges))
    verb = f"REVOKE {listed} ON {objects.upper()} FROM" if revoke else f"GRANT {listed} ON {objects.upper()} TO"
    return f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quote(schema)} {verb} {grantee_sql(role)}"
