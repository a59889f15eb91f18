"""Hundreds of mutated schema.yaml files: finesse answers each with a schema or a located error, never a
traceback, never a hang.

The mutations start from the plan cases' schema.yaml files: characters that mean something to YAML or SQL
put anywhere, lines dropped, doubled or re-indented, and values swapped for nasty ones (tags, aliases,
anchors, deep nesting, huge numbers, control characters, SQL that tries to leave its place). Every file
that loads is compiled; some of those are planned on a real server (dry run). Seeds are derived from the
test's name, so a failure reproduces; hypothesis prints the shrunk file.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finesse_schema import api
from finesse_schema.api.schema_file import schema_from_text
from finesse_schema.core.errors import FinesseError, InputError
from finesse_schema.logic.compile.compiler import compile_schema

from tests.conftest import FIXTURES, make_settings

BASES = sorted((FIXTURES / "plan").glob("*/schema.yaml"))
TEXTS = [p.read_text() for p in BASES]
SPECIAL = list("{}[]:,&*!|>'\"#%@`-?\t\n\\$;()") + ["\x00", "\u2028", "  ", "---", "...", "<<: *a"]
NASTY = ["!!int ''", "!!timestamp x", "!!bool maybe", "!custom 1", "!!python/object:os.system [ls]",
         "&a {x: *a}", "*nowhere", "&x [1]", "[" * 60 + "]" * 60, "{" * 40 + "}" * 40, "9" * 400, "1e999",
         "-.inf", ".nan", "2024-02-30", "0x1F", "0o17", "~", "null", "yes", "''", '""', "'\x07'", "é" * 300,
         '"0); drop table t; --"', '"1; select pg_sleep(30)"', "\"x')); comment on database d is 'x'; --\"",
         '"$fn$ ; drop table t; $fn$"', "[a, b, [c, {d: e}]]", "{type: text, default: now()}",
         "{type: 'numeric(1000,2000)'}", "{type: 'varchar(-1)'}", "{type: 'vector(3; drop)'}", "|\n  x\n  y"]
TIMEOUT_S = 20


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def fail(*_: object) -> None:
        raise TimeoutError(f"no answer in {seconds} s (a hang)")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["char", "line", "indent", "value", "truncate"]))
        lines = text.split("\n")
        if kind == "char":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(SPECIAL)) + text[at + draw(st.integers(0, 2)):]
        elif kind == "line" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines = lines[:i] + (lines[i:i + 1] * draw(st.integers(0, 2))) + lines[i + 1:]
            text = "\n".join(lines)
        elif kind == "indent" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip()
            text = "\n".join(lines)
        elif kind == "value":
            spots = [i for i, ch in enumerate(text) if ch == ":" and text[i + 1:i + 2] == " "]
            if spots:
                at = draw(st.sampled_from(spots)) + 2
                end = text.find("\n", at)
                end = len(text) if end < 0 else end
                text = text[:at] + draw(st.sampled_from(NASTY)) + text[end:]
        else:
            text = text[:draw(st.integers(0, len(text)))]
    return text


PLANNED: list[int] = []
MAX_PLANS = 25


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_schema_yaml_gets_a_schema_or_a_located_error(text: str, tmp_path: Path, live_db: str,
                                                              pg_admin: str) -> None:
    with _deadline(TIMEOUT_S):
        try:
            schema = schema_from_text(text)
        except InputError as exc:
            assert exc.problems and all(p.location is not None for p in exc.problems), str(exc)
            return
        try:
            compile_schema(schema)
        except FinesseError:
            return
        if len(PLANNED) >= MAX_PLANS:
            return
        PLANNED.append(1)
        path = tmp_path / f"case{len(PLANNED)}"
        path.mkdir()
        (path / "schema.yaml").write_text(text)
        try:
            api.plan(make_settings(path, path / "schema.yaml", database_url=live_db, dev_url=pg_admin),
                     dry_run=True, allow_destructive=True)
        except FinesseError:
            pass  # a located input error, a refusal or a server's error: all reported, none a traceback


def test_the_fuzz_planned_some_files() -> None:
    """The mutations are not all rejected before a server is involved (else planning went untested)."""
    if not PLANNED:
        pytest.skip("run with test_mutated_schema_yaml_gets_a_schema_or_a_located_error")
    assert len(PLANNED) >= 5
