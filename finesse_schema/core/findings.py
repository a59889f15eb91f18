"""What an audit reports: a Finding of a rule, with its severity and where it points.

Rules never print or raise; they yield Findings. Findings sort by place, then code,
so every report is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from .errors import Location


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a rule found. ``subject`` is the table (or object) it concerns, as schema.name."""

    subject: str
    code: str
    message: str
    severity: Severity = field(default=Severity.WARNING)
    hint: str = ""
    location: Location | None = field(default=None, compare=False)
    path: str = ""  # YAML path, e.g. tables.orders.columns.user_id
    name: str = ""  # the rule's name
