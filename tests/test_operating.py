"""Operating finesse (issue 19): one known database per command, adoption proven before it is recorded,
previews, a guarded down, and revision ids that two branches both wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema.cli import main
from finesse_schema.db.migrations import current_revision

from tests.pg import load_legacy, query, run_sql

ROOT = Path(__file__).parent.parent
SCHEMA = "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n      note: text\n"


def _run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def _project(tmp_path: Path, pyproject: str, schema: str = SCHEMA) -> Path:
    (tmp_path / "schema.yaml").write_text(schema)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    return tmp_path


def test_env_chooses_its_database_before_or_after_the_command(tmp_path: Path, live_db: str, pg_admin: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGING_URL", live_db)
    project = _project(tmp_path, f'[tool.finesse.env.staging]\nurl_env = "STAGING_URL"\ndev_url = "{pg_admin}"\n')
    for args in (["status", "--env", "staging", "-q", "--no-compare"], ["--env", "staging", "status", "-q",
                                                                         "--no-compare"]):
        out = _run(project, *args)
        assert out.exit_code == 0 and "($STAGING_URL, environment staging)" in out.output, out.output
    unknown = _run(project, "status", "--env", "prod")
    assert unknown.exit_code == 2 and "no environment 'prod'" in unknown.output and "staging" in unknown.output


@pytest.mark.parametrize("pyproject, variable", [
    ('[tool.finesse.env.production]\nurl_env = "SHOP_PRODUCTION_URL"\n', "SHOP_PRODUCTION_URL"),
    ('[tool.finesse]\ndatabase_url_env = "SHOP_URL"\n', "SHOP_URL"),
])
def test_a_configured_database_that_is_missing_is_an_error_never_the_embedded_one(
        tmp_path: Path, pyproject: str, variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(variable, raising=False)
    project = _project(tmp_path, pyproject)
    args = ["--env", "production"] if "env.production" in pyproject else []
    for command in (["status"], ["apply"], ["down"], ["drift"]):
        out = _run(project, *args, *command)
        assert out.exit_code == 2 and f"${variable} is not set" in out.output, out.output
    assert not (project / ".finesse").exists(), "the embedded server was started in the missing one's place"


def test_environments_are_checked_where_they_are_written(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.finesse.env.staging]\nurl = "postgresql://x@h/db"\nurl_env = "X"\n'
                                 'lock_timout = "1s"\n')
    out = _run(project, "validate")
    assert out.exit_code == 2
    assert "exactly one of url and url_env" in out.output and "did you mean 'lock_timeout'" in out.output


def test_previews_and_a_down_that_would_drop_rows(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    project = _project(tmp_path, f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    assert _run(project, "plan", "-q", "-m", "first").exit_code == 0
    preview = _run(project, "apply", "--dry-run")
    assert preview.exit_code == 0 and "-- revision 0001" in preview.output
    assert 'create table "public"."t"' in preview.output.lower()
    assert current_revision(live_db) is None, "a dry run applied something"
    assert _run(project, "apply", "-q").exit_code == 0
    assert _run(project, "apply", "--dry-run").output.strip() == "Nothing to apply."
    run_sql(live_db, "INSERT INTO t VALUES (1, 'a'), (2, NULL)")

    assert 'drop table "public"."t"' in _run(project, "down", "--dry-run").output.lower()
    refused = _run(project, "down", "-q")
    assert refused.exit_code == 3 and "table public.t: 2 rows (dropped by the downgrade of 0001)" in refused.output
    assert current_revision(live_db) == "0001" and query(live_db, "SELECT count(*) FROM t") == [(2,)]
    assert _run(project, "down", "-q", "--allow-destructive").exit_code == 0
    assert current_revision(live_db) is None


def test_revision_ids_written_twice_are_a_located_error(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    project = _project(tmp_path, f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    assert _run(project, "plan", "-q", "-m", "first").exit_code == 0
    versions = project / "migrations" / "versions"
    shutil.copy(versions / "0001_first.py", versions / "0001_other_branch.py")
    for command in (["status", "-q"], ["apply", "-q"], ["plan", "-q", "-m", "more"]):
        out = _run(project, *command)
        assert out.exit_code == 2, out.output
        assert "0001_other_branch.py:" in out.output and "revision id 0001 is used twice" in out.output
        assert "Warning" not in out.output and "heads" not in out.output


def test_the_shop_adopts_its_production_database_at_0001(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    """The legacy database is what 0001 builds: stamp proves it and records it; changed, it is refused."""
    load_legacy(live_db, 1)
    args = ["--database-url", live_db, "--dev-url", pg_admin, "-q"]
    run_sql(live_db, "ALTER TABLE bonuses ADD COLUMN by_hand integer")
    refused = _run(ROOT, "stamp", "0001", *args)
    assert refused.exit_code == 3 and "by_hand" in refused.output, refused.output
    assert current_revision(live_db) is None, "a refused stamp recorded something"
    run_sql(live_db, "ALTER TABLE bonuses DROP COLUMN by_hand")
    out = _run(ROOT, "stamp", "0001", *args)
    assert out.exit_code == 0, out.output
    assert current_revision(live_db) == "0001"
    pending = _run(ROOT, "apply", "--dry-run", "--database-url", live_db)
    assert pending.exit_code == 0 and "-- revision 0002" in pending.output and "-- revision 0001" not in pending.output
    assert _run(ROOT, "stamp", "0999", *args).exit_code == 2  # no such revision


def test_revisions_cannot_drift_unseen(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    """finesse.sum and the hashes the database recorded: an edited pending revision is a warning (finesse hash
    accepts it), an edited applied one an error for every command, with a way out that proves the edit."""
    project = _project(tmp_path, f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    assert _run(project, "plan", "-q", "-m", "first").exit_code == 0
    assert (project / "migrations" / "finesse.sum").read_text().count("0001_first.py sha256:") == 1
    revision = project / "migrations" / "versions" / "0001_first.py"
    revision.write_text(revision.read_text() + "\n# a data section written by hand\n")
    out = _run(project, "status", "-q", "--no-compare")
    assert out.exit_code == 1 and "warning: 0001_first.py changed since finesse wrote it" in out.output
    assert _run(project, "hash").exit_code == 0
    assert "warning" not in _run(project, "status", "-q", "--no-compare").output
    assert _run(project, "apply", "-q").exit_code == 0

    revision.write_text(revision.read_text() + "\n# edited after it ran\n")
    for command in (["status", "-q"], ["apply", "-q"], ["down", "-q"], ["plan", "-q", "-m", "x"],
                    ["apply", "--dry-run"]):
        out = _run(project, *command)
        assert out.exit_code == 2 and "revision 0001 was edited after it was applied" in out.output, (command, out.output)
    assert _run(project, "stamp", "0001", "-q").exit_code == 0  # the edit changes nothing that ran: proven, recorded
    assert _run(project, "status", "-q").exit_code == 0


def test_a_data_only_change_gets_an_empty_revision(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    project = _project(tmp_path, f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    assert _run(project, "plan", "-q", "-m", "first").exit_code == 0
    assert _run(project, "apply", "-q").exit_code == 0
    assert "Nothing to do" in _run(project, "plan", "-q", "-m", "again").output
    out = _run(project, "new", "-m", "seed the notes")
    assert out.exit_code == 0 and "0002_seed_the_notes.py" in out.output, out.output
    revision = project / "migrations" / "versions" / "0002_seed_the_notes.py"
    revision.write_text(revision.read_text()
                        .replace('before the contract ones."""', 'before the contract ones."""\n'
                                 '    _run("INSERT INTO t VALUES (1, \'seeded\')")')
                        .replace('between the downgrade\'s steps."""', 'between the downgrade\'s steps."""\n'
                                 '    _run("DELETE FROM t WHERE id = 1")'))
    assert _run(project, "hash").exit_code == 0
    assert _run(project, "apply", "-q").exit_code == 0
    assert query(live_db, "SELECT note FROM t") == [("seeded",)]
    assert _run(project, "status", "-q").exit_code == 0  # the schema still matches schema.yaml
    assert _run(project, "down", "-q").exit_code == 0 and query(live_db, "SELECT count(*) FROM t") == [(0,)]


def test_the_embedded_server_is_told_and_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINESSE_DATABASE_URL", raising=False)
    project = _project(tmp_path, "[tool.finesse]\n")
    out = _run(project, "server", "status")
    assert out.exit_code == 0 and "not running" in out.output and not (project / ".finesse").exists()
    started = _run(project, "status", "--no-compare")
    assert started.exit_code == 0 and "the embedded database at .finesse/ (no database configured)" in started.output
    assert "running (pid" in _run(project, "server", "status").output
    stopped = _run(project, "server", "stop")
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    assert "not running" in _run(project, "server", "status").output


def test_project_and_env_are_accepted_after_the_command(tmp_path: Path, live_db: str, pg_admin: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGING_URL", live_db)
    project = _project(tmp_path, f'[tool.finesse.env.staging]\nurl_env = "STAGING_URL"\ndev_url = "{pg_admin}"\n')
    runner = CliRunner()
    for args in (["status", "--no-compare", "--project", str(project), "--env", "staging"],
                 ["--project", str(project), "--env", "staging", "status", "--no-compare"],
                 ["--env", "staging", "status", "--no-compare", "--project", str(project)]):  # not this folder's
        out = runner.invoke(main, args, catch_exceptions=False)
        assert out.exit_code == 0 and "environment staging" in out.output, (args, out.output)
    assert runner.invoke(main, ["validate", "--project", str(project)]).exit_code == 0
    unknown = runner.invoke(main, ["--env", "staging", "status", "--no-compare"])  # this folder has no staging
    assert unknown.exit_code == 2 and "no environment 'staging'" in unknown.output
