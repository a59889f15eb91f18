"""A plan -> readable text for a person at a terminal or in a review."""

from __future__ import annotations

from ...core.plan import Change, ChangeKind, Plan

_MARK = {ChangeKind.CREATE: "+", ChangeKind.ALTER: "~", ChangeKind.DROP: "-"}


def change_line(c: Change) -> str:
    flag = "  [destructive]" if c.destructive else ""
    return f"  {_MARK[c.kind]} {c.label}{flag}"


def listed(changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """The changes a person reads: a key once, as its constraint, not also as the index it is built on or
    leaves behind (``create unique index x`` then ``add constraint x ... using index x``)."""
    constraints = {(c.kind, c.object_name.split(".")[0], c.object_name.split(".")[-1]) for c in changes
                   if c.object_type == "constraint" and c.kind is not ChangeKind.ALTER}
    return tuple(c for c in changes if not (c.object_type == "index" and (
        c.kind, c.object_name.split(".")[0], c.object_name.split(".")[-1]) in constraints))


def render_summary(plan: Plan) -> str:
    if plan.empty:
        return "Nothing to do: the database matches the schema.\n"
    lines = ["Upgrade:"]
    upgrade = listed(plan.upgrade)
    lines += [change_line(c) for c in upgrade]
    counts = {kind: sum(1 for c in upgrade if c.kind is kind) for kind in ChangeKind}
    n_destr = sum(1 for c in upgrade if c.destructive)
    lines.append(f"{len(upgrade)} change(s): {counts[ChangeKind.CREATE]} create, {counts[ChangeKind.ALTER]} alter, "
                 f"{counts[ChangeKind.DROP]} drop" + (f"; {n_destr} destructive" if n_destr else ""))
    lines.append("Downgrade:")
    lines += [change_line(c) for c in listed(plan.downgrade)] or ["  (nothing)"]
    for note in plan.notes:
        lines.append(f"Note: {note}")
    if plan.findings:
        lines.append("Lint:")
        for f in plan.findings:
            lines.append(f"  {f.code} {str(f.severity):7} {f.message}" + (f" (fix: {f.hint})" if f.hint else ""))
    if plan.verified:
        lines.append("Verified: the upgrade reaches the schema and the downgrade returns to the live schema.")
    return "\n".join(lines) + "\n"


def render_sql(changes: tuple[Change, ...]) -> str:
    return "".join(c.sql.rstrip().rstrip(";") + ";\n\n" for c in changes)
