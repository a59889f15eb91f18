"""Groups of tables for documentation: those schema.yaml declares (``group:``), and for the others the
group most of their relations lead to, else one derived from the relations alone. Pure.

The derivation is label propagation, made deterministic: every ungrouped table starts in a group of its
own; in rounds, in name order, each takes the group that most of its neighbours (declared or derived)
are in, ties going to the group of the table with the most relations; what is left alone joins no one.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ...core.model import QualifiedName, Schema
from .relations import Relation

UNGROUPED = "other"


def table_groups(schema: Schema, rels: list[Relation], *, rounds: int = 20) -> dict[str, list[QualifiedName]]:
    """group name -> tables (sorted); every table is in exactly one group."""
    neighbours: dict[QualifiedName, list[QualifiedName]] = defaultdict(list)
    for r in rels:
        if r.child != r.parent:
            neighbours[r.child].append(r.parent)
            neighbours[r.parent].append(r.child)
    degree = {t.qualified: len(neighbours[t.qualified]) for t in schema.tables}
    label: dict[QualifiedName, str] = {t.qualified: t.group for t in schema.tables if t.group}
    free = sorted((t.qualified for t in schema.tables if not t.group), key=str)
    for t in free:
        label[t] = f"~{t}"
    for _ in range(rounds):
        changed = False
        for t in free:
            votes = Counter(label[n] for n in neighbours[t] if n in label)
            if not votes:
                continue
            best = max(votes.values())
            # ties: a declared group, then the group of the best-connected table, then the name
            candidates = sorted(g for g, v in votes.items() if v == best)
            choice = min(candidates, key=lambda g: (g.startswith("~"), -_weight(g, label, degree), g))
            if votes.get(label[t], 0) < best and choice != label[t]:
                label[t] = choice
                changed = True
        if not changed:
            break
    out: dict[str, list[QualifiedName]] = defaultdict(list)
    for t, g in label.items():
        out[g].append(t)
    named: dict[str, list[QualifiedName]] = {}
    for g, members in out.items():
        if not g.startswith("~"):
            named[g] = sorted(members, key=str)
        elif len(members) == 1:
            named.setdefault(UNGROUPED, []).extend(members)
        else:  # a derived group is named for its best-connected table
            hub = max(members, key=lambda m: (degree[m], -len(str(m)), str(m)))
            named[hub.name if hub.schema == "public" else str(hub)] = sorted(members, key=str)
    return {g: sorted(named[g], key=str) for g in sorted(named)}


def _weight(group: str, label: dict[QualifiedName, str], degree: dict[QualifiedName, int]) -> int:
    return max((degree[t] for t, g in label.items() if g == group), default=0)
