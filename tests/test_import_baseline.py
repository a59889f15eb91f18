"""finesse import and finesse baseline on the Finesse legacy database, and their refusals.

The legacy schema is tests/fixtures/import/finesse_legacy/schema.sql, a copy of
../shared/fixtures/finesse-legacy/schema.sql.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema import api
from finesse_schema.cli import main
from finesse_schema.core.errors import FinesseError, InputError
from finesse_schema.core.plan import PlanRefused
from finesse_schema.db.migrations import current_revision
from finesse_schema.db.migra import INTERNAL_SCHEMAS
from finesse_schema.db.dump import dump_differences, dump_schema

from tests.conftest import FIXTURES, make_settings
from tests.pg import fresh_database, run_sql

LEGACY = FIXTURES / "import" / "finesse_legacy" / "schema.sql"


def _imported(tmp_path: Path, live_db: str, pg_admin: str) -> api.Settings:
    run_sql(live_db, LEGACY.read_text(encoding="utf-8"))
    settings = make_settings(tmp_path, tmp_path / "schema.yaml", database_url=live_db, dev_url=pg_admin)
    assert api.import_database(settings).exact
    return settings


def test_legacy_baseline_is_recorded_and_rebuilds_the_schema(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _imported(tmp_path, live_db, pg_admin)
    result = api.baseline(settings, message="legacy baseline")
    assert result.revision_id == "0001" and result.revision_path and result.revision_path.exists()
    assert "create table" in result.revision_text.lower()  # type: ignore[union-attr]
    assert current_revision(live_db) == "0001"  # recorded, not run: the tables were already there
    assert api.plan(settings, message="nothing").plan.empty
    # revision 0001 alone, applied to an empty database, gives the legacy schema exactly
    rebuild = make_settings(tmp_path, settings.schema_path, database_url=live_db, dev_url=pg_admin)
    with fresh_database(pg_admin, "from0001") as empty:
        api.apply(rebuild, database_url=empty)
        assert current_revision(empty) == "0001"
        differences = dump_differences(dump_schema(live_db, exclude_schemas=INTERNAL_SCHEMAS),
                                       dump_schema(empty, exclude_schemas=INTERNAL_SCHEMAS), column_order=True)
        assert differences == [], "\n".join(differences)


def test_baseline_refuses_a_database_that_differs(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _imported(tmp_path, live_db, pg_admin)
    text = settings.schema_path.read_text(encoding="utf-8")
    settings.schema_path.write_text(text.replace("  brands:\n    columns:\n",
                                                 "  brands:\n    columns:\n      extra: text\n"), encoding="utf-8")
    with pytest.raises(PlanRefused) as refused:
        api.baseline(settings)
    assert any("extra" in d for d in refused.value.details)
    assert not list((tmp_path / "migrations" / "versions").glob("*.py"))
    assert current_revision(live_db) is None


def test_baseline_refuses_when_revisions_exist(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _imported(tmp_path, live_db, pg_admin)
    api.baseline(settings)
    with pytest.raises(FinesseError, match="already has revisions"):
        api.baseline(settings)


def test_import_never_overwrites_without_force(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = make_settings(tmp_path, tmp_path / "schema.yaml", database_url=live_db, dev_url=pg_admin)
    settings.schema_path.write_text("tables: {}\n", encoding="utf-8")
    with pytest.raises(FinesseError, match="exists; pass --force"):
        api.import_database(settings)
    assert settings.schema_path.read_text(encoding="utf-8") == "tables: {}\n"
    with pytest.raises(InputError, match="no schema 'nope'"):
        api.import_database(settings, schemas=("nope",), force=True)
    assert settings.schema_path.read_text(encoding="utf-8") == "tables: {}\n"


def test_cli_import_to_stdout_and_only_some_schemas(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    run_sql(live_db, (FIXTURES / "import" / "saas_multi_schema" / "schema.sql").read_text(encoding="utf-8"))
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "import", "--out", "-", "--schema", "tenancy",
                                       "--no-verify", "-q"])
    assert result.exit_code == 0, result.output
    assert "tenancy.tenants:" in result.stdout and "billing.invoices" not in result.stdout
    assert not (tmp_path / "schema.yaml").exists()
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "import", "-q"])
    assert result.exit_code == 0, result.output
    assert "Verified: planning schema.yaml against the database finds nothing to do." in result.output
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "import", "-q"])
    assert result.exit_code == 2 and "pass --force" in result.output


def test_cli_import_lists_what_it_left_out(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    run_sql(live_db, (FIXTURES / "import" / "not_expressible" / "schema.sql").read_text(encoding="utf-8"))
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "import", "-q"])
    assert result.exit_code == 1, result.output
    assert "rule public.rooms.keep_rooms" in result.output
    assert "the import is not exact" in result.output
