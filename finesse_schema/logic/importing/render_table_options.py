"""The YAML of what a table has besides columns and keys (see logic/schema/table_options.py): exclusion
constraints, UNLOGGED, storage parameters, inheritance, CLUSTER ON."""

from __future__ import annotations

import re

from ...core.model import Exclusion, ExclusionElement, Table


def table_options(t: Table, keep_name: bool) -> dict:  # type: ignore[type-arg]
    """The keys of ``t`` past its columns, keys and indexes, in schema.yaml's order."""
    out: dict = {}
    if t.excludes:
        out["exclude"] = [exclusion(x, keep_name) for x in t.excludes]
    if t.unlogged:
        out["unlogged"] = True
    if t.storage:
        out["with"] = storage(t.storage)
    if t.inherits:
        out["inherits"] = [p.name if p.schema == t.schema else f"{p.schema}.{p.name}" for p in t.inherits]
    if t.cluster_on:
        out["cluster_on"] = t.cluster_on
    return out


def storage(pairs: tuple[tuple[str, str], ...]) -> dict:  # type: ignore[type-arg]
    """Storage parameters, numbers written as numbers (they read back as the same text)."""
    return {name: _number(value) for name, value in pairs}


def _number(value: str) -> object:
    if re.fullmatch(r"-?[1-9]\d*|0", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value) and repr(float(value)) == value:
        return float(value)
    return value


def exclusion(x: Exclusion, keep_name: bool) -> dict:  # type: ignore[type-arg]
    out: dict = {"name": x.name} if keep_name else {}
    if x.method != "gist":
        out["using"] = x.method
    out["elements"] = [_element(e) for e in x.elements]
    if x.where:
        out["where"] = x.where
    if x.initially_deferred:
        out["initially_deferred"] = True
    elif x.deferrable:
        out["deferrable"] = True
    return out


def _element(e: ExclusionElement) -> dict:  # type: ignore[type-arg]
    out: dict = {"column": e.column} if e.column else {"expression": e.expression}
    if e.opclass:
        out["opclass"] = e.opclass
    out["operator"] = e.operator
    return out


def deferral(deferrable: bool, initially_deferred: bool) -> dict:  # type: ignore[type-arg]
    if initially_deferred:
        return {"initially_deferred": True}
    return {"deferrable": True} if deferrable else {}
