"""Grants name roles that must exist: a missing one is a located error before anything runs (finesse references
roles, never creates them on the target). The rest of grants is in the plan, round-trip and error fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from finesse_schema import api
from finesse_schema.core.errors import InputError

from tests.conftest import make_settings


def test_a_grant_to_a_missing_role_is_a_located_error(pg_admin: str, live_db: str, tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text("tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n"
                      "    grants:\n      nobody_has_this_role: [select]\n")
    with pytest.raises(InputError) as err:
        api.plan(make_settings(tmp_path, schema, database_url=live_db, dev_url=pg_admin), message="grants")
    assert "schema.yaml:6:" in str(err.value) and "role 'nobody_has_this_role' does not exist" in str(err.value)
    assert not (tmp_path / "migrations" / "versions").exists() or \
        not list((tmp_path / "migrations" / "versions").glob("*.py"))
