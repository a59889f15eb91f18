"""Dependency ordering: objects that use others come after them, otherwise declaration order stays."""

from __future__ import annotations

import re
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def topological(items: Sequence[T], key: Callable[[T], str], uses: Callable[[T], set[str]]) -> list[T]:
    """``items`` ordered so each comes after the items whose keys it ``uses``; stable; cycles keep their order."""
    by_key = {key(i): i for i in items}
    done: set[str] = set()
    visiting: set[str] = set()
    out: list[T] = []

    def visit(item: T) -> None:
        k = key(item)
        if k in done or k in visiting:
            return
        visiting.add(k)
        for dep in sorted(uses(item) & set(by_key), key=list(by_key).index):
            if dep != k:
                visit(by_key[dep])
        visiting.discard(k)
        done.add(k)
        out.append(item)

    for item in items:
        visit(item)
    return out


def mentioned_names(sql: str, candidates: dict[str, str]) -> set[str]:
    """Keys of ``candidates`` (key -> name or schema.name as SQL would spell it) that ``sql`` mentions."""
    text = re.sub(r"'(?:[^']|'')*'", "''", sql)  # not inside string literals
    found = set()
    for key, spelled in candidates.items():
        parts = [re.escape(p) for p in spelled.split(".")]
        pattern = r'(?<![\w$."])"?' + r'"?\s*\.\s*"?'.join(parts) + r'"?(?![\w$])'
        if re.search(pattern, text, re.I):
            found.add(key)
    return found
