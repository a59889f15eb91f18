"""finesse rebase (issue 19, item 4): two branches each planned 0002; after the merge, one command takes this
branch's revision off the developer's database, applies the other branch's, and plans this branch's change
again on top of it with its data section kept."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema.cli import main
from finesse_schema.db.migrations import current_revision

from tests.pg import fresh_database, query

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="no git")

BASE = """tables:
  t:
    columns:
      id: {type: integer, primary_key: true}
      note: text
  z:
    columns:
      id: {type: integer, primary_key: true}
"""
MINE = BASE.replace("      note: text\n", "      note: text\n      tag: text\n")
THEIRS_TABLE = "  u:\n    columns:\n      id: {type: integer, primary_key: true}\n"
DATA = '    _run("UPDATE t SET tag = \'rebased\'")'


def _finesse(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def _git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=project,
                          capture_output=True, text=True)


def _commit(project: Path, message: str) -> None:
    _git(project, "add", "-A")
    assert _git(project, "commit", "-qm", message).returncode == 0


def test_rebase_replans_this_branch_on_top_of_the_merged_one(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    project = tmp_path / "p"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    with (project / "pyproject.toml").open("a") as f:
        f.write(f'database_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    (project / "schema.yaml").write_text(BASE)
    _git(project, "init", "-q", "-b", "main")
    assert _finesse(project, "plan", "-q", "-m", "first").exit_code == 0
    assert _finesse(project, "apply", "-q").exit_code == 0
    _commit(project, "0001")
    # this branch: a column and the data that fills it, applied on the developer's database
    _git(project, "checkout", "-qb", "feature")
    (project / "schema.yaml").write_text(MINE)
    assert _finesse(project, "plan", "-q", "-m", "tag").exit_code == 0
    mine = project / "migrations" / "versions" / "0002_tag.py"
    mine.write_text(mine.read_text().replace('before the contract ones."""', 'before the contract ones."""\n' + DATA))
    assert _finesse(project, "hash").exit_code == 0
    assert _finesse(project, "apply", "-q").exit_code == 0
    _commit(project, "tag")
    # the other branch, planned against its own database: a table
    _git(project, "checkout", "-q", "main")
    (project / "schema.yaml").write_text(BASE + THEIRS_TABLE)
    with fresh_database(pg_admin, "main") as main_db:
        assert _finesse(project, "apply", "-q", "--database-url", main_db).exit_code == 0
        assert _finesse(project, "plan", "-q", "-m", "u", "--database-url", main_db).exit_code == 0
    _commit(project, "u")
    _git(project, "checkout", "-q", "feature")
    _git(project, "merge", "-q", "main")  # finesse.sum conflicts (as it should); schema.yaml merges
    assert (project / "schema.yaml").read_text() == MINE + THEIRS_TABLE
    assert _finesse(project, "status", "-q").exit_code == 2  # revision id 0002 is used twice
    out = _finesse(project, "rebase", "-q")
    assert out.exit_code == 0, out.output
    assert "Took 0002 off the database" in out.output and "0003_tag.py" in out.output, out.output
    files = sorted(p.name for p in (project / "migrations" / "versions").glob("*.py"))
    assert files == ["0001_first.py", "0002_u.py", "0003_tag.py"], files
    rebased = (project / "migrations" / "versions" / "0003_tag.py").read_text()
    assert DATA in rebased and 'down_revision = "0002"' in rebased
    assert current_revision(live_db) == "0002" and query(live_db, "SELECT to_regclass('public.u')") != [(None,)]
    assert _finesse(project, "apply", "-q").exit_code == 0
    status = _finesse(project, "status", "-q")
    assert status.exit_code == 0 and "matches schema.yaml" in status.output, status.output
    assert _finesse(project, "down", "-q", "--allow-destructive").exit_code == 0
    assert current_revision(live_db) == "0002"


def test_rebase_without_a_merge_asks_which_revisions_are_this_branchs(tmp_path: Path) -> None:
    project = tmp_path / "p"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    out = _finesse(project, "rebase")
    assert out.exit_code == 2 and "finesse rebase 0005_my_change.py" in out.output, out.output
    assert not (project / ".finesse").exists()
