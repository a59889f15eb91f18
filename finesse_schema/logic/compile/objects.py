"""DDL for what SQLAlchemy does not model: domains, sequences, functions, views, triggers, their comments."""

from __future__ import annotations

from ...core.model import Collation, CompositeType, Domain, QualifiedName, Schema, Sequence, Table, Trigger, View
from ...core.routines import Aggregate, Function, Operator
from ..sql.expressions import (check_query, default_sql, dollar_quoted, expression_sql, function_statement_check, setting_sql,
                               view_statement_check)
from ..sql.quoting import qualified, quote, quote_name, sql_literal
from ..sql.text import table_columns
from .order import mentioned_names, topological


def type_sql(type_name: str) -> str:
    """A model type as DDL: user types (enums, domains, tables' row types) are quoted and qualified."""
    if type_name.upper().startswith("SETOF "):
        return "SETOF " + type_sql(type_name[len("SETOF "):])
    base = type_name.rstrip("[]")
    arrays = type_name[len(base):]
    schema, dot, name = base.partition(".")
    if dot and "(" not in base:  # no type of PostgreSQL's own is spelled with a dot; a schema may have a space
        return qualified(schema, name) + arrays
    return type_name


def domain_sql(d: Domain) -> str:
    sql = f"CREATE DOMAIN {qualified(d.schema, d.name)} AS {type_sql(d.type)}"
    if d.default is not None:
        sql += f" DEFAULT {default_sql(d.default)}"
    if d.not_null:
        sql += " NOT NULL"
    for c in d.checks:
        sql += f" CONSTRAINT {quote(c.name)} CHECK ({expression_sql(c.expression)})"
    return sql


def composite_type_sql(c: CompositeType) -> str:
    attributes = ", ".join(f"{quote(a.name)} {type_sql(a.type)}" + (f" COLLATE {quote_name(a.collation)}"
                                                                       if a.collation else "")
                           for a in c.attributes)
    return f"CREATE TYPE {qualified(c.schema, c.name)} AS ({attributes})"


def types_in_order(schema: Schema) -> list[Domain | CompositeType]:
    """Domains and composite types, each after the domains and composite types it is made of."""
    def uses(o: Domain | CompositeType) -> set[str]:
        types = [o.type] if isinstance(o, Domain) else [a.type for a in o.attributes]
        return {t.replace("[]", "") for t in types}
    return topological([*schema.domains, *schema.types], lambda o: f"{o.schema}.{o.name}", uses)


def sequence_sql(s: Sequence) -> str:
    sql = f"CREATE {'UNLOGGED ' if s.unlogged else ''}SEQUENCE {qualified(s.schema, s.name)} AS {s.type}"
    for word, value in (("INCREMENT BY", s.increment), ("MINVALUE", s.min_value), ("MAXVALUE", s.max_value),
                        ("START WITH", s.start), ("CACHE", s.cache)):
        if value is not None:
            sql += f" {word} {value}"
    return sql + (" CYCLE" if s.cycle else "")


def owned_by_sql(s: Sequence) -> str | None:
    if not s.owned_by:
        return None
    parts = s.owned_by.split(".")
    schema, table, column = (parts if len(parts) == 3 else [s.schema, *parts])
    return f"ALTER SEQUENCE {qualified(s.schema, s.name)} OWNED BY {qualified(schema, table)}.{quote(column)}"


def uses_row_types(f: Function, schema: Schema) -> bool:
    """Whether ``f`` takes or returns a table's rows: it is created once the tables are."""
    tables = {f"{t.schema}.{t.name}" for t in schema.tables}
    returns = (f.returns or "").removeprefix("SETOF ")
    columns = table_columns(returns)
    types = [a.type for a in f.arguments] + ([c[1] for c in columns if c] if columns is not None else [returns])
    return any(t.rstrip("[]") in tables for t in types)


def aggregate_uses_row_types(a: Aggregate, schema: Schema) -> bool:
    """Whether ``a`` aggregates or keeps a table's rows, or its functions do: it is created after them."""
    tables = {f"{t.schema}.{t.name}" for t in schema.tables}
    late = {(f.schema, f.name) for f in schema.functions if uses_row_types(f, schema)}
    functions = [q for q in (a.state_function, a.final_function) if q is not None]
    return (any(t.rstrip("[]") in tables for t in (*a.arguments, a.state_type))
            or any((q.schema or a.schema, q.name) in late for q in functions))


def function_signature(f: Function) -> str:
    return f"{qualified(f.schema, f.name)}({f.identity_arguments})"


def function_sql(f: Function) -> str:
    args = []
    for a in f.arguments:
        text = (f"{a.mode.upper()} " if a.mode != "in" else "") + (f"{quote(a.name)} " if a.name else "")
        text += type_sql(a.type)
        if a.default is not None:
            text += f" DEFAULT {default_sql(a.default)}"
        args.append(text)
    head = f"CREATE OR REPLACE {f.kind.upper()} {qualified(f.schema, f.name)}({', '.join(args)})"
    if f.kind == "function":
        head += f"\n RETURNS {type_sql(f.returns or 'void')}"
    head += f"\n LANGUAGE {f.language}"  # the reader takes [a-z_][a-z0-9_]* only
    if f.kind == "function":
        head += f" {f.volatility.upper()}" + (" STRICT" if f.strict else "")
    if f.parallel != "unsafe":
        head += f" PARALLEL {f.parallel.upper()}"
    if f.security_definer:
        head += " SECURITY DEFINER"
    for name, value in f.settings:
        head += f"\n SET {'.'.join(quote(p) for p in name.split('.'))} TO {setting_sql(value)}"
    if f.compiled:  # AS 'library', 'symbol' (c) or AS 'symbol' (internal)
        return f"{head}\nAS {sql_literal(f.library) + ', ' if f.library else ''}{sql_literal(f.body)}"
    sql = f"{head}\nAS {dollar_quoted(f.body)}"  # verbatim: the body is exactly what schema.yaml says
    function_statement_check(sql, f.body)
    return sql


def trigger_sql(t: Table, tr: Trigger) -> str:
    events = []
    for e in tr.events:
        if e == "update" and tr.update_columns:
            events.append("UPDATE OF " + ", ".join(quote(c) for c in tr.update_columns))
        else:
            events.append(e.upper())
    fn = qualified(tr.function.schema, tr.function.name) if tr.function.schema else quote(tr.function.name)
    sql = (f"CREATE {'CONSTRAINT ' if tr.constraint else ''}TRIGGER {quote(tr.name)} {tr.timing.upper()} "
           f"{' OR '.join(events)} ON {qualified(t.schema, t.name)}")
    if tr.old_table or tr.new_table:
        sql += " REFERENCING" + (f" OLD TABLE AS {quote(tr.old_table)}" if tr.old_table else "") + \
            (f" NEW TABLE AS {quote(tr.new_table)}" if tr.new_table else "")
    if tr.constraint:
        sql += " DEFERRABLE INITIALLY " + ("DEFERRED" if tr.initially_deferred else "IMMEDIATE")
    sql += f" FOR EACH {tr.level.upper()}"
    if tr.when:
        sql += f" WHEN ({expression_sql(tr.when)})"
    return sql + f" EXECUTE FUNCTION {fn}({', '.join(sql_literal(a) for a in tr.arguments)})"


def view_sql(v: View) -> str:
    """CREATE [MATERIALIZED] VIEW; a materialized view WITH NO DATA: its query does not run where finesse
    materializes schema.yaml (the revision that creates it for real fills it)."""
    query = check_query(v.definition)
    sql = (f"CREATE MATERIALIZED VIEW {qualified(v.schema, v.name)} AS\n{query}\nWITH NO DATA" if v.materialized
           else f"CREATE VIEW {qualified(v.schema, v.name)} AS\n{query}")
    view_statement_check(sql, v.materialized)
    return sql


def ordered_views(schema: Schema) -> list[View]:
    """Views after the views they read (by the names their definitions mention)."""
    spelled = {}
    for v in schema.views:
        key = f"{v.schema}.{v.name}"
        spelled[key] = v.name if v.schema == "public" else key
    return topological(list(schema.views), lambda v: f"{v.schema}.{v.name}",
                       lambda v: mentioned_names(v.definition, {k: s for k, s in spelled.items()
                                                                if k != f"{v.schema}.{v.name}"}))


def comment_sql(kind: str, target: str, text: str) -> str:
    return f"COMMENT ON {kind} {target} IS {sql_literal(text)}"


def row_security_sql(t: Table) -> list[str]:
    out = []
    if t.rls_enabled:
        out.append(f"ALTER TABLE {qualified(t.schema, t.name)} ENABLE ROW LEVEL SECURITY")
    if t.rls_forced:
        out.append(f"ALTER TABLE {qualified(t.schema, t.name)} FORCE ROW LEVEL SECURITY")
    for p in t.policies:
        roles = ", ".join(r if r.lower() in ("public", "current_user", "session_user", "current_role") else quote(r)
                          for r in p.roles)
        sql = (f"CREATE POLICY {quote(p.name)} ON {qualified(t.schema, t.name)} AS {'PERMISSIVE' if p.permissive else 'RESTRICTIVE'}"
               f" FOR {p.command.upper()} TO {roles}")
        if p.using:
            sql += f" USING ({expression_sql(p.using)})"
        if p.with_check:
            sql += f" WITH CHECK ({expression_sql(p.with_check)})"
        out.append(sql)
    return out


def collation_clause(provider: str, locale: str | None, lc_collate: str | None, lc_ctype: str | None,
                     deterministic: bool) -> str:
    """The parenthesized options of CREATE COLLATION, as pg_dump writes them (also for what a catalog holds)."""
    parts = [f"provider = {provider}"]
    if locale is not None and (provider != "libc" or not lc_collate or lc_collate == lc_ctype):
        parts.append(f"locale = {sql_literal(locale)}")
    else:
        parts += [f"lc_collate = {sql_literal(lc_collate or '')}", f"lc_ctype = {sql_literal(lc_ctype or '')}"]
    if not deterministic:
        parts.append("deterministic = false")
    return f"({', '.join(parts)})"


def collation_sql(c: Collation) -> str:
    return (f"CREATE COLLATION {qualified(c.schema, c.name)} "
            f"{collation_clause(c.provider, c.locale, c.lc_collate, c.lc_ctype, c.deterministic)}")


def aggregate_sql(a: Aggregate) -> str:
    def fn(q: QualifiedName) -> str:
        return qualified(q.schema, q.name) if q.schema else quote(q.name)

    parts = [f"SFUNC = {fn(a.state_function)}", f"STYPE = {type_sql(a.state_type)}"]
    if a.final_function:
        parts.append(f"FINALFUNC = {fn(a.final_function)}")
    if a.initial_condition is not None:
        parts.append(f"INITCOND = {sql_literal(a.initial_condition)}")
    return f"CREATE AGGREGATE {aggregate_signature(a)} ({', '.join(parts)})"


def aggregate_signature(a: Aggregate) -> str:
    """name(argument types); an aggregate of no arguments (counting rows) is name(*)."""
    return f"{qualified(a.schema, a.name)}({', '.join(type_sql(x) for x in a.arguments) or '*'})"


def operator_name(schema: str, name: str) -> str:
    """An operator as DDL names it: OPERATOR(schema.symbol) where an expression would, schema.symbol in DDL."""
    return f"{quote(schema)}.{name}"


def operator_sql(o: Operator) -> str:
    def fn(q: QualifiedName) -> str:
        return qualified(q.schema, q.name) if q.schema else quote(q.name)

    parts = [f"FUNCTION = {fn(o.function)}"]
    if o.left:
        parts.append(f"LEFTARG = {type_sql(o.left)}")
    parts.append(f"RIGHTARG = {type_sql(o.right)}")
    for word, partner in (("COMMUTATOR", o.commutator), ("NEGATOR", o.negator)):
        if partner:
            schema, _, symbol = partner.rpartition(".")
            parts.append(f"{word} = OPERATOR({operator_name(schema or o.schema, symbol)})")
    for word, estimator in (("RESTRICT", o.restrict), ("JOIN", o.join)):
        if estimator:
            parts.append(f"{word} = {fn(estimator)}")
    parts += [word for word, on in (("HASHES", o.hashes), ("MERGES", o.merges)) if on]
    return f"CREATE OPERATOR {operator_name(o.schema, o.name)} ({', '.join(parts)})"
