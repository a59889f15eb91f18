"""schema.yaml nodes -> the privileges roles hold on an object (opt-in).

Grammar (on schemas, tables, views, sequences and functions)::

    tables:
      orders:
        grants:
          app_reader: [select]
          app_writer: [select, insert, update, delete]
          auditor: all                     # every privilege of the kind (but maintain)
    functions:
      adjust_stock:
        grants: {app_writer: [execute]}    # PUBLIC's default EXECUTE is revoked unless public is listed
    schemas:
      reporting:
        grants: {app_reader: [usage]}
        default_grants:                    # what tables (sequences, functions) created here later get
          tables: {app_reader: [select]}

Once any object declares ``grants:``, finesse manages the privileges of every object it manages: exactly those
declared, and PostgreSQL's defaults where an object declares none. ``grants: {}`` declares none. Roles are
referenced, never created; ``public`` is every role. ``default_grants`` are those of the role finesse runs as.
"""

from __future__ import annotations

import difflib

from ...core.grants import ALSO, DEFAULT_KINDS, PRIVILEGES, DefaultGrant, Grant, Grants
from .fields import Reader
from .yaml_source import Node


def read_grants(r: Reader, node: Node | None, kind: str) -> Grants:
    """``grants:`` of an object of ``kind`` (schema, table, view, sequence, function); None when absent."""
    if node is None:
        return None
    if node.value is None:
        return ()
    if not node.is_map:
        r.problem(node, "grants must be a mapping of role to privileges", "e.g. grants: {app_reader: [select]}")
        return None
    allowed = PRIVILEGES[kind]
    out: list[Grant] = []
    for role, privileges in node.items():
        if not role.strip():
            r.problem(privileges, "a role name cannot be empty", at_key=True)
            continue
        if privileges.value is None or (privileges.is_scalar and str(privileges.value).lower() == "all"):
            chosen = set(allowed)
        else:
            chosen = set()
            for item in ([privileges] if privileges.is_scalar else privileges.value if privileges.is_list else []):
                word = " ".join(str(item.value).lower().split()) if item.is_scalar else ""
                if word in allowed or word in ALSO.get(kind, ()):
                    chosen.add(word)
                    continue
                close = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
                r.problem(item, f"'{item.value}' is not a privilege of a {kind}",
                          f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}, all")
            if not privileges.is_scalar and not privileges.is_list:
                r.problem(privileges, f"the privileges of '{role}' must be a list (or all)",
                          f"e.g. {role}: [{allowed[0]}]")
        if chosen:
            out.append(Grant(role, tuple(sorted(chosen)), loc=privileges.key_loc or privileges.loc))
    return tuple(sorted(out, key=lambda g: g.role))


def read_default_grants(r: Reader, node: Node | None) -> tuple[DefaultGrant, ...] | None:
    """``default_grants: {tables: {role: [privileges]}, sequences: ..., functions: ...}`` of a schema."""
    if node is None:
        return None
    if node.value is None:
        return ()
    if not r.keys(node, tuple(DEFAULT_KINDS), "default_grants"):
        return None
    out: list[DefaultGrant] = []
    for objects, grants_node in node.items():
        if objects not in DEFAULT_KINDS:
            continue
        for g in read_grants(r, grants_node, DEFAULT_KINDS[objects]) or ():
            out.append(DefaultGrant(objects, g.role, g.privileges, loc=g.loc))
    return tuple(sorted(out, key=lambda d: (d.objects, d.role)))
