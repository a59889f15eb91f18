"""Read YAML into located nodes. The only module that imports yaml.

Every value keeps the file, line and column it came from and its YAML path
(``tables.orders.columns.total``), so every later error can point at it.
Duplicate keys, which PyYAML silently overwrites, are errors here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

import yaml

from ...core.errors import InputError, Location, Problem


@dataclass
class Node:
    """A YAML value with its place: ``value`` is a dict of Nodes, a list of Nodes or a scalar."""

    value: Any
    loc: Location
    path: str
    key_loc: Location | None = field(default=None, repr=False)

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return not (self.is_map or self.is_list)

    def items(self) -> Iterator[tuple[str, "Node"]]:
        return iter(self.value.items()) if self.is_map else iter(())

    def get(self, key: str) -> "Node | None":
        return self.value.get(key) if self.is_map else None

    def child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def plain(self) -> Any:
        """The value without locations (for hashing, JSON Schema validation, tests)."""
        if self.is_map:
            return {k: v.plain() for k, v in self.value.items()}
        if self.is_list:
            return [v.plain() for v in self.value]
        return self.value


def _location(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


# libyaml's parser when PyYAML was built with it (several times faster); it keeps marks too.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_MAP_TAG, _SEQ_TAG, _STR_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=4096)
def _implicit_tag(value: str, plain: bool) -> str:
    """The tag YAML gives ``value`` untagged (a schema repeats the same few words: bigint, true, ...)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, (plain, not plain))  # type: ignore[no-any-return]


class _Budget:
    """How many values the document may expand to: aliases may repeat a value, never explode it (an alias bomb
    of a few hundred bytes would otherwise build billions)."""

    def __init__(self, text: str) -> None:
        self.left = max(100_000, 20 * len(text))


class _Builder:
    """YAML nodes -> located Nodes, with every problem collected."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()
        self.budget = _Budget(text)
        self.open: set[int] = set()  # the collections being built, to tell an alias that contains itself
        self.too_big = False

    def build(self, node: yaml.Node, path: str, key_loc: Location | None = None) -> Node:
        loc = _location(self.file, node.start_mark)
        self.budget.left -= 1
        if self.budget.left < 0:
            if not self.too_big:
                self.too_big = True
                self.problems.append(Problem("the document's aliases expand to more values than a schema has",
                                             loc, path, "write the repeated parts out instead of aliasing them"))
            return Node(None, loc, path, key_loc)
        if id(node) in self.open:
            self.problems.append(Problem("an alias refers to a value that contains it", loc, path,
                                         "a schema is a tree: repeat the value instead"))
            return Node(None, loc, path, key_loc)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, path, key_loc)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                return self._tagged(node, loc, path, key_loc)
            self.open.add(id(node))
            items = [self.build(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
            self.open.discard(id(node))
            return Node(items, loc, path, key_loc)
        return self._scalar(node, loc, path, key_loc)

    def _mapping(self, node: yaml.MappingNode, loc: Location, path: str, key_loc: Location | None) -> Node:
        if node.tag != _MAP_TAG:
            return self._tagged(node, loc, path, key_loc)
        self.open.add(id(node))
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            kloc = _location(self.file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("a key must be a plain name", kloc, path))
                continue
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key == "<<":
                self.problems.append(Problem("YAML merge keys (<<) are not supported; write the keys out", kloc, path))
                continue
            if key in out:
                first = out[key].key_loc
                self.problems.append(Problem(f"duplicate key '{key}'", kloc, child,
                                             f"first defined at line {first.line}" if first else ""))
                continue
            out[key] = self.build(value_node, child, kloc)
        self.open.discard(id(node))
        return Node(out, loc, path, key_loc)

    def _scalar(self, node: yaml.ScalarNode, loc: Location, path: str, key_loc: Location | None) -> Node:
        if node.tag != _implicit_tag(node.value, not node.style):  # libyaml says '' where PyYAML says None
            return self._tagged(node, loc, path, key_loc)  # an explicit tag says what the value alone does not
        if node.tag == _STR_TAG:  # most of a schema: names and types, as written
            return Node(node.value, loc, path, key_loc)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, OverflowError) as exc:
            self.problems.append(Problem(f"cannot read the value {node.value!r}: {exc}", loc, path))
            value = None
        return Node(value, loc, path, key_loc)

    def _tagged(self, node: yaml.Node, loc: Location, path: str, key_loc: Location | None) -> Node:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.problems.append(Problem(f"YAML tags are not part of schema.yaml ({tag})", loc, path,
                                     "remove the tag; write the value as text, a number, true or false"))
        return Node(None, loc, path, key_loc)


def parse_yaml(text: str, file: str) -> Node:
    """Parse one YAML document into located nodes; raise InputError with the position on bad YAML."""
    try:
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            # report with the pure-Python parser: the same words on every machine
            root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _location(file, mark) if mark else Location(file)
        problem = str(exc.problem or exc.context)
        raise InputError(Problem(f"invalid YAML: {problem}", loc, hint=_yaml_hint(problem, text, mark))) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(f"invalid YAML: {exc}", Location(file))) from None
    if root is None:
        return Node({}, Location(file, 1, 1), "")
    builder = _Builder(file, text)
    out = builder.build(root, "")
    if builder.problems:
        raise InputError(builder.problems)
    return out


# ---- writing ---------------------------------------------------------------------------------
_WIDE = float("inf")


def _dump(value: Any, **kw: Any) -> str:
    return yaml.dump(value, width=_WIDE, allow_unicode=True, **kw)  # type: ignore[call-overload,no-any-return]


# text that is plain in block and flow context alike, and that YAML cannot read as anything but a string
_SAFE_PLAIN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.()]*(?: [A-Za-z0-9_.()]+)*$")
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


def yaml_scalar(value: Any) -> str:
    if isinstance(value, str) and _SAFE_PLAIN_RE.match(value) and value.lower() not in _YAML_WORDS:
        return value
    return _yaml_scalar(value)


@lru_cache(maxsize=65536)
def _yaml_scalar(value: Any) -> str:
    """``value`` as a YAML scalar that reads back as exactly ``value`` inside a flow collection too.

    Plain when YAML allows it, double-quoted for text with a ``'`` or a line break (SQL is full
    of quotes), single-quoted otherwise.
    """
    if value is None or isinstance(value, (bool, int)):
        return _dump([value], default_flow_style=True).strip()[1:-1]
    text = str(value)
    if "\n" in text or "\t" in text:
        return _dump([text], default_flow_style=True, default_style='"').strip()[1:-1]
    flow = _dump([text], default_flow_style=True).strip()[1:-1]
    if flow.startswith("'") and "'" in text:
        return _dump([text], default_flow_style=True, default_style='"').strip()[1:-1]
    return flow


def yaml_block(text: str, indent: str) -> list[str]:
    """Multi-line ``text`` as a literal block (``|``) whose lines start with ``indent``.

    ``indent`` must be the key's own indentation plus two spaces (an indentation indicator, as in
    ``|2``, counts from the key). The first element is the indicator to put after the key; falls
    back to one double-quoted scalar when a literal block cannot hold the text exactly.
    """
    out = _dump(text, default_style="|")
    if out.endswith("\n...\n"):  # document end marker after a keep (|+) block
        out = out[: -len("...\n")]
    head, _, rest = out.partition("\n")
    if not head.startswith("|") or "+" in head:
        # a kept trailing blank line (|+) would also take in the blank line written after the block
        return [yaml_scalar(text)]
    body = rest[:-1].split("\n") if rest.endswith("\n") else rest.split("\n")
    return [head] + [indent + line[2:] if line.strip() else "" for line in body]


def _yaml_hint(problem: str, text: str, mark: object) -> str:
    """What to do about the YAML mistakes people make most."""
    lines, at = text.splitlines(), getattr(mark, "line", None)
    line = lines[at] if at is not None and at < len(lines) else ""
    if "'\\t'" in problem or "\t" in line[:len(line) - len(line.lstrip())]:
        return "YAML does not allow tabs for indentation; use spaces"
    if "mapping values are not allowed" in problem:
        return "a value holding ': ' needs quotes, or a key is indented more than its siblings"
    if "expected <block end>" in problem or "could not find expected ':'" in problem:
        return "check the indentation: keys of one mapping start in the same column"
    return ""
