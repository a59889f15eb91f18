"""A plan -> readable text for a person at a terminal or in a review."""

from __future__ import annotations

from ...core.plan import Change, ChangeKind, Plan

_MARK = {ChangeKind.CREATE: "+", ChangeKind.ALTER: "~", ChangeKind.DROP: "-"}


def change_line(c: Change) -> str:
    flag = "  [destructive]" if c.destructive else ""
    return f"  {_MARK[c.kind]} {c.label}{flag}"


def render_summary(plan: Plan) -> str:
    if plan.empty:
        return "Nothing to do: the database matches the schema.\n"
    lines = ["Upgrade:"]
    lines += [change_line(c) for c in plan.upgrade]
    counts = plan.counts()
    n_destr = len(plan.destructive)
    lines.append(f"{len(plan.upgrade)} change(s): {counts['create']} create, {counts['alter']} alter, "
                 f"{counts['drop']} drop" + (f"; {n_destr} destructive" if n_destr else ""))
    lines.append("Downgrade:")
    lines += [change_line(c) for c in plan.downgrade] or ["  (nothing)"]
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
