"""Privileges on the managed objects, read from the catalogs and compared (migra sees only tables').

Read when the project manages grants (schema.yaml declares some, logic/schema/grants.py): for every schema,
table, view, materialized view, sequence, function and procedure of the managed schemas, the (role, privilege)
pairs its ACL holds, PostgreSQL's defaults included, its owner's left out (an owner holds everything and the
owner is not part of the model). Objects of extensions and the sequences of identity columns are not the
project's. ``privilege_statements`` writes the GRANT and REVOKE that take one side to the other.
"""

from __future__ import annotations

from typing import Any

from ...logic.sql.privileges import default_privilege_sql, grant_sql, privilege_target, revoke_sql
from ...logic.sql.quoting import quote
from ..connect import connect

# (kind, schema, name, identity arguments) -> {(role, privilege)}; role "public" is PUBLIC
ObjectKey = tuple[str, str, str, str]
Privileges = dict[ObjectKey, frozenset[tuple[str, str]]]

PRIVILEGES_SQL = """
WITH objects AS (
    SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name, '' AS arguments, n.nspacl AS acl,
           n.nspowner AS owner, acldefault('n', n.nspowner) AS fallback, 'pg_namespace'::regclass AS cls, n.oid
      FROM pg_namespace n WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END,
           n.nspname, c.relname, '', c.relacl, c.relowner,
           acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner), 'pg_class'::regclass, c.oid
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, p.proname,
           oidvectortypes(p.proargtypes), p.proacl, p.proowner, acldefault('f', p.proowner),
           'pg_proc'::regclass, p.oid
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY(%(schemas)s) AND p.prokind IN ('f', 'p')
)
SELECT o.kind, o.schema, o.name, o.arguments,
       CASE WHEN a.grantee = 0 THEN 'public' ELSE r.rolname END AS role, lower(a.privilege_type) AS privilege
  FROM objects o
  LEFT JOIN LATERAL aclexplode(coalesce(o.acl, o.fallback)) a ON a.grantee <> o.owner
  LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = o.cls AND d.objid = o.oid AND d.deptype IN ('e', 'i'))
 ORDER BY 1, 2, 3, 4, 5, 6
"""


# ALTER DEFAULT PRIVILEGES IN SCHEMA, of every role (``current`` marks those of the role connected)
DEFAULT_PRIVILEGES_SQL = """
SELECT CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
            WHEN 'T' THEN 'types' ELSE 'schemas' END AS objects,
       n.nspname AS schema, CASE WHEN a.grantee = 0 THEN 'public' ELSE r.rolname END AS role,
       lower(a.privilege_type) AS privilege, o.rolname AS for_role, o.rolname = current_user AS current
  FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace JOIN pg_roles o ON o.oid = d.defaclrole
 CROSS JOIN LATERAL aclexplode(d.defaclacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE n.nspname = ANY(%(schemas)s)
 ORDER BY 1, 2, 3, 4, 5
"""
_DEFAULT = "default "  # the kind of a schema's default privileges in Privileges: "default tables"


def read_privileges(conn: Any, schemas: set[str]) -> Privileges:
    """Every object's privileges, and the default privileges (of the role connected) of every schema."""
    out: dict[ObjectKey, set[tuple[str, str]]] = {}
    for kind, schema, name, arguments, role, privilege in conn.exec_driver_sql(PRIVILEGES_SQL,
                                                                               {"schemas": sorted(schemas)}):
        held = out.setdefault((kind, schema, name, arguments), set())
        if role is not None:
            held.add((role, privilege))
    for objects, schema, role, privilege, _, current in conn.exec_driver_sql(DEFAULT_PRIVILEGES_SQL,
                                                                             {"schemas": sorted(schemas)}):
        if current:
            out.setdefault((_DEFAULT + objects, schema, schema, ""), set()).add((role, privilege))
    return {key: frozenset(held) for key, held in out.items()}


DEFAULTS = {"function": frozenset({("public", "execute")}), "procedure": frozenset({("public", "execute")})}


def default_privileges(kind: str) -> frozenset[tuple[str, str]]:
    """What a new object of ``kind`` gives besides its owner: EXECUTE to PUBLIC on a function."""
    return DEFAULTS.get(kind, frozenset())


def privilege_statements(source: Privileges, target: Privileges,
                         recreated: set[ObjectKey] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """GRANT and REVOKE taking every object of ``target`` from its privileges in ``source`` (PostgreSQL's
    defaults for an object that is new, or that ``recreated`` names: dropped and created again) to its own."""
    out: list[str] = []
    gone_defaults = {key for key in source if key[0].startswith(_DEFAULT) and key not in target
                     and ("schema", key[1], key[1], "") in target}  # a schema's default privileges all revoked
    for key in sorted(set(target) | gone_defaults):
        kind, schema, name, arguments = key
        have = default_privileges(kind) if key in recreated or key not in source else source[key]
        want = target.get(key, frozenset())
        if have == want:
            continue
        if kind.startswith(_DEFAULT):
            objects = kind[len(_DEFAULT):]
            out += [default_privilege_sql(schema, objects, role, sorted(p for r, p in have - want if r == role),
                                          revoke=True) + ";" for role in sorted({r for r, _ in have - want})]
            out += [default_privilege_sql(schema, objects, role, sorted(p for r, p in want - have if r == role))
                    + ";" for role in sorted({r for r, _ in want - have})]
            continue
        on = privilege_target(kind, schema, name, arguments)
        for role in sorted({r for r, _ in have - want}):
            out.append(revoke_sql(on, role, sorted(p for r, p in have - want if r == role)) + ";")
        for role in sorted({r for r, _ in want - have}):
            out.append(grant_sql(on, role, sorted(p for r, p in want - have if r == role)) + ";")
    return out


_ROLES_SQL = """
SELECT DISTINCT r.rolname FROM (
    SELECT nspacl AS acl FROM pg_namespace WHERE nspname = ANY(%(schemas)s)
    UNION ALL SELECT c.relacl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL SELECT p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY(%(schemas)s)
) o CROSS JOIN LATERAL aclexplode(o.acl) a JOIN pg_roles r ON r.oid = a.grantee
"""


def roles_in_use(url: str, schemas: tuple[str, ...]) -> set[str]:
    """The roles that hold a privilege on something in ``schemas`` of the database at ``url``."""
    with connect(url) as conn:
        return {row[0] for row in conn.execute(_ROLES_SQL, {"schemas": list(schemas)})}


def missing_roles(url: str, roles: set[str] | frozenset[str]) -> set[str]:
    with connect(url) as conn:
        have = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                                               [sorted(roles)])}
    return set(roles) - have


def provide_roles(admin_url: str, roles: set[str]) -> None:
    """Create, NOLOGIN, the ``roles`` a scratch server lacks, so that grants naming them can be rehearsed there
    (roles belong to a server, not a database: finesse never creates them on the target)."""
    missing = missing_roles(admin_url, roles)
    if not missing:
        return
    with connect(admin_url) as conn:
        for role in sorted(missing):
            conn.execute(f"DO $$ BEGIN CREATE ROLE {quote(role)} NOLOGIN; "
                         "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
