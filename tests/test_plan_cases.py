"""Every folder under fixtures/plan/ is a case; adding a case is adding files.

A case holds ``before.sql`` (the live database), ``schema.yaml`` (the goal) and
``case.yaml`` (what must hold). Each case runs the whole cycle on a real server:
plan, apply, re-diff to nothing, down, re-diff to the start, up again.

case.yaml keys (all optional):
  expect: [labels]            changes the upgrade must contain (substrings of their labels)
  destructive: [labels]       changes that must be marked destructive (the plan is refused without
                              --allow-destructive, then planned with it)
  data: [{sql, rows}]         queries (and their rows) after apply; before.sql data must survive
  data_after_down: [{sql, rows}]  the same after down
  notes: [texts]              notes the plan summary must carry (substrings)
  absent: [labels]            changes the upgrade must not contain (substrings: a rebuild a rename avoids)

Where schema.yaml declares grants, privileges are compared after down too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from finesse_schema import api
from finesse_schema.api.schema_file import schema_from_text
from finesse_schema.core.plan import PlanRefused
from finesse_schema.db.migra import inspect_database
from finesse_schema.db.planner import changes_between

from tests.conftest import FIXTURES, make_settings
from tests.pg import fresh_database, query, run_sql

CASES = sorted(p for p in (FIXTURES / "plan").iterdir() if p.is_dir())


def _rows(rows: list) -> list[list]:
    return [[str(v) if v is not None else None for v in row] for row in rows]


def _check_data(url: str, checks: list[dict]) -> None:
    for check in checks:
        assert _rows(query(url, check["sql"])) == _rows(check["rows"]), check["sql"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plan_cycle(case: Path, pg_admin: str, live_db: str, tmp_path: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text()) if (case / "case.yaml").exists() else {}
    spec = spec or {}
    before_sql = (case / "before.sql").read_text() if (case / "before.sql").exists() else ""
    run_sql(live_db, before_sql)
    settings = make_settings(tmp_path, case / "schema.yaml", database_url=live_db, dev_url=pg_admin)

    destructive = spec.get("destructive", [])
    if destructive:
        with pytest.raises(PlanRefused) as refused:
            api.plan(settings, message=case.name)
        labels = [c.label for c in refused.value.plan.destructive]
        for want in destructive:
            assert any(want in label for label in labels), (want, labels)
        assert not list((tmp_path / "migrations" / "versions").glob("*.py")), "a refused plan wrote a revision"

    result = api.plan(settings, message=case.name, allow_destructive=bool(destructive))
    assert result.written and result.plan.verified
    labels = [c.label for c in result.plan.upgrade]
    for want in spec.get("expect", []):
        assert any(want in label for label in labels), (want, labels)
    for unwanted in spec.get("absent", []):
        assert not any(unwanted in label for label in labels), (unwanted, labels)
    for want in spec.get("notes", []):
        assert any(want in note for note in result.plan.notes), (want, result.plan.notes)
    unexpected = [c.label for c in result.plan.destructive if not any(w in c.label for w in destructive)]
    assert not unexpected, f"destructive changes the case does not declare: {unexpected}"

    assert api.apply(settings) == [result.revision_id]
    st = api.status(settings)
    assert st.in_sync, [c.label for c in st.plan.upgrade]
    assert not st.pending
    _check_data(live_db, spec.get("data", []))

    assert api.down(settings, allow_destructive=True) == [result.revision_id]
    with fresh_database(pg_admin, "start") as start:
        run_sql(start, before_sql)
        schemas = tuple(sorted({"public", *spec.get("schemas", [])}))
        grants = schema_from_text((case / "schema.yaml").read_text()).manages_grants  # privileges compared too
        left = changes_between(inspect_database(live_db, schemas, grants=grants),
                               inspect_database(start, schemas, grants=grants))
        assert not left, [c.label for c in left]
    _check_data(live_db, spec.get("data_after_down", []))

    assert api.apply(settings) == [result.revision_id]
    assert api.status(settings).in_sync
