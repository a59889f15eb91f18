"""SQL from schema.yaml, parsed by PostgreSQL's own parser (pglast, libpg_query) before any server sees it.
The only module that imports pglast.

schema.yaml holds SQL in a few places: expressions (defaults, checks, generated columns, index expressions
and predicates, policies, trigger conditions, domain checks, argument defaults), partition keys and bounds,
function settings, view queries and function bodies. Each must be exactly what its field says, or it is an
input error:

* an expression is exactly one value expression, alone and in the parentheses finesse puts it in; what
  reaches a server is its own text in those parentheses (it cannot reach past them: it parses as one
  expression there, and holds no comment), else PostgreSQL's parse of it, deparsed (NORMALIZE(x, NFKC)
  stays as written, so the catalog keeps the spelling the user chose);
* a partition bound holds constants only (it is evaluated when the partition is created);
* a view query is exactly one SELECT (no SELECT INTO, no data-modifying WITH);
* a function body is a string: it goes into a dollar quote whose tag does not occur in it, and the whole
  CREATE FUNCTION is parsed back to check that its body is the body;
* a setting value is a list of constants.

``standard_conforming_strings`` is on in every session finesse opens (see db/connect.py), which the
deparsed string constants assume.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Iterator

from pglast import ast, parse_sql
from pglast.enums import BoolExprType, SetOperation, VariableSetKind
from pglast.parser import ParseError, scan
from pglast.stream import RawStream
from pglast.visitors import Visitor


class SqlError(ValueError):
    """SQL that is not what its place takes; ``position`` is the 0-based character of the user's text."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


def _parse(sql: str, offset: int) -> tuple:  # type: ignore[type-arg]
    """The statements of ``sql``; a syntax error names the position in the user's text (after ``offset``)."""
    try:
        return parse_sql(sql)
    except ParseError as exc:
        message, at = (exc.args + (None,))[:2]
        position = at - offset if isinstance(at, int) and at >= offset else None
        raise SqlError(str(message), position) from None


def _one(statements: tuple, what: str) -> ast.Node:  # type: ignore[type-arg]
    if len(statements) != 1:
        raise SqlError(f"{len(statements)} statements where {what} belongs" if statements else f"no {what}")
    return statements[0].stmt


def _deparse(node: ast.Node) -> str:
    return RawStream()(node)


_SELECT_CLAUSES = ("distinctClause", "intoClause", "fromClause", "whereClause", "groupClause", "havingClause",
                   "windowClause", "valuesLists", "sortClause", "limitOffset", "limitCount", "lockingClause",
                   "withClause")


def expression_sql(text: str) -> str:
    """``text`` as exactly one value expression (SqlError if it is anything else: a second statement, a
    clause, a column list), to put in parentheses; or use :func:`default_sql`."""
    return _expression(text)[0]


def default_sql(text: str) -> str:
    """An expression for DEFAULT, which takes a restricted expression: parenthesized unless it is a constant,
    a cast, a column or a function call."""
    sql, simple = _expression(text)
    return sql if simple else f"({sql})"


_SIMPLE = (ast.A_Const, ast.TypeCast, ast.FuncCall, ast.ColumnRef, ast.SQLValueFunction)


@lru_cache(maxsize=8192)
def _expression(text: str) -> tuple[str, bool]:
    target = _single_target("SELECT ", text, "")
    # in parentheses too (where finesse puts it), it must still be that one expression: then its own text,
    # without comments, cannot reach past them; else what reaches the server is PostgreSQL's parse, deparsed
    try:
        _single_target("SELECT (", text, ")")
        own = not any(tok.name in ("SQL_COMMENT", "C_COMMENT") for tok in scan(text))
    except SqlError:
        own = False
    return (text.strip() if own else _deparse(target.val)), isinstance(target.val, _SIMPLE)


def _single_target(prefix: str, text: str, suffix: str) -> ast.ResTarget:
    stmt = _one(_parse(prefix + text + suffix, len(prefix)), "an expression")
    if not isinstance(stmt, ast.SelectStmt) or stmt.op != SetOperation.SETOP_NONE or any(
            getattr(stmt, c, None) for c in _SELECT_CLAUSES):
        raise SqlError("not a single expression (it reads as a query)")
    targets = stmt.targetList or ()
    if len(targets) != 1:
        raise SqlError(f"{len(targets)} expressions separated by commas where one belongs")
    target = targets[0]
    if target.name or isinstance(target.val, ast.ColumnRef) and any(isinstance(f, ast.A_Star)
                                                                      for f in target.val.fields):
        raise SqlError("not a single expression (it names or expands columns)")
    return target


def check_query(text: str) -> str:
    """``text`` (a view's query) if it is exactly one SELECT, VALUES or set operation of them, with no SELECT
    INTO and no data-modifying WITH; SqlError otherwise. The text is kept as written, trailing semicolons
    and blanks removed."""
    stmt = _one(_parse(text, 0), "a query")
    if not isinstance(stmt, ast.SelectStmt):
        raise SqlError(f"a view is defined by one SELECT, not by {type(stmt).__name__.removesuffix('Stmt')}")
    _check_select(stmt)
    return text.rstrip().rstrip(";").rstrip()


def _check_select(stmt: ast.SelectStmt) -> None:
    if stmt.intoClause:
        raise SqlError("a view's query cannot be SELECT INTO")
    for cte in (stmt.withClause.ctes if stmt.withClause else ()):
        if not isinstance(cte.ctequery, ast.SelectStmt):
            raise SqlError(f"a view's WITH cannot hold {type(cte.ctequery).__name__.removesuffix('Stmt')} "
                           f"(in {cte.ctename})")
        _check_select(cte.ctequery)
    for side in (stmt.larg, stmt.rarg):
        if side is not None:
            _check_select(side)


def view_statement_check(sql: str, materialized: bool) -> None:
    """Raise SqlError unless ``sql`` is exactly one CREATE [MATERIALIZED] VIEW (the query put in its place
    did not end or extend the statement)."""
    stmt = _one(_parse(sql, 0), "a view")
    kind = ast.CreateTableAsStmt if materialized else ast.ViewStmt
    if not isinstance(stmt, kind):
        raise SqlError("the view's query does not fit in CREATE VIEW")


@lru_cache(maxsize=1024)
def partition_by_sql(text: str) -> str:
    """A partition key (``range (created_at)``) rendered from its parse; SqlError otherwise."""
    prefix = "CREATE TABLE x () PARTITION BY "
    stmt = _one(_parse(prefix + text, len(prefix)), "a partition key")
    if not isinstance(stmt, ast.CreateStmt) or stmt.partspec is None:
        raise SqlError("not a partition key: write range (column), list (column) or hash (column)")
    return _deparse(stmt.partspec)


@lru_cache(maxsize=4096)
def partition_bound_sql(text: str) -> str:
    """A partition bound (``FOR VALUES ...`` or ``DEFAULT``) of constants, rendered from its parse."""
    prefix = "CREATE TABLE x PARTITION OF y "
    stmt = _one(_parse(prefix + text, len(prefix)), "a partition bound")
    if not isinstance(stmt, ast.CreateStmt) or stmt.partbound is None or stmt.tableElts or stmt.constraints \
            or stmt.options or stmt.partspec or stmt.tablespacename or stmt.accessMethod:
        raise SqlError("not a partition bound: write FOR VALUES FROM (...) TO (...), FOR VALUES IN (...), "
                       "FOR VALUES WITH (MODULUS m, REMAINDER r) or DEFAULT")
    bound = stmt.partbound
    for datum in (*(bound.listdatums or ()), *(bound.lowerdatums or ()), *(bound.upperdatums or ())):
        if not _constant(datum):
            raise SqlError(f"a partition bound holds constants (it is evaluated when the partition is "
                           f"created), not {_deparse(datum)}")
    return _deparse(bound)


def _constant(node: ast.Node) -> bool:
    if isinstance(node, ast.A_Const):
        return True
    if isinstance(node, ast.TypeCast):
        return _constant(node.arg)
    if isinstance(node, ast.ColumnRef):  # MINVALUE and MAXVALUE of a range bound
        return len(node.fields) == 1 and getattr(node.fields[0], "sval", "").lower() in ("minvalue", "maxvalue")
    return False


@lru_cache(maxsize=1024)
def setting_sql(value: str) -> str:
    """The value of ``SET name TO value`` (a function's setting): constants only, rendered from the parse."""
    prefix = "SET x TO "
    stmt = _one(_parse(prefix + value, len(prefix)), "a setting value")
    if not isinstance(stmt, ast.VariableSetStmt) or stmt.kind != VariableSetKind.VAR_SET_VALUE \
            or not all(isinstance(a, ast.A_Const) for a in stmt.args or ()):
        raise SqlError("a setting value is a list of constants, e.g. \"'', public\"")
    return ", ".join(_deparse(a) for a in stmt.args)


def dollar_quoted(body: str) -> str:
    """``body`` between dollar quotes whose tag occurs in it nowhere, not even across its end."""
    n = 0
    while True:
        tag = "$fn$" if n == 0 else f"$fn{n}$"
        if (body + tag).find(tag) == len(body):
            return f"{tag}{body}{tag}"
        n += 1


def function_statement_check(sql: str, body: str) -> None:
    """Raise SqlError unless ``sql`` is exactly one CREATE FUNCTION or PROCEDURE whose body is ``body``."""
    stmt = _one(_parse(sql, 0), "a function")
    if not isinstance(stmt, ast.CreateFunctionStmt):
        raise SqlError("the function does not fit in CREATE FUNCTION")
    given = next((o.arg for o in stmt.options or () if o.defname == "as"), None)
    if not given or given[0].sval != body:
        raise SqlError("the function's body does not fit in its dollar quotes")


@lru_cache(maxsize=4096)
def _query_tree(sql: str) -> str | None:
    """``sql``'s parse tree without the positions of its tokens and lists, and with ANDs within ANDs (ORs
    within ORs) as one list: ``a AND (b AND c)`` is ``a AND b AND c``, and PostgreSQL writes back a view's
    BETWEEN as a nested AND that reads back flat. None when it does not parse."""
    from pglast.parser import parse_sql_json

    try:
        tree = json.loads(parse_sql_json(sql.strip().rstrip(";")))
    except ParseError:
        return None
    return json.dumps(_flat_booleans(tree), sort_keys=True)


def _position(key: str) -> bool:
    """Whether a parse tree's field says where in the text something is (location, rexpr_list_start, ...)."""
    return key in ("location", "stmt_location", "stmt_len") or key.endswith(("list_start", "list_end"))


def _flat_booleans(node: Any) -> Any:
    if isinstance(node, list):
        return [_flat_booleans(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _flat_booleans(v) for k, v in node.items() if not _position(k)}
    if node.get("op", "SETOP_NONE") != "SETOP_NONE" and isinstance(node.get("rarg"), dict):
        node = {**node, "rarg": _unnamed(node["rarg"])}
    expr = node.get("BoolExpr")
    if isinstance(expr, dict) and expr.get("boolop") in ("AND_EXPR", "OR_EXPR"):
        args: list[Any] = []
        for arg in expr.get("args", []):
            inner = arg.get("BoolExpr") if isinstance(arg, dict) else None
            same = isinstance(inner, dict) and inner.get("boolop") == expr["boolop"]
            args += inner.get("args", []) if same else [arg]  # type: ignore[union-attr]
        node = {**node, "BoolExpr": {**expr, "args": args}}
    return node


def _unnamed(node: Any) -> Any:
    """A set operation's right branch without the names of its columns: only the leftmost branch names the
    result's columns, and PostgreSQL writes back a bare NULL there as ``NULL::integer AS int4``."""
    if isinstance(node, list):
        return [_unnamed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _unnamed(v) for k, v in node.items() if k not in ("targetList", "larg", "rarg")}
    for k in ("larg", "rarg"):
        if k in node:
            out[k] = _unnamed(node[k])
    if "targetList" in node:
        out["targetList"] = [{"ResTarget": {k: v for k, v in t["ResTarget"].items() if k != "name"}}
                             if isinstance(t, dict) and "ResTarget" in t else t for t in node["targetList"]]
    return out


def same_query(a: str, b: str) -> bool:
    """Whether two query texts are the same query as PostgreSQL parses them: layout, comments, redundant
    parentheses and the case of keywords do not count; names, constants, casts and aliases do."""
    if a == b:
        return True
    tree = _query_tree(a)
    return tree is not None and tree == _query_tree(b)


def canonical_query(sql: str) -> str:
    """``sql`` written back from its parse tree (one line, PostgreSQL's spelling): two texts of the same query
    (:func:`same_query`) give the same text. A text that does not parse comes back as it was."""
    try:
        statements = parse_sql(sql.strip().rstrip(";"))
    except ParseError:
        return sql
    flat = _FlatBooleans()
    for s in statements:
        flat(s.stmt)
    return "; ".join(_deparse(s.stmt) for s in statements)


class _FlatBooleans(Visitor):  # type: ignore[misc]
    """ANDs within ANDs (ORs within ORs) as one list, and a set operation's right branch without the names of
    its columns, as _query_tree compares them."""

    def visit_BoolExpr(self, _ancestors: Any, node: ast.BoolExpr) -> None:  # noqa: N802 - pglast's naming
        if node.boolop != BoolExprType.NOT_EXPR:
            node.args = tuple(_flat_args(node))

    def visit_SelectStmt(self, _ancestors: Any, node: ast.SelectStmt) -> None:  # noqa: N802 - pglast's naming
        if node.op is not None and node.op.name != "SETOP_NONE" and node.rarg is not None:
            _unname(node.rarg)


def _unname(select: Any) -> None:
    for target in select.targetList or ():
        if isinstance(target, ast.ResTarget):
            target.name = None
    for branch in (select.larg, select.rarg):
        if branch is not None:
            _unname(branch)


def _flat_args(node: ast.BoolExpr) -> Iterator[Any]:
    for arg in node.args or ():
        if isinstance(arg, ast.BoolExpr) and arg.boolop == node.boolop:
            yield from _flat_args(arg)
        else:
            yield arg


def dropped_data(sql: str) -> list[tuple[str, str, str | None]]:
    """The tables (schema, table, None) and columns (schema, table, column) whose rows or values ``sql``
    (statements a revision runs) drops: DROP TABLE and ALTER TABLE ... DROP COLUMN. SQL that does not
    parse drops nothing that can be named."""
    try:
        statements = parse_sql(sql)
    except ParseError:
        return []
    out: list[tuple[str, str, str | None]] = []
    for raw in statements:
        stmt = raw.stmt
        if isinstance(stmt, ast.DropStmt) and stmt.removeType.name == "OBJECT_TABLE":
            for names in stmt.objects or ():
                parts = [n.sval for n in names]
                out.append((parts[-2] if len(parts) > 1 else "public", parts[-1], None))
        elif isinstance(stmt, ast.AlterTableStmt) and stmt.objtype.name == "OBJECT_TABLE":
            rel = stmt.relation
            for cmd in stmt.cmds or ():
                if cmd.subtype.name == "AT_DropColumn":
                    out.append((rel.schemaname or "public", rel.relname, cmd.name))
    return out
