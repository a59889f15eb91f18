"""The repo's own migrations on the Finesse-Nest legacy database, with its data (issue 7's proof).

The legacy fixture is loaded at FINESSE_TEST_LEGACY_SCALE (default 1; 10 is the full proof, run by
hand), measured, then every revision of migrations/ is applied. The tests then hold the improved
database to ANOMALIES.md: every planted anomaly is accounted for (in quarantine, or migrated), no row
is lost, stock is what the shop saw, finesse check finds no error, finesse drift finds none,
the audit trail records every change. The last test goes down to 0001 and expects every legacy
table as it was, then up again.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema import api
from finesse_schema.cli import main
from finesse_schema.core.findings import Severity
from finesse_schema.db.connect import Error, connect
from finesse_schema.db.migrations import stamp

from tests.pg import fresh_database, load_legacy, query

ROOT = Path(__file__).parent.parent
SCALE = int(os.environ.get("FINESSE_TEST_LEGACY_SCALE", "1"))

# ANOMALIES.md: planted counts, base x scale
PLANTED = {"A01": 37, "A02": 11, "A04": 17, "A05": 41, "A06": 29, "A07": 41, "A08": 23, "A09": 15, "A10": 113,
           "A15": 1270, "A16": 20, "A19": 19}
SHAPES = {"duplicate_keys": 100, "other_key_names": 400, "numeric_size": 400, "array": 100, "scalar_string": 40,
          "empty_object": 40, "json_null": 20}
LEGACY_TABLES = """SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"""
AUDITED = ("users", "customers", "orders", "order_details", "payments", "products", "variants", "inventory_movements",
           "user_preferences")


def _checksums(url: str, tables: list[str]) -> dict[str, tuple[int, str]]:
    """An ordered checksum per table over its columns by name (a downgrade adds dropped columns back at the end)."""
    out = {}
    with connect(url) as conn:
        for t in tables:
            cols = [r[0] for r in conn.execute(
                "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attname", (f"public.{t}",)).fetchall()]
            row = conn.execute(f"SELECT count(*), md5(string_agg(row({', '.join('t.' + c for c in cols)})::text, "  # type: ignore[arg-type]
                               f"E'\\n' ORDER BY t.id)) FROM public.{t} t").fetchone()
            out[t] = (row[0], row[1])
    return out


@pytest.fixture(scope="module")
def shop(pg_admin: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(settings, url, legacy facts): the legacy database at SCALE, measured, then migrated to head."""
    with fresh_database(pg_admin, "shop") as url:
        load_legacy(url, SCALE)
        tables = [r[0] for r in query(url, LEGACY_TABLES)]
        facts = {
            "checksums": _checksums(url, tables),
            # per variant and store: purchases - sellings; per variant: variants.stock (null: unknown)
            "store_stock": {(str(v), str(s)): int(q) for v, s, q in query(url, """
                SELECT variant_id, store_id, sum(q) FROM (SELECT variant_id, store_id, quantity AS q FROM purchases
                UNION ALL SELECT variant_id, store_id, -quantity FROM sellings) l GROUP BY 1, 2""")},
            "variant_stock": {str(v): s for v, s in query(url, "SELECT id, stock FROM variants")},
            "wishlist_pairs": query(url, "SELECT count(DISTINCT (user_id, product_id)) FROM wishlists")[0][0],
        }
        settings = api.find_settings(ROOT)
        settings = replace(settings, database_url=url, dev_url=pg_admin)
        stamp(url, settings.migrations_path, "0001")  # the legacy database is revision 0001 as it is
        applied = api.apply(settings)
        assert applied[-1] == api.status(settings, compare=False).head
        yield settings, url, facts


def _count(url: str, sql: str) -> int:
    return int(query(url, sql)[0][0])


def test_every_anomaly_is_accounted_for(shop) -> None:  # type: ignore[no-untyped-def]
    settings, url, facts = shop
    got = {a: n for a, n in query(url, "SELECT anomaly, count(*) FROM quarantine.entries GROUP BY 1")}

    def moved(table: str, anomaly: str) -> int:
        return _count(url, f"SELECT count(*) FROM quarantine.entries WHERE source_table = 'public.{table}' "
                           f"AND anomaly = '{anomaly}'")

    assert moved("orders", "A01") == PLANTED["A01"] * SCALE
    assert moved("orders", "A02") == PLANTED["A02"] * SCALE
    assert moved("order_details", "A04") == PLANTED["A04"] * SCALE
    assert moved("order_details", "A05") == PLANTED["A05"] * SCALE
    assert moved("notifications", "A06") == PLANTED["A06"] * SCALE
    assert moved("tokens", "A07") == PLANTED["A07"] * SCALE
    assert moved("customers", "A08") == PLANTED["A08"] * SCALE
    assert moved("variants", "A10") == PLANTED["A10"] * SCALE
    assert moved("variants", "A16") == PLANTED["A16"] * SCALE
    ghosts = _count(url, """SELECT count(DISTINCT data ->> 'user_id') FROM quarantine.entries
                            WHERE anomaly IN ('A01', 'A06', 'A07', 'A08') AND kind = 'row'""")
    assert ghosts == PLANTED["A09"] * SCALE
    reconciled = _count(url, "SELECT count(*) FROM inventory_movements WHERE reference_type = 'legacy_reconciliation'")
    assert reconciled + got["A16"] == PLANTED["A15"] * SCALE  # A15 = adjusted + unknown (null) stocks
    favorites = _count(url, "SELECT count(*) FROM product_favorites")
    assert favorites == facts["wishlist_pairs"]
    assert _count(url, "SELECT count(*) FROM wishlists") - favorites == PLANTED["A19"] * SCALE
    for shape, n in SHAPES.items():  # the json shapes the attributes do not give back byte for byte
        assert got.get(shape) == n * SCALE, shape


def test_no_row_is_lost(shop) -> None:  # type: ignore[no-untyped-def]
    _, url, facts = shop
    moved = {t.split(".")[1]: n for t, n in query(
        url, "SELECT source_table, count(*) FROM quarantine.entries WHERE kind = 'row' GROUP BY 1")}
    renamed = {"variant_attributes": "product_attributes", "variant_attribute_values": "product_attribute_values"}
    for table, (count, _) in facts["checksums"].items():
        kept = _count(url, f"SELECT count(*) FROM public.{renamed.get(table, table)}")
        assert kept + moved.get(table, 0) == count, table


def test_stock_is_what_the_shop_saw(shop) -> None:  # type: ignore[no-untyped-def]
    _, url, facts = shop
    now = {(str(v), str(s)): int(q) for v, s, q in query(url, "SELECT variant_id, store_id, quantity FROM current_stock "
                                                               "WHERE store_id IS NOT NULL")}
    assert now == facts["store_stock"], "a store's stock changed"
    totals = {str(v): int(q) for v, q in query(url, "SELECT variant_id, sum(quantity) FROM current_stock GROUP BY 1")}
    ledger = {}
    for (v, _), q in facts["store_stock"].items():
        ledger[v] = ledger.get(v, 0) + q
    for variant, stock in facts["variant_stock"].items():
        assert totals[variant] == (stock if stock is not None else ledger[variant]), variant


def test_check_finds_no_error_and_drift_finds_none(shop) -> None:  # type: ignore[no-untyped-def]
    settings, _, _ = shop
    report = api.check(settings, live=True)
    errors = [f"{f.code} {f.subject}: {f.message}" for f in report.findings if f.severity >= Severity.ERROR]
    assert not errors, errors
    drift = api.drift(settings)  # the schema, pending revisions, revisions edited since they ran here
    assert not drift.drifted and not drift.unrecorded, ([c.label for c in drift.database.upgrade], drift.pending,
                                                        drift.edited)


AUDIT_CASES = {  # table: (insert SQL with {id}, update SQL, the column it changes)
    "users": ("INSERT INTO users (id, username, email, contact, password) VALUES ('{id}', 'audit', 'a@x.org', "
              "'0100', 'x')", "UPDATE users SET name = 'Audit Test' WHERE id = '{id}'", "name"),
    "customers": ("INSERT INTO customers (id, user_id, customer_name) SELECT '{id}', id, 'c' FROM users "
                  "ORDER BY id LIMIT 1", "UPDATE customers SET address = 'Road 1' WHERE id = '{id}'", "address"),
    "orders": ("INSERT INTO orders (id, user_id, order_no, sub_total, grand_total) SELECT '{id}', id, 'AUDIT-1', 10, "
               "10 FROM users ORDER BY id LIMIT 1", "UPDATE orders SET status = 'Shipped' WHERE id = '{id}'", "status"),
    "order_details": ("INSERT INTO order_details (id, order_id, variant_id, quantity, unit_price, total_price) "
                      "SELECT '{id}', (SELECT o.id FROM orders o ORDER BY o.id LIMIT 1), v.id, 1, 5, 5 FROM variants v "
                      "ORDER BY v.id LIMIT 1", "UPDATE order_details SET quantity = 2 WHERE id = '{id}'", "quantity"),
    "payments": ("INSERT INTO payments (id, order_id, amount, payment_method) SELECT '{id}', id, 10, 'card' "
                 "FROM orders ORDER BY id LIMIT 1", "UPDATE payments SET status = 'Paid' WHERE id = '{id}'", "status"),
    "products": ("INSERT INTO products (id, menu_id, group_id, category_id, product_name, selling_price) "
                 "SELECT '{id}', menu_id, group_id, id, 'Audit', 9.5 FROM categories ORDER BY id LIMIT 1",
                 "UPDATE products SET selling_price = 10.5 WHERE id = '{id}'", "selling_price"),
    "variants": ("INSERT INTO variants (id, product_id, selling_price) SELECT '{id}', id, 3 FROM products "
                 "ORDER BY id LIMIT 1", "UPDATE variants SET is_available = false WHERE id = '{id}'", "is_available"),
    "inventory_movements": ("INSERT INTO inventory_movements (id, variant_id, store_id, quantity, movement_type, "
                            "reference_type) SELECT '{id}', v.id, s.id, 4, 'adjustment', 'test' FROM variants v, "
                            "stores s ORDER BY v.id, s.id LIMIT 1",
                            "UPDATE inventory_movements SET note = 'counted' WHERE id = '{id}'", "note"),
    "user_preferences": ("INSERT INTO user_preferences (id, user_id, key, value) SELECT '{id}', id, 'audit_test', "
                         "'1' FROM users ORDER BY id LIMIT 1",
                         "UPDATE user_preferences SET value = '2' WHERE id = '{id}'", "value"),
}


@pytest.mark.parametrize("table", AUDITED)
def test_audit_trail_records_every_change(shop, table: str) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = shop
    row_id = f"00000000-0000-4000-8000-{AUDITED.index(table):012d}"
    insert, update, column = AUDIT_CASES[table]
    with connect(url, autocommit=False) as conn:
        conn.execute("SET LOCAL app.actor = 'user:auditor'")
        conn.execute(insert.format(id=row_id))  # type: ignore[arg-type]
        before = conn.execute(f"SELECT to_jsonb(t) FROM {table} t WHERE id = %s", (row_id,)).fetchone()[0]  # type: ignore[arg-type]
        conn.execute(update.format(id=row_id))  # type: ignore[arg-type]
        after = conn.execute(f"SELECT to_jsonb(t) FROM {table} t WHERE id = %s", (row_id,)).fetchone()[0]  # type: ignore[arg-type]
        conn.execute(f"DELETE FROM {table} WHERE id = %s", (row_id,))  # type: ignore[arg-type]
        conn.commit()
    rows = query(url, f"""SELECT action::text, old_values, new_values, changed_columns, actor, transaction_id
                          FROM audit_logs WHERE table_name = 'public.{table}' AND row_id = '{row_id}'
                          ORDER BY changed_at""")
    assert [r[0] for r in rows] == ["insert", "update", "delete"]
    (_, old1, new1, _, _, _), (_, old2, new2, changed, _, _), (_, old3, new3, _, _, _) = rows
    assert (old1, new1) == (None, before)
    assert (old2, new2, changed) == (before, after, [column])
    assert (old3, new3) == (after, None)
    assert {r[4] for r in rows} == {"user:auditor"} and len({r[5] for r in rows}) == 1


def test_audit_commands_show_history_and_prune(shop) -> None:  # type: ignore[no-untyped-def]
    settings, url, _ = shop
    row_id = f"00000000-0000-4000-8000-{AUDITED.index('orders'):012d}"
    runner = CliRunner()
    args = ["--project", str(ROOT), "audit", "history", "orders", row_id, "--database-url", url]
    out = runner.invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "public.orders " + row_id + ": 3 audit entries" in out.output
    assert 'status: "Pending" -> "Shipped"' in out.output and "by user:auditor" in out.output
    # an entry older than the retention goes; the rest stay
    query(url, "INSERT INTO audit_logs (table_name, row_id, action, changed_at) VALUES ('public.orders', "
               "gen_random_uuid(), 'delete', now() - interval '2 years') RETURNING id")
    total = _count(url, "SELECT count(*) FROM audit_logs")
    assert api.audit_prune(settings, older_than="1 year", dry_run=True) == 1
    assert api.audit_prune(settings, older_than="1 year") == 1
    assert _count(url, "SELECT count(*) FROM audit_logs") == total - 1
    bad = runner.invoke(main, ["--project", str(ROOT), "audit", "prune", "--older-than", "soon", "--database-url", url])
    assert bad.exit_code == 2 and "--older-than" in bad.output


def test_attributes_are_validated_in_the_database(shop) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = shop

    def fails(*sql: str) -> str:
        with connect(url, autocommit=False) as conn:
            try:
                for s in sql:
                    conn.execute(s)  # type: ignore[arg-type]
                conn.commit()
            except Error as exc:
                return str(exc)
        raise AssertionError(f"accepted: {sql}")

    assert "not a integer value of attribute warranty_months" in fails(
        "INSERT INTO variant_attributes (variant_id, attribute_type_id, value) SELECT v.id, t.id, 'twelve' "
        "FROM variants v, attribute_types t WHERE t.name = 'warranty_months' ORDER BY v.id LIMIT 1")
    assert "cannot be required" in fails("UPDATE attribute_types SET required = true WHERE name = 'size'")
    # a type every variant has may become required; a new variant then needs it by commit
    query(url, "INSERT INTO attribute_types (name) VALUES ('origin') RETURNING id")
    query(url, "INSERT INTO variant_attributes (variant_id, attribute_type_id, value) SELECT v.id, t.id, 'BD' "
               "FROM variants v, attribute_types t WHERE t.name = 'origin' RETURNING id")
    query(url, "UPDATE attribute_types SET required = true WHERE name = 'origin' RETURNING id")
    assert "has no origin (required attributes)" in fails(
        "INSERT INTO variants (product_id, selling_price) SELECT id, 1 FROM products ORDER BY id LIMIT 1")
    query(url, "UPDATE attribute_types SET required = false WHERE name = 'origin' RETURNING id")
    query(url, "DELETE FROM variant_attributes a USING attribute_types t WHERE t.id = a.attribute_type_id "
               "AND t.name = 'origin' RETURNING a.id")
    query(url, "DELETE FROM attribute_types WHERE name = 'origin' RETURNING id")


def test_inventory_operations(shop) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = shop
    variant, store = query(url, "SELECT variant_id, store_id FROM current_stock WHERE store_id IS NOT NULL "
                                "AND quantity > 2 ORDER BY 1, 2 LIMIT 1")[0]

    def stock() -> int:
        return _count(url, f"SELECT quantity FROM current_stock WHERE variant_id = '{variant}' AND store_id = '{store}'")

    start = stock()
    query(url, f"""SELECT adjust_stock('[{{"variant_id": "{variant}", "store_id": "{store}", "quantity": -2}}]',
                                      'broken in the shop')""")
    assert stock() == start - 2
    with pytest.raises(Exception, match="would be"):
        query(url, f"""SELECT adjust_stock('[{{"variant_id": "{variant}", "store_id": "{store}", "quantity": -100000}}]',
                                          'too many')""")
    adjustment = query(url, f"INSERT INTO stock_adjustments (store_id, reason) VALUES ('{store}', 'recount') "
                            "RETURNING id")[0][0]
    query(url, f"INSERT INTO stock_adjustment_lines (adjustment_id, variant_id, quantity) VALUES ('{adjustment}', "
               f"'{variant}', 5) RETURNING id")
    with pytest.raises(Exception, match="cannot go from draft to applied"):
        query(url, f"SELECT apply_stock_adjustment('{adjustment}')")
    query(url, f"SELECT approve_stock_adjustment('{adjustment}')")
    assert stock() == start - 2  # approved is not applied
    query(url, f"SELECT apply_stock_adjustment('{adjustment}')")
    assert stock() == start + 3
    status, approved, applied = query(url, f"SELECT status::text, approved_at IS NOT NULL, applied_at IS NOT NULL "
                                           f"FROM stock_adjustments WHERE id = '{adjustment}'")[0]
    assert (status, approved, applied) == ("applied", True, True)
    query(url, f"INSERT INTO stock_reorder_levels (variant_id, store_id, reorder_level, reorder_quantity) VALUES "
               f"('{variant}', '{store}', {start + 3}, 10) RETURNING id")
    assert query(url, f"SELECT quantity, reorder_quantity FROM low_stock_alerts WHERE variant_id = '{variant}'") \
        == [(start + 3, 10)]
    assert _count(url, "SELECT count(*) FROM stock_value_by_store") == _count(url, "SELECT count(*) FROM stores")
    query(url, f"""SELECT adjust_stock('[{{"variant_id": "{variant}", "store_id": "{store}", "quantity": -3}}]',
                                      'undo the test')""")
    assert stock() == start


def test_preferences_and_favorites(shop) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = shop
    defaults = _count(url, "SELECT count(*) FROM preference_defaults")
    assert defaults and _count(url, "SELECT count(*) FROM user_preferences WHERE key <> 'audit_test'") == \
        defaults * _count(url, "SELECT count(*) FROM users")
    user = query(url, "INSERT INTO users (username, email, contact, password) VALUES ('new', 'n@x.org', '0199', 'x') "
                      "RETURNING id")[0][0]
    assert _count(url, f"SELECT count(*) FROM user_preferences WHERE user_id = '{user}'") == defaults
    product = query(url, "SELECT id FROM products ORDER BY id LIMIT 1")[0][0]
    count = f"SELECT coalesce((SELECT favorites FROM product_favorite_counts WHERE product_id = '{product}'), 0)"
    before = _count(url, count)
    query(url, f"INSERT INTO product_favorites (user_id, product_id) VALUES ('{user}', '{product}') RETURNING id")
    assert _count(url, count) == before + 1
    assert _count(url, "SELECT count(*) FROM products p WHERE coalesce((SELECT favorites FROM product_favorite_counts "
                       "c WHERE c.product_id = p.id), 0) <> (SELECT count(*) FROM product_favorites f "
                       "WHERE f.product_id = p.id)") == 0
    query(url, f"DELETE FROM users WHERE id = '{user}' RETURNING id")  # preferences and favorites go with the user
    assert _count(url, count) == before


def test_down_to_the_baseline_gives_every_legacy_table_back_and_up_again_converges(shop) -> None:  # type: ignore[no-untyped-def]
    settings, url, facts = shop
    reverted = api.down(settings, target_revision="0001", allow_destructive=True)
    assert reverted and reverted[-1] == "0002"
    now = _checksums(url, list(facts["checksums"]))
    changed = [t for t in facts["checksums"] if now[t] != facts["checksums"][t]]
    # the tests above undid what they changed in the legacy tables (stock included)
    assert not changed, changed
    api.apply(settings)
    st = api.status(settings)
    assert st.in_sync and not st.pending
