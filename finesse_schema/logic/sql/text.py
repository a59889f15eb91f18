"""Small helpers over SQL text as PostgreSQL deparses it: top-level splitting and outer parentheses.

They understand quotes ('...', "...", $tag$...$tag$) and nesting, nothing more.
"""

from __future__ import annotations

import re

_DOLLAR_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def _scan(text: str):  # type: ignore[no-untyped-def]
    """Yield (index, char, depth) for every character outside quotes; depth counts open parentheses."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if text[j] == ch:
                    if j + 1 < n and text[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        if ch == "$":
            m = _DOLLAR_RE.match(text, i)
            if m:
                end = text.find(m.group(0), m.end())
                i = n if end < 0 else end + len(m.group(0))
                continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        yield i, ch, depth
        i += 1


_TABLE_RE = re.compile(r"^\s*table\s*\((.*)\)\s*$", re.I | re.S)
# one column of TABLE(...): a name (quoted, with anything in it, or plain) and its type
_TABLE_COLUMN_RE = re.compile(r'^\s*("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s+(\S.*?)\s*$', re.S)


def table_columns(returns: str) -> list[tuple[str, str] | None] | None:
    """The (name, type) of each column of ``RETURNS TABLE(name type, ...)``, None for a column that is not of
    that form; None when ``returns`` is not TABLE(...)."""
    m = _TABLE_RE.match(returns)
    if not m:
        return None
    out: list[tuple[str, str] | None] = []
    for column in split_top_level(m.group(1)):
        named = _TABLE_COLUMN_RE.match(column)
        out.append((named.group(1), named.group(2)) if named else None)
    return out


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """``a, f(b, c), 'x,y'`` -> ``['a', 'f(b, c)', "'x,y'"]``."""
    if not text.strip():
        return []
    parts, start = [], 0
    for i, ch, depth in _scan(text):
        if ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def strip_parens(text: str) -> str:
    """Remove one pair of parentheses that encloses the whole of ``text``, if there is one."""
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return text
    for i, ch, depth in _scan(text):
        if depth == 0 and i < len(text) - 1:
            return text  # the first parenthesis closes before the end: (a) AND (b)
    return text[1:-1].strip()


_NAME = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
_VARCHAR_LIST = r"(?:'(?:[^']|'')*'::character varying(?:, )?)+"
_ANY_ARRAY_RE = re.compile(
    r"\(?(?P<col>(?:" + _NAME + r"\.)?" + _NAME + r")\)?::text (?P<op>= ANY|<> ALL) "
    r"\(\(?ARRAY\[(?P<items>" + _VARCHAR_LIST + r")\]\)?::text\[\]\)")


def restore_in_lists(sql: str) -> str:
    """``(status)::text = ANY ((ARRAY['a'::character varying])::text[])`` -> ``(status IN ('a'::character varying))``.

    PostgreSQL deparses ``varchar_column IN ('a', 'b')`` into the ANY form, but parsing
    that form back gives another tree (each element cast on its own), which deparses
    differently again: a check written from the catalog would never match the database.
    The IN form parses back to the original tree. (The same for NOT IN and ``<> ALL``.)
    """
    if "::text[]" not in sql:
        return sql

    def repl(m: re.Match[str]) -> str:
        op = "IN" if m.group("op") == "= ANY" else "NOT IN"
        return f"({m.group('col')} {op} ({m.group('items')}))"

    return _ANY_ARRAY_RE.sub(repl, sql)
