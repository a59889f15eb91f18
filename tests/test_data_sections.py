"""Data sections of single revisions, per folder of fixtures/data_sections/.

A revision runs its expand changes, then its data section, then its contract changes; a downgrade
adds back a dropped column nullable, fills it in its data section, then sets NOT NULL, and drops the
constraints it removes before its data section puts back rows they would refuse. A case holds
``before.sql``, ``schema.yaml`` and ``case.yaml``:
  data: {upgrade, downgrade}: a Python line written into each data function, as a person would
  order: {upgrade, downgrade}: labels (substrings), and "data", in the order they must run
  before_apply: statements run after planning, before applying (rows the preflight did not see)
  after, after_down: [{sql, rows}] after the upgrade and after the downgrade
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from finesse_schema import api
from finesse_schema.logic.plan.ordering import boundary

from tests.conftest import FIXTURES, make_settings
from tests.pg import query, run_sql
from tests.test_split import _fill

CASES = sorted(p for p in (FIXTURES / "data_sections").iterdir() if p.is_dir())


def _rows(url: str, checks: list[dict]) -> None:
    for check in checks:
        got = [[None if v is None else str(v) for v in row] for row in query(url, check["sql"])]
        assert got == [[None if v is None else str(v) for v in row] for row in check["rows"]], check["sql"]


def _position(labels: list[str], at: int, want: str) -> int:
    if want == "data":
        return at - 0.5  # type: ignore[return-value]
    hits = [i for i, label in enumerate(labels) if want in label]
    assert hits, (want, labels)
    return hits[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_data_section_cycle(case: Path, live_db: str, pg_admin: str, tmp_path: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    run_sql(live_db, (case / "before.sql").read_text())
    settings = make_settings(tmp_path, case / "schema.yaml", database_url=live_db, dev_url=pg_admin)
    result = api.plan(settings, message=case.name, allow_destructive=True)
    assert result.plan.verified
    for direction, changes in (("upgrade", result.plan.upgrade), ("downgrade", result.plan.downgrade)):
        labels = [c.label for c in changes]
        at = boundary(changes)
        positions = [_position(labels, at, want) for want in spec["order"][direction]]
        assert positions == sorted(positions), (direction, spec["order"][direction], labels, at)
    _fill(result.revision_path, spec["data"])  # type: ignore[arg-type]
    for sql in spec.get("before_apply", []):
        run_sql(live_db, sql)

    assert api.apply(settings) == [result.revision_id]
    _rows(live_db, spec["after"])
    assert api.status(settings).in_sync
    assert api.down(settings, allow_destructive=True) == [result.revision_id]
    _rows(live_db, spec["after_down"])
    assert api.apply(settings) == [result.revision_id]
    _rows(live_db, spec["after"])
    assert api.status(settings).in_sync
