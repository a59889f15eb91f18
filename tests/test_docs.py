"""finesse docs and finesse generate: golden files per renderer, deterministic output with headers, models
whose metadata is the compiled schema's, --check on stale files, and the HTML page in a real browser.

tests/fixtures/docs/<case>/ holds schema.yaml, an optional report.json (a check report) and expected/,
the golden files (``pytest --update-golden`` rewrites them); the HTML golden is written with a stand-in
for the Mermaid script, which the browser test replaces with the real one.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.schema import AddConstraint, CreateColumn, CreateIndex

from finesse_schema import api
from finesse_schema.cli import main
from finesse_schema.logic.check.config import CheckConfig
from finesse_schema.logic.compile.compiler import DIALECT, compile_metadata
from finesse_schema.logic.docs.generated import HEADER_RE, Sources, docs_files, generate_files
from finesse_schema.logic.schema.load import load_schema_text
from finesse_schema.logic.docs.relations import orphans_from_report

from tests.conftest import FIXTURES

ROOT = Path(__file__).parent.parent
CASES = sorted(p for p in (FIXTURES / "docs").iterdir() if p.is_dir())
STAND_IN = "/* the Mermaid script goes here */"


def _files(case: Path, mermaid_js: str = STAND_IN) -> dict[str, str]:
    schema = load_schema_text((case / "schema.yaml").read_text(), "schema.yaml")
    report = case / "report.json"
    text = report.read_text() if report.exists() else None
    sources = Sources("schema.yaml", schema.source_hash, "report.json" if text else None, text)
    orphans = orphans_from_report(text, "report.json") if text else None
    files = docs_files(schema, CheckConfig(), sources, mermaid_js=mermaid_js, orphans=orphans, title=case.name)
    files.update(generate_files(schema, Sources("schema.yaml", schema.source_hash)))
    return files


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_renderers_match_their_golden_files(case: Path, update_golden: bool) -> None:
    files = _files(case)
    expected = case / "expected"
    if update_golden:
        shutil.rmtree(expected, ignore_errors=True)
        for path, text in files.items():
            (expected / path).parent.mkdir(parents=True, exist_ok=True)
            (expected / path).write_text(text, encoding="utf-8")
    on_disk = sorted(str(p.relative_to(expected)) for p in expected.rglob("*") if p.is_file())
    assert on_disk == sorted(files), "the set of generated files changed; rerun with --update-golden if intended"
    for path, text in files.items():
        assert (expected / path).read_text(encoding="utf-8") == text, f"{path} differs; --update-golden if intended"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_file_names_its_source_and_the_output_is_deterministic(case: Path) -> None:
    first, second = _files(case), _files(case)
    assert first == second
    schema_hash = load_schema_text((case / "schema.yaml").read_text(), "schema.yaml").source_hash
    for path, text in first.items():
        m = HEADER_RE.search(text.splitlines()[0])
        assert m and m.group(3) == schema_hash, path


def _ddl(element: object) -> str:
    return str(element.compile(dialect=DIALECT)).strip()  # type: ignore[attr-defined]


def _table_ddl(table: sa.Table) -> dict[str, object]:
    return {"columns": [_ddl(CreateColumn(c)) for c in table.columns],
            "comments": (table.comment, [c.comment for c in table.columns]),
            "constraints": sorted(_ddl(AddConstraint(c)) for c in table.constraints
                                  if not (isinstance(c, sa.PrimaryKeyConstraint) and not c.columns)),
            "indexes": sorted(_ddl(CreateIndex(i)) for i in table.indexes)}


def _import(path: Path, name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.mark.parametrize("schema_path", [*(c / "schema.yaml" for c in CASES), ROOT / "schema.yaml"],
                         ids=[*(c.name for c in CASES), "finesse_shop"])
def test_models_import_and_their_metadata_is_the_compiled_schema(schema_path: Path, tmp_path: Path) -> None:
    schema = load_schema_text(schema_path.read_text(), "schema.yaml")
    text = generate_files(schema, Sources("schema.yaml", schema.source_hash))["models.py"]
    (tmp_path / "models.py").write_text(text)
    models = _import(tmp_path / "models.py", f"generated_models_{schema_path.parent.name}")
    sa.orm.configure_mappers()  # every relationship resolves
    compiled = compile_metadata(schema)
    assert sorted(models.Base.metadata.tables) == sorted(compiled.tables)
    for key, table in compiled.tables.items():
        assert _table_ddl(models.Base.metadata.tables[key]) == _table_ddl(table), key


def _project(tmp_path: Path, case: Path) -> api.Settings:
    (tmp_path / "schema.yaml").write_text((case / "schema.yaml").read_text())
    return api.find_settings(tmp_path)


def test_check_tells_a_stale_or_extra_file_and_docs_puts_it_right(tmp_path: Path) -> None:
    settings = _project(tmp_path, CASES[0])
    assert api.docs(settings).written and api.generate(settings).written
    assert api.docs(settings, check=True).current and api.generate(settings, check=True).current
    page = tmp_path / "generated" / "tables" / "public.orders.md"
    page.write_text(page.read_text() + "an edit\n")
    old = tmp_path / "generated" / "tables" / "public.gone.md"
    old.write_text(page.read_text().splitlines()[0] + "\n# a table that is no more\n")
    runner = CliRunner()
    out = runner.invoke(main, ["--project", str(tmp_path), "docs", "--check"])
    assert out.exit_code == 1
    assert "tables/public.orders.md: out of date" in out.output and "tables/public.gone.md: no longer generated" \
        in out.output
    (tmp_path / "generated" / "models.py").unlink()
    out = runner.invoke(main, ["--project", str(tmp_path), "generate", "--check"])
    assert out.exit_code == 1 and "models.py: missing" in out.output
    out = runner.invoke(main, ["--project", str(tmp_path), "docs"])
    assert out.exit_code == 0 and not old.exists()
    assert runner.invoke(main, ["--project", str(tmp_path), "generate"]).exit_code == 0
    assert runner.invoke(main, ["--project", str(tmp_path), "docs", "--check"]).exit_code == 0
    assert runner.invoke(main, ["--project", str(tmp_path), "generate", "--check"]).exit_code == 0


def test_a_report_that_is_not_one_is_an_input_error(tmp_path: Path) -> None:
    _project(tmp_path, CASES[0])
    (tmp_path / "report.json").write_text("[]")
    out = CliRunner().invoke(main, ["--project", str(tmp_path), "docs", "--report", str(tmp_path / "report.json")])
    assert out.exit_code == 2 and "report.json" in out.output and "not a finesse check report" in out.output
    assert not (tmp_path / "generated").exists(), "a failed docs run wrote something"


def test_the_repository_generated_folder_is_current() -> None:
    settings = api.find_settings(ROOT)
    assert api.docs(settings, check=True).stale == ()
    assert api.generate(settings, check=True).stale == ()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=8000", "--window-size=1400,1800"]


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium)")
def test_the_html_page_renders_its_diagrams_and_finds_a_column(tmp_path: Path) -> None:
    js = (ROOT / "finesse_schema" / "assets" / "mermaid-11.4.1.min.js").read_text()
    page = tmp_path / "index.html"
    page.write_text(_files(CASES[0], mermaid_js=js)["index.html"])
    url = page.as_uri() + "#q=tracking"
    shot = Path(os.environ.get("FINESSE_TEST_SCREENSHOT", tmp_path / "docs.png"))
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'a'}", f"--screenshot={shot}", url],
                   check=True, capture_output=True, timeout=120, env=env)
    assert shot.stat().st_size > 20_000  # a page with pictures, not a blank one
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'b'}", "--dump-dom", url],
                         check=True, capture_output=True, text=True, timeout=120, env=env).stdout
    rendered = dom.count('aria-roledescription="er"')
    assert rendered == dom.count('class="mermaid"') == 4, rendered  # every diagram drawn: overview and 3 groups
    assert "Syntax error in text" not in dom.split('<script>')[0]
    assert ">order_lines<" in dom  # an entity drawn in the SVG
    results = dom.split('<ul id="results">', 1)[1].split("</ul>", 1)[0]
    assert "public.shipments.tracking" in results
