"""Nothing is lost on bad input or failure: the live database, the revision table and the
migrations folder are exactly as before, and no scratch database is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from finesse_schema import api
from finesse_schema.core.errors import DatabaseError, FinesseError, InputError
from finesse_schema.db.migrations import current_revision

from tests.conftest import make_settings
from tests.pg import query, run_sql

SCHEMA = """
tables:
  items:
    columns:
      id: {type: integer, primary_key: true}
      price: {type: numeric, default: 0}
"""


def _scratch_databases(admin: str) -> list[str]:
    return [r[0] for r in query(admin, "SELECT datname FROM pg_database WHERE datname LIKE 'finesse_scratch_%'")]


def _project(tmp_path: Path, schema: str, live: str, admin: str):
    (tmp_path / "schema.yaml").write_text(schema)
    return make_settings(tmp_path, tmp_path / "schema.yaml", database_url=live, dev_url=admin)


def test_bad_expression_points_at_yaml_and_changes_nothing(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _project(tmp_path, SCHEMA.replace("default: 0", "default: nw()"), live_db, pg_admin)
    with pytest.raises(InputError) as err:
        api.plan(settings, message="bad")
    text = str(err.value)
    assert "schema.yaml:6:" in text and "tables.items" in text and "nw()" in text
    assert not list((tmp_path / "migrations" / "versions").glob("*.py"))
    assert query(live_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    assert _scratch_databases(pg_admin) == []


def test_failing_revision_rolls_back_everything(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _project(tmp_path, SCHEMA, live_db, pg_admin)
    first = api.plan(settings, message="items")
    api.apply(settings)
    # a hand-edited second revision whose last statement fails
    broken = first.revision_text.replace('revision = "0001"', 'revision = "0002"').replace(
        "down_revision = None", 'down_revision = "0001"')
    broken = broken.replace("def upgrade() -> None:\n",
                            "def upgrade() -> None:\n    _run('CREATE TABLE should_vanish (id int)')\n"
                            "    _run('ALTER TABLE items ADD COLUMN x int')\n"
                            "    _run('SELECT 1/0')\n", 1)
    broken = broken.split("def upgrade")[0] + "def upgrade" + broken.split("def upgrade")[1].split("    # create")[0] + \
        "\n\ndef downgrade() -> None:\n    pass\n"
    (tmp_path / "migrations" / "versions" / "0002_broken.py").write_text(broken)
    with pytest.raises(DatabaseError) as err:
        api.apply(settings)
    assert "division by zero" in str(err.value)
    assert current_revision(live_db) == "0001"
    assert query(live_db, "SELECT to_regclass('should_vanish') IS NULL") == [(True,)]
    assert query(live_db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'x'") == [(0,)]


def test_plan_refuses_while_revisions_are_pending(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _project(tmp_path, SCHEMA, live_db, pg_admin)
    api.plan(settings, message="items")
    with pytest.raises(FinesseError, match="pending; run 'finesse apply' first"):
        api.plan(settings, message="again")


def test_nothing_to_do_writes_nothing(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    run_sql(live_db, "CREATE TABLE items (id integer PRIMARY KEY, price numeric DEFAULT 0)")
    settings = _project(tmp_path, SCHEMA, live_db, pg_admin)
    result = api.plan(settings, message="noop")
    assert result.plan.empty and not result.written
    assert not list((tmp_path / "migrations" / "versions").glob("*.py"))
    assert _scratch_databases(pg_admin) == []


def test_dry_run_writes_nothing(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _project(tmp_path, SCHEMA, live_db, pg_admin)
    result = api.plan(settings, message="dry", dry_run=True)
    assert not result.written and result.revision_text and not result.revision_path.exists()


def test_down_without_revisions_is_an_error(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    settings = _project(tmp_path, SCHEMA, live_db, pg_admin)
    with pytest.raises(FinesseError, match="nothing to revert"):
        api.down(settings, allow_destructive=True)


def test_a_failed_revision_says_what_stayed_outside_its_transaction(tmp_path: Path, live_db: str,
                                                                    pg_admin: str) -> None:
    """An offline revision that adds an enum value (outside its transaction: PostgreSQL cannot use a value in
    the transaction that adds it) and then fails: the error names the revision, the statement and the value
    that stayed, and the next apply converges."""
    run_sql(live_db, "CREATE TYPE status AS ENUM ('new', 'done'); "
                     "CREATE TABLE tasks (id integer PRIMARY KEY, status status NOT NULL, code text)")
    (tmp_path / "schema.yaml").write_text(
        "enums:\n  status: [new, doing, done]\ntables:\n  tasks:\n    columns:\n      id: {type: integer, "
        "primary_key: true}\n      status: {type: status, nullable: false}\n      code: {type: text, unique: true}\n")
    settings = make_settings(tmp_path, tmp_path / "schema.yaml", database_url=live_db, dev_url=pg_admin)
    result = api.plan(settings, message="doing")
    run_sql(live_db, "INSERT INTO tasks VALUES (1, 'new', 'x'), (2, 'new', 'x')")  # after the plan measured
    with pytest.raises(DatabaseError) as failed:
        api.apply(settings)
    message = str(failed.value)
    assert f"revision {result.revision_id} failed" in message and "CREATE UNIQUE INDEX" in message.upper()
    assert "stay: alter type" in message and "'doing'" in message and "apply again" in message
    assert query(live_db, "SELECT enum_range(NULL::status)::text") == [("{new,doing,done}",)]  # it stayed
    assert current_revision(live_db) is None
    run_sql(live_db, "UPDATE tasks SET code = 'y' WHERE id = 2")
    assert api.apply(settings) == [result.revision_id]
    assert api.status(settings).in_sync
