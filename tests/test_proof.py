"""The proof every plan gets: a plan that does not reach schema.yaml, or does not come back, is refused.

Each case plans a real change, then takes one statement out of the plan before it is proved (the ``rewrite``
hook, which the online rewriting uses), and expects the proof to refuse it, naming what differs. The proof
runs two ways: the downgrade, then the upgrade, on the desired schema's own database (a cold plan; the upgrade
on a copy of the live schema where that database is not the live schema after the downgrade), and both on the
copy (the desired schema cached); both must refuse. An extension
nothing uses is not in a pg_dump of the managed schemas; the proof must still see it missing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest

from finesse_schema.api.schema_file import schema_from_text
from finesse_schema.core.errors import RefusedError
from finesse_schema.core.plan import Change, Plan
from finesse_schema.db.connect import connect
from finesse_schema.db.planner import plan_changes
from finesse_schema.db.scratch import ScratchServer
from finesse_schema.logic.compile.compiler import compile_schema

from tests.pg import run_sql

LIVE = "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)"
SCHEMA = """{extensions}tables:
  items:
    columns:
      id: {{type: bigint, primary_key: true}}
      name: {{type: text, nullable: false}}
      note: text
    indexes:
      - [name]
"""


def _without(which: str, object_type: str) -> Callable[[Plan], Plan]:
    """A rewrite that leaves the changes of ``object_type`` out of the plan's ``which`` direction."""
    def rewrite(plan: Plan) -> Plan:
        kept = tuple(c for c in getattr(plan, which) if c.object_type != object_type)
        assert len(kept) < len(getattr(plan, which)), f"the plan has no {object_type} change to leave out"
        return replace(plan, **{which: kept})
    return rewrite


def _plan(live_db: str, pg_admin: str, text: str, rewrite: Callable[[Plan], Plan] | None,
          cache: Path | None = None) -> Plan:
    schema = schema_from_text(text)
    return plan_changes(live_db, ScratchServer(pg_admin, "dev-url"), compile_schema(schema), schema.schemas,
                        model=schema, rewrite=rewrite, cache=cache)


def _available_extension(url: str) -> str:
    with connect(url) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions").fetchall()}
    for name in ("vector", "pg_trgm", "citext", "hstore"):
        if name in names:
            return name
    pytest.skip("the server has none of the extensions this test installs")


@pytest.mark.parametrize("cached", [False, True],
                         ids=["cold: downgrade on the desired database", "cached: on the copy"])
@pytest.mark.parametrize("which, object_type, message", [
    ("upgrade", "index", "the upgrade does not reach schema.yaml"),
    ("upgrade", "column", "the upgrade does not reach schema.yaml"),
    ("downgrade", "column", "the downgrade does not reach the live schema"),
])
def test_a_plan_that_does_not_converge_is_refused(live_db: str, pg_admin: str, tmp_path: Path, cached: bool,
                                                  which: str, object_type: str, message: str) -> None:
    run_sql(live_db, LIVE)
    text = SCHEMA.format(extensions="")
    if cached:  # a first plan keeps the desired schema; the next one proves on the copy alone
        _plan(live_db, pg_admin, text, None, tmp_path)
    with pytest.raises(RefusedError, match=message) as refused:
        _plan(live_db, pg_admin, text, _without(which, object_type), tmp_path)
    assert any("items" in d for d in refused.value.details), refused.value.details


@pytest.mark.parametrize("which, message", [("upgrade", "the upgrade does not reach schema.yaml"),
                                            ("downgrade", "the downgrade does not reach the live schema")])
def test_an_extension_nothing_uses_is_proved_too(live_db: str, pg_admin: str, which: str, message: str) -> None:
    """pg_dump --schema leaves extensions out: an upgrade that forgets one, or a downgrade that keeps it, is
    refused all the same (the proof compares the extensions, and migra names the one that differs)."""
    run_sql(live_db, LIVE)
    name = _available_extension(live_db)
    text = SCHEMA.format(extensions=f"extensions: [{name}]\n")
    with pytest.raises(RefusedError, match=message) as refused:
        _plan(live_db, pg_admin, text, _without(which, "extension"))
    assert any(name in d for d in refused.value.details), refused.value.details


def test_a_plan_that_converges_is_proved(live_db: str, pg_admin: str) -> None:
    run_sql(live_db, LIVE)
    plan = _plan(live_db, pg_admin, SCHEMA.format(extensions=f"extensions: [{_available_extension(live_db)}]\n"),
                 None)
    assert plan.verified and {c.object_type for c in plan.upgrade} >= {"extension", "column", "index"}
    assert all(isinstance(c, Change) for c in plan.downgrade) and plan.downgrade


def test_a_downgrade_that_needs_what_schema_yaml_leaves_alone_is_proved_on_the_copy(live_db: str,
                                                                                    pg_admin: str) -> None:
    """The desired schema's database has nothing of an unmanaged schema; the live copy has. A downgrade that puts
    back a view over an unmanaged table cannot run on the former: it is proved on the copy, and the plan passes."""
    run_sql(live_db, "CREATE SCHEMA ext; CREATE TABLE ext.feed (id bigint PRIMARY KEY, body text); " + LIVE +
            "; CREATE VIEW public.feed_ids AS SELECT id FROM ext.feed")
    plan = _plan(live_db, pg_admin, "schemas: {ext: {managed: false}}\n" + SCHEMA.format(extensions=""), None)
    assert plan.verified and any("feed_ids" in c.label for c in plan.downgrade), plan.downgrade


GRANTED = SCHEMA.format(extensions="").replace("    indexes:", "    grants: {public: [select]}\n    indexes:")


@pytest.mark.parametrize("live, text, route", [
    (LIVE, SCHEMA.format(extensions=""), "in place"),
    # the downgrade puts the dropped column back last: that database is not the live schema to its column order
    ("CREATE TABLE items (id bigint PRIMARY KEY, code text, name text NOT NULL)", SCHEMA.format(extensions=""),
     "on a copy"),
    # the live database has a schema schema.yaml leaves alone: only a copy has it
    ("CREATE SCHEMA ext; CREATE TABLE ext.feed (id bigint PRIMARY KEY); " + LIVE,
     "schemas: {ext: {managed: false}}\n" + SCHEMA.format(extensions=""), "on a copy"),
    # nor an object outside every schema, which pg_dump --schema leaves out
    (LIVE + "; CREATE PUBLICATION feed FOR TABLE items", SCHEMA.format(extensions=""), "on a copy"),
    # privileges on the managed objects are compared apart; default privileges outside a schema would change
    # what the upgrade creates: only a copy has them
    (LIVE + "; GRANT SELECT ON items TO PUBLIC", GRANTED, "in place"),
    (LIVE + "; GRANT SELECT ON items TO PUBLIC; ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC", GRANTED,
     "on a copy"),
], ids=["the same schema after the downgrade", "another column order", "an unmanaged schema", "a publication",
        "grants", "default privileges for every schema"])
def test_a_cold_plan_is_proved_in_place_only_where_that_database_is_the_live_schema(
        live_db: str, pg_admin: str, live: str, text: str, route: str) -> None:
    """A cold plan proves its downgrade on schema.yaml's own database; where that database is then the live
    schema exactly, the upgrade is proved there too and no copy of the live schema is made. Otherwise the copy
    is made and the upgrade proved on it."""
    run_sql(live_db, live)
    said: list[str] = []
    schema = schema_from_text(text)
    plan = plan_changes(live_db, ScratchServer(pg_admin, "dev-url"), compile_schema(schema), schema.schemas,
                        model=schema, progress=said.append)
    assert plan.verified and plan.upgrade and plan.downgrade
    copied = "copying the live schema into a scratch database" in said
    assert copied == (route == "on a copy"), said


def test_a_view_postgresql_writes_back_with_a_nested_and_is_proved(live_db: str, pg_admin: str) -> None:
    """PostgreSQL writes a view's BETWEEN back as a nested AND, which reads back flat: the view is the same
    to the diff and to the proof's dumps, so a plan around it is proved (it was refused once views compared
    flat in the diff but not in the dumps)."""
    run_sql(live_db, LIVE + "; CREATE VIEW named AS SELECT id FROM items WHERE id > 0 AND id BETWEEN 1 AND 9")
    view = "views:\n  named:\n    definition: SELECT id FROM items WHERE id > 0 AND id >= 1 AND id <= 9\n"
    plan = _plan(live_db, pg_admin, SCHEMA.format(extensions="") + view, None)
    assert plan.verified and not any(c.object_type == "view" for c in plan.upgrade)
