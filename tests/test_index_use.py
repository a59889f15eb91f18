"""The indexes an application uses (issue 20, items 1 and 2): a plan that drops an index the live queries
scanned is refused (FL130) unless an index schema.yaml keeps serves its queries, the threshold is raised, or
the finding is suppressed with a reason; check --live reports unused, duplicate and prefix-redundant
indexes and foreign keys no index leads with."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from finesse_schema import api
from finesse_schema.core.plan import PlanRefused
from finesse_schema.logic.check.index_use import LiveIndex, serves

from tests.conftest import make_settings
from tests.pg import query, run_sql

BEFORE = """
CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL, created_at date NOT NULL, note text);
CREATE INDEX orders_status_idx ON orders (status);
INSERT INTO orders SELECT g, CASE WHEN g % 10 = 0 THEN 'open' ELSE 'done' END, date '2026-01-01' + g % 300, 'n'
FROM generate_series(1, 5000) g;
ANALYZE orders;
"""
TABLE = """tables:
  orders:
    columns:
      id: {type: integer, primary_key: true}
      status: {type: text, nullable: false}
      created_at: {type: date, nullable: false}
      note: text
"""


def _scan(url: str, sql: str, times: int) -> None:
    """Run ``sql`` with index scans preferred, then wait until the statistics count them."""
    run_sql(url, "SET enable_seqscan = off; SET enable_bitmapscan = off; " + "; ".join([sql] * times))
    for _ in range(50):
        if query(url, "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes")[0][0] >= times:
            return
        time.sleep(0.2)


def _settings(tmp_path: Path, url: str, admin: str, schema: str, pyproject: str = ""):  # type: ignore[no-untyped-def]
    (tmp_path / "schema.yaml").write_text(schema)
    (tmp_path / "pyproject.toml").write_text("[tool.finesse]\n" + pyproject)
    return make_settings(tmp_path, tmp_path / "schema.yaml", database_url=url, dev_url=admin)


def test_a_plan_that_drops_a_used_index_is_refused(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    run_sql(live_db, BEFORE)
    _scan(live_db, "SELECT count(*) FROM orders WHERE status = 'open'", 20)
    with pytest.raises(PlanRefused) as refused:
        api.plan(_settings(tmp_path, live_db, pg_admin, TABLE), message="drop", dry_run=True)
    assert "public.orders_status_idx (status), scanned" in str(refused.value)
    replaced = TABLE + "    indexes:\n      - [status, created_at]\n"
    result = api.plan(_settings(tmp_path, live_db, pg_admin, replaced), message="replace", dry_run=True)
    assert not [f for f in result.plan.findings if f.code == "FL130"]
    suppressed = TABLE + 'lint: {suppress: [{rule: FL130, object: orders, reason: "its report is gone"}]}\n'
    assert api.plan(_settings(tmp_path, live_db, pg_admin, suppressed), message="drop", dry_run=True).plan.upgrade
    raised = _settings(tmp_path, live_db, pg_admin, TABLE)
    raised = replace(raised, check=replace(raised.check, options=replace(raised.check.options, used_index_scans=1000)))
    assert api.plan(raised, message="drop", dry_run=True).plan.upgrade


def test_check_live_reports_unused_redundant_indexes_and_unindexed_foreign_keys(tmp_path: Path, live_db: str,
                                                                               pg_admin: str) -> None:
    run_sql(live_db, BEFORE + """
        CREATE INDEX orders_status_created_idx ON orders (status, created_at);
        CREATE INDEX orders_status_created_copy ON orders (status, created_at);
        CREATE INDEX orders_open_idx ON orders (created_at) WHERE status = 'open';
        CREATE TABLE lines (id integer PRIMARY KEY, order_id integer REFERENCES orders (id), qty integer);
        CREATE TABLE notes (id integer PRIMARY KEY, order_id integer REFERENCES orders (id));
        CREATE INDEX notes_order_idx ON notes (order_id, id);
    """)
    _scan(live_db, "SELECT count(*) FROM orders WHERE status = 'open' AND created_at > '2026-03-01'", 3)
    settings = _settings(tmp_path, live_db, pg_admin, TABLE)
    found = {(f.code, f.message.split(" ")[2 if f.code == "FS208" else 1]) for f in api.check(settings, live=True).findings
             if f.code in ("FS206", "FS207", "FS208")}
    assert ("FS207", "public.orders_status_idx") in found  # a leading prefix of (status, created_at)
    assert len([f for f in found if f[0] == "FS207" and "status_created" in f[1]]) == 1  # the pair, once
    assert ("FS208", "lines_order_id_fkey") in found and ("FS208", "notes_order_id_fkey") not in found
    assert ("FS206", "public.orders_open_idx") in found
    assert not any(f[1] == "public.orders_pkey" for f in found)  # a key enforces something


@pytest.mark.parametrize("index, other, expected", [
    (("a",), ("a", "b"), True),
    (("a", "b"), ("a",), False),
    (("b",), ("a", "b"), False),
    (("a",), ("a",), True),
])
def test_an_index_serves_another_only_through_a_leading_prefix(index, other, expected) -> None:  # type: ignore[no-untyped-def]
    make = lambda name, keys, **kw: LiveIndex("public", "t", name, keys, **kw)  # noqa: E731
    assert serves(make("o", other), make("i", index)) is expected
    assert not serves(make("o", other, predicate="(x > 0)"), make("i", index))  # a partial one serves its rows only
    assert not serves(make("o", other), make("i", index, unique=True)) or other == index
