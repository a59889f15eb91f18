"""finesse workload (issue 20, item 3): the project's named queries timed server-side on two databases,
answers compared as multisets, each ratio read against an A/A control; exit 1 on a regression or a
different answer. Located errors for a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema.core.errors import InputError
from finesse_schema.cli import main
from finesse_schema.logic.check.workload import parse_workload

from tests.pg import fresh_database, run_sql

TABLE = """CREATE TABLE items (id integer PRIMARY KEY, code text NOT NULL, qty integer NOT NULL);
INSERT INTO items SELECT g, 'c' || g, g % 7 FROM generate_series(1, 200000) g;
"""
WORKLOAD = """-- name: by_code
-- one item, by its code
SELECT id, qty FROM items WHERE code = 'c4242';

-- name: totals
SELECT qty, count(*) FROM items GROUP BY qty ORDER BY qty;
"""


def _run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "workload", "--runs", "3", *args],
                              catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.finesse.workload]\nfile = "queries.sql"\n')
    (tmp_path / "schema.yaml").write_text("tables: {}\n")
    (tmp_path / "queries.sql").write_text(WORKLOAD)
    return tmp_path


def test_a_faster_after_passes_a_slower_one_fails_and_a_different_answer_fails(project: Path, pg_admin: str) -> None:
    with fresh_database(pg_admin, "wb") as before, fresh_database(pg_admin, "wa") as after:
        run_sql(before, TABLE + "CREATE INDEX items_code ON items (code); ANALYZE items;")
        run_sql(after, TABLE + "ANALYZE items;")
        slower = _run(project, "--before", before, "--after", after, "-q")
        assert slower.exit_code == 1 and "by_code" in slower.output.split("slower beyond")[1], slower.output
        faster = _run(project, "--before", after, "--after", before, "-q")
        assert faster.exit_code == 0 and "same rows" in faster.output and "none slower" in faster.output, \
            faster.output
        run_sql(after, "UPDATE items SET qty = qty + 1 WHERE id < 10")
        different = _run(project, "--before", before, "--after", after, "--format", "json", "-q")
        assert different.exit_code == 1 and '"different rows' in different.output


@pytest.mark.parametrize("text, message", [
    ("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n", "queries.sql:3:1: query name a is used twice"),
    ("-- name: wipe\nDELETE FROM items;\n", "queries.sql:1:1: query wipe must be one SELECT"),
    ("-- name: a\nSELECT 1\n", "queries.sql:1:1: query a does not end with ';'"),
    ("SELECT 1;\n", "queries.sql:1:1: SQL before the first '-- name:' line"),
    ("-- only a comment\n", "queries.sql:1:1: no queries"),
])
def test_a_bad_workload_file_is_a_located_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as bad:
        parse_workload(text, "queries.sql")
    assert message in str(bad.value), str(bad.value)


def test_the_file_s_comments_are_left_out() -> None:
    assert parse_workload(WORKLOAD, "w.sql") == {"by_code": "SELECT id, qty FROM items WHERE code = 'c4242'",
                                                 "totals": "SELECT qty, count(*) FROM items GROUP BY qty ORDER BY qty"}


def test_the_application_s_search_path_resolves_the_queries_on_every_side(project: Path, pg_admin: str) -> None:
    """The old application reads through a compatibility schema: its names resolve as its search_path says."""
    with fresh_database(pg_admin, "wb") as before, fresh_database(pg_admin, "wa") as after:
        run_sql(before, TABLE + "CREATE INDEX items_code ON items (code); ANALYZE items;")
        run_sql(after, "CREATE SCHEMA compat; " + TABLE.replace("items", "compat.items")
                + "CREATE INDEX items_code ON compat.items (code); ANALYZE compat.items;")
        unresolved = _run(project, "--before", before, "--after", after, "--format", "json", "-q")
        assert unresolved.exit_code == 1 and 'relation \\"items\\" does not exist' in unresolved.output
        (project / "pyproject.toml").write_text('[tool.finesse.workload]\nfile = "queries.sql"\n'
                                                'search_path = "compat, public"\n')
        resolved = _run(project, "--before", before, "--after", after, "--max-slower", "3", "-q")
        assert "same rows" in resolved.output and "fails" not in resolved.output, resolved.output


def test_a_search_path_that_is_not_schema_names_is_a_located_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.finesse.workload]\nsearch_path = "legacy; DROP TABLE x"\n')
    bad = CliRunner().invoke(main, ["--project", str(project), "workload", "--after", "postgresql:///x"])
    assert bad.exit_code == 2 and "tool.finesse.workload.search_path" in bad.output, bad.output
