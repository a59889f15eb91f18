"""The desired schema's cache (issue 21): a hit only when nothing that makes the desired schema changed.

Each input of the key is changed in turn on a real server (schema.yaml, a setting that changes deparsing,
another server, finesse's own version) and the next status must miss; with nothing changed it must hit,
and a hit must plan exactly what a miss plans.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from finesse_schema import api
from finesse_schema.db.cache import store as cache_store
from finesse_schema.db.connect import connect

from tests.conftest import make_settings
from tests.pg import fresh_database, run_sql

SCHEMA = """tables:
  items:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: false, default: "'unnamed'::text"}
      due: {type: interval, default: "'1 day'::interval"}
    indexes:
      - [name]
views:
  named: "SELECT id, name FROM public.items WHERE due > '02:00:00'::interval"
"""
HIT = "the desired schema is cached"


def _status(settings) -> tuple[bool, object]:  # type: ignore[no-untyped-def]
    said: list[str] = []
    st = api.status(settings, progress=said.append)
    return any(HIT in s for s in said), st.plan


def _entries(project: Path) -> int:
    return len(list((project / ".finesse" / "cache" / "desired-v1").glob("*.pickle")))


@pytest.fixture
def project(tmp_path: Path, pg_admin: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FINESSE_NO_CACHE", raising=False)
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    with fresh_database(pg_admin, "cache") as url:
        run_sql(url, "CREATE TABLE items (id bigint PRIMARY KEY)")
        yield make_settings(tmp_path, tmp_path / "schema.yaml", database_url=url, dev_url=pg_admin)


def test_nothing_changed_is_a_hit_that_plans_what_a_miss_plans(project) -> None:  # type: ignore[no-untyped-def]
    hit, missed = _status(project)
    assert not hit and _entries(project.project_dir) == 1
    hit, again = _status(project)
    assert hit and _entries(project.project_dir) == 1
    assert [c.sql for c in again.upgrade] == [c.sql for c in missed.upgrade] and missed.upgrade  # type: ignore[attr-defined]
    planned = api.plan(project, dry_run=True)  # the verification runs against the cached desired schema
    assert planned.plan.verified and [c.sql for c in planned.plan.upgrade] == [c.sql for c in missed.upgrade]  # type: ignore[attr-defined]


def test_a_changed_schema_yaml_misses(project) -> None:  # type: ignore[no-untyped-def]
    _status(project)
    (project.project_dir / "schema.yaml").write_text(SCHEMA.replace("'1 day'", "'2 days'"))
    hit, plan = _status(project)
    assert not hit and _entries(project.project_dir) == 2
    assert any("2 days" in c.sql for c in plan.upgrade)  # type: ignore[attr-defined]


def test_a_setting_that_changes_deparsing_misses(project) -> None:  # type: ignore[no-untyped-def]
    _status(project)
    with connect(project.dev_url) as conn:
        role = conn.execute("SELECT current_user").fetchone()[0]
        conn.execute(f'ALTER ROLE "{role}" SET "IntervalStyle" = \'iso_8601\'')
    try:
        hit, _ = _status(project)
        assert not hit and _entries(project.project_dir) == 2
    finally:
        with connect(project.dev_url) as conn:
            conn.execute(f'ALTER ROLE "{role}" RESET "IntervalStyle"')
    hit, _ = _status(project)
    assert hit  # back as it was: the first entry again


def test_another_server_misses(project, contrib_admin: str) -> None:  # type: ignore[no-untyped-def]
    if contrib_admin == project.dev_url:
        pytest.skip("only one server here")
    _status(project)
    hit, _ = _status(replace(project, dev_url=contrib_admin))
    assert not hit and _entries(project.project_dir) == 2


def test_another_finesse_misses(project, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Another version, or a module of this checkout edited: finesse's fingerprint is part of every key."""
    _status(project)
    fingerprint = cache_store.code_fingerprint()
    monkeypatch.setattr(cache_store, "code_fingerprint", lambda: fingerprint + " edited")
    hit, _ = _status(project)
    assert not hit and _entries(project.project_dir) == 2


def test_a_damaged_entry_is_a_miss_and_goes(project) -> None:  # type: ignore[no-untyped-def]
    _status(project)
    entry = next((project.project_dir / ".finesse" / "cache" / "desired-v1").glob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    hit, _ = _status(project)
    assert not hit and _entries(project.project_dir) == 1 and entry.read_bytes() != b"not a pickle"


def test_finesse_no_cache_keeps_nothing(project, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FINESSE_NO_CACHE", "1")
    assert _status(project)[0] is False and _status(project)[0] is False
    assert not (project.project_dir / ".finesse" / "cache").exists()


def test_schema_yaml_is_compiled_once_per_content_and_a_mistake_is_never_cached(project) -> None:  # type: ignore[no-untyped-def]
    from finesse_schema.api.compile_cache import load_compiled
    from finesse_schema.core.errors import InputError

    first = load_compiled(project)
    assert load_compiled(project) == first  # the kept one: equal, model and DDL
    assert len(list((project.project_dir / ".finesse" / "cache" / "compiled-v1").glob("*.pickle"))) == 1
    path = project.project_dir / "schema.yaml"
    path.write_text(SCHEMA.replace("type: text", "type: textt"))
    for _ in range(2):
        with pytest.raises(InputError, match=r"schema.yaml:5:20 tables.items.columns.name.type: unknown type .textt."):
            load_compiled(project)
    path.write_text(SCHEMA)
    assert load_compiled(project) == first


PROVED = "this plan was proved on this same live schema before"


def _plan(settings) -> tuple[bool, list[str]]:  # type: ignore[no-untyped-def]
    said: list[str] = []
    result = api.plan(settings, dry_run=True, allow_destructive=True, progress=said.append)
    assert result.plan.verified
    return any(PROVED in s for s in said), [c.sql for c in result.plan.upgrade]


def test_a_plan_proved_on_the_same_live_schema_is_not_proved_again(project) -> None:  # type: ignore[no-untyped-def]
    proved, first = _plan(project)
    assert not proved
    again, second = _plan(project)
    assert again and second == first
    run_sql(project.database_url, "ALTER TABLE items ADD COLUMN extra integer")  # another live schema
    proved, third = _plan(project)
    assert not proved and third != first
    assert _plan(project)[0]


def test_a_schema_larger_than_one_transaction_s_locks_is_planned(tmp_path: Path, pg_admin: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Materializing and copying commit every few hundred objects: thousands of tables in one transaction ran
    out of the server's lock table (max_locks_per_transaction). Shown here with small chunks; the plan proves
    in place, so the copy is restored on its own."""
    from finesse_schema.db import dump, materialize

    monkeypatch.setattr(materialize, "CHUNK", 7)
    monkeypatch.setattr(dump, "OBJECTS_PER_TRANSACTION", 5)
    monkeypatch.setenv("FINESSE_NO_CACHE", "1")
    tables = "".join(f"  t{i}:\n    columns:\n      id: {{type: bigint, primary_key: true}}\n"
                     f"      up: {{type: bigint, references: t{max(i - 1, 0)}.id}}\n    indexes: [[up]]\n"
                     for i in range(30))
    (tmp_path / "schema.yaml").write_text("tables:\n" + tables)
    with fresh_database(pg_admin, "chunks") as url:
        run_sql(url, "".join(f"CREATE TABLE t{i} (id bigint PRIMARY KEY, up bigint REFERENCES t{max(i - 1, 0)} (id));"
                             f"CREATE INDEX ON t{i} (up);" for i in range(10)))  # the copy: 30 objects, 6 pieces
        settings = make_settings(tmp_path, tmp_path / "schema.yaml", database_url=url, dev_url=pg_admin)
        plan = api.plan(settings).plan
        assert plan.verified and len([c for c in plan.upgrade if c.sql.lstrip().lower().startswith("create table")]) == 20
        with fresh_database(pg_admin, "chunks_copy") as copy:
            dump.restore_schema(copy, dump.dump_schema(url))
            assert not dump.dump_differences(dump.dump_schema(url), dump.dump_schema(copy), column_order=True)
        api.apply(settings)
        assert api.status(settings).in_sync
