"""The YAML of collations, functions, aggregates and operators (logic/schema/collations.py, object_readers.py
and operators.py)."""

from __future__ import annotations

import re

from ...core.grants import DEFAULT_KINDS, PRIVILEGES, Grant, Grants
from ...core.model import Collation, QualifiedName, Schema
from ...core.routines import Aggregate, Argument, Function, Operator
from .render_types import short_type


def collation(c: Collation) -> dict:  # type: ignore[type-arg]
    out: dict = {"provider": c.provider}
    if c.locale is not None:
        out["locale"] = c.locale
    else:
        out["lc_collate"], out["lc_ctype"] = c.lc_collate, c.lc_ctype
    if not c.deterministic:
        out["deterministic"] = False
    if c.comment:
        out["comment"] = c.comment
    return out


def aggregate(a: Aggregate, schema: Schema) -> dict:  # type: ignore[type-arg]
    def fn(q: QualifiedName) -> str:
        return q.name if q.schema in ("", a.schema) else f"{q.schema}.{q.name}"

    out: dict = {"arguments": list(a.arguments), "state_function": fn(a.state_function), "state_type": a.state_type}
    if a.final_function:
        out["final_function"] = fn(a.final_function)
    if a.initial_condition is not None:
        out["initial_condition"] = a.initial_condition
    if a.comment:
        out["comment"] = a.comment
    return out


def operator(o: Operator) -> dict:  # type: ignore[type-arg]
    def fn(q: QualifiedName) -> str:
        return q.name if q.schema in ("", o.schema) else f"{q.schema}.{q.name}"

    out: dict = {"left": o.left} if o.left else {}
    out |= {"right": o.right, "function": fn(o.function)}
    for key, value in (("commutator", o.commutator), ("negator", o.negator)):
        if value:
            out[key] = value
    for key, estimator in (("restrict", o.restrict), ("join", o.join)):
        if estimator:
            out[key] = fn(estimator)
    out |= {key: True for key, on in (("hashes", o.hashes), ("merges", o.merges)) if on}
    if o.comment:
        out["comment"] = o.comment
    return out


def function(f: Function, schema: Schema) -> dict:  # type: ignore[type-arg]
    out: dict = {}
    if f.kind == "procedure":
        out["kind"] = "procedure"
    else:
        returns = f.returns or "void"
        out["returns"] = returns if returns.lower().startswith(("setof ", "table")) else \
            short_type(returns, schema)
    if f.language != "plpgsql":
        out["language"] = f.language
    if f.arguments:
        out["arguments"] = [argument(a, schema) for a in f.arguments]
    if f.volatility != "volatile":
        out["volatility"] = f.volatility
    if f.security_definer:
        out["security_definer"] = True
    if f.strict:
        out["strict"] = True
    if f.parallel != "unsafe":
        out["parallel"] = f.parallel
    if f.settings:
        out["set"] = dict(f.settings)
    if f.comment:
        out["comment"] = f.comment
    if f.library:
        out["library"] = f.library
    if f.grants is not None:
        out["grants"] = grants_yaml(f.grants, "function")
    out["symbol" if f.compiled else "body"] = f.body
    return out


def grants_yaml(grants: Grants, kind: str) -> dict | None:  # type: ignore[type-arg]
    """``{role: [privileges]}``, or ``all`` for every privilege of the kind; None (``grants:``) for none."""
    if not grants:
        return None
    every = sorted(PRIVILEGES[kind])
    return {g.role: "all" if sorted(g.privileges) == every and len(every) > 1 else list(g.privileges)
            for g in grants}

def argument(a: Argument, schema: Schema):  # type: ignore[no-untyped-def]
    atype = short_type(a.type, schema)
    if a.default is None and a.mode == "in" and a.name and re.fullmatch(r"[a-z_][a-z0-9_]*", a.name):
        return f"{a.name} {atype}"
    out: dict = {}
    if a.name:
        out["name"] = a.name
    out["type"] = atype
    if a.mode != "in":
        out["mode"] = a.mode
    if a.default is not None:
        out["default"] = a.default
    return out


def default_grants_yaml(n) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """``{tables: {role: [privileges]}, ...}`` of a schema's default privileges."""
    out: dict = {}  # type: ignore[type-arg]
    for objects, kind in DEFAULT_KINDS.items():
        mine = tuple(Grant(d.role, d.privileges) for d in n.default_grants or () if d.objects == objects)
        if mine:
            out[objects] = grants_yaml(mine, kind)
    return out
