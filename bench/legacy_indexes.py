"""Every index of the legacy database, accounted for at head (issue 20, item 4).

Loads the legacy fixture at scale 1, migrates a copy to head, and for each legacy index says whether head
keeps it (the same keys, predicate and method on the same table), replaces it with an index that serves
every query it served (finesse's rule: its keys a leading prefix of the other's, the same predicate,
method and uniqueness), or drops it. A dropped one must give its reason in schema.yaml (a
``lint: suppress`` of FL130 on its table); the table goes to bench/RESULTS.md.
Run: python bench/legacy_indexes.py [--no-write]
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from legacy import legacy_server, migrated_copy

from bench.results import write_section
from finesse_schema.api import find_settings, load
from finesse_schema.db.usage.index_usage import index_statistics
from finesse_schema.logic.check.index_use import LiveIndex, serves



def _same(a: LiveIndex, b: LiveIndex) -> bool:
    return (a.table, a.keys, a.predicate, a.method, a.unique) == (b.table, b.keys, b.predicate, b.method, b.unique)


def account(legacy: list[LiveIndex], head: list[LiveIndex], reasons: dict[str, str]) -> list[tuple[str, str, str]]:
    """(legacy index, its keys, what became of it) for each legacy index."""
    out = []
    tables = {h.table for h in head}
    for ix in sorted(legacy, key=lambda i: (i.table, i.name)):
        keys = f"{ix.table} ({', '.join(ix.keys)})" + (f" WHERE {ix.predicate}" if ix.predicate else "")
        same = next((h for h in head if _same(ix, h)), None)
        served = next((h for h in sorted(head, key=lambda h: h.name) if serves(h, replace(ix, name="~"))), None)
        if same is not None:
            fate = "kept" + (f" (as {same.name})" if same.name != ix.name else "")
        elif ix.table not in tables:
            fate = f"dropped with its table ({ix.table} is gone at head)"
        elif served is not None:
            fate = f"replaced by {served.name} ({', '.join(served.keys)})"
        else:
            fate = "dropped: " + reasons.get(ix.table, "**no reason given**")
        out.append((ix.name, keys, fate))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    schema = load(find_settings())
    reasons = {s.object: s.reason for s in schema.suppressions if s.rule == "FL130"}
    with legacy_server(1) as (admin, legacy_url, _):
        head_url, _ = migrated_copy(admin, legacy_url)
        legacy = [i for i in index_statistics(legacy_url, ("public",)).indexes]
        head = [i for i in index_statistics(head_url, ("public",)).indexes]
    rows = account(legacy, head, reasons)
    lines = ["| legacy index | keys | at head |", "|---|---|---|"] + [f"| {n} | {k} | {f} |" for n, k, f in rows]
    missing = [n for n, _, f in rows if "no reason given" in f]
    summary = (f"{len(rows)} legacy indexes: {sum(f.startswith('kept') for *_, f in rows)} kept, "
               f"{sum(f.startswith('replaced') for *_, f in rows)} replaced by an index that serves them, "
               f"{sum(f.startswith('dropped') for *_, f in rows)} dropped "
               f"({sum(f.startswith('dropped with its table') for *_, f in rows)} with their table)"
               + (f"; without a reason: {', '.join(missing)}" if missing else "; each drop with its reason"))
    table = "\n".join(lines)
    print(table + "\n\n" + summary)
    if not args.no_write:
        write_section("legacy_indexes", "## legacy indexes\n\n`python bench/legacy_indexes.py`: every index of the "
                      "legacy database and what head does with it, by finesse's rule (an index serves another's "
                      "queries when the other's keys are a leading prefix of its own, with the same predicate, "
                      "method and uniqueness).\n\n" + table + "\n\n" + summary + "\n")


if __name__ == "__main__":
    main()
