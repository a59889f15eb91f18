"""What every object of the model has: a name in a schema, and the place it was declared."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Location


def loc_field() -> Location | None:
    """A declaration's location: remembered, never compared (two schemas are equal when they describe the same
    database)."""
    return field(default=None, compare=False, repr=False, kw_only=True)  # type: ignore[return-value]


@dataclass(frozen=True)
class QualifiedName:
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"
