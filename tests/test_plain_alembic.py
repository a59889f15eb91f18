"""A finesse project under plain Alembic (issue 19, item 7), finesse init (item 8) and the offline script
(item 6): `alembic upgrade head`, `alembic downgrade -1` and `alembic current` run the revisions as finesse
apply does, online ones included; `finesse apply --sql` writes a script that psql runs to the same end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema.cli import main
from finesse_schema.db.dump import dump_differences, dump_schema
from finesse_schema.db.migrations import current_revision

from tests.pg import fresh_database, psql_path, query, run_sql

ROOT = Path(__file__).parent.parent
TABLE = "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n      note: text\n"


def _finesse(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def _alembic(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The alembic command line, as a user runs it in the project's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINESSE_DATABASE")}
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=project, capture_output=True, text=True,
                          env=env, timeout=300)


def test_init_starts_a_project_and_completes_an_older_one(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["init", str(tmp_path / "shop")], catch_exceptions=False)
    project = tmp_path / "shop"
    assert out.exit_code == 0, out.output
    for name in ("pyproject.toml", "schema.yaml", "finesse-schema.json", "migrations/env.py", "alembic.ini",
                 ".gitignore"):
        assert (project / name).is_file(), name
    assert (project / "schema.yaml").read_text().startswith("# yaml-language-server: $schema=./finesse-schema.json")
    assert ".finesse/" in (project / ".gitignore").read_text().splitlines()
    assert _finesse(project, "validate").exit_code == 0
    again = CliRunner().invoke(main, ["init", str(project)], catch_exceptions=False)
    assert again.exit_code == 0 and "nothing to write" in again.output
    (project / "alembic.ini").unlink()
    (project / "schema.yaml").write_text(TABLE)
    completed = CliRunner().invoke(main, ["init", str(project)], catch_exceptions=False)
    assert "wrote" in completed.output and "alembic.ini" in completed.output
    assert (project / "schema.yaml").read_text() == TABLE, "init overwrote a file that was there"
    assert not (project / ".finesse").exists(), "init started the embedded server"


def _project(tmp_path: Path, live_db: str, pg_admin: str, schema: str) -> Path:
    project = tmp_path / "p"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    (project / "schema.yaml").write_text(schema)
    with (project / "pyproject.toml").open("a") as f:
        f.write(f'dev_url = "{pg_admin}"\n')
    return project


def test_alembic_upgrades_downgrades_and_reads_a_finesse_project(tmp_path: Path, live_db: str,
                                                                 pg_admin: str) -> None:
    project = _project(tmp_path, live_db, pg_admin, TABLE)
    assert _finesse(project, "plan", "-m", "t", "--database-url", live_db, "-q").exit_code == 0
    url = ["-x", f"url={live_db}"]
    up = _alembic(project, *url, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    assert current_revision(live_db) == "0001", "the version table is not finesse's"
    assert query(live_db, "SELECT to_regclass('public.alembic_version')") == [(None,)]
    current = _alembic(project, *url, "current")
    assert current.returncode == 0 and "0001 (head)" in current.stdout, current.stdout + current.stderr
    status = _finesse(project, "status", "--database-url", live_db, "-q")
    assert status.exit_code == 0 and "matches schema.yaml" in status.output, status.output
    down = _alembic(project, *url, "downgrade", "-1")
    assert down.returncode == 0, down.stderr
    assert current_revision(live_db) is None and query(live_db, "SELECT to_regclass('public.t')") == [(None,)]
    missing = _alembic(project, "-x", "env=staging", "current")
    assert missing.returncode != 0 and "no environment 'staging'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_online_revisions_run_under_plain_alembic(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    run_sql(live_db, "CREATE TABLE t (id integer PRIMARY KEY, note text); "
                     "INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 1000) g")
    project = _project(tmp_path, live_db, pg_admin, TABLE.replace("note: text", "note: {type: text, nullable: false}")
                       + "    indexes:\n      - {name: t_note, columns: [note]}\n")
    planned = _finesse(project, "plan", "-m", "note required", "--online", "--database-url", live_db, "-q")
    assert planned.exit_code == 0, planned.output
    assert "_step(" in next((project / "migrations" / "versions").glob("*.py")).read_text()
    up = _alembic(project, "-x", f"url={live_db}", "upgrade", "head")
    assert up.returncode == 0, up.stderr
    assert query(live_db, "SELECT count(*) FROM finesse.online_steps") == [(0,)]
    assert query(live_db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_note'::regclass") == [(True,)]
    assert _finesse(project, "drift", "--database-url", live_db, "-q").exit_code == 0


def test_the_offline_script_builds_what_apply_builds(tmp_path: Path, pg_admin: str) -> None:
    """finesse apply --sql from base, run by psql, gives the shop's head exactly, recorded as finesse records
    it; Alembic's own --sql writes the same script."""
    psql = psql_path()
    if psql is None:
        pytest.skip("no psql")
    script = _finesse(ROOT, "apply", "--sql", "--from", "base")
    assert script.exit_code == 0, script.output
    alembic_script = _alembic(ROOT, "upgrade", "base:head", "--sql")
    assert alembic_script.returncode == 0, alembic_script.stderr
    assert alembic_script.stdout.split("\n", 1)[1] == script.output.split("\n", 1)[1]
    with fresh_database(pg_admin, "script") as by_script, fresh_database(pg_admin, "apply") as by_apply:
        (tmp_path / "up.sql").write_text(script.output)
        run = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(tmp_path / "up.sql"), by_script],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        assert _finesse(ROOT, "apply", "--database-url", by_apply, "-q").exit_code == 0
        assert dump_differences(dump_schema(by_apply), dump_schema(by_script)) == []
        assert current_revision(by_script) == current_revision(by_apply)
        assert query(by_script, "SELECT revision, sha256 FROM finesse.revision_hashes ORDER BY 1") == \
            query(by_apply, "SELECT revision, sha256 FROM finesse.revision_hashes ORDER BY 1")
        pending = _finesse(ROOT, "apply", "--sql", "--database-url", by_script)
        assert pending.exit_code == 0 and "-- revision" not in pending.output
        down = _finesse(ROOT, "down", "--sql", "--to", "0007", "--database-url", by_script)
        assert down.exit_code == 0 and "-- revision 0008" in down.output
        assert "UPDATE finesse.alembic_version SET version_num = '0007'" in down.output
    assert _finesse(ROOT, "apply", "--from", "0001").exit_code == 2  # --from only goes with --sql
