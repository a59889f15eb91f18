"""Expand and contract (``finesse plan --split``) and data sections, per folder of fixtures/split/.

A case holds ``before.sql``, ``schema.yaml`` and ``case.yaml``:
  expand, contract: labels (substrings) each revision's upgrade must contain
  old_app: statements of the application as it was, which must still work after the expand revision
  data: {expand|contract: {upgrade, downgrade}}: Python lines written into the data sections, as a person
        would; a re-plan (--replace) must keep them
  rows: rows of ``SELECT * FROM users ORDER BY 1`` style query ``rows_sql`` (default the first table) at the end
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from finesse_schema import api
from finesse_schema.db.migra import inspect_database
from finesse_schema.db.planner import changes_between
from finesse_schema.logic.plan.render_revision import data_section

from tests.conftest import FIXTURES, make_settings
from tests.pg import fresh_database, query, run_sql

CASES = sorted(p for p in (FIXTURES / "split").iterdir() if p.is_dir())


def _fill(path: Path, lines: dict) -> str:
    """Write ``lines`` into the data functions of the revision at ``path``; return its data section."""
    text = path.read_text()
    for fn in ("upgrade", "downgrade"):
        if lines.get(fn):
            text = re.sub(rf'(def data_{fn}\(\) -> None:\n    """[^\n]*"""\n)', lambda m: m.group(1) + f"    {lines[fn]}\n",
                          text, count=1)
    path.write_text(text)
    return data_section(text) or ""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_split_cycle(case: Path, live_db: str, pg_admin: str, tmp_path: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    before = (case / "before.sql").read_text()
    run_sql(live_db, before)
    settings = make_settings(tmp_path, case / "schema.yaml", database_url=live_db, dev_url=pg_admin)

    result = api.plan(settings, message="rename", split=True, allow_destructive=True)
    assert result.contract is not None and result.plan.verified and result.contract.plan.verified
    for part, key in ((result, "expand"), (result.contract, "contract")):
        labels = [c.label for c in part.plan.upgrade]
        for want in spec[key]:
            assert any(want in label for label in labels), (key, want, labels)
    assert not result.plan.destructive, "the expand revision must not drop anything"

    sections = {key: _fill(part.revision_path, spec["data"].get(key, {}))
                for part, key in ((result, "expand"), (result.contract, "contract"))}
    again = api.plan(settings, split=True, replace_pending=True, allow_destructive=True)  # re-plan: sections kept
    assert [again.revision_id, again.contract.revision_id] == [result.revision_id, result.contract.revision_id]
    assert data_section(again.revision_path.read_text()) == sections["expand"]
    assert data_section(again.contract.revision_path.read_text()) == sections["contract"]

    assert api.apply(settings, target_revision=result.revision_id) == [result.revision_id]
    for sql in spec["old_app"]:  # the application deployed before the split still works
        run_sql(live_db, sql)
    assert api.apply(settings) == [result.contract.revision_id]
    st = api.status(settings)
    assert st.in_sync, [c.label for c in st.plan.upgrade]
    rows_sql = spec.get("rows_sql", "SELECT * FROM users ORDER BY 1")
    assert [list(r) for r in query(live_db, rows_sql)] == spec["rows"]

    assert api.down(settings, allow_destructive=True) == [result.contract.revision_id]
    for sql in spec["old_app"][1:]:  # reads of the old application work again
        run_sql(live_db, sql)
    assert api.down(settings, allow_destructive=True) == [result.revision_id]
    with fresh_database(pg_admin, "start") as start:
        run_sql(start, before)
        left = changes_between(inspect_database(live_db, ("public",)), inspect_database(start, ("public",)))
        assert not left, [c.label for c in left]
    assert api.apply(settings) == [result.revision_id, result.contract.revision_id]
    assert api.status(settings).in_sync
