"""The order of a plan: from the dependency graph of the objects its changes touch, with the expand / data
section / contract phases on top.

Edges come from both databases' catalogs (logic/plan/dependencies.py) and from the changes themselves:

* a change that creates or alters an object runs after the changes that create what the object needs in
  the database the plan goes to (a table after its columns' types, an index after its table and columns, a
  view after the columns, functions and constraints it reads, a foreign key after the unique index it
  references, a function after the table whose row type it returns, a partition after its parent, a default
  after its sequence);
* a change that drops or alters an object runs after the changes that drop (or alter) what depends on it
  in the database the plan comes from (drops run in reverse);
* changes that touch the same object keep migra's order (a view dropped, then created again);
* a statement finesse does not recognise stays where migra put it, a barrier to every other change.

Each change wants a phase: enum values added first (outside the transaction), then the expand changes,
the data section, the contract changes, then comments. A change moves to a later phase only where no edge
forbids it: a contract change that an expand change needs runs before the data section, and the plan says
why (:attr:`Ordered.notes`). Within the graph and the phases, migra's order decides.

Property (tests/test_plan_generated.py): applying the changes in this order never names an object that does
not exist yet, or no longer exists.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, replace

from ...core.plan import Change, ChangeKind
from .dependencies import Dependencies, Key, container
from .expand_contract import contract_reason, relaxed, set_not_null

C, A, D = ChangeKind.CREATE, ChangeKind.ALTER, ChangeKind.DROP
FIRST, EXPAND, CONTRACT, LAST = -1, 0, 1, 2
_PHASE_NAME = {FIRST: "expand", EXPAND: "expand", CONTRACT: "contract", LAST: ""}


@dataclass(frozen=True)
class Ordered:
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()


def order_changes(changes: tuple[Change, ...], source: Dependencies, target: Dependencies, *,
                  relax: bool = False) -> Ordered:
    """``changes`` (migra's, from ``source`` to ``target``) in an order that respects every dependency, with
    each change's phase set. ``relax``: a required column added to an existing table goes in nullable with
    the expand changes and is made NOT NULL first among the contract ones, so the data section can fill it
    (a downgrade that puts back a dropped column)."""
    changes, not_null = _relaxed(changes) if relax else (changes, ())
    wanted = [_wanted_phase(c, _created_tables(changes)) for c in changes]
    edges = _edges(changes, source, target)
    phase, notes = _settle(changes, wanted, edges)
    order = _sorted(len(changes), edges, phase)
    out = [replace(changes[i], phase=_PHASE_NAME[phase[i]]) for i in order]
    if not_null:
        at = next((k for k, c in enumerate(out) if c.phase == "contract"), None)
        at = at if at is not None else next((k for k, c in enumerate(out) if c.object_type == "comment"), len(out))
        out[at:at] = [replace(c, phase="contract") for c in not_null]
    return Ordered(tuple(out), tuple(notes))


def boundary(changes: tuple[Change, ...]) -> int:
    """Where the data section goes in a single revision: before its first contract change. Renames that open
    a plan (migra diffed the renamed schema) run first and do not count."""
    start = next((i for i, c in enumerate(changes) if not c.reason.startswith("rename")), len(changes))
    return next((i for i in range(start, len(changes)) if changes[i].phase == "contract"), len(changes))


# ---- phases -----------------------------------------------------------------------------------------------
def _created_tables(changes: tuple[Change, ...]) -> set[str]:
    return {c.object_name for c in changes if c.kind == C and c.object_type == "table"}


def _wanted_phase(c: Change, created: set[str]) -> int:
    if not c.transactional or c.object_type == "setting":
        return FIRST
    if c.object_type == "comment":
        return LAST
    if c.kind == D and c.object_type == "constraint":
        return EXPAND  # it only ever refused rows; a downgrade's data section may put back rows it would refuse
    return CONTRACT if contract_reason(c, created) else EXPAND


def _relaxed(changes: tuple[Change, ...]) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    created = _created_tables(changes)
    loose = [(relaxed(c) if c.table not in created else None) for c in changes]
    return tuple(r or c for c, r in zip(changes, loose)), tuple(set_not_null(c) for c, r in zip(changes, loose) if r)


def _settle(changes: tuple[Change, ...], wanted: list[int],
            edges: dict[int, set[int]]) -> tuple[list[int], list[str]]:
    """Each change's phase: what it wants, or earlier where a change that must follow it runs earlier."""
    phase = list(wanted)
    why: dict[int, int] = {}
    moved = True
    while moved:
        moved = False
        for u, after in edges.items():
            for v in after:
                if phase[v] in (EXPAND, CONTRACT) and phase[u] in (EXPAND, CONTRACT) and phase[v] < phase[u]:
                    phase[u] = phase[v]
                    why[u] = v
                    moved = True
    notes = [f"{changes[u].label} runs before the data section: {changes[v].label} needs it"
             for u, v in sorted(why.items()) if wanted[u] == CONTRACT and changes[u].key != changes[v].key]
    return phase, notes


# ---- the graph --------------------------------------------------------------------------------------------
def _edges(changes: tuple[Change, ...], source: Dependencies, target: Dependencies) -> dict[int, set[int]]:
    """u -> {v}: change u must run before change v."""
    edges: dict[int, set[int]] = defaultdict(set)
    makes: dict[Key, list[int]] = defaultdict(list)
    unmakes: dict[Key, list[int]] = defaultdict(list)
    touches: dict[Key, list[int]] = defaultdict(list)
    for i, c in enumerate(changes):
        for key in _made(c):
            makes[key].append(i)
        for key in _unmade(c):
            unmakes[key].append(i)
        for key in (c.key, *c.refs):
            if key:
                touches[key].append(i)

    def providers(key: Key) -> list[int]:
        if key in makes:
            return makes[key]
        return [p for parent in container(key) if key[0] == "col" for p in makes.get(parent, [])]

    def removers(key: Key) -> list[int]:  # a column, constraint or trigger goes with its table's drop too,
        if key in unmakes:  # unless dropped on its own (before the table: the table's drop waits for it)
            return unmakes[key]
        return [p for parent in container(key) if key[0] in ("col", "con", "trigger", "policy")
                for p in unmakes.get(parent, [])]

    for key, members in touches.items():  # the same object: migra's order (a column's alterations: removals first)
        chain = _column_steps(members, changes) if key[0] == "col" else members
        for a, b in zip(chain, chain[1:]):
            edges[a].add(b)
    column_types: dict[Key, set[Key]] = defaultdict(set)  # a table's columns' types: its CREATE TABLE needs them
    for k, needed in target.needs.items():
        if k[0] == "col":
            column_types[("rel", k[1], k[2])].update(n for n in needed if n[0] == "type")
    for i, c in enumerate(changes):
        if not c.key:
            continue
        if c.kind in (C, A):  # after what it needs in the database the plan goes to, made or changed
            needs = target.of(c.key) if _introduces(c) else container(c.key)
            if c.kind == C and c.object_type == "table":
                needs = needs | column_types.get(c.key, set())
            for needed in needs | {r for r in c.refs if c.kind == C or c.object_type != "column"}:
                for p in providers(needed) + [j for j in touches.get(needed, []) if _reshapes(changes[j])]:
                    if p != i:
                        edges[p].add(i)
        removes = c.kind == D or _removes_old_version(c)
        if removes or _blocked_by_dependents(c):  # after what depended on it is gone (or let go of it)
            dependents = _all_dependents(source, c.key) if c.kind == D else set(source.dependents(c.key))
            if c.kind == D:  # a table's drop drops its own sequences, which another table's default may use
                for sequence in source.owned.get(c.key, ()):
                    dependents |= _all_dependents(source, sequence) - {c.key}
            own_index = ("rel", c.key[1], c.key[-1])  # a key's index has its name and goes with it: a foreign
            if c.kind == D and c.key[0] == "con" and own_index in source.needs.get(c.key, ()):  # key on it first
                dependents |= _all_dependents(source, own_index) - {c.key}
            for dependent in dependents:
                for p in removers(dependent) + [j for j in touches.get(dependent, []) if removes
                                                        and changes[j].kind == A and changes[j].object_type != "comment"]:
                    if p != i and changes[p].kind != C:
                        edges[p].add(i)
    for i, c in enumerate(changes):  # a primary key goes before DROP NOT NULL on its columns (PostgreSQL refuses
        if c.kind == D and c.key[:1] == ("con",):  # it while the key stands), whatever else orders the key's drop
            for column in source.needs.get(c.key, ()):
                for j in touches.get(column, []) if column[:1] == ("col",) else []:
                    if changes[j].kind == A and changes[j].reason.startswith("drop not null"):
                        edges[i].add(j)
    for i, c in enumerate(changes):  # a partition attached has its parent's columns; one detached goes its own way
        if c.reason in ("attach partition", "detach partition") and c.refs:
            tables = {c.key[1:], c.refs[0][1:]}
            for j, other in enumerate(changes):
                if j != i and other.key[:1] == ("col",) and other.key[1:3] in tables:
                    if c.reason == "attach partition":
                        edges[j].add(i)
                    elif other.key[1:3] == c.refs[0][1:]:
                        edges[i].add(j)
    parents: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for deps in (source, target):
        for k, needs in deps.needs.items():
            if k[0] == "rel":
                parents[k[1:3]].update(r[1:3] for r in needs if r[0] == "rel")
    for i, c in enumerate(changes):  # a child of inheritance and its parent's column of the same name: the
        if c.key[:1] == ("col",):    # child's own drop first (an inherited column cannot be dropped), then the
            for parent in parents.get(c.key[1:3], ()):  # parent's change, then the child's add or alteration
                for j in touches.get(("col", *parent, c.key[3]), []):
                    if j != i:
                        edges[i if c.kind == D else j].add(j if c.kind == D else i)
    made_on: dict[tuple[str, ...], list[int]] = defaultdict(list)  # indexes and constraints made, by table
    for i, c in enumerate(changes):
        if c.kind == C and c.object_type in ("index", "constraint"):
            made_on[tuple(c.table.split(".", 1))].append(i)
    for table, members in made_on.items():  # a parent's index or key first: made later, it would adopt the
        for parent in parents.get(table, ()):  # partition's equal one as its own, and the partition's be gone
            for j in made_on.get(parent, []):
                for i in members:
                    edges[j].add(i)
    for i, c in enumerate(changes):  # what finesse cannot read stays where migra put it
        if not c.key and c.object_type != "setting":
            for j in range(len(changes)):
                if j < i:
                    edges[j].add(i)
                elif j > i:
                    edges[i].add(j)
    return edges


def _all_dependents(deps: Dependencies, key: Key) -> set[Key]:
    """What depends on ``key``, directly or through what depends on it (a view over a view over a table)."""
    seen: set[Key] = set()
    todo = [key]
    while todo:
        for dependent in deps.dependents(todo.pop()):
            if dependent not in seen and dependent != key:
                seen.add(dependent)
                todo.append(dependent)
    return seen


# a column's alterations in the order PostgreSQL takes them: what goes, then its new type, then what comes
_COLUMN_STEP = (("drop identity", 0), ("drop default", 0), ("drop expression", 0), ("drop not null", 1),
                ("type ", 2), ("set data type", 2), ("set not null", 3), ("set default", 4), ("add generated", 4),
                ("set generated", 4))


def _column_steps(members: list[int], changes: tuple[Change, ...]) -> list[int]:
    """The changes of one column in a workable order: migra's, except that between its creation and drop the
    alterations go removals first (a default dropped before an identity is added, an identity dropped
    before a default is set)."""
    out: list[int] = []
    run: list[int] = []

    def rank(i: int) -> int:
        if changes[i].object_type == "sequence position":
            return 5  # once the generator it moves exists
        return next((r for prefix, r in _COLUMN_STEP if changes[i].reason.startswith(prefix)), 2)

    for i in members + [-1]:
        if i >= 0 and changes[i].kind == A:
            run.append(i)
            continue
        out += sorted(run, key=lambda k: (rank(k), k))
        run = []
        if i >= 0:
            out.append(i)
    return out


def _reshapes(c: Change) -> bool:
    """An alteration that what needs the object must follow: a column's new type, an enum's new values, a
    composite type's attributes."""
    return c.kind == A and (c.object_type == "column" and c.reason.startswith("type ")
                            or c.object_type == "enum" and c.reason.startswith(("add value", "rename value"))
                            or c.object_type == "type")  # a composite type's attributes


def _introduces(c: Change) -> bool:
    """Whether ``c`` brings in what its object needs in the target: a new object does, and a column's new
    default or type; an alteration that only takes something away (drop identity, drop default) does not."""
    return c.kind == C or (c.object_type == "column" and c.reason.startswith(("set default", "type "))) \
        or (c.kind == A and c.object_type == "type")  # a composite type's new attributes and their types


def _blocked_by_dependents(c: Change) -> bool:
    """An alteration PostgreSQL refuses while something depends on the object: a column's new type (a view
    reading it must be dropped first), a composite type's attribute dropped or retyped (a view reading it)."""
    return c.kind == A and (c.object_type == "column" and c.reason.startswith("type ")
                            or c.object_type == "type" and ("drop attribute" in c.reason or
                                                            "alter attribute" in c.reason))


def _removes_old_version(c: Change) -> bool:
    """The drop of an enum's old version, once its columns have been moved to the rebuilt one."""
    return c.kind == A and c.object_type == "enum" and c.reason.startswith(("values removed", "rebuilt with new"))


def _made(c: Change) -> set[Key]:
    out: set[Key] = set()
    if c.kind == C and c.key:
        out.add(c.key)
        if c.object_type == "constraint" and not c.refs and c.reason.split(" not valid")[0] in (
                "unique", "primary key", "exclude"):
            out.add(("rel", c.key[1], c.key[3]))  # its index, made by the same statement
    if c.reason.startswith(("rename to", "renamed to")) and c.refs:
        out.update(c.refs)
    return out


def _unmade(c: Change) -> set[Key]:
    if c.kind == D and c.key:
        return {c.key}
    if c.reason.startswith(("rename to", "renamed to")) and c.key:
        return {c.key}
    return set()


def _sorted(n: int, edges: dict[int, set[int]], phase: list[int]) -> list[int]:
    """Kahn's order, the ready change of the earliest phase (then migra's order) first; a cycle (which a
    plan migra can run should not have) is broken in migra's order."""
    indegree = [0] * n
    for after in edges.values():
        for v in after:
            indegree[v] += 1
    ready = [(phase[i], i) for i in range(n) if indegree[i] == 0]
    heapq.heapify(ready)
    done: list[int] = []
    placed = [False] * n
    while len(done) < n:
        if not ready:
            i = min((k for k in range(n) if not placed[k]), key=lambda k: (phase[k], k))
        else:
            i = heapq.heappop(ready)[1]
            if placed[i]:
                continue
        placed[i] = True
        done.append(i)
        for v in edges.get(i, ()):
            indegree[v] -= 1
            if indegree[v] <= 0 and not placed[v]:
                heapq.heappush(ready, (phase[v], v))
    return done
