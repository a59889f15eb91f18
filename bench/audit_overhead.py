"""What the audit trail costs writes: orders and inventory_movements with and without their audit trigger.

On the legacy fixture migrated to head (see bench/legacy.py), one connection writes as the shop does,
a transaction per change: insert an order, then update its status (orders); insert a stock movement
(inventory_movements), each for the next of 1,000 stocked (variant, store) pairs. Each kind runs for --seconds with its audit trigger enabled, then disabled,
--rounds times, audited first and unaudited first in turn; the throughput is the median of the rounds. A batch of 1,000 rows in one
statement is measured too: it shows the trigger's own cost, without the commit that dominates the rest.

Target (issue 7): at most 25 percent lower throughput with the audit triggers.
Run: python bench/audit_overhead.py [--scale 10] [--seconds 3] [--rounds 5] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import date

from legacy import legacy_server, migrated_copy, say, vacuum

from bench.results import write_section
from finesse_schema.db.connect import connect

ORDER = ("INSERT INTO orders (user_id, order_no, sub_total, grand_total, customer_id) "
         "SELECT u.id, 'B' || md5(random()::text), 100, 100, c.id FROM users u JOIN customers c ON c.user_id = u.id "
         "WHERE u.id = %s LIMIT 1 RETURNING id")
STATUS = "UPDATE orders SET status = 'Shipped', updated_at = now() WHERE id = %s"
MOVEMENT = ("INSERT INTO inventory_movements (variant_id, store_id, quantity, movement_type, reference_type, note) "
            "VALUES (%s, %s, 1, 'adjustment', 'benchmark', 'audit overhead')")
BATCH = {
    "orders": ("INSERT INTO orders (user_id, order_no, sub_total, grand_total) SELECT %s, 'BB' || md5(random()::text), "
               "1, 1 FROM generate_series(1, 1000)"),
    "inventory_movements": ("INSERT INTO inventory_movements (variant_id, store_id, quantity, movement_type, "
                            "reference_type) SELECT %s, %s, 1, 'adjustment', 'benchmark' FROM generate_series(1, 1000)"),
}


def set_audit(conn, table: str, on: bool) -> None:  # type: ignore[no-untyped-def]
    conn.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {table}_audit")  # type: ignore[arg-type]


def writes_per_second(conn, kind: str, seconds: float, keys: dict) -> float:  # type: ignore[no-untyped-def]
    """Single-row transactions (autocommit) of ``kind`` for ``seconds``; rows written per second."""
    n, end = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < end:
        if kind == "orders":
            order = conn.execute(ORDER, (keys["user"],), prepare=True).fetchone()[0]
            conn.execute(STATUS, (order,), prepare=True)
            n += 2
        else:  # spread over the stocked pairs, as a shop's sales are (one pair written thousands of times a
            # second is a hot row: its dead versions, not the audit, would be measured)
            conn.execute(MOVEMENT, keys["pairs"][n % len(keys["pairs"])], prepare=True)
            n += 1
    return n / (time.perf_counter() - start)


def batch_ms(conn, table: str, keys: dict) -> float:  # type: ignore[no-untyped-def]
    args = (keys["user"],) if table == "orders" else (keys["variant"], keys["store"])
    start = time.perf_counter()
    conn.execute(BATCH[table], args)  # type: ignore[arg-type]
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    with legacy_server(args.scale) as (admin, legacy_url, _):
        url, _ = migrated_copy(admin, legacy_url)
        vacuum(url)
        results = {}
        with connect(url) as conn:
            keys = {"user": conn.execute("SELECT user_id FROM customers ORDER BY id LIMIT 1").fetchone()[0],
                    "variant": conn.execute("SELECT id FROM variants ORDER BY id LIMIT 1").fetchone()[0],
                    "store": conn.execute("SELECT id FROM stores ORDER BY id LIMIT 1").fetchone()[0],
                    "pairs": conn.execute("SELECT variant_id, store_id FROM stock_balances WHERE store_id IS NOT NULL "
                                          "ORDER BY md5(variant_id::text || store_id::text) LIMIT 1000").fetchall()}
            for table in ("orders", "inventory_movements"):
                rate = {True: [], False: []}
                batch = {True: [], False: []}
                for round_ in range(args.rounds):
                    for on in (True, False) if round_ % 2 == 0 else (False, True):  # each first in turn
                        set_audit(conn, table, on)
                        rate[on].append(writes_per_second(conn, table, args.seconds, keys))
                        batch[on].append(batch_ms(conn, table, keys))
                set_audit(conn, table, True)
                results[table] = ({k: statistics.median(v) for k, v in rate.items()},
                                  {k: statistics.median(v) for k, v in batch.items()})
                say(f"{table}: {results[table]}")
            entries = conn.execute("SELECT count(*) FROM audit_logs").fetchone()[0]
    lines = ["| table | writes/s audited | writes/s not audited | lower by | 1,000-row batch audited (ms) | "
             "not audited (ms) | batch slower by |", "|---|---:|---:|---:|---:|---:|---:|"]
    worst = 0.0
    for table, (rate, batch) in results.items():
        lower = 1 - rate[True] / rate[False]
        worst = max(worst, lower)
        lines.append(f"| {table} | {rate[True]:,.0f} | {rate[False]:,.0f} | {lower:.0%} | {batch[True]:.1f} | "
                     f"{batch[False]:.1f} | {batch[True] / batch[False] - 1:.0%} |")
    table_md = "\n".join(lines)
    print(table_md)
    verdict = f"at most 25 percent lower: {'met' if worst <= 0.25 else '**missed**'} (worst {worst:.0%})"
    print(verdict)
    if not args.no_write:
        write_section("audit_overhead", (
            f"## audit_overhead ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, PostgreSQL "
            f"embedded pgserver 16.2, Python {platform.python_version()})\n\n"
            f"`python bench/audit_overhead.py`: the legacy database at scale {args.scale} migrated to head; one "
            f"connection writes a transaction per change (orders: insert, then update the status; "
            f"inventory_movements: insert, spread over 1,000 stocked pairs) for {args.seconds:g} s with the table's "
            f"audit trigger and without, {args.rounds} rounds, each first in turn, median; and one statement inserting 1,000 rows. {entries:,} audit "
            "entries were written.\n\n" + table_md + f"\n\nTarget (issue 7), on the transactional writes: {verdict}.\n"))


if __name__ == "__main__":
    main()
