"""migra's 26 upstream cases (fixtures/migra), each from a to b and back, on a server with contrib.

A case passes when, after importing b into schema.yaml, planning it against a and applying, the schema dump
equals b's, and after down it equals a's again. ``expectations.yaml`` lists the cases that need what the
model deliberately lacks, each with its reason; they must fail (a case that starts passing is reported, so
the list only shrinks).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.corpus import a_to_b_and_back
from tests.pg import query

MIGRA = FIXTURES / "migra"
CASES = sorted(p for p in MIGRA.iterdir() if p.is_dir())
EXPECTED_FAILURES = yaml.safe_load((MIGRA / "expectations.yaml").read_text()) or {} \
    if (MIGRA / "expectations.yaml").exists() else {}


def _params() -> list:  # type: ignore[type-arg]
    out = []
    for case in CASES:
        reason = EXPECTED_FAILURES.get(case.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_migra_case_a_to_b_and_back(case: Path, contrib_admin: str, tmp_path: Path) -> None:
    if case.name == "rls":  # migra's own harness creates the role its policies name
        query(contrib_admin, "DO $$ BEGIN CREATE ROLE schemainspect_test_role; EXCEPTION WHEN duplicate_object "
                             "THEN NULL; END $$")
    outcome = a_to_b_and_back(contrib_admin, (case / "a.sql").read_text(), (case / "b.sql").read_text(), tmp_path)
    assert not outcome.problems, "\n".join(outcome.steps + outcome.problems)
