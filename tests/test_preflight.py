"""Data preflight of finesse plan: fixtures/preflight/<case>/{before.sql with data, schema.yaml, expected.yaml}.

expected.yaml: ``refused`` lists what the refusal must say (empty: the plan is written), and
``rows`` the row counts the summary must give. A refused plan writes no revision.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from finesse_schema import api
from finesse_schema.core.plan import PlanRefused

from tests.conftest import FIXTURES, make_settings
from tests.pg import run_sql

CASES = sorted(p for p in (FIXTURES / "preflight").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_preflight_case(case: Path, live_db: str, pg_admin: str, tmp_path: Path) -> None:
    spec = yaml.safe_load((case / "expected.yaml").read_text())
    run_sql(live_db, (case / "before.sql").read_text())
    settings = make_settings(tmp_path, case / "schema.yaml", database_url=live_db, dev_url=pg_admin)
    if spec["refused"]:
        with pytest.raises(PlanRefused) as refused:
            api.plan(settings, message=case.name, allow_destructive=True)
        text = str(refused.value)
        assert "would fail on the live data" in text
        for want in spec["refused"]:
            assert want in text, (want, text)
        assert "ways out" in text
        assert not list((tmp_path / "migrations" / "versions").glob("*.py")), "a refused plan wrote a revision"
    else:
        result = api.plan(settings, message=case.name, allow_destructive=True)
        assert result.written
        for want in spec.get("rows", []):
            assert any(want in n for n in result.plan.notes), (want, result.plan.notes)
