"""The smallest SQL of each thing real schemas have (fixtures/roundtrip/*.sql), brought under finesse as a
user would: import exactly (nothing left out, nothing to plan against the source), rebuilt from the YAML alone
into an empty database with an equal dump, and down to empty again.

A case here is the reduced form of something a real-world schema did; a new failure found on real schemas
gets its case here first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.corpus import rebuild_round_trip

CASES = sorted((FIXTURES / "roundtrip").glob("*.sql"))


@pytest.mark.parametrize("source", CASES, ids=[p.stem for p in CASES])
def test_round_trip(source: Path, contrib_admin: str, tmp_path: Path) -> None:
    outcome = rebuild_round_trip(contrib_admin, source, tmp_path)
    assert not outcome.problems, "\n".join(outcome.steps + outcome.problems)


def test_a_comment_of_its_own_on_an_extension_is_listed_as_left_out(contrib_admin: str, tmp_path: Path) -> None:
    outcome = rebuild_round_trip(contrib_admin, FIXTURES / "left_out" / "extension_comment.sql", tmp_path)
    said = outcome.steps + outcome.problems
    assert "import: left out: comment on extension pg_trgm: comments on extensions are not kept" in said, said
