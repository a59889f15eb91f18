"""Safe under attack: schema.yaml's SQL stays in its place, passwords stay off command lines and out of output,
odd names survive every command.

Bad SQL and their located errors are golden files (fixtures/errors/sql_outside_its_place.*); literals that must
arrive as written are the plan case fixtures/plan/quoted_literals; this file runs the rest on a real server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote as url_quote

import pytest
from click.testing import CliRunner

from finesse_schema.cli import main
from finesse_schema.db import dump as dump_module
from finesse_schema.db.connect import mask_url
from finesse_schema.db.dump import dump_schema
from finesse_schema.db.embedded import embedded_bin_dir

from tests.conftest import FIXTURES
from tests.pg import local_server, query, run_sql


def _project(tmp_path: Path, schema: str, live: str, admin: str) -> Path:
    (tmp_path / "schema.yaml").write_text(schema)
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live}"\ndev_url = "{admin}"\n')
    return tmp_path


def _run(project: Path, *args: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["--project", str(project), *args])
    assert "Traceback" not in result.output, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result


INJECTED = """tables:
  t:
    columns:
      id: {type: integer, primary_key: true, default: "0); create table zz (a int); create table zz2 (b int"}
    checks: ["id > 0)); comment on database %s is 'x'; select ((1"]
"""


@pytest.mark.parametrize("command", [["status"], ["plan", "-m", "x"], ["drift"], ["check"],
                                     ["docs"], ["test"]])
def test_sql_from_schema_yaml_never_runs_outside_its_place(command: list[str], tmp_path: Path, live_db: str,
                                                           pg_admin: str) -> None:
    dbname = query(live_db, "SELECT current_database()")[0][0]
    project = _project(tmp_path, INJECTED % dbname, live_db, pg_admin)
    result = _run(project, *command, "-q") if command[0] not in ("check", "docs") else _run(project, *command)
    assert result.exit_code == 2, result.output
    assert "is not one SQL expression" in result.output
    assert query(live_db, "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                          "WHERE datname = current_database()") == [(None,)]
    assert query(live_db, "SELECT count(*) FROM pg_class WHERE relname IN ('zz', 'zz2', 't')") == [(0,)]
    assert not (project / "migrations" / "versions").exists() or not list((project / "migrations").rglob("0*.py"))


def test_a_materialized_view_query_does_not_run_where_schema_yaml_is_materialized(tmp_path: Path, live_db: str,
                                                                                  pg_admin: str) -> None:
    """status, plan and drift build schema.yaml in a scratch database; a materialized view's query runs only
    where the revision creates it for real."""
    project = _project(tmp_path, "views:\n  boom: {materialized: true, definition: 'SELECT 1 / 0 AS x'}\n",
                       live_db, pg_admin)
    result = _run(project, "status", "-q")
    assert result.exit_code == 1, result.output  # pending: the database lacks the view; nothing failed
    assert "division by zero" not in result.output


# ---- passwords -----------------------------------------------------------------------------------------------
MASKED = [
    ("postgresql://u:secret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:se/cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:se@cret@h:5432/db", "postgresql://u:***@h:5432/db"),
    ("postgresql://u:se:cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:se%2Fcret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:se?cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:secret@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db"),
    ("postgresql://u@h/db?password=secret", "postgresql://u@h/db?password=***"),
    ("postgresql://u@h/db?sslmode=require&PASSWORD=secret", "postgresql://u@h/db?sslmode=require&PASSWORD=***"),
    ("postgresql://u@h/db?Password=secret&x=1", "postgresql://u@h/db?Password=***&x=1"),
    ("postgres://u:secret@h/db", "postgres://u:***@h/db"),
    ("postgresql+psycopg://u:secret@h/db", "postgresql+psycopg://u:***@h/db"),
    ("host=h password=secret dbname=d", "host=h password=*** dbname=d"),
    ("host=h PASSWORD = 'se cret' dbname=d", "host=h PASSWORD = *** dbname=d"),
    ("cannot connect to postgresql://u:secret@h/db: timeout", "cannot connect to postgresql://u:***@h/db: timeout"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
]


@pytest.mark.parametrize("given, shown", MASKED, ids=[m[0] for m in MASKED])
def test_every_form_of_password_is_masked(given: str, shown: str) -> None:
    assert mask_url(given) == shown
    assert "secret" not in shown and "cret" not in shown


def test_a_url_libpq_cannot_read_is_an_input_error_without_the_password(tmp_path: Path) -> None:
    (tmp_path / "schema.yaml").write_text("tables: {}\n")
    (tmp_path / "pyproject.toml").write_text("[tool.finesse]\n")
    result = _run(tmp_path, "status", "--database-url", "postgresql://u@localhost/db?PASSWORD=topsecret")
    assert result.exit_code == 2
    assert "topsecret" not in result.output and "PASSWORD=***" in result.output


def test_pg_dump_gets_the_password_in_a_passfile_never_on_its_command_line(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that asks for the password: pg_dump can dump only if the password reached it, and its command
    line (what ps shows every local user) never holds it."""
    password = "p@ss/w:rd\\x"
    seen: list[list[str]] = []
    real = subprocess.run

    def spy(args, **kw):  # type: ignore[no-untyped-def]
        seen.append([str(a) for a in args])
        return real(args, **kw)

    monkeypatch.setattr(dump_module.subprocess, "run", spy)
    with local_server(embedded_bin_dir(), tmp_path / "server", password=password) as url:
        secured = url.replace("postgres@", f"postgres:{url_quote(password, safe='')}@")
        run_sql(secured, "CREATE TABLE kept (id integer)")
        dump = dump_schema(secured)
    assert 'CREATE TABLE public.kept' in dump or 'CREATE TABLE "public"."kept"' in dump
    dumps = [args for args in seen if "--schema-only" in args]
    assert dumps and all(password not in " ".join(a) and url_quote(password, safe="") not in " ".join(a)
                         for a in dumps)


# ---- names ---------------------------------------------------------------------------------------------------
def test_odd_names_go_through_every_command(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    """Quotes, spaces, upper case, unicode, reserved words, 63-byte names, in tables, columns, keys, indexes,
    enums and views: plan, apply, status, drift, check, docs, generate, the stairway, import, down."""
    project = _project(tmp_path, (FIXTURES / "odd_names" / "schema.yaml").read_text(), live_db, pg_admin)
    steps = [(["plan", "-m", "odd names", "-q"], 0), (["apply", "-q"], 0), (["status", "-q"], 0),
             (["drift", "-q"], 0), (["check", "--live", "-q"], None), (["docs", "-q"], 0), (["generate", "-q"], 0),
             (["test", "-q"], 0), (["import", "-o", str(tmp_path / "imported.yaml"), "-q"], 0),
             (["down", "-q"], 0), (["status", "-q", "--format", "json"], 1), (["apply", "-q"], 0),
             (["status", "-q"], 0)]
    for args, code in steps:
        result = _run(project, *args)
        if code is not None:
            assert result.exit_code == code, (args, result.output)
        else:
            assert result.exit_code in (0, 1), (args, result.output)
    status = json.loads(_run(project, "status", "-q", "--format", "json").output)
    assert status["in_sync"], status
    imported = (tmp_path / "imported.yaml").read_text()
    assert 'a"b' in imported and "ünïcödé" in imported and "l" * 63 in imported
    assert shutil.which  # the folder of generated files exists too
    assert (project / "generated" / "README.md").exists()


# ---- the migration lock --------------------------------------------------------------------------------------
def test_a_held_migration_lock_names_its_holder_and_whether_its_process_is_gone(tmp_path: Path, live_db: str,
                                                                               pg_admin: str) -> None:
    from finesse_schema.db.connect import connect
    from finesse_schema.db.migration_lock import LOCK_KEY
    from finesse_schema.db.migrations import RunSettings, upgrade
    from finesse_schema.db.processes import host_tag

    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    with connect(live_db) as holder:  # a killed apply's session: its process (pid 999999 here) is gone
        holder.execute("SELECT set_config('application_name', %s, false)",
                       (f"finesse apply 999999/1@{host_tag()} somewhere",))
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        pid = holder.info.backend_pid
        with pytest.raises(Exception) as refused:
            upgrade(live_db, tmp_path / "migrations", settings=RunSettings(lock_wait_seconds=1))
    message = str(refused.value)
    assert f"server pid {pid}" in message and "finesse apply 999999/1" in message
    assert "is gone" in message and f"pg_terminate_backend({pid})" in message and "--wait" in message


def test_the_lock_of_a_killed_apply_is_released_soon(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    """A killed apply's server session would run on until its statement ends, holding the lock; it checks
    that its client is there (PostgreSQL 14+), so the next apply gets the lock within seconds."""
    import signal
    import sys
    import time

    project = _project(tmp_path, "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n",
                       live_db, pg_admin)
    assert _run(project, "plan", "-m", "t", "-q").exit_code == 0
    revision = next((project / "migrations" / "versions").glob("0001_*.py"))
    original = revision.read_text()
    revision.write_text(original.replace('    """Data changes between the upgrade\'s steps: after the expand '
                                         'changes, before the contract ones."""',
                                         '    """Sleeps."""\n    op.execute("SELECT pg_sleep(120)")'))
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema", "--project", str(project), "apply", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not query(live_db, "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' "
                             "AND application_name LIKE 'finesse apply%'"):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    revision.write_text(original)
    started = time.monotonic()
    result = _run(project, "apply", "-q", "--wait")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30  # not the 120 s the dead session's statement had left
    assert query(live_db, "SELECT count(*) FROM pg_tables WHERE tablename = 't'") == [(1,)]
