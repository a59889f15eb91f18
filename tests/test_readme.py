"""The README's walkthrough, run as a new user runs it: in an empty folder, no database configured (the
embedded PostgreSQL), each `$ command` of its console blocks in order, the YAML block as schema.yaml. Each
command must succeed and print the lines the README shows under it, in that order ("..." elides)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _walkthrough() -> list[tuple[str, str]]:
    """("yaml", text) and ("console", text) blocks of the README's Walkthrough section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Walkthrough", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(yaml|console)\n(.*?)```", section, re.S)


def _commands(block: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out and line.strip() and line.strip() != "...":
            out[-1][1].append(line)
    return out


def _run(folder: Path, command: str) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    module = {"finesse": "finesse_schema", "alembic": "alembic"}[argv[0]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINESSE_DATABASE")}
    return subprocess.run([sys.executable, "-m", module, *argv[1:]], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=600)


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    blocks = _walkthrough()
    assert [kind for kind, _ in blocks].count("console") >= 2 and any(kind == "yaml" for kind, _ in blocks)
    folder = tmp_path / "shop"
    folder.mkdir()
    try:
        for kind, body in blocks:
            if kind == "yaml":
                (folder / "schema.yaml").write_text(body, encoding="utf-8")
                continue
            for command, expected in _commands(body):
                done = _run(folder, command)
                said = done.stdout + done.stderr
                assert done.returncode == 0, f"$ {command}\n{said}"
                at = 0
                for line in expected:
                    found = said.find(line, at)
                    assert found >= 0, f"$ {command}: the README shows {line!r}, finesse said:\n{said}"
                    at = found + len(line)
    finally:
        _run(folder, "finesse server stop")
    assert not (folder / ".finesse" / "pgdata" / "postmaster.pid").exists()
