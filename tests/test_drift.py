"""finesse drift: a database, the migrations or generated/ that drifted from schema.yaml, for CI.

Exit 0 in sync, 1 on drift, 2 on error; the difference as a summary and as SQL, or as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema import api
from finesse_schema.cli import main

from tests.pg import query, run_sql

V1 = """tables:
  users:
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      email: {type: text, nullable: false}
"""
V2 = V1 + """      name: text
"""


@pytest.fixture
def project(tmp_path: Path, live_db: str, pg_admin: str):  # type: ignore[no-untyped-def]
    """A project whose one revision is applied on ``live_db``: (its folder, the drift command's arguments)."""
    (tmp_path / "schema.yaml").write_text(V1)
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    settings = api.find_settings(tmp_path)
    api.plan(settings, message="users")
    api.apply(settings)
    return tmp_path, ["--project", str(tmp_path), "drift"]


def _run(args: list[str]) -> tuple[int, str]:
    """(exit code, what was printed on stdout and stderr)."""
    out = CliRunner().invoke(main, args)
    return out.exit_code, out.output


def _json(args: list[str]) -> dict:
    out = CliRunner().invoke(main, args + ["--format", "json"])
    return json.loads(out.stdout)


def test_in_sync_is_exit_0(project) -> None:  # type: ignore[no-untyped-def]
    _, args = project
    code, text = _run(args)
    assert code == 0, text
    assert "matches schema.yaml" in text and "drift: none" in text
    data = _json(args)
    assert data["drifted"] is False and data["database"]["in_sync"] is True
    assert data["database"]["edited"] == [] and data["database"]["hashes_recorded"] is True


def test_a_change_made_by_hand_is_drift_with_its_sql(project, live_db: str) -> None:  # type: ignore[no-untyped-def]
    _, args = project
    run_sql(live_db, "ALTER TABLE users ADD COLUMN nickname text; CREATE INDEX users_email_idx ON users (email)")
    code, text = _run(args)
    assert code == 1, text
    assert "differs from schema.yaml" in text
    assert "drop column public.users.nickname" in text and 'drop index if exists "public"."users_email_idx"' in text
    data = _json(args)
    labels = [c["label"] for c in data["database"]["changes"]]
    assert data["drifted"] and any("nickname" in label for label in labels), labels


def test_pending_revisions_and_an_unplanned_schema_are_drift(project) -> None:  # type: ignore[no-untyped-def]
    folder, args = project
    (folder / "schema.yaml").write_text(V2)
    code, text = _run(args)
    assert code == 1 and "create column public.users.name" in text
    api.plan(api.find_settings(folder), message="name")  # planned, not applied
    data = _json(args)
    assert data["database"]["pending"] == ["0002"] and data["drifted"]


def test_a_revision_edited_after_it_was_applied_is_told_by_its_hash(project) -> None:  # type: ignore[no-untyped-def]
    folder, args = project
    revision = next((folder / "migrations" / "versions").glob("0001_*.py"))
    revision.write_text(revision.read_text() + "\n# an edit after the fact\n")
    code, text = _run(args)
    assert code == 1 and "revision 0001: its file changed after it was applied" in text
    revision.unlink()
    code, text = _run(args)
    assert code in (1, 2) and "0001" in text, text


def test_migrations_replayed_must_give_schema_yaml(project) -> None:  # type: ignore[no-untyped-def]
    folder, args = project
    code, text = _run(args + ["--migrations", "--no-database"])
    assert code == 0 and "they give schema.yaml" in text, text
    (folder / "schema.yaml").write_text(V2)  # edited, not planned
    code, text = _run(args + ["--migrations"])
    assert code == 1 and "do not give schema.yaml" in text and "database " not in text.split("migrations:")[0]
    api.plan(api.find_settings(folder), message="name")
    assert _run(args + ["--migrations"])[0] == 0
    revision = next((folder / "migrations" / "versions").glob("0002_*.py"))  # a hand edit that drops the change
    revision.write_text(revision.read_text().replace('add column "name" text', 'add column "full_name" text'))
    code, text = _run(args + ["--migrations"])
    assert code == 1 and "full_name" in text, text


def test_stale_generated_files_are_drift(project) -> None:  # type: ignore[no-untyped-def]
    folder, args = project
    assert _run(args + ["--generated"])[0] == 1  # nothing generated yet
    settings = api.find_settings(folder)
    api.docs(settings)
    api.generate(settings)
    code, text = _run(args + ["--generated"])
    assert code == 0 and "generated: current" in text, text
    (folder / "schema.yaml").write_text(V2)
    data = _json(args + ["--generated"])
    assert data["drifted"] and "tables/public.users.md: out of date" in data["generated"]["stale"]


def test_errors_are_exit_2(project) -> None:  # type: ignore[no-untyped-def]
    folder, args = project
    (folder / "schema.yaml").write_text("tables:\n  users:\n    columns:\n      id: {type: uuuid}\n")
    code, text = _run(args)
    assert code == 2 and "schema.yaml:4" in text
    code, text = _run(args + ["--no-database"])
    assert code == 2 and "nothing to compare" in text
    (folder / "schema.yaml").write_text(V1)
    code, text = _run(args + ["--database-url", "postgresql://nobody@127.0.0.1:1/none"])
    assert code == 2 and "cannot" in text


def test_an_extension_declared_not_managed_is_neither_drift_nor_planned(  # type: ignore[no-untyped-def]
        project, live_db: str) -> None:
    """A platform installs extensions schema.yaml does not create (pgcrypto on the shop's server, but not on the
    embedded one): declared managed: false, a database with it is in sync, and plans neither drop nor create it."""
    folder, args = project
    free = query(live_db, "SELECT name FROM pg_available_extensions WHERE installed_version IS NULL "
                          "AND name <> 'plpgsql' ORDER BY name = 'pgcrypto' DESC, name LIMIT 1")
    if not free:
        pytest.skip("this server ships no extension to install")
    ext = free[0][0]
    run_sql(live_db, f'CREATE EXTENSION "{ext}"')
    code, text = _run(args)
    assert code == 1 and f"drop extension {ext}" in text, text  # undeclared, finesse would drop it
    (folder / "schema.yaml").write_text(f"extensions:\n  - {{name: {ext}, managed: false}}\n" + V1)
    code, text = _run(args)
    assert code == 0, text
    (folder / "schema.yaml").write_text(f"extensions:\n  - {{name: {ext}, managed: false}}\n" + V2)
    result = api.plan(api.find_settings(folder), message="name")  # verified on a copy that has the extension
    assert [c.label for c in result.plan.upgrade] == ["create column public.users.name"], result.plan.upgrade
    api.apply(api.find_settings(folder))
    assert query(live_db, f"SELECT count(*) FROM pg_extension WHERE extname = '{ext}'") == [(1,)]
    assert _run(args)[0] == 0
