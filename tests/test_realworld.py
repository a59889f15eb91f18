"""Real-world schemas no one here wrote (``shared/corpus/realworld``, or ``FINESSE_CORPUS``), as their users
would bring them under finesse: import exactly, nothing left to plan against the source, rebuilt from the
YAML alone in an empty database with the source's dump, and down to empty again.

The corpus is not copied into this repository (some of its schemas are GPL and AGPL): without it, the test
is skipped and says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import corpus_dir, rebuild_round_trip

REALWORLD = (corpus_dir() or Path("/nonexistent")) / "realworld"
SCHEMAS = sorted(REALWORLD.glob("*.sql")) if REALWORLD.is_dir() else []


@pytest.mark.skipif(not SCHEMAS, reason="no realworld corpus beside the checkout (set FINESSE_CORPUS)")
@pytest.mark.parametrize("source", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_realworld_schema_round_trips(source: Path, contrib_admin: str, tmp_path: Path) -> None:
    outcome = rebuild_round_trip(contrib_admin, source, tmp_path)
    assert not outcome.problems, "\n".join(outcome.steps + outcome.problems)
