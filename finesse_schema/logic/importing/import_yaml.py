"""An imported model -> schema.yaml text that reads back as exactly that model.

Names: a constraint or index name is written only when leaving it out would read back
as another name. The first guess writes every name that is not PostgreSQL's plain
default; then the text is read back, and any name that came back different is
written too, until nothing differs (writing a name can free a default that another
object then takes, so this may take a second round).

Whatever still differs after that is reported, never hidden: the caller lists it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields, replace
from typing import Any, Callable, Iterable

from ...core.errors import InputError
from ...core.model import Domain, QualifiedName, Schema, Table, View
from ..schema.load import load_schema_text
from ..schema.naming import Namer, index_column_name, make_object_name
from .render_yaml import Names, render_schema_yaml

MAX_ROUNDS = 8
Key = tuple[str, str, str]


def _plain_defaults(t: Table) -> set[str]:
    """The names each constraint and index of ``t`` would get with nothing else around."""
    out = set()
    cols = {c.name for c in t.columns}
    if t.primary_key:
        out.add(Namer().primary_key(t.schema, t.name))
    out.update(Namer().unique(t.schema, t.name, list(u.columns)) for u in t.uniques)
    out.update(Namer().foreign_key(t.schema, t.name, list(f.columns)) for f in t.foreign_keys)
    out.update(Namer().check(t.schema, t.name, c.expression, cols) for c in t.checks)
    for ix in t.indexes:
        names = [e.column or index_column_name(e.expression or "") for e in ix.elements]
        out.add(Namer().index(t.schema, t.name, names + list(ix.include)))
    out.update(Namer().exclusion(t.schema, t.name, [e.column or "expr" for e in x.elements]) for x in t.excludes)
    return out


def _named(t: Any) -> Iterable[tuple[str, Any, Any]]:
    """(kind, name-free signature, object) of every named part of a table or view."""
    if isinstance(t, Table):
        if t.primary_key:
            yield "primary key", t.primary_key.columns, t.primary_key
        for u in t.uniques:
            yield "unique", (u.columns, u.nulls_not_distinct), u
        for c in t.checks:
            yield "check", (c.expression, c.not_valid), c
        for f in t.foreign_keys:
            yield "foreign key", replace(f, name=""), f
        for x in t.excludes:
            yield "exclusion", replace(x, name=""), x
    if isinstance(t, Domain):
        for c in t.checks:
            yield "check", (c.expression, c.not_valid), c
        return
    for ix in t.indexes:
        yield "index", replace(ix, name=""), ix


def _pairs(a: Any, b: Any) -> Iterable[tuple[Any, Any]]:
    """Parts of ``a`` and ``b`` with the same signature, paired in order."""
    theirs: dict[tuple[str, Any], list[Any]] = defaultdict(list)
    for kind, sig, obj in _named(b):
        theirs[(kind, sig)].append(obj)
    for kind, sig, obj in _named(a):
        bucket = theirs.get((kind, sig))
        yield obj, (bucket.pop(0) if bucket else None)


def _with_partitions(tables: Iterable[Table]) -> Iterable[Table]:
    """Each table, then each of its partitions that has indexes or foreign keys of its own, as a table
    holding just those (a partition's names are its own, defaulted from the partition's name)."""
    for t in tables:
        yield t
        for p in t.partitions:
            if p.indexes or p.foreign_keys:
                yield replace(t, name=p.name, primary_key=None, uniques=(), checks=(), excludes=(),
                              indexes=p.indexes, foreign_keys=p.foreign_keys, partitions=())


def _owners(schema: Schema) -> dict[QualifiedName, Any]:
    return {o.qualified: o for o in (*_with_partitions(schema.tables), *schema.views, *schema.domains)}


def _name_mismatches(wanted: Schema, got: Schema) -> set[Key]:
    out: set[Key] = set()
    theirs = _owners(got)
    for q, owner in _owners(wanted).items():
        other = theirs.get(q)
        if other is None:
            continue
        for mine, their in _pairs(owner, other):
            if their is not None and their.name != mine.name:
                out.add((q.schema, q.name, mine.name))
    return out


def _canonical(schema: Schema) -> Schema:
    """``schema`` with every collection sorted, so that layout does not count as a difference."""
    def sort_table(t: Any) -> Any:
        if not isinstance(t, (Table, View)):
            return t
        changes = {}
        for f in fields(t):
            value = getattr(t, f.name)
            if f.name != "columns" and isinstance(value, tuple) and value and hasattr(value[0], "name") \
                    and f.compare:
                changes[f.name] = tuple(sorted(value, key=lambda o: (o.name, repr(o))))
        return replace(t, **changes)

    return replace(schema, **{f.name: tuple(sorted((sort_table(o) for o in getattr(schema, f.name)),
                                                   key=lambda o: (getattr(o, "schema", "") or "", o.name,
                                                                  getattr(o, "identity_arguments", ""))))
                              for f in fields(schema) if f.compare})


def _identity(o: Any) -> tuple[str | None, str, str]:
    """An object's identity in the model: schema and name, and a function's argument types (overloads)."""
    return getattr(o, "schema", None), o.name, getattr(o, "identity_arguments", "")


def differences(wanted: Schema, got: Schema) -> list[str]:
    """Objects of ``wanted`` that ``got`` lacks or holds differently (by kind and name)."""
    a, b = _canonical(wanted), _canonical(got)
    out = []
    for f in fields(a):
        if not f.compare:
            continue
        mine = {_identity(o): o for o in getattr(a, f.name)}
        theirs = {_identity(o): o for o in getattr(b, f.name)}
        for key in sorted(set(mine) | set(theirs), key=str):
            if mine.get(key) != theirs.get(key):
                schema, name, arguments = key
                label = (name if schema in (None, "public") else f"{schema}.{name}") + \
                    (f"({arguments})" if f.name == "functions" else "")
                out.append(f"{f.name[:-1]} {label}")
    return out


def schema_yaml(schema: Schema, *, header: str = "", progress: Callable[[str], None] = lambda _: None
                ) -> tuple[str, list[str]]:
    """The YAML text of ``schema`` and the objects that do not read back equal (empty when exact)."""
    explicit: set[Key] = set()
    for t in _with_partitions(schema.tables):
        plain = _plain_defaults(t)
        for _, _, obj in _named(t):
            if obj.name not in plain:
                explicit.add((t.schema, t.name, obj.name))
    for d in schema.domains:
        for c in d.checks:
            if c.name != make_object_name(d.name, None, "check"):
                explicit.add((d.schema, d.name, c.name))
    for v in schema.views:
        for ix in v.indexes:
            explicit.add((v.schema, v.name, ix.name))  # a materialized view's index: keep its name
    text, read = "", None
    for round_ in range(MAX_ROUNDS):
        progress("writing schema.yaml" if round_ == 0 else f"reading back, round {round_ + 1}")
        text = render_schema_yaml(schema, names=Names(frozenset(explicit)), header=header)
        try:
            read = load_schema_text(text, "schema.yaml")
        except InputError as exc:
            return text, [f"the written schema.yaml does not read back: {p}" for p in exc.problems]
        missing = _name_mismatches(schema, read) - explicit
        if not missing:
            break
        explicit |= missing
    assert read is not None
    return text, differences(schema, read)
