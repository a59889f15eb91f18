"""finesse check --live: data fixtures with exact counts, project checks, and the Finesse legacy report.

tests/fixtures/live/<case>/{schema.yaml, data.sql, expected.yaml}: the schema is built,
the data loaded, and the live findings must be exactly those listed (code, subject,
row count, a piece of the message).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from finesse_schema import api
from finesse_schema.core.errors import InputError
from finesse_schema.db.materialize import materialize
from finesse_schema.logic.compile.compiler import compile_schema
from finesse_schema.logic.config.settings import read_settings
from finesse_schema.logic.schema.load import load_schema_text
from finesse_schema.logic.check.render_findings import render_text

from tests.conftest import FIXTURES, make_settings
from tests.pg import load_legacy, run_sql

ROOT = Path(__file__).parent.parent
CASES = sorted(p for p in (FIXTURES / "live").iterdir() if p.is_dir())
LEGACY = FIXTURES / "import" / "finesse_legacy"
LEGACY_CHECKS = "tests/fixtures/check_legacy/checks"  # the checks the shop ran on its legacy database


def _live_settings(tmp_path: Path, schema_path: Path, url: str, check: dict | None = None) -> api.Settings:
    settings = make_settings(tmp_path, schema_path, database_url=url, dev_url=url)
    text = "[tool.finesse.check]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in (check or {}).items())
    return replace(settings, check=read_settings(f"[tool.finesse]\n{text}", tmp_path).check)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_live_rule_case(case: Path, live_db: str, tmp_path: Path) -> None:
    materialize(live_db, compile_schema(load_schema_text((case / "schema.yaml").read_text())))
    run_sql(live_db, (case / "data.sql").read_text())
    data_rules = {"select": ["FS201", "FS202", "FS203", "FS204"]}  # the index rules: tests/test_index_use.py
    report = api.check(_live_settings(tmp_path, case / "schema.yaml", live_db, data_rules), live=True)
    got = sorted((f.code, f.subject, int(f.message.split()[0])) for f in report.findings)
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    assert got == sorted((e["code"], e["subject"], e["count"]) for e in expected), render_text(report)
    for e in expected:
        assert any(e["text"] in f.message for f in report.findings), (e["text"], render_text(report))


def test_large_tables_are_sampled_and_say_so(live_db: str, tmp_path: Path) -> None:
    case = FIXTURES / "live" / "orphans_declared_and_implied"
    materialize(live_db, compile_schema(load_schema_text((case / "schema.yaml").read_text())))
    run_sql(live_db, (case / "data.sql").read_text() + "\nANALYZE orders;")
    report = api.check(_live_settings(tmp_path, case / "schema.yaml", live_db,
                                      {"select": ["FS201"], "sample_above_rows": 5}), live=True)
    assert report.findings and all("sample of about 20 rows" in f.message for f in report.findings)


def _project(tmp_path: Path, live_db: str, files: dict[str, str], **check: object) -> api.Settings:
    (tmp_path / "schema.yaml").write_text("tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n")
    (tmp_path / "checks").mkdir()
    for name, text in files.items():
        (tmp_path / "checks" / name).write_text(text)
    return _live_settings(tmp_path, tmp_path / "schema.yaml", live_db, {"select": ["FP"], **check})


def test_project_checks_count_rows_and_survive_broken_or_slow_queries(live_db: str, tmp_path: Path) -> None:
    run_sql(live_db, "CREATE TABLE t (id integer PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10);")
    settings = _project(tmp_path, live_db, {
        "a.sql": "-- code: FP001\n-- severity: error\n-- description: odd ids\nSELECT id FROM t WHERE id % 2 = 1\n",
        "b.sql": "-- code: FP002\n-- severity: warning\n-- description: broken\nSELECT * FROM no_such_table\n",
        "c.sql": "-- code: FP003\n-- severity: info\n-- description: slow\nSELECT pg_sleep(5)\n",
        "d.sql": "-- code: FP004\n-- severity: error\n-- description: fine\nSELECT id FROM t WHERE id > 99\n",
    }, live_statement_timeout="300ms")
    report = api.check(settings, live=True)
    by_code = {f.code: f for f in report.findings}
    assert by_code["FP001"].message.startswith("5 row(s): odd ids")
    assert "could not run" in by_code["FP002"].message and "no_such_table" in by_code["FP002"].message
    assert "could not run" in by_code["FP003"].message and "statement timeout" in by_code["FP003"].message
    assert "FP004" not in by_code and report.failed


def test_project_check_header_mistakes_point_at_the_file(live_db: str, tmp_path: Path) -> None:
    settings = _project(tmp_path, live_db, {"bad.sql": "-- code: X1\n-- severity: fatal\nSELECT 1\n"})
    with pytest.raises(InputError) as err:
        api.check(settings, live=True)
    text = str(err.value)
    assert "checks/bad.sql:1:1: code 'X1' is not FP" in text and "checks/bad.sql:2:1" in text
    assert "no description" in text


def test_legacy_report_finds_every_anomaly_with_its_count(live_db: str, update_golden: bool) -> None:
    """ANOMALIES.md (../shared/fixtures/finesse-legacy), scale 1: the report must carry its exact counts."""
    run_sql(live_db, (LEGACY / "schema.sql").read_text(encoding="utf-8"))
    load_legacy(live_db, 1, schema=False)
    config = read_settings((FIXTURES / "check_legacy" / "pyproject.toml").read_text(), ROOT).check
    settings = replace(make_settings(ROOT, LEGACY / "expected.yaml", database_url=live_db, dev_url=live_db),
                       check=config)
    report = api.check(settings, live=True)
    text = render_text(report)
    golden = FIXTURES / "check_legacy" / "report.txt"
    if update_golden or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")

    def count(code: str, subject: str, needle: str) -> int:
        hits = [f for f in report.findings if f.code == code and f.subject == subject and needle in f.message]
        assert len(hits) == 1, (code, subject, needle)
        return int(hits[0].message.split()[0])

    assert count("FS201", "public.orders", "user_id not in users") == 37  # A01
    assert count("FS201", "public.orders", "customer_id not in customers") == 11  # A02
    assert count("FS201", "public.order_details", "product_id not in variants") == 58  # A03
    assert count("FS201", "public.notifications", "user_id not in users") == 29  # A06
    assert count("FS201", "public.tokens", "user_id not in users") == 41  # A07
    assert count("FS201", "public.customers", "user_id not in users") == 23  # A08
    drift = next(f for f in report.findings if f.code == "FS203" and f.subject == "public.variants")
    assert drift.message.startswith("113 row(s)")  # A10
    for column, n in (("product_name", 56), ("category_id", 57), ("group_id", 57), ("brand_id", 56)):  # A11-A14
        assert re.search(rf"\b{column} differs in {n}\b", drift.message), (column, drift.message)
    assert count("FP001", f"check {LEGACY_CHECKS}/FP001_stock_matches_ledger.sql", "stock differs") == 1270  # A15
    assert count("FP005", f"check {LEGACY_CHECKS}/FP005_duplicate_wishlist_rows.sql", "wishlist") == 19  # A19
