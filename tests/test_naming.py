"""Default names of unnamed keys, indexes and checks are PostgreSQL's own: the server is the oracle.

Each case builds a table with unnamed constraints and indexes on a real server and compares the
names PostgreSQL chose with the ones finesse's Namer gives, long names (truncated to 63 bytes)
and collisions (a digit appended) included.
"""

from __future__ import annotations

import pytest

from finesse_schema.logic.schema.naming import Namer, split_reference

from tests.pg import query, run_sql

LONG = "a_rather_long_table_name_for_an_inventory_ledger"  # 48 characters
CASES = [
    ("inventory_movements", [["variant_id", "store_id"], ["variant_id", "store_id", "quantity"]]),
    ("t", [["a"], ["a"], ["a", "b"]]),
    (LONG, [["first_column_with_a_long_name", "second_column_with_a_long_name"], ["x"]]),
    ("orders", [["customer_identifier_column", "created_at_timestamp_column", "status"]]),
]


@pytest.mark.parametrize("table,indexes", CASES, ids=[c[0][:20] for c in CASES])
def test_index_and_key_names_match_postgresql(live_db: str, table: str, indexes: list[list[str]]) -> None:
    columns = sorted({c for ix in indexes for c in ix})
    run_sql(live_db, f'CREATE TABLE "{table}" (id integer PRIMARY KEY, '
            + ", ".join(f'"{c}" integer' for c in columns) + ", UNIQUE (" + ", ".join(f'"{c}"' for c in columns)
            + f"), CHECK ({columns[0]} > 0));"
            + "".join(f'CREATE INDEX ON "{table}" (' + ", ".join(f'"{c}"' for c in ix) + ");" for ix in indexes))
    namer = Namer()
    want = [namer.primary_key("public", table), namer.unique("public", table, columns)]
    want += [namer.index("public", table, ix) for ix in indexes]
    got = [r[0] for r in query(live_db, f"SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = "
                                        f"'\"{table}\"'::regclass ORDER BY indexrelid")]
    assert sorted(g.strip('"') for g in got) == sorted(want)
    check = query(live_db, f"SELECT conname FROM pg_constraint WHERE conrelid = '\"{table}\"'::regclass "
                           "AND contype = 'c'")[0][0]
    assert check == namer.check("public", table, f"{columns[0]} > 0", set(columns))


@pytest.mark.parametrize("text, expected", [
    ('a"b', (['a"b'], [])),  # a double quote inside a name written as it is
    ('"Odd Table"(x)', (["Odd Table"], ["x"])),
    ('public."Odd Table"', (["public", "Odd Table"], [])),
    ("sch.t(a, b)", (["sch", "t"], ["a", "b"])),
    ("Odd Table.id", (["Odd Table", "id"], [])),
    ('"a""b"', (['a"b'], [])),
])
def test_references_split_as_written(text: str, expected: tuple) -> None:  # type: ignore[type-arg]
    assert split_reference(text) == expected
