"""The command line: help for every command, stable exit codes, no tracebacks for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from finesse_schema import api
from finesse_schema.cli import main
from finesse_schema.db.embedded import stop_embedded_server

from tests.conftest import FIXTURES

ROOT = Path(__file__).parent.parent


def test_every_command_has_help() -> None:
    assert main.help
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, f"finesse {name} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"finesse {name} {param.opts[0]} has no help text"


def _project(tmp_path: Path, schema: str, live: str, admin: str) -> Path:
    (tmp_path / "schema.yaml").write_text(schema)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.finesse]\ndatabase_url = "{live}"\ndev_url = "{admin}"\n')
    return tmp_path


def _run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def test_bad_input_exits_2_with_location_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "schema.yaml").write_text("tables:\n  t:\n    columns:\n      id: {type: intger}\n")
    result = _run(tmp_path, "validate")
    assert result.exit_code == 2
    assert "schema.yaml:4:" in result.output and "did you mean 'integer'" in result.output
    assert "Traceback" not in result.output


def test_plan_apply_status_down_exit_codes(tmp_path: Path, live_db: str, pg_admin: str) -> None:
    project = _project(tmp_path, "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n"
                       "      note: text\n", live_db, pg_admin)
    result = _run(project, "plan", "-m", "create t", "-q")
    assert result.exit_code == 0, result.output
    assert "+ create table public.t" in result.output and "Wrote" in result.output
    assert (project / "migrations" / "versions" / "0001_create_t.py").exists()
    assert _run(project, "status", "-q").exit_code == 1  # 0001 pending
    assert _run(project, "apply", "-q").exit_code == 0
    status = _run(project, "status", "-q", "--format", "json")
    assert status.exit_code == 0 and json.loads(status.output)["in_sync"] is True
    nothing = _run(project, "plan", "-q")
    assert nothing.exit_code == 0 and "Nothing to do" in nothing.output

    (project / "schema.yaml").write_text("tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n")
    refused = _run(project, "plan", "-q", "-m", "drop note")
    assert refused.exit_code == 3 and "drop column public.t.note" in refused.output
    assert not (project / "migrations" / "versions" / "0002_drop_note.py").exists()
    assert _run(project, "down", "-q").exit_code == 0


def test_passwords_never_printed(tmp_path: Path) -> None:
    (tmp_path / "schema.yaml").write_text("tables: {}\n")
    result = _run(tmp_path, "plan", "--database-url", "postgresql://u:s3cret@127.0.0.1:1/db", "-q")
    assert result.exit_code == 2
    assert "s3cret" not in result.output and "***" in result.output


def test_json_schema_copy_is_current() -> None:
    printed = CliRunner().invoke(main, ["json-schema"]).output
    assert (ROOT / "finesse-schema.json").read_text() == printed, "run: finesse json-schema -o finesse-schema.json"


@pytest.mark.parametrize("path", sorted((FIXTURES / "plan").glob("*/schema.yaml")) + [ROOT / "schema.yaml"],
                         ids=lambda p: p.parent.name)
def test_valid_schemas_match_the_json_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()) or {}, api.json_schema())


def test_embedded_default_without_any_database_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No URL anywhere: finesse starts the embedded server under .finesse/ and reuses it."""
    monkeypatch.delenv("FINESSE_DATABASE_URL", raising=False)
    (tmp_path / "schema.yaml").write_text("tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n")
    (tmp_path / "pyproject.toml").write_text("[tool.finesse]\n")
    assert _run(tmp_path, "plan", "-q", "-m", "first").exit_code == 0
    assert (tmp_path / ".finesse" / "pgdata" / "PG_VERSION").exists()
    assert _run(tmp_path, "apply", "-q").exit_code == 0
    status = _run(tmp_path, "status", "-q", "--format", "json")
    assert status.exit_code == 0, status.output
    assert "embedded database at .finesse/" in json.loads(status.output)["database"]
    stop_embedded_server(tmp_path / ".finesse" / "pgdata")
    assert not (tmp_path / ".finesse" / "pgdata" / "postmaster.pid").exists()


def test_a_bug_in_finesse_is_one_line_and_a_report_file(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from finesse_schema.cli import run_cli

    def broken() -> dict:
        raise AssertionError("two keys differ\nsecond line")

    monkeypatch.delenv("FINESSE_DEBUG", raising=False)
    monkeypatch.setattr(api, "schema_json_text", broken)
    assert run_cli(["json-schema"]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("internal error: AssertionError: two keys differ\n")
    report = Path(err.split("the details are in ")[1].split(";")[0])
    try:
        assert "Traceback" in report.read_text() and "second line" in report.read_text()
    finally:
        report.unlink()


@pytest.mark.parametrize("command", [["status"], ["apply"], ["down"], ["plan", "-m", "x"], ["drift"]])
def test_outside_a_project_nothing_is_created_and_the_exit_is_2(tmp_path: Path, command: list[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINESSE_DATABASE_URL", raising=False)
    out = CliRunner().invoke(main, ["--project", str(tmp_path), *command])
    assert out.exit_code == 2, out.output
    assert "not a finesse project" in out.output
    assert list(tmp_path.iterdir()) == [], "a command outside a project created files"


def test_every_command_takes_quiet_and_every_database_command_its_url() -> None:
    """What the README promises under Commands: -q everywhere, --database-url and --env wherever a database
    is reached."""
    import click

    from finesse_schema.cli import main

    reaches_a_database = {"plan", "rebase", "baseline", "test", "apply", "down", "stamp", "status", "drift",
                          "import", "check", "audit history", "audit prune", "workload"}

    def walk(cmd: click.Command, path: list[str]):  # type: ignore[no-untyped-def]
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + [name])
        else:
            yield " ".join(path), {p.name for p in cmd.params}

    commands = dict(walk(main, []))
    assert reaches_a_database <= set(commands)
    for name, params in commands.items():
        assert "quiet" in params and "project" in params, name
        if name in reaches_a_database:
            assert {"database_url", "env"} <= params, name


def test_the_check_formats_are_the_renderers() -> None:
    from finesse_schema.cli.check_commands import FORMATS
    from finesse_schema.logic.check.render_findings import RENDERERS

    assert set(FORMATS) == set(RENDERERS)
