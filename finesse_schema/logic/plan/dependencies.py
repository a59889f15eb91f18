"""What depends on what in one database, by object key: the edges a plan is ordered by.

A key names an object the way a plan's changes do (:func:`change_key`), so that a change can be matched
with what its object needs in the database it is going to (a view its columns, an index its table, a
foreign key the unique index it references, a function the table whose row type it returns) and with
what depends on it in the database it comes from (what must go before it can be dropped or altered).

Keys: ``("rel", schema, name)`` for tables, views, materialized views, sequences and indexes (one
namespace in PostgreSQL); ``("col", schema, table, column)``; ``("con", schema, table, name)``;
``("type", schema, name)`` for enums, domains and composite types; ``("func", schema, name)``
(overloads share a key: ordering by name is never wrong, only cautious); ``("trigger", schema, table,
name)``; ``("policy", schema, table, name)``; ``("schema", name)``; ``("ext", name)``;
``("collation", schema, name)``; ``("operator", schema, symbol)`` (overloads share a key).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

Key = tuple[str, ...]


@dataclass(frozen=True)
class Dependencies:
    """``needs[key]``: the keys an object needs to exist (read from pg_depend and friends)."""

    needs: dict[Key, frozenset[Key]] = field(default_factory=dict)
    owned: dict[Key, frozenset[Key]] = field(default_factory=dict)  # a table's sequences (OWNED BY, a serial's)

    @staticmethod
    def from_edges(edges: Iterable[tuple[Key, Key]], owned: Iterable[tuple[Key, Key]] = ()) -> "Dependencies":
        """From (dependent, referenced) edges and (table, sequence it owns) pairs."""
        grouped: dict[Key, set[Key]] = defaultdict(set)
        for dependent, referenced in edges:
            if dependent != referenced:
                grouped[dependent].add(referenced)
        owns: dict[Key, set[Key]] = defaultdict(set)
        for table, sequence in owned:
            owns[table].add(sequence)
        return Dependencies({k: frozenset(v) for k, v in grouped.items()}, {k: frozenset(v) for k, v in owns.items()})

    def of(self, key: Key) -> frozenset[Key]:
        """What ``key`` needs, with the object it belongs to (a column its table, a table its schema)."""
        return self.needs.get(key, frozenset()) | container(key)

    def dependents(self, key: Key) -> frozenset[Key]:
        """What needs ``key`` (its columns, constraints, triggers and policies for a table)."""
        return self._reverse().get(key, frozenset())

    def _reverse(self) -> dict[Key, frozenset[Key]]:
        cached = self.__dict__.get("_reversed")
        if cached is None:
            grouped: dict[Key, set[Key]] = defaultdict(set)
            everything = set(self.needs).union(*self.needs.values()) if self.needs else set()
            for dependent in everything:  # a column only referenced still belongs to its table
                for referenced in self.needs.get(dependent, frozenset()) | container(dependent):
                    grouped[referenced].add(dependent)
            cached = {k: frozenset(v) for k, v in grouped.items()}
            object.__setattr__(self, "_reversed", cached)
        return cached  # type: ignore[no-any-return]


def container(key: Key) -> frozenset[Key]:
    """The object ``key`` lives in: a column's, constraint's, trigger's or policy's table; the schema of the rest."""
    if not key:
        return frozenset()
    kind = key[0]
    if kind in ("col", "con", "trigger", "policy") and len(key) == 4:
        return frozenset({("rel", key[1], key[2])})
    if kind in ("rel", "type", "func", "collation", "operator") and len(key) == 3:
        return frozenset({("schema", key[1])})
    return frozenset()
