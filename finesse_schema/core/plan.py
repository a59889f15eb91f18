"""A plan is data: typed changes first, SQL text only as their payload.

Safety is decided from these fields (kind, object type, destructive), never by
reading the SQL again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .errors import RefusedError
from .findings import Finding


class ChangeKind(str, Enum):
    CREATE = "create"
    ALTER = "alter"
    DROP = "drop"


@dataclass(frozen=True)
class Change:
    """One statement of a plan and what it does."""

    kind: ChangeKind
    object_type: str  # table, column, index, constraint, enum, extension, schema, sequence, view, function, ...
    object_name: str  # qualified, e.g. public.orders or public.orders.total
    sql: str
    destructive: bool = False
    reason: str = ""  # why it is destructive, or what it alters ("type integer -> bigint")
    transactional: bool = True  # False: must run outside a transaction block, before the rest (enum ADD VALUE)
    # the object as the plan's ordering knows it: ("rel", schema, name), ("col", schema, table, column)...
    # (see logic/plan/dependencies.py); () when the statement names none finesse recognises
    key: tuple[str, ...] = field(default=(), compare=False)
    refs: tuple[tuple[str, ...], ...] = field(default=(), compare=False)  # other objects the statement names
    # where a single revision runs it: "expand" (before the data section), "contract" (after it), or ""
    phase: str = field(default="", compare=False)

    @property
    def table(self) -> str:
        """The schema.table this change works on (for an index: the table it is built on)."""
        if self.object_type == "index" and " on " in f" {self.reason}":
            return self.reason.split("on ", 1)[1]
        return ".".join(self.object_name.split(".")[:2])

    @property
    def label(self) -> str:
        text = f"{self.kind.value} {self.object_type} {self.object_name}"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass(frozen=True)
class Plan:
    """What it takes to go from one schema to another, and back."""

    upgrade: tuple[Change, ...] = ()
    downgrade: tuple[Change, ...] = ()
    schema_hash: str = ""
    verified: bool = field(default=False, compare=False)
    notes: tuple[str, ...] = ()  # for the reviewer: e.g. drops plus creates that look like renames
    findings: tuple[Finding, ...] = ()  # lint findings (lock-heavy, backward-incompatible, destructive)
    online: bool = False  # each upgrade step commits on its own, with retries, resumable (see logic/plan/online.py)

    @property
    def empty(self) -> bool:
        return not self.upgrade

    @property
    def destructive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.upgrade if c.destructive)

    def counts(self) -> dict[str, int]:
        out = {k.value: 0 for k in ChangeKind}
        for c in self.upgrade:
            out[c.kind.value] += 1
        return out


class PlanRefused(RefusedError):
    """finesse will not write this plan; ``plan`` is what it would have been."""

    def __init__(self, message: str, plan: Plan, details: tuple[str, ...] = ()):
        self.plan = plan
        super().__init__(message, details)
