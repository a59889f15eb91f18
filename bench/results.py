"""bench/RESULTS.md is one file with a section per benchmark; each benchmark rewrites only its own."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, text: str, path: Path = RESULTS) -> None:
    """Replace the section whose heading starts with ``## name`` (or append it) with ``text``."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    text = text.rstrip("\n") + "\n"
    pattern = re.compile(rf"^## {re.escape(name)}\b.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def byte_compiled(checkout: Path = RESULTS.parent.parent) -> None:
    """finesse's modules byte-compiled, as pip leaves an installed package, before commands are timed: an
    editable checkout on a machine that sets PYTHONDONTWRITEBYTECODE (this one does) would otherwise compile
    every module from source in every command, which no installed finesse does (about 0.45 s of a plan)."""
    import compileall

    compileall.compile_dir(checkout / "finesse_schema", quiet=1)
