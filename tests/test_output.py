"""Output as people expect of a modern CLI (issue 19, item 9): colour on a terminal and never in a pipe or
with NO_COLOR, each long step with its time, plan summaries that list a key once, an empty schema.yaml
warned about."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from finesse_schema.cli import main
from finesse_schema.cli.output import Progress
from finesse_schema.core.plan import Change, ChangeKind, Plan
from finesse_schema.logic.plan.render_summary import render_summary

ESC = "\x1b["
SCHEMA = "tables:\n  t:\n    columns:\n      id: {type: integer, primary_key: true}\n"


def _project(tmp_path: Path, schema: str = SCHEMA) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.finesse]\n")
    (tmp_path / "schema.yaml").write_text(schema)
    return tmp_path


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What finesse writes when its output is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema", *args], stdout=follower, stderr=follower,
                            env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_never_in_a_pipe_or_with_no_color(tmp_path: Path) -> None:
    project = _project(tmp_path, "tables:\n  t:\n    columns: {id: integre}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    args = ["--project", str(project), "validate"]
    terminal = _on_a_terminal(args, {**env, "TERM": "xterm-256color"})
    assert ESC in terminal and "error:" in terminal
    assert ESC not in _on_a_terminal(args, {**env, "TERM": "xterm-256color", "NO_COLOR": "1"})
    piped = subprocess.run([sys.executable, "-m", "finesse_schema", *args], capture_output=True, text=True, env=env)
    assert piped.returncode == 2 and "error:" in piped.stderr and ESC not in piped.stderr + piped.stdout


def test_a_long_step_reports_its_time() -> None:
    now = [0.0]
    lines: list[str] = []
    runner = CliRunner()
    with runner.isolation() as (out, err, *_):
        report = Progress(quiet=False, clock=lambda: now[0])
        report("materializing")
        now[0] = 4.25
        report("diffing")
        now[0] = 4.5
        report.finish()
        lines = (err.getvalue() or out.getvalue()).decode().splitlines()
    assert lines == ["... materializing", "... 4.2s: materializing", "... diffing"], lines


def test_a_key_is_listed_once_as_its_constraint() -> None:
    up = (Change(ChangeKind.CREATE, "table", "public.t", "create table t ();"),
          Change(ChangeKind.CREATE, "index", "public.t_pkey", "create unique index t_pkey on t (id);", reason="on public.t"),
          Change(ChangeKind.CREATE, "constraint", "public.t.t_pkey", "alter table t add constraint t_pkey primary key "
                 "using index t_pkey;", reason="primary key"),
          Change(ChangeKind.CREATE, "index", "public.t_note_idx", "create index t_note_idx on t (note);",
                 reason="on public.t"))
    text = render_summary(Plan(up, (), ""))
    assert "t_pkey: on" not in text and "create constraint public.t.t_pkey: primary key" in text
    assert "create index public.t_note_idx" in text and "3 change(s)" in text


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "\n\n"])
def test_an_empty_schema_is_a_warning(tmp_path: Path, text: str) -> None:
    out = CliRunner().invoke(main, ["--project", str(_project(tmp_path, text)), "validate"])
    assert out.exit_code == 0 and "warning: schema.yaml is empty" in out.output, out.output
