"""Bad schema.yaml files and their exact error reports (golden files: <case>.expected).

Every error names file, line, column and YAML path; run pytest --update-golden
to rewrite the .expected files after an intended change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from finesse_schema.core.errors import InputError
from finesse_schema.api.schema_file import schema_from_text

from tests.conftest import FIXTURES

CASES = sorted((FIXTURES / "errors").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_error_report(case: Path, update_golden: bool) -> None:
    with pytest.raises(InputError) as err:
        schema_from_text(case.read_text(), f"{case.stem}.yaml")
    report = str(err.value) + "\n"
    for problem in err.value.problems:
        assert problem.location is not None and problem.location.line > 0, problem
    golden = case.with_suffix(".expected")
    if update_golden or not golden.exists():
        golden.write_text(report)
    assert report == golden.read_text()
