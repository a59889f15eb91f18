"""The YAML of collations and aggregates (see logic/schema/collations.py)."""

from __future__ import annotations

from ...core.model import Aggregate, Collation, QualifiedName, Schema


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
