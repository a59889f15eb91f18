"""One generated change (schema A to schema B), checked end to end on a real server:

1. a database built directly from A (its DDL) is planned to B: the plan converges (finesse verifies it on a
   copy, up and down) and applies;
2. the database then dumps (``pg_dump --schema-only``) as one built directly from B;
3. the downgrade gives A's dump back;
4. importing the database built from B gives YAML that is exact and plans nothing against it.

Each step that fails adds a problem; an empty list is a pass.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from finesse_schema import api
from finesse_schema.api.schema_file import schema_from_text
from finesse_schema.core.errors import FinesseError
from finesse_schema.db.materialize import materialize
from finesse_schema.logic.compile.compiler import compile_schema

from tests.conftest import make_settings
from tests.corpus import differences, schema_dump
from tests.pg import fresh_database


def yaml_text(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def built(url: str, doc: dict) -> None:
    """The database at ``url`` made directly from ``doc``'s DDL."""
    materialize(url, compile_schema(schema_from_text(yaml_text(doc))))


def check_pair(admin: str, a: dict, b: dict, work: Path) -> list[str]:
    problems: list[str] = []
    work.mkdir(parents=True, exist_ok=True)
    schema_path = work / "schema.yaml"
    schema_path.write_text(yaml_text(b))
    with fresh_database(admin, "gen_live") as live, fresh_database(admin, "gen_b") as direct:
        built(live, a)
        built(direct, b)
        start, goal = schema_dump(live), schema_dump(direct)
        settings = make_settings(work, schema_path, database_url=live, dev_url=admin)
        try:
            result = api.plan(settings, message="generated change", allow_destructive=True)
            if result.written:  # an edit may undo another: then there is nothing to plan
                api.apply(settings)
        except FinesseError as exc:
            return [f"plan and apply: {exc}"]
        if diff := differences(goal, schema_dump(live), column_order=False):
            problems.append("after apply, the dump differs from B built directly:\n" + "\n".join(diff))
        try:
            if result.written:
                api.down(settings, allow_destructive=True)
        except FinesseError as exc:
            return problems + [f"down: {exc}"]
        if diff := differences(start, schema_dump(live), column_order=False):
            problems.append("after down, the dump differs from A's:\n" + "\n".join(diff))
        imported_dir = work / "imported"
        imported_dir.mkdir(exist_ok=True)
        try:
            imported = api.import_database(make_settings(imported_dir, imported_dir / "schema.yaml",
                                                         database_url=direct, dev_url=admin))
        except FinesseError as exc:
            return problems + [f"import of B: {exc}"]
        if not imported.exact:
            residual = [c.label for c in imported.residual.upgrade] if imported.residual else []
            problems.append(f"import of B is not exact: {list(imported.not_exact) + residual}")
    return problems
