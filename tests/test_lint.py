"""Plan lint: every folder under fixtures/lint/<CODE>/ is a live database (before.sql) and a goal
(schema.yaml); the plan's lint codes must be exactly expected.yaml."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from finesse_schema import api
from finesse_schema.cli import main
from finesse_schema.logic.plan.lint import LINT_RULES

from tests.conftest import FIXTURES, make_settings
from tests.pg import run_sql

CASES = sorted(p for p in (FIXTURES / "lint").iterdir() if p.is_dir())


def test_every_lint_rule_is_documented_and_has_a_case() -> None:
    # FL131 is about settings (test_missing_lock_timeout below); FL130 about live statistics (test_index_use.py)
    have = {c.name for c in CASES} | {"FL131", "FL130"}
    assert have == {r.code for r in LINT_RULES}
    for r in LINT_RULES:
        assert r.doc.startswith(f"{r.code} {r.name}:") and "Bad::" in r.doc and "Good::" in r.doc, r.code


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_case(case: Path, live_db: str, pg_admin: str, tmp_path: Path) -> None:
    run_sql(live_db, (case / "before.sql").read_text())
    settings = make_settings(tmp_path, case / "schema.yaml", database_url=live_db, dev_url=pg_admin)
    result = api.plan(settings, dry_run=True, allow_destructive=True)
    codes = sorted(f.code for f in result.plan.findings)
    assert codes == sorted(yaml.safe_load((case / "expected.yaml").read_text())), result.plan.findings
    assert all(f.message and f.subject for f in result.plan.findings)


def test_missing_lock_timeout_and_json_output(live_db: str, pg_admin: str, tmp_path: Path) -> None:
    case = FIXTURES / "lint" / "FL121"
    run_sql(live_db, (case / "before.sql").read_text())
    settings = replace(make_settings(tmp_path, case / "schema.yaml", database_url=live_db, dev_url=pg_admin),
                       lock_timeout="0")
    assert "FL131" in {f.code for f in api.plan(settings, dry_run=True).plan.findings}
    (tmp_path / "schema.yaml").write_text((case / "schema.yaml").read_text())
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    out = CliRunner().invoke(main, ["--project", str(tmp_path), "plan", "--dry-run", "--format", "json", "-q"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert [f["code"] for f in doc["revisions"][0]["findings"]] == ["FL121"] and doc["revisions"][0]["written"] is False
    text = CliRunner().invoke(main, ["--project", str(tmp_path), "plan", "--dry-run", "-q"]).output
    assert "Lint:" in text and "FL121" in text


def test_suppression_with_a_reason_silences_a_finding(live_db: str, pg_admin: str, tmp_path: Path) -> None:
    case = FIXTURES / "lint" / "FL121"
    run_sql(live_db, (case / "before.sql").read_text())
    schema = tmp_path / "schema.yaml"
    schema.write_text((case / "schema.yaml").read_text()
                      + "lint:\n  suppress:\n    - {rule: FL121, object: t, reason: the table is tiny}\n")
    settings = make_settings(tmp_path, schema, database_url=live_db, dev_url=pg_admin)
    assert api.plan(settings, dry_run=True).plan.findings == ()
