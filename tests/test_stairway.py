"""finesse test (the stairway) on fixtures/stairway/chain (schema.yaml and a chain of revisions written by
finesse, data sections filled in), once per folder of fixtures/stairway/cases/: ``edits.yaml`` (hand edits
to the chain: file, old, new) and ``expected.txt``, the golden output of ``finesse test`` (--update-golden
rewrites it). ``good`` has no edit and passes; the others carry an edit the stairway must catch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from finesse_schema.cli import main

from tests.conftest import FIXTURES

CHAIN = FIXTURES / "stairway" / "chain"
CASES = sorted(p for p in (FIXTURES / "stairway" / "cases").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_stairway(case: Path, pg_admin: str, tmp_path: Path, update_golden: bool) -> None:
    project = tmp_path / case.name
    shutil.copytree(CHAIN, project)
    for edit in yaml.safe_load((case / "edits.yaml").read_text()) or []:
        path = project / edit["file"]
        text = path.read_text()
        assert edit["old"] in text, (case.name, edit["old"])
        path.write_text(text.replace(edit["old"], edit["new"], 1))
    (project / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{pg_admin}"\ndev_url = "{pg_admin}"\n')
    result = CliRunner().invoke(main, ["--project", str(project), "test", "-q"])
    if update_golden:
        (case / "expected.txt").write_text(result.output)
    assert result.output == (case / "expected.txt").read_text()
    assert result.exit_code == (0 if case.name == "good" else 1)
