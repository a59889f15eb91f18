"""schema.yaml nodes -> sequences, domains, functions, views and triggers.

Grammar::

    sequences:
      invoice_no: {type: bigint, start: 1000, increment: 1, min: 1, max: 999999, cache: 1, cycle: false,
                   owned_by: invoices.number, comment: ...}
    domains:
      email: {type: text, not_null: true, default: ..., checks: ["VALUE ~ '@'"], comment: ...}
    functions:
      set_updated_at:
        returns: trigger                 # omit, with kind: procedure, for a procedure
        language: plpgsql                # default plpgsql
        arguments: ["n integer", "label text DEFAULT 'x'"]   # or [{name, type, mode, default}]
        volatility: volatile             # volatile | stable | immutable
        security_definer: false
        strict: false
        parallel: safe                   # unsafe (default) | restricted | safe
        set: {search_path: "''"}         # SET name TO value; values are SQL
        body: "BEGIN NEW.updated_at = now(); RETURN NEW; END"
    views:
      current_stock:
        definition: SELECT ...
        materialized: false              # true for a materialized view, which may have indexes:
    tables:
      orders:
        triggers:
          - {name: orders_touch, timing: before, events: [update], level: row, function: set_updated_at,
             columns: [status], when: "OLD.status IS DISTINCT FROM NEW.status", arguments: []}
"""

from __future__ import annotations

import re

from ...core.model import Check, Domain, Partition, Policy, QualifiedName, Sequence, Suppression, Trigger, View
from ...core.routines import Argument, Function
from ..sql.text import table_columns
from ..sql.expressions import check_query, partition_bound_sql, partition_by_sql, setting_sql
from .columns import ColumnReader
from .grants import read_grants
from .naming import split_name
from .yaml_source import Node

SEQUENCE_KEYS = ("type", "start", "increment", "min", "max", "cache", "cycle", "owned_by", "comment", "unlogged",
                 "grants")
DOMAIN_KEYS = ("type", "not_null", "default", "checks", "comment")
FUNCTION_KEYS = ("returns", "language", "arguments", "volatility", "security_definer", "strict", "body", "kind",
                 "comment", "parallel", "set", "library", "symbol", "grants")
PARALLEL = {"unsafe": "unsafe", "restricted": "restricted", "safe": "safe"}
ARGUMENT_KEYS = ("name", "type", "mode", "default")
VIEW_KEYS = ("definition", "materialized", "indexes", "comment", "triggers", "grants")
TRIGGER_KEYS = ("name", "timing", "events", "level", "function", "columns", "when", "arguments", "comment",
                "deferrable", "initially_deferred", "old_table", "new_table")
RLS_KEYS = ("enabled", "forced")
PARTITION_KEYS = ("values", "comment", "indexes", "foreign_keys")
_PARTITION_BY_RE = re.compile(r"^\s*(range|list|hash)\s*\((.+)\)\s*$", re.I | re.S)
_BOUND_RE = re.compile(r"^\s*(default|for\s+values\s+(from|in|with)\b.*)$", re.I | re.S)
POLICY_KEYS = ("name", "command", "permissive", "roles", "using", "with_check")
COMMANDS = {c: c for c in ("all", "select", "insert", "update", "delete")}
VOLATILITY = {"volatile": "volatile", "stable": "stable", "immutable": "immutable"}
TIMINGS = {"before": "before", "after": "after", "instead of": "instead of"}
EVENTS = ("insert", "update", "delete", "truncate")
LEVELS = {"row": "row", "statement": "statement"}
MODES = ("in", "out", "inout", "variadic")
_DEFAULT_RE = re.compile(r"\s+(?:default|=)\s+", re.I)


def _mapping(r: ColumnReader, node: Node | None, what: str) -> list[tuple[QualifiedName, Node]]:
    if node is None or node.value is None:
        return []
    if not node.is_map:
        r.problem(node, f"{what} must be a mapping of name to definition")
        return []
    return [(split_name(key), item) for key, item in node.items()]


def read_sequences(r: ColumnReader, node: Node | None) -> list[Sequence]:
    out = []
    for qn, item in _mapping(r, node, "sequences"):
        if item.value is None:
            item = Node({}, item.loc, item.path, item.key_loc)
        if not r.keys(item, SEQUENCE_KEYS, f"sequence '{qn.name}'"):
            continue
        type_text = r.text(item.get("type"), "type") or "bigint"
        stype = r.column_type(type_text, item.get("type") or item)
        if stype and stype not in ("smallint", "integer", "bigint"):
            r.problem(item.get("type") or item, f"a sequence is smallint, integer or bigint, not '{stype}'")
        out.append(Sequence(qn.schema, qn.name, stype or "bigint", r.integer(item.get("start"), "start"),
                            r.integer(item.get("increment"), "increment"), r.integer(item.get("min"), "min"),
                            r.integer(item.get("max"), "max"), r.integer(item.get("cache"), "cache"),
                            r.boolean(item.get("cycle"), "cycle"), r.text(item.get("owned_by"), "owned_by"),
                            r.text(item.get("comment"), "comment"), r.boolean(item.get("unlogged"), "unlogged"),
                            read_grants(r, item.get("grants"), "sequence"), loc=item.key_loc or item.loc))
    return out


def read_domains(r: ColumnReader, node: Node | None) -> list[Domain]:
    out = []
    items = _mapping(r, node, "domains")
    r.declare_types([qn for qn, _ in items])  # a domain may be over another (declared in any order)
    for qn, item in items:
        if item.is_scalar:
            item = Node({"type": item}, item.loc, item.path, item.key_loc)
        if not r.keys(item, DOMAIN_KEYS, f"domain '{qn.name}'"):
            continue
        type_text = r.text(item.get("type"), "type")
        if not type_text:
            r.problem(item, f"domain '{qn.name}' needs a type", "e.g. type: text", at_key=True)
            continue
        dtype = r.column_type(type_text, item.get("type") or item)
        checks = []
        for c in r.list_of(item.get("checks"), "checks"):
            name, expr, expr_node = None, None, c
            if c.is_map:
                r.keys(c, ("name", "expression"), "a check")
                name, expr_node = r.text(c.get("name"), "name"), c.get("expression")
                expr = r.text(expr_node, "expression")
            else:
                expr = r.text(c, "check expression")
            if not expr:
                r.problem(c, "a check needs an expression", "e.g. \"VALUE > 0\"")
                continue
            if r.checked_sql(expr_node or c, expr, "check") is None:
                continue
            checks.append(Check(name or r.namer.check(qn.schema, qn.name, expr, set()), expr, loc=c.loc))
        if dtype:
            out.append(Domain(qn.schema, qn.name, dtype, r.boolean(item.get("not_null"), "not_null"),
                              r.default_sql(item.get("default")), tuple(checks), r.text(item.get("comment"), "comment"),
                              loc=item.key_loc or item.loc))
    return out


def _argument(r: ColumnReader, node: Node) -> Argument | None:
    if node.is_map:
        r.keys(node, ARGUMENT_KEYS, "an argument")
        type_text = r.text(node.get("type"), "type")
        if not type_text:
            r.problem(node, "an argument needs a type")
            return None
        atype = r.column_type(type_text, node.get("type") or node, allow_pseudo=True)
        mode = r.choice(node.get("mode"), "mode", {m: m for m in MODES}, "in")
        return Argument(r.text(node.get("name"), "name"), atype, mode,
                        r.default_sql(node.get("default"))) if atype else None
    text = r.text(node, "argument") or ""
    parts = _DEFAULT_RE.split(text, maxsplit=1)
    words, default = parts[0].split(), _argument_default(r, node, parts[1] if len(parts) > 1 else None)
    mode = "in"
    if words and words[0].lower() in MODES:
        mode = words.pop(0).lower()
    if not words:
        r.problem(node, f"cannot read argument '{text}'", "write it like 'quantity integer'")
        return None
    if len(words) > 1:
        with r.quietly() as ok:
            atype = r.column_type(" ".join(words[1:]), node, allow_pseudo=True)
        if ok() and atype:
            return Argument(words[0], atype, mode, default)
    atype = r.column_type(" ".join(words), node, allow_pseudo=True)
    return Argument(None, atype, mode, default) if atype else None


def _argument_default(r: ColumnReader, node: Node, text: str | None) -> str | None:
    return None if text is None else r.checked_sql(node, text.strip(), "argument default")


def read_functions(r: ColumnReader, node: Node | None) -> list[Function]:
    """functions: {name: definition}, or {name: [definition, ...]} for overloads: one name, several argument
    lists (PostgreSQL tells them apart by their argument types)."""
    out = []
    for qn, item in _mapping(r, node, "functions"):
        overloads = list(item.value) if item.is_list else [item]
        seen: dict[str, Node] = {}
        for one in overloads:
            f = _function(r, qn, one if item.is_list else item, item)
            if f is None:
                continue
            signature = f.identity_arguments.lower()
            if signature in seen:
                r.problem(one, f"function '{qn.name}({f.identity_arguments})' is declared twice",
                          "overloads of one name need different argument types")
                continue
            seen[signature] = one
            out.append(f)
    return out


def _function(r: ColumnReader, qn: QualifiedName, item: Node, named: Node) -> Function | None:
    if not item.is_map:
        r.problem(item, f"function '{qn.name}' must be a mapping (or a list of them, for overloads)")
        return None
    if not r.keys(item, FUNCTION_KEYS, f"function '{qn.name}'"):
        return None
    kind = r.choice(item.get("kind"), "kind", {"function": "function", "procedure": "procedure"}, "function")
    language = (r.text(item.get("language"), "language") or "plpgsql").lower()
    named_language = re.fullmatch(r"[a-z_][a-z0-9_]*", language) is not None
    if not named_language:
        r.problem(item.get("language"), f"'{language}' is not a language name", "e.g. plpgsql, sql")  # type: ignore[arg-type]
    library = _library(r, qn, item, language)
    body = r.text(item.get("symbol" if language in ("c", "internal") else "body"), "body")
    if language in ("c", "internal") and item.get("body") is not None:
        r.problem(item.get("body"), f"a function in language {language} has no body: it names a symbol",  # type: ignore[arg-type]
                  "write symbol: (the C function's name)" + (" and library:" if language == "c" else ""), at_key=True)
        return None
    if not body:
        r.problem(item, f"function '{qn.name}' needs " + ("a symbol" if language in ("c", "internal") else "a body"),
                  at_key=True)
        return None
    returns = None
    if kind == "function":
        rtext = r.text(item.get("returns"), "returns")
        if not rtext:
            r.problem(item, f"function '{qn.name}' needs returns:", "e.g. returns: trigger, or kind: procedure",
                      at_key=True)
            return None
        returns = _returns(r, rtext, item.get("returns") or item)
    elif item.get("returns") is not None:
        r.problem(item.get("returns"), "a procedure returns nothing; remove returns:")  # type: ignore[arg-type]
    args = [a for a in (_argument(r, a) for a in r.list_of(item.get("arguments"), "arguments")) if a]
    if not named_language:
        return None
    return Function(qn.schema, qn.name, body, language, tuple(args), returns, kind,
                    r.choice(item.get("volatility"), "volatility", VOLATILITY, "volatile"),
                    r.boolean(item.get("security_definer"), "security_definer"),
                    r.boolean(item.get("strict"), "strict"), r.text(item.get("comment"), "comment"),
                    r.choice(item.get("parallel"), "parallel", PARALLEL, "unsafe"),
                    _settings(r, item.get("set")), library, read_grants(r, item.get("grants"), "function"),
                    loc=(named.key_loc if item is named else None) or item.loc)


def _library(r: ColumnReader, qn: QualifiedName, item: Node, language: str) -> str | None:
    """library: the shared library of a function in C ('$libdir/fuzzystrmatch'); symbol: is its body."""
    library = r.text(item.get("library"), "library")
    if language != "c" and library is not None:
        r.problem(item.get("library"), "library: is for functions in language c", at_key=True)  # type: ignore[arg-type]
    if language not in ("c", "internal") and item.get("symbol") is not None:
        r.problem(item.get("symbol"), "symbol: is for functions in language c or internal; write body:",  # type: ignore[arg-type]
                  at_key=True)
    if language == "c" and not library:
        r.problem(item, f"function '{qn.name}' in language c needs library: (e.g. $libdir/fuzzystrmatch)", at_key=True)
    return library if language == "c" else None


def _settings(r: ColumnReader, node: Node | None) -> tuple[tuple[str, str], ...]:
    """set: {search_path: "public, pg_temp", work_mem: "'64MB'"}: configuration the function runs with."""
    out = []
    if node is None or node.value is None:
        return ()
    if not node.is_map:
        r.problem(node, "set must be a mapping of setting name to value", "e.g. set: {search_path: \"''\"}")
        return ()
    for name, value in node.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", name):
            r.problem(value, f"'{name}' is not a setting name", "e.g. search_path, work_mem, app.tenant", at_key=True)
            continue
        text = r.text(value, f"setting {name}")
        if text is None or not text.strip():
            r.problem(value, f"setting '{name}' needs a value (SQL, e.g. \"''\" or public, pg_temp)")
            continue
        if r.checked_sql(value, text, name, setting_sql) is None:
            continue
        out.append((name.lower(), text.strip()))
    return tuple(out)


def _returns(r: ColumnReader, text: str, node: Node) -> str | None:
    low = " ".join(text.lower().split())
    if low in ("trigger", "void", "event_trigger", "record", "boolean", "bool"):
        return {"bool": "boolean"}.get(low, low)
    if low.startswith("setof "):
        inner = r.column_type(text.strip()[len("setof "):].strip(), node, allow_pseudo=True)
        return f"SETOF {inner}" if inner else None
    if low.startswith("table"):
        return _returns_table(r, text, node)
    return r.column_type(text, node, allow_pseudo=True)


def _returns_table(r: ColumnReader, text: str, node: Node) -> str | None:
    """returns: "TABLE(name type, ...)": each column a name and a type schema.yaml knows (a table's rows too)."""
    out = []
    for column in table_columns(text) or []:
        if column is None:
            r.problem(node, f"cannot read a column of returns '{text.strip()}'", "write TABLE(name type, ...)")
            return None
        name, ctype = column
        canonical = r.column_type(ctype, node, allow_pseudo=True)
        if canonical is None:
            return None
        out.append(f"{name} {canonical}")
    if not out:
        r.problem(node, f"cannot read returns '{text}'", "write TABLE(name type, ...), SETOF type or a type")
        return None
    return f"TABLE({', '.join(out)})"


def read_views(r: ColumnReader, node: Node | None) -> list[View]:
    out = []
    for qn, item in _mapping(r, node, "views"):
        if item.is_scalar:
            item = Node({"definition": item}, item.loc, item.path, item.key_loc)
        if not r.keys(item, VIEW_KEYS, f"view '{qn.name}'"):
            continue
        definition = r.text(item.get("definition"), "definition")
        if definition and r.checked_sql(item.get("definition"), definition, "definition", check_query) is None:  # type: ignore[arg-type]
            continue
        if not definition:
            r.problem(item, f"view '{qn.name}' needs a definition", "definition: SELECT ...", at_key=True)
            continue
        materialized = r.boolean(item.get("materialized"), "materialized")
        indexes = [ix for ix in (r.read_index(qn, i) for i in r.list_of(item.get("indexes"), "indexes")) if ix]
        if indexes and not materialized:
            r.problem(item.get("indexes"), "only a materialized view can have indexes",  # type: ignore[arg-type]
                      "add materialized: true", at_key=True)
        triggers = read_triggers(r, qn, item.get("triggers"))
        out.append(View(qn.schema, qn.name, definition.strip().rstrip(";"), materialized, tuple(indexes),
                        r.text(item.get("comment"), "comment"), tuple(triggers),
                        read_grants(r, item.get("grants"), "view"), loc=item.key_loc or item.loc))
    return out


def read_triggers(r: ColumnReader, table: QualifiedName, node: Node | None) -> list[Trigger]:
    out = []
    for item in r.list_of(node, "triggers"):
        if not r.keys(item, TRIGGER_KEYS, "a trigger"):
            continue
        name, function = r.text(item.get("name"), "name"), r.text(item.get("function"), "function")
        if not name or not function:
            r.problem(item, "a trigger needs a name and a function", "e.g. {name: orders_touch, function: touch, "
                      "timing: before, events: [update]}")
            continue
        events = tuple(e.lower() for e in r.names(item.get("events"), "events"))
        bad = [e for e in events if e not in EVENTS]
        if not events or bad:
            r.problem(item.get("events") or item, f"trigger events must be some of {', '.join(EVENTS)}"
                      + (f", not {', '.join(bad)}" if bad else ""))
            continue
        timing = r.choice(item.get("timing"), "timing", TIMINGS, "after")
        level = r.choice(item.get("level"), "level", LEVELS, "row")
        columns = r.names(item.get("columns"), "columns")
        if columns and "update" not in events:
            r.problem(item.get("columns"), "columns: applies to update events only")  # type: ignore[arg-type]
        fq = split_name(function, "")
        deferred = r.boolean(item.get("initially_deferred"), "initially_deferred")
        deferrable = r.boolean(item.get("deferrable"), "deferrable") or deferred
        if deferrable and (timing != "after" or level != "row"):
            r.problem(item.get("deferrable") or item.get("initially_deferred"),  # type: ignore[arg-type]
                      "a deferrable trigger (a constraint trigger) fires after each row",
                      "use timing: after and level: row, or drop deferrable", at_key=True)
        old_table, new_table = (r.text(item.get(k), k) for k in ("old_table", "new_table"))
        for key, value, needs in (("old_table", old_table, ("update", "delete")),
                                  ("new_table", new_table, ("insert", "update"))):
            if value and (timing != "after" or deferrable or columns or len(events) != 1 or events[0] not in needs):
                r.problem(item.get(key), "a transition table is for an after trigger on one event, "  # type: ignore[arg-type]
                          f"{' or '.join(needs)}, without columns or deferrable", at_key=True)
        out.append(Trigger(name, timing, tuple(e for e in EVENTS if e in events), fq, level, columns,
                           r.sql(item.get("when"), "when"),
                           tuple(str(a.value) for a in r.list_of(item.get("arguments"), "arguments")),
                           r.text(item.get("comment"), "comment"), deferrable, deferred, old_table, new_table,
                           loc=item.loc))
    return out


def read_row_security(r: ColumnReader, node: Node | None) -> tuple[bool, bool]:
    """row_level_security: true, or {enabled: true, forced: true} (forced applies it to the owner too)."""
    if node is None or node.value is None:
        return False, False
    if node.is_map:
        r.keys(node, RLS_KEYS, "row_level_security")
        forced = r.boolean(node.get("forced"), "forced")
        return r.boolean(node.get("enabled"), "enabled", default=True) or forced, forced
    return r.boolean(node, "row_level_security"), False


def read_policies(r: ColumnReader, node: Node | None) -> list[Policy]:
    out = []
    for item in r.list_of(node, "policies"):
        if not r.keys(item, POLICY_KEYS, "a policy"):
            continue
        name = r.text(item.get("name"), "name")
        if not name:
            r.problem(item, "a policy needs a name")
            continue
        command = r.choice(item.get("command"), "command", COMMANDS, "all")
        using, check = r.sql(item.get("using"), "using"), r.sql(item.get("with_check"), "with_check")
        if command == "insert" and using:
            r.problem(item.get("using"), "an insert policy takes with_check:, not using:")  # type: ignore[arg-type]
        if command in ("select", "delete") and check:
            r.problem(item.get("with_check"), f"a {command} policy takes using:, not with_check:")  # type: ignore[arg-type]
        roles = r.names(item.get("roles"), "roles") or ("public",)
        out.append(Policy(name, command, r.boolean(item.get("permissive"), "permissive", default=True), roles,
                          using, check, loc=item.loc))
    return out


SUPPRESS_KEYS = ("rule", "object", "reason")


def read_suppressions(r: ColumnReader, node: Node | None, codes: tuple[str, ...] | None) -> list[Suppression]:
    """lint: {suppress: [{rule: FL121, object: orders, reason: "built while the shop is closed"}]}.

    ``codes``: the lint codes there are (the plan layer owns them); None takes any code."""
    if node is None or node.value is None:
        return []
    if not r.keys(node, ("suppress",), "lint"):
        return []
    out = []
    for item in r.list_of(node.get("suppress"), "suppress"):
        if not r.keys(item, SUPPRESS_KEYS, "a suppression"):
            continue
        rule, obj = r.text(item.get("rule"), "rule"), r.text(item.get("object"), "object")
        reason = (r.text(item.get("reason"), "reason") or "").strip()
        if not rule or not obj:
            r.problem(item, "a suppression needs rule and object", "e.g. {rule: FL121, object: orders, reason: ...}")
            continue
        if codes is not None and not any(c.startswith(rule.upper()) for c in codes):
            import difflib

            close = difflib.get_close_matches(rule.upper(), codes, n=1)
            r.problem(item.get("rule") or item, f"no lint rule has a code starting with '{rule}'",
                      f"did you mean '{close[0]}'?" if close else "finesse rules lists them")
            continue
        if not reason:
            r.problem(item, f"the suppression of {rule} on {obj} needs a reason",
                      "say why the finding is accepted: reason: ...")
            continue
        out.append(Suppression(rule.upper(), obj, reason, loc=item.loc))
    return out


def read_partitioning(r: ColumnReader, table: QualifiedName, by: Node | None,
                      parts: Node | None) -> tuple[str | None, list[Partition]]:
    """partition_by: "range (created_at)", and partitions: {name: "FOR VALUES ..." or DEFAULT or {values, comment,
    indexes, foreign_keys}} (a partition's own indexes and foreign keys, besides those it has from its parent)."""
    partition_by = None
    if by is not None and by.value is not None:
        text = r.text(by, "partition_by") or ""
        m = _PARTITION_BY_RE.match(text)
        if not m:
            r.problem(by, f"cannot read partition_by '{text}'", "write range (column), list (column) or hash (column)")
        elif r.checked_sql(by, text, "partition_by", partition_by_sql) is not None:
            partition_by = f"{m.group(1).upper()} ({m.group(2).strip()})"
    out = []
    for name, item in (parts.items() if parts is not None and parts.is_map else []):
        comment, indexes, fks = None, [], []
        bound_node: Node | None = item
        if item.is_map:
            r.keys(item, PARTITION_KEYS, f"partition '{name}'")
            bound_node, comment = item.get("values"), r.text(item.get("comment"), "comment")
            own = QualifiedName(table.schema, name)
            indexes = [ix for ix in (r.read_index(own, i) for i in r.list_of(item.get("indexes"), "indexes")) if ix]
            fks = [fk for fk in (r.read_foreign_key(own, i) for i in r.list_of(item.get("foreign_keys"),
                                                                               "foreign_keys")) if fk]
        bound = r.text(bound_node, "partition bound") or ""
        if not _BOUND_RE.match(bound):
            r.problem(bound_node or item, f"partition '{name}' needs its bound",
                      "FOR VALUES FROM (...) TO (...), FOR VALUES IN (...), FOR VALUES WITH (MODULUS m, REMAINDER r) "
                      "or DEFAULT")
            continue
        if r.checked_sql(bound_node or item, bound, f"partition '{name}'", partition_bound_sql) is None:
            continue
        out.append(Partition(name, " ".join(bound.split()) if bound.strip().lower() != "default" else "DEFAULT",
                             comment, tuple(indexes), tuple(fks), loc=item.key_loc or item.loc))
    if parts is not None and parts.value is not None and not parts.is_map:
        r.problem(parts, "partitions must be a mapping of partition name to its bound")
    if out and partition_by is None:
        r.problem(parts, "partitions need partition_by on the table", "e.g. partition_by: range (created_at)",  # type: ignore[arg-type]
                  at_key=True)
    return partition_by, out
