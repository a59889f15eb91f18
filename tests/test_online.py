"""Online plans on a busy table: nobody waits longer than lock_timeout, nothing is lost, a stopped apply resumes.

The case is ``fixtures/online/busy_table``: 1,000,000 rows that gain a NOT NULL, a foreign key, a check
and two indexes. ``steps.txt`` there is the golden list of the online plan's steps (--update-golden).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from finesse_schema import api
from finesse_schema.core.errors import DatabaseError, FinesseError, RefusedError
from finesse_schema.db.connect import connect
from finesse_schema.logic.plan.online import OnlineMode

from tests.conftest import FIXTURES, make_settings
from tests.pg import fresh_database, query, run_sql

BUSY = FIXTURES / "online" / "busy_table"
LOCK_TIMEOUT_S = 0.2


@pytest.fixture
def busy_db(pg_admin: str) -> str:
    with fresh_database(pg_admin, "busy") as url:
        run_sql(url, (BUSY / "before.sql").read_text())
        yield url


def _settings(tmp_path: Path, schema: Path, url: str, admin: str, **kw):  # type: ignore[no-untyped-def]
    return replace(make_settings(tmp_path, schema, database_url=url, dev_url=admin),
                   lock_timeout=f"{int(LOCK_TIMEOUT_S * 1000)}ms", **kw)


def _assert_converged(settings, url: str) -> None:  # type: ignore[no-untyped-def]
    st = api.status(settings)
    assert st.in_sync, [c.label for c in st.plan.upgrade]
    assert not st.pending
    assert query(url, "SELECT count(*) FROM finesse.online_steps") == [(0,)]
    assert query(url, "SELECT count(*) FROM pg_index WHERE NOT indisvalid") == [(0,)]


def test_busy_table_plans_online_and_the_writer_is_never_blocked(busy_db: str, pg_admin: str, tmp_path: Path,
                                                                 update_golden: bool) -> None:
    settings = _settings(tmp_path, BUSY / "schema.yaml", busy_db, pg_admin)
    result = api.plan(settings, message="integrity")  # online by default: the table is above online_above_rows
    assert result.plan.online
    steps = "".join(f"{c.label}\n" for c in result.plan.upgrade)
    if update_golden:
        (BUSY / "steps.txt").write_text(steps)
    assert steps == (BUSY / "steps.txt").read_text()
    assert not [f for f in result.plan.findings if f.code in ("FL121", "FL122")], result.plan.findings
    assert all("code that still writes nulls" in f.message for f in result.plan.findings if f.code == "FL113")

    stop, waits, written, errors = threading.Event(), [], [0], []

    def writer() -> None:
        try:
            with connect(busy_db) as conn:
                # a lock wait is what is measured, not the disk: commits need not wait for a flush
                conn.execute("SET synchronous_commit = off")
                while not stop.is_set():
                    started = time.perf_counter()
                    conn.execute("INSERT INTO events (user_id, kind, amount) VALUES (7, 'order', 5)")
                    waits.append(time.perf_counter() - started)
                    written[0] += 1
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    try:
        assert api.apply(settings) == [result.revision_id]
    finally:
        time.sleep(0.3)
        stop.set()
        thread.join()
    assert not errors, errors
    print(f"writer: {written[0]} rows written during the apply, longest wait {max(waits) * 1000:.1f} ms")
    assert written[0] > 100, "the writer hardly ran"
    assert max(waits) < LOCK_TIMEOUT_S + 0.1, f"the writer waited {max(waits):.3f}s"
    assert query(busy_db, "SELECT count(*) FROM events") == [(1_000_000 + written[0],)]
    _assert_converged(settings, busy_db)


def test_killed_apply_is_finished_by_the_next_one(busy_db: str, pg_admin: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.finesse]\nschema = "{BUSY / "schema.yaml"}"\ndatabase_url = "{busy_db}"\ndev_url = "{pg_admin}"\n'
        f'lock_timeout = "{int(LOCK_TIMEOUT_S * 1000)}ms"\n')
    settings = api.find_settings(tmp_path)
    result = api.plan(settings, message="integrity")
    n = len(result.plan.upgrade)
    seed = int(os.environ.get("FINESSE_TEST_SEED", time.time_ns() % 10**6))
    kill_at = random.Random(seed).randint(1, n - 1)
    print(f"seed {seed}: killing the apply at step {kill_at} of {n}")
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema", "--project", str(tmp_path), "apply"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while True:
        running = query(busy_db, "SELECT substring(query from '^/\\* finesse \\S+ step (\\d+)') FROM pg_stat_activity "
                                 "WHERE query LIKE '/* finesse %' AND state = 'active'")
        done = query(busy_db, "SELECT count(*) FROM finesse.online_steps" if query(
            busy_db, "SELECT to_regclass('finesse.online_steps')")[0][0] else "SELECT 0")[0][0]
        if any(r[0] and int(r[0]) >= kill_at for r in running) or done >= kill_at:
            break
        assert proc.poll() is None, f"apply finished before step {kill_at}: {proc.communicate()}"
        assert time.monotonic() < deadline, "apply never reached the step"
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # a killed client's statement would run on in its server session; end it as a crash would
    query(busy_db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND pid <> pg_backend_pid()")
    assert api.status(settings, compare=False).current is None  # the revision is not recorded as applied
    assert api.apply(settings) == [result.revision_id]
    assert query(busy_db, "SELECT count(*) FROM events") == [(1_000_000,)]
    _assert_converged(settings, busy_db)


SMALL = """CREATE TABLE codes (id integer PRIMARY KEY, code text);
INSERT INTO codes SELECT g, 'c' || g FROM generate_series(1, 1000) g;"""
SMALL_YAML = """tables:
  codes:
    columns:
      id: {type: integer, primary_key: true}
      code: text
    indexes:
      - {columns: [code], unique: true}
    checks:
      - {name: code_shape, expression: "code LIKE 'c%'"}
"""


def test_failed_concurrent_build_is_dropped_and_rebuilt(live_db: str, pg_admin: str, tmp_path: Path) -> None:
    run_sql(live_db, SMALL)
    (tmp_path / "schema.yaml").write_text(SMALL_YAML)
    settings = _settings(tmp_path, tmp_path / "schema.yaml", live_db, pg_admin)
    result = api.plan(settings, online=OnlineMode.ON)
    assert result.plan.online and any(c.reason.startswith("concurrently") for c in result.plan.upgrade)
    run_sql(live_db, "INSERT INTO codes VALUES (1001, 'c1')")  # the data changed between plan and apply
    with pytest.raises(DatabaseError, match="stopped midway.*apply again continues"):
        api.apply(settings)
    assert query(live_db, "SELECT count(*) FROM pg_index WHERE NOT indisvalid") == [(1,)]  # the failed build's leftover
    with pytest.raises(FinesseError, match="partly applied"):  # its recorded steps would not match a new plan
        api.plan(settings, online=OnlineMode.ON, replace_pending=True)
    run_sql(live_db, "DELETE FROM codes WHERE id = 1001")
    assert api.apply(settings) == [result.revision_id]
    _assert_converged(settings, live_db)


@pytest.mark.parametrize("retries", [5, 0])
def test_a_lock_not_granted_is_retried_with_back_off(retries: int, live_db: str, pg_admin: str,
                                                      tmp_path: Path) -> None:
    run_sql(live_db, SMALL)
    (tmp_path / "schema.yaml").write_text(SMALL_YAML)
    settings = _settings(tmp_path, tmp_path / "schema.yaml", live_db, pg_admin, lock_retries=retries)
    result = api.plan(settings, online=OnlineMode.ON)
    holder = connect(live_db, autocommit=False)
    with holder as conn:
        conn.execute("LOCK TABLE codes IN ROW EXCLUSIVE MODE")  # an application transaction that lasts a while
        release = threading.Timer(1.0, conn.rollback)
        release.start()
        started = time.monotonic()
        try:
            if retries:
                assert api.apply(settings) == [result.revision_id]
                assert time.monotonic() - started >= 0.9  # it waited for the holder, in short attempts
            else:
                with pytest.raises(DatabaseError, match="lock timeout"):
                    api.apply(settings)
        finally:
            release.join()
    if retries:
        _assert_converged(settings, live_db)


def test_a_stopped_online_revision_is_the_head_for_down(live_db: str, pg_admin: str, tmp_path: Path) -> None:
    """An online revision stopped midway: down refuses (it used to revert the revision below it, dropping the
    table and its rows, and the stopped revision's done steps made a later apply skip steps); apply finishes
    it; then down reverts it whole and forgets its steps in the version's transaction."""
    (tmp_path / "schema.yaml").write_text("tables:\n  codes:\n    columns:\n      id: {type: integer, "
                                          "primary_key: true}\n      code: text\n")
    settings = _settings(tmp_path, tmp_path / "schema.yaml", live_db, pg_admin)
    first = api.plan(settings, message="codes", online=OnlineMode.OFF)
    api.apply(settings)
    run_sql(live_db, "INSERT INTO codes SELECT g, 'c' || g FROM generate_series(1, 5000) g")
    (tmp_path / "schema.yaml").write_text(SMALL_YAML)
    second = api.plan(settings, message="unique codes", online=OnlineMode.ON)
    run_sql(live_db, "INSERT INTO codes VALUES (5001, 'c1')")  # a duplicate arrives between plan and apply
    with pytest.raises(DatabaseError, match="stopped midway"):
        api.apply(settings)
    with pytest.raises(RefusedError, match=f"{second.revision_id}.*stopped midway.*finesse apply to finish it"):
        api.down(settings, allow_destructive=True)
    assert query(live_db, "SELECT count(*) FROM codes") == [(5001,)]  # nothing was reverted
    assert api.status(settings, compare=False).current == first.revision_id
    run_sql(live_db, "DELETE FROM codes WHERE id = 5001")
    assert api.apply(settings) == [second.revision_id]
    _assert_converged(settings, live_db)
    assert api.down(settings, allow_destructive=True) == [second.revision_id]
    assert query(live_db, "SELECT count(*) FROM finesse.online_steps") == [(0,)]
    assert query(live_db, "SELECT count(*) FROM codes") == [(5000,)]


def test_steps_recorded_for_a_revision_that_does_not_come_next_are_refused(live_db: str, pg_admin: str,
                                                                          tmp_path: Path) -> None:
    """Done steps of an online revision whose base was taken down since (by plain Alembic, by hand) are not
    skipped: apply says so instead of recording the revision with steps missing."""
    run_sql(live_db, SMALL)
    (tmp_path / "schema.yaml").write_text(SMALL_YAML)
    settings = _settings(tmp_path, tmp_path / "schema.yaml", live_db, pg_admin)
    result = api.plan(settings, online=OnlineMode.ON)
    run_sql(live_db, "CREATE SCHEMA IF NOT EXISTS finesse; CREATE TABLE finesse.online_steps (revision text, "
                     "step integer, done_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (revision, step)); "
                     "INSERT INTO finesse.online_steps VALUES ('0009', 1)")
    with pytest.raises(DatabaseError, match="0009, which does not come next"):
        api.apply(settings)
    run_sql(live_db, "DELETE FROM finesse.online_steps")
    assert api.apply(settings) == [result.revision_id]
