"""Every folder under fixtures/import/ is a database to import; adding a case is adding files.

A case holds ``schema.sql`` (the database, as its owners built it), ``expected.yaml``
(the golden import; ``--update-golden`` rewrites it), ``unsupported.txt`` (what the
import must list as left out, one per line; absent means nothing) and optionally
``case.yaml`` (``exact: false`` for a database the model cannot hold).

Each case: load, import (byte-identical when repeated), plan against the same
database (nothing to do), then rebuild from the YAML alone in an empty database
and compare ``pg_dump --schema-only`` (normalized, column order kept).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from finesse_schema import api
from finesse_schema.db.connect import connect, server_major
from finesse_schema.db.migra import INTERNAL_SCHEMAS
from finesse_schema.db.dump import dump_differences, dump_schema

from tests.conftest import FIXTURES, make_settings
from tests.pg import fresh_database, query, run_sql

CASES = sorted(p for p in (FIXTURES / "import").iterdir() if p.is_dir())


def _golden(path: Path, text: str, update: bool, major: int = 16) -> None:
    """Compare with the golden file; PostgreSQL versions that deparse differently (views are written with
    qualified columns before 16) have their own, ``expected.pg15.yaml``, kept only where it differs."""
    versioned = path.with_name(f"{path.stem}.pg{major}{path.suffix}")
    if update or not path.exists():
        if major == 16 or not path.exists():
            path.write_text(text, encoding="utf-8")
        elif text != path.read_text(encoding="utf-8"):
            versioned.write_text(text, encoding="utf-8")
        else:
            versioned.unlink(missing_ok=True)
    golden = versioned if versioned.exists() else path
    assert text == golden.read_text(encoding="utf-8"), f"{golden.name} differs; rerun with --update-golden if intended"


def _major(url: str) -> int:
    with connect(url) as conn:
        return server_major(conn)


def _without_extensions(text: str, names: list[str]) -> str:
    """``text`` without the optional extensions (those some servers ship and others do not)."""
    if not names:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith("extensions: ["):
            kept = [e.strip() for e in line.strip()[len("extensions: ["):-1].split(",") if e.strip() not in names]
            if not kept:
                continue
            line = f"extensions: [{', '.join(kept)}]\n"
        out.append(line)
    return "".join(out).replace("\n\n\n", "\n\n")


def rebuild_and_compare(pg_admin: str, source_url: str, schema_path: Path, project: Path) -> None:
    """Build ``schema_path`` from nothing with finesse, and compare its schema dump with ``source_url``'s."""
    with fresh_database(pg_admin, "rebuilt") as rebuilt:
        settings = make_settings(project, schema_path, database_url=rebuilt, dev_url=pg_admin)
        api.plan(settings, message="rebuild")
        api.apply(settings)
        differences = dump_differences(dump_schema(source_url, exclude_schemas=INTERNAL_SCHEMAS),
                                       dump_schema(rebuilt, exclude_schemas=INTERNAL_SCHEMAS), column_order=True)
        assert differences == [], "\n".join(differences)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_import_case(case: Path, pg_admin: str, live_db: str, tmp_path: Path, update_golden: bool) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text()) if (case / "case.yaml").exists() else {}
    exact = (spec or {}).get("exact", True)
    run_sql(live_db, (case / "schema.sql").read_text(encoding="utf-8"))
    schema_path = tmp_path / "schema.yaml"
    settings = make_settings(tmp_path, schema_path, database_url=live_db, dev_url=pg_admin)

    result = api.import_database(settings)
    assert result.written and schema_path.read_text(encoding="utf-8") == result.text
    major = _major(live_db)
    _golden(case / "expected.yaml", _without_extensions(result.text, (spec or {}).get("optional_extensions", [])),
            update_golden, major)
    listed = "".join(f"{u}\n" for u in result.unsupported)
    if listed or (case / "unsupported.txt").exists():
        _golden(case / "unsupported.txt", listed, update_golden, major)
    assert result.not_exact == ()
    if not exact:
        assert result.residual is not None and not result.residual.empty
        return
    assert result.exact, [c.label for c in result.residual.upgrade]  # type: ignore[union-attr]

    again = api.import_database(settings, write=False, verify=False)
    assert again.text == result.text, "a second import of the same database is not byte-identical"
    rebuild_and_compare(pg_admin, live_db, schema_path, tmp_path / "rebuild")


PLAN_SCHEMAS = sorted((FIXTURES / "plan").glob("*/schema.yaml"))


@pytest.mark.parametrize("source", PLAN_SCHEMAS, ids=[p.parent.name for p in PLAN_SCHEMAS])
def test_import_round_trips_plan_fixture(source: Path, pg_admin: str, live_db: str, tmp_path: Path) -> None:
    """Every schema.yaml of the plan cases, built by finesse, imports back exactly."""
    before = source.parent / "before.sql"
    for line in before.read_text().splitlines() if before.exists() else ():
        if "CREATE ROLE" in line:  # the roles its grants name (roles belong to the server)
            query(pg_admin, line)
    settings = make_settings(tmp_path, source, database_url=live_db, dev_url=pg_admin)
    api.plan(settings, message="build", allow_destructive=True)
    api.apply(settings)
    out = tmp_path / "imported.yaml"
    result = api.import_database(settings, out=out)
    assert result.unsupported == () and result.exact, (result.unsupported, result.not_exact,
                                                        [c.label for c in result.residual.upgrade])  # type: ignore[union-attr]
