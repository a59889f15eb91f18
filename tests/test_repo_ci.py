"""What CI asks of this repository's own schema (the Finesse-Nest shop), with the commands a user's CI runs
(README, "CI"): the migrations replayed give schema.yaml and generated/ is current (finesse drift), the
integrity rules find no error (finesse check), every revision goes up, down and up again with rows in every
table (finesse test). The live data's proof is tests/test_finesse_shop.py."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from finesse_schema.cli import main

from tests.pg import fresh_database

ROOT = Path(__file__).parent.parent


def _finesse(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, ["--project", str(ROOT), *args])
    return out.exit_code, out.output


def test_no_drift_of_the_migrations_or_generated(pg_admin: str) -> None:
    code, text = _finesse("drift", "--migrations", "--generated", "--dev-url", pg_admin, "--database-url", pg_admin)
    assert code == 0, text
    assert "they give schema.yaml" in text and "generated: current" in text


def test_check_finds_no_error() -> None:
    code, text = _finesse("check", "-q")
    assert code == 0, text
    assert " 0 error(s)" in text


def test_every_revision_goes_up_down_and_up_again(pg_admin: str) -> None:
    with fresh_database(pg_admin, "stairway") as url:
        code, text = _finesse("test", "-q", "--database-url", url, "--dev-url", pg_admin)
    assert code == 0, text
    assert text.count(": ok (up, down, up again") == len(list((ROOT / "migrations" / "versions").glob("0*.py")))
