"""The old application against the migrated shop (issue 20): its writes land where the new one reads.

The legacy fixture is loaded twice at scale 1: once left as it is, once migrated to head. The old
application's writes (fixtures/legacy_app/writes.sql) run on both, unchanged; on the migrated database
with search_path = legacy, public, as the old application is deployed. Then:
* what the old application reads back (fixtures/legacy_app/reads.sql) is the same on both;
* the new application sees the writes: wishes are favorites, stock writes are movements of the ledger,
  and the balances stay the ledger's sums;
* a write the improved schema cannot keep is refused with a message that says why;
* going down to the baseline keeps what the old application wrote.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from finesse_schema import api
from finesse_schema.db.connect import Error, connect
from finesse_schema.db.migrations import stamp
from finesse_schema.db.usage.workload_timing import same_answer
from finesse_schema.logic.check.workload import parse_workload

from tests.pg import fresh_database, load_legacy, query

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "legacy_app"
LEGACY_PATH = "SET search_path = legacy, public"
VARIANT_1, PRODUCT_15 = "6a7e2a99-4291-4f1e-807d-bfb081204124", "ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f"
USER_102 = "7fcce0ea-c072-4e9e-8151-89c2b2d77c14"
NEW_VARIANT = "0a000000-0000-4000-8000-000000000001"
# the ledger's sums, and stock_balances and variant_stock as the triggers keep them
BALANCES_OFF = """
    SELECT count(*) FROM (
      (SELECT variant_id, store_id, sum(quantity), count(*)::integer, max(created_at)
       FROM inventory_movements GROUP BY 1, 2
       EXCEPT SELECT variant_id, store_id, quantity, movements, last_movement_at FROM stock_balances)
      UNION ALL
      (SELECT variant_id, store_id, quantity, movements, last_movement_at FROM stock_balances
       EXCEPT SELECT variant_id, store_id, sum(quantity), count(*)::integer, max(created_at)
       FROM inventory_movements GROUP BY 1, 2)
      UNION ALL
      (SELECT v.id, NULL::uuid, coalesce(sum(b.quantity), 0), 0, NULL::timestamptz
       FROM variants v LEFT JOIN stock_balances b ON b.variant_id = v.id GROUP BY v.id
       EXCEPT SELECT variant_id, NULL::uuid, quantity, 0, NULL::timestamptz FROM variant_stock)) off"""


def statements(path: Path) -> list[str]:
    """The statements of a file of SQL, each ending with ";" at the end of a line (comments dropped)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


def run_as_old_application(url: str, *, migrated: bool) -> None:
    with connect(url, autocommit=False) as conn:
        if migrated:
            conn.execute(LEGACY_PATH)
        for sql in statements(FIXTURES / "writes.sql"):
            conn.execute(sql.rstrip(";"))  # type: ignore[arg-type]
        conn.commit()


@pytest.fixture(scope="module")
def shop(pg_admin: str):  # type: ignore[no-untyped-def]
    """(legacy URL, migrated URL, settings of the migrated one), both after the old application's writes."""
    with fresh_database(pg_admin, "legacy_app") as legacy, fresh_database(pg_admin, "migrated_app") as migrated:
        load_legacy(legacy, 1)
        load_legacy(migrated, 1)
        settings = replace(api.find_settings(ROOT), database_url=migrated, dev_url=pg_admin)
        stamp(migrated, settings.migrations_path, "0001")
        api.apply(settings)
        run_as_old_application(legacy, migrated=False)
        run_as_old_application(migrated, migrated=True)
        yield legacy, migrated, settings


def _reads() -> dict[str, str]:
    path = FIXTURES / "reads.sql"
    return parse_workload(path.read_text(encoding="utf-8"), str(path))


def _same_reads(legacy: str, migrated: str) -> dict[str, str]:
    with connect(legacy) as before, connect(migrated) as after:
        after.execute(LEGACY_PATH)
        return {name: same_answer(before, after, sql, sql) for name, sql in _reads().items()}


def test_the_old_application_reads_back_what_it_wrote(shop) -> None:  # type: ignore[no-untyped-def]
    legacy, migrated, _ = shop
    answers = _same_reads(legacy, migrated)
    assert all(a.startswith("same rows") for a in answers.values()), answers
    # the reads are not vacuous: the writes are there
    assert query(legacy, f"SELECT stock FROM variants WHERE id = '{NEW_VARIANT}'") == [(13,)]


def test_the_new_application_sees_the_old_applications_writes(shop) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = shop
    assert query(url, f"SELECT count(*) FROM product_favorites WHERE user_id = '{USER_102}' "
                      f"AND product_id = '{PRODUCT_15}'") == [(1,)]
    # a favorite per wished pair: the wish written twice and removed once keeps its favorite
    assert query(url, "SELECT count(*) FROM (SELECT DISTINCT user_id, product_id FROM wishlists) w "
                      "FULL JOIN product_favorites f USING (user_id, product_id) "
                      "WHERE w.user_id IS NULL OR f.user_id IS NULL") == [(0,)]
    assert query(url, "SELECT count(*) FROM products p WHERE coalesce((SELECT favorites FROM product_favorite_counts "
                      "c WHERE c.product_id = p.id), 0) <> (SELECT count(*) FROM product_favorites f "
                      "WHERE f.product_id = p.id)") == [(0,)]
    # stock writes are adjustments of the ledger, by the difference, not per store
    moved = query(url, f"SELECT quantity, movement_type::text, store_id FROM inventory_movements "
                       f"WHERE variant_id = '{NEW_VARIANT}' ORDER BY created_at, quantity")
    assert sorted(q for q, _, _ in moved) == [1, 5, 7] and {(t, s) for _, t, s in moved} == {("adjustment", None)}
    assert query(url, f"SELECT quantity FROM current_stock WHERE variant_id = '{NEW_VARIANT}'") == [(13,)]
    assert query(url, BALANCES_OFF) == [(0,)]
    # the variation is the attributes: names by alias, in lower case, the json's order
    assert query(url, f"SELECT t.name::text, a.value FROM variant_attributes a JOIN attribute_types t "
                      f"ON t.id = a.attribute_type_id WHERE a.variant_id = '{NEW_VARIANT}'") == [("size", "L")]


def test_balances_follow_every_kind_of_ledger_write(shop) -> None:  # type: ignore[no-untyped-def]
    """Statements of many rows, updates that move a movement to another pair, deletes: the balances stay the sums."""
    _, url, _ = shop
    with connect(url, autocommit=False) as conn:
        conn.execute("""INSERT INTO inventory_movements (variant_id, store_id, quantity, movement_type, reference_type)
                        SELECT variant_id, store_id, 3, 'adjustment', 'test' FROM stock_balances
                        WHERE store_id IS NOT NULL ORDER BY 1, 2 LIMIT 50""")
        conn.execute("""UPDATE inventory_movements SET quantity = quantity + 1, created_at = created_at - interval '1 day'
                        WHERE reference_type = 'test' AND variant_id IN (SELECT variant_id FROM stock_balances
                                                                        ORDER BY 1 LIMIT 10)""")
        conn.execute("""UPDATE inventory_movements SET store_id = (SELECT min(id::text)::uuid FROM stores)
                        WHERE id IN (SELECT id FROM inventory_movements WHERE reference_type = 'test' ORDER BY id
                                     LIMIT 5)""")
        assert conn.execute(BALANCES_OFF).fetchone() == (0,)
        conn.execute("DELETE FROM inventory_movements WHERE reference_type = 'test'")
        assert conn.execute(BALANCES_OFF).fetchone() == (0,)
        conn.rollback()


@pytest.mark.parametrize(("write", "message"), [
    (f"UPDATE variants SET product_name = 'Another name' WHERE id = '{VARIANT_1}'",
     "group_id, category_id, brand_id and product_name are its product's"),
    (f"UPDATE variants SET stock = NULL WHERE id = '{VARIANT_1}'", "stock cannot be unknown"),
    (f"""UPDATE variants SET variation = '["M", "Red"]' WHERE id = '{VARIANT_1}'""", "must be a json object"),
    (f"""INSERT INTO variants (product_id, group_id, category_id, product_name, selling_price)
         VALUES ('{PRODUCT_15}', '{PRODUCT_15}', '{PRODUCT_15}', 'x', 1)""", "are its product's"),
])
def test_a_write_the_improved_schema_cannot_keep_is_refused_with_its_reason(shop, write: str, message: str) -> None:  # type: ignore[no-untyped-def]
    _, url, _ = shop
    with connect(url, autocommit=False) as conn:
        conn.execute(LEGACY_PATH)
        with pytest.raises(Error, match=message):
            conn.execute(write)  # type: ignore[arg-type]
        conn.rollback()


def test_down_to_the_baseline_keeps_the_old_applications_writes(shop) -> None:  # type: ignore[no-untyped-def]
    legacy, url, settings = shop
    api.down(settings, target_revision="0001", allow_destructive=True)
    with connect(legacy) as before, connect(url) as after:
        answers = {name: same_answer(before, after, sql, sql) for name, sql in _reads().items()}
    assert all(a.startswith("same rows") for a in answers.values()), answers
    api.apply(settings)
    assert api.status(settings).in_sync
