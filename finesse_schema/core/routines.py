"""The model's code objects: functions and procedures, aggregates and operators (see model.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Location
from .grants import Grants
from .names import QualifiedName, loc_field as _loc


@dataclass(frozen=True)
class Argument:
    name: str | None
    type: str
    mode: str = "in"  # in | out | inout | variadic
    default: str | None = None


@dataclass(frozen=True)
class Function:
    """A function or procedure; its identity is schema, name and argument types."""

    schema: str
    name: str
    body: str
    language: str = "plpgsql"
    arguments: tuple[Argument, ...] = ()
    returns: str | None = None  # None for a procedure
    kind: str = "function"  # function | procedure
    volatility: str = "volatile"  # volatile | stable | immutable
    security_definer: bool = False
    strict: bool = False
    comment: str | None = None
    parallel: str = "unsafe"  # unsafe | restricted | safe
    settings: tuple[tuple[str, str], ...] = ()  # SET name TO value (value is SQL), e.g. ("search_path", "''")
    library: str | None = None  # language c: the shared library ('$libdir/fuzzystrmatch'); body is its symbol
    grants: Grants = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    @property
    def compiled(self) -> bool:
        """A function in C (from a shared library) or internal to the server: its body names a symbol."""
        return self.language in ("c", "internal")

    @property
    def identity_arguments(self) -> str:
        return ", ".join(a.type for a in self.arguments if a.mode != "out")


@dataclass(frozen=True)
class Aggregate:
    """CREATE AGGREGATE name(argument types) (SFUNC = state_function, STYPE = state_type, ...)."""

    schema: str
    name: str
    arguments: tuple[str, ...]  # argument types
    state_function: QualifiedName
    state_type: str
    final_function: QualifiedName | None = None
    initial_condition: str | None = None  # the state's first value, as text
    comment: str | None = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    @property
    def signature(self) -> str:
        return f"{self.schema}.{self.name}({', '.join(self.arguments)})"


@dataclass(frozen=True)
class Operator:
    """CREATE OPERATOR name (FUNCTION = function, LEFTARG = left, RIGHTARG = right, ...); ``left`` is None for
    a prefix operator. Its identity is schema, name and argument types."""

    schema: str
    name: str  # the symbol, e.g. ~<<
    left: str | None
    right: str
    function: QualifiedName
    commutator: str | None = None  # an operator's name (schema.name when in another schema)
    negator: str | None = None
    restrict: QualifiedName | None = None  # selectivity estimators
    join: QualifiedName | None = None
    hashes: bool = False
    merges: bool = False
    comment: str | None = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    @property
    def identity_arguments(self) -> str:
        return f"{self.left or 'NONE'}, {self.right}"
