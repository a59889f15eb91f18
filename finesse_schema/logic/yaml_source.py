"""Read YAML into located nodes. The only module that imports yaml.

Every value keeps the file, line and column it came from and its YAML path
(``tables.orders.columns.total``), so every later error can point at it.
Duplicate keys, which PyYAML silently overwrites, are errors here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from ..core.errors import InputError, Location, Problem


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


def _scalar_value(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode):  # type: ignore[no-untyped-def]
    """A scalar node as a Python value, by YAML 1.1 safe rules (one shared constructor, no loader per value)."""
    return constructor.construct_object(node, deep=True)


def _construct(file: str, node: yaml.Node, path: str, problems: list[Problem], key_loc: Location | None = None,
               constructor: yaml.constructor.SafeConstructor | None = None) -> Node:
    constructor = constructor or yaml.constructor.SafeConstructor()
    loc = _location(file, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            kloc = _location(file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem("a key must be a plain name", kloc, path))
                continue
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key == "<<":
                problems.append(Problem("YAML merge keys (<<) are not supported; write the keys out", kloc, path))
                continue
            if key in out:
                first = out[key].key_loc
                problems.append(Problem(f"duplicate key '{key}'", kloc, child,
                                        f"first defined at line {first.line}" if first else ""))
                continue
            out[key] = _construct(file, value_node, child, problems, kloc, constructor)
        return Node(out, loc, path, key_loc)
    if isinstance(node, yaml.SequenceNode):
        return Node([_construct(file, v, f"{path}[{i}]", problems, None, constructor)
                     for i, v in enumerate(node.value)], loc, path, key_loc)
    return Node(_scalar_value(constructor, node), loc, path, key_loc)


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
        raise InputError(Problem(f"invalid YAML: {exc.problem or exc.context}", loc)) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(f"invalid YAML: {exc}", Location(file))) from None
    if root is None:
        return Node({}, Location(file, 1, 1), "")
    problems: list[Problem] = []
    out = _construct(file, root, "", problems)
    if problems:
        raise InputError(problems)
    return out
