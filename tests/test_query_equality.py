"""Views compare as PostgreSQL parses them: a query written back another way (layout, parentheses, the case of
keywords, comments) is the same view; another name, constant, cast or alias is not."""

from __future__ import annotations

import pytest

from finesse_schema.db.dump import normalize_dump
from finesse_schema.logic.sql.expressions import same_query

SAME = [
    (" SELECT ru.r,\n    NULL::integer AS x\n   FROM ru;", "select ru.r, null::integer as x from ru"),
    ("SELECT a FROM t WHERE ((a > 1) AND (b < 2))", "SELECT a FROM t WHERE a > 1 AND b < 2 -- why"),
    ("SELECT a FROM t UNION ALL SELECT b FROM u", "(SELECT a FROM t) UNION ALL (SELECT b FROM u)"),
    # a view's BETWEEN written back as a nested AND, which reads back flat (PostgREST's big test schema)
    ("SELECT a FROM t WHERE ((a > 0) AND (b = 1) AND ((c >= 1) AND (c <= 3)))",
     "SELECT a FROM t WHERE ((a > 0) AND (b = 1) AND (c >= 1) AND (c <= 3))"),
    ("SELECT a FROM t WHERE a OR (b OR c)", "SELECT a FROM t WHERE (a OR b) OR c"),
    # the parser records where an IN list starts and ends (PostgREST's big test schema)
    ("SELECT a FROM t WHERE a IN (1, 2, 3)", "SELECT a FROM t WHERE    a IN (1,2,3)"),
    ("SELECT ARRAY[1, 2] AS x", "SELECT ARRAY[1,2]   AS x"),
    # only the leftmost branch of a set operation names the columns: PostgreSQL writes back a bare NULL of
    # another branch as NULL::integer, which reads back named int4 (MusicBrainz's release_event)
    ("SELECT a, b FROM t UNION ALL SELECT c, NULL::integer FROM u",
     "SELECT a, b FROM t UNION ALL SELECT c, NULL::integer AS int4 FROM u"),
    ("SELECT a FROM t UNION SELECT b AS x FROM u UNION SELECT c AS y FROM v",
     "SELECT a FROM t UNION SELECT b FROM u UNION SELECT c FROM v"),
]
DIFFERENT = [
    ("SELECT a FROM t", "SELECT b FROM t"),
    ("SELECT 1", "SELECT 2"),
    ("SELECT a::text FROM t", "SELECT a FROM t"),
    ("SELECT a AS x FROM t", "SELECT a AS y FROM t"),
    ("SELECT a FROM t", "SELECT a FROM"),  # one side does not parse
    ("SELECT a FROM t WHERE a AND (b OR c)", "SELECT a FROM t WHERE a AND b OR c"),
    ("SELECT a FROM t WHERE a OR (b AND c)", "SELECT a FROM t WHERE a OR b OR c"),
    ("SELECT a AS x FROM t UNION ALL SELECT b FROM u", "SELECT a AS y FROM t UNION ALL SELECT b FROM u"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_query(a: str, b: str) -> None:
    assert same_query(a, b) and same_query(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_query(a: str, b: str) -> None:
    assert not same_query(a, b) and not same_query(b, a)


def test_dumps_compare_view_queries_by_their_parse_tree() -> None:
    pg15 = 'CREATE VIEW "public"."v" AS\n SELECT ru.r,\n    NULL::integer AS x\n   FROM ru;\n'
    pg18 = 'CREATE VIEW "public"."v" AS\n SELECT r,\n    NULL::integer AS x\n   FROM ru;\n'
    assert normalize_dump(pg15) == normalize_dump(pg15.replace("\n   FROM", " FROM"))
    assert normalize_dump(pg15) != normalize_dump(pg18)  # another column reference is another query
