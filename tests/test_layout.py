"""The package reads as the pipeline: small modules in folders named for their job, imports one way only.

The import-linter contracts in pyproject.toml keep the directions (layers, the data flow inside logic/,
no circle between siblings, renderers free of database and terminal); this file keeps the sizes.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PACKAGE = ROOT / "finesse_schema"
MAX_MODULES_PER_FOLDER = 20
MAX_LINES_PER_MODULE = 500


def test_import_contracts() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_folder_holds_more_than_twenty_modules() -> None:
    crowded = {str(d.relative_to(ROOT)): n for d in [PACKAGE, *PACKAGE.rglob("*")] if d.is_dir()
               if (n := len([m for m in d.glob("*.py") if m.name != "__init__.py"])) > MAX_MODULES_PER_FOLDER}
    assert not crowded, f"split these folders by job: {crowded}"


def test_no_module_is_longer_than_five_hundred_lines() -> None:
    long = {str(m.relative_to(ROOT)): n for m in PACKAGE.rglob("*.py")
            if (n := len(m.read_text(encoding="utf-8").splitlines())) > MAX_LINES_PER_MODULE}
    assert not long, f"a module past {MAX_LINES_PER_MODULE} lines is usually two: {long}"


def test_every_renderer_is_under_the_renderer_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    listed = next(set(c["source_modules"]) for c in contracts if c["name"].startswith("renderers"))
    renderers = {".".join(m.relative_to(ROOT).with_suffix("").parts) for m in PACKAGE.rglob("render_*.py")}
    assert renderers <= listed, f"add to the renderer contract in pyproject.toml: {sorted(renderers - listed)}"


# each third-party library is imported by one module (or package) only: when it has to be replaced or patched,
# one place changes
OWNERS = {"yaml": "logic/schema/yaml_source.py", "pglast": "logic/sql/expressions.py", "migra": "db/migra/",
          "schemainspect": "db/migra/", "psycopg": "db/connect.py", "pgserver": "db/embedded.py",
          "alembic": "db/migrations.py", "click": "cli", "rich": "cli/output.py"}


def _imported(source: str) -> set[str]:
    """The top-level packages a module imports (statements, not text that mentions them: a template of
    env.py is a string)."""
    import ast

    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_each_third_party_library_behind_its_one_module() -> None:
    strays = []
    for module in PACKAGE.rglob("*.py"):
        where = str(module.relative_to(PACKAGE))
        for lib in sorted(_imported(module.read_text(encoding="utf-8"))):
            if lib in OWNERS and not where.startswith(OWNERS[lib]):
                strays.append(f"{where} imports {lib} (only {OWNERS[lib]} may)")
    assert not strays, strays
