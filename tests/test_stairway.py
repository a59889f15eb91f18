"""finesse test (the stairway), per folder of fixtures/stairway/: schema.yaml, migrations/, and expected.txt,
the golden output of ``finesse test`` (--update-golden rewrites it). ``good`` passes; the others carry a
hand edit the stairway must catch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema.cli import main

from .conftest import FIXTURES

CASES = sorted(p for p in (FIXTURES / "stairway").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_stairway(case: Path, pg_admin: str, tmp_path: Path, update_golden: bool) -> None:
    project = tmp_path / case.name
    shutil.copytree(case, project, ignore=shutil.ignore_patterns("expected.txt"))
    (project / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{pg_admin}"\ndev_url = "{pg_admin}"\n')
    result = CliRunner().invoke(main, ["--project", str(project), "test", "-q"])
    if update_golden:
        (case / "expected.txt").write_text(result.output)
    assert result.output == (case / "expected.txt").read_text()
    assert result.exit_code == (0 if case.name == "good" else 1)
