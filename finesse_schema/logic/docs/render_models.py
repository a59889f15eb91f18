"""The compiled schema -> generated/models.py: SQLAlchemy 2 declarative models with relationships. Pure.

Written from the same SQLAlchemy MetaData finesse materializes, so the models' metadata is the schema's
(tests compare them statement by statement). One class per table with a primary key (its name the table's
in CamelCase, schema-prefixed outside public), a Core Table for a table without one; a many-to-one
relationship per foreign key and the one-to-many back. Views, functions and triggers are the database's
business: they are in schema.sql, not here. A check declared not_valid is left out (it is not part of the
compiled metadata either: it is added NOT VALID by its own statement).
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ...core.model import Schema
from ..compile.compiler import DIALECT, RawType, compile_metadata

_RESERVED = {"metadata", "registry", "__table__", "__tablename__", "__mapper__", "__table_args__"}

_SIMPLE = [  # (class, source, python type), most specific first
    (sa.BigInteger, "BigInteger()", "int"), (sa.SmallInteger, "SmallInteger()", "int"), (sa.Integer, "Integer()", "int"),
    (sa.Text, "Text()", "str"), (sa.Boolean, "Boolean()", "bool"), (sa.Date, "Date()", "datetime.date"),
    (pg.JSONB, "JSONB()", "Any"), (pg.JSON, "JSON()", "Any"), (pg.BYTEA, "BYTEA()", "bytes"),
    (pg.DOUBLE_PRECISION, "DOUBLE_PRECISION()", "float"), (sa.REAL, "REAL()", "float"), (pg.INET, "INET()", "str"),
    (pg.CIDR, "CIDR()", "str"), (pg.MACADDR, "MACADDR()", "str"), (pg.MONEY, "MONEY()", "str"),
    (pg.TSVECTOR, "TSVECTOR()", "str"), (pg.INTERVAL, "INTERVAL()", "datetime.timedelta"),
]


def class_name(table: sa.Table) -> str:
    words = re.split(r"[^A-Za-z0-9]+", (table.name if table.schema == "public" else f"{table.schema}_{table.name}"))
    name = "".join(w[:1].upper() + w[1:] for w in words if w) or "Table"
    return name if name[0].isalpha() else f"T{name}"


def _attr(name: str, taken: set[str]) -> str:
    """A Python attribute name for a column or relationship named ``name``, unique in ``taken``."""
    base = re.sub(r"\W", "_", name) or "column"
    if base[0].isdigit():
        base = f"c_{base}"
    if keyword.iskeyword(base) or base in _RESERVED:
        base += "_"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}_{n}"
    taken.add(out)
    return out


def type_source(t: sa.types.TypeEngine) -> tuple[str, str]:
    """(constructor source, Python annotation type) of a column type of the compiled metadata."""
    if isinstance(t, RawType):
        return f"PgType({t.ddl!r})", "Any"
    if isinstance(t, pg.ARRAY):
        inner, py = type_source(t.item_type)
        dims = f", dimensions={t.dimensions}" if t.dimensions else ""
        return f"ARRAY({inner}{dims})", f"list[{py}]"
    if isinstance(t, pg.ENUM):
        values = ", ".join(repr(v) for v in t.enums)
        return f"ENUM({values}, name={t.name!r}, schema={t.schema!r}, create_type=False)", "str"
    if isinstance(t, pg.UUID):
        return "UUID(as_uuid=True)", "uuid.UUID"
    if isinstance(t, pg.TIMESTAMP):
        return f"TIMESTAMP(timezone={bool(t.timezone)}, precision={t.precision!r})", "datetime.datetime"
    if isinstance(t, pg.TIME):
        return f"TIME(timezone={bool(t.timezone)}, precision={t.precision!r})", "datetime.time"
    if isinstance(t, sa.Numeric) and not isinstance(t, (sa.Float, sa.REAL)):
        args = ", ".join(str(a) for a in (t.precision, t.scale) if a is not None)
        return f"Numeric({args})", "decimal.Decimal"
    if isinstance(t, (sa.CHAR, sa.String)) and not isinstance(t, sa.Text):
        cls = "CHAR" if isinstance(t, sa.CHAR) else "String"
        args = [str(t.length)] if t.length is not None else []
        if t.collation:
            args.append(f"collation={t.collation!r}")
        return f"{cls}({', '.join(args)})", "str"
    for cls, source, py in _SIMPLE:
        if isinstance(t, cls):
            return source, py
    return f"PgType({t.compile(dialect=DIALECT)!r})", "Any"


def _sql(element: object) -> str:
    return str(element.compile(dialect=DIALECT)) if not isinstance(element, str) else element  # type: ignore[attr-defined]


def _default(column: sa.Column) -> str | None:
    d = column.server_default
    if d is None or isinstance(d, sa.Computed) or isinstance(d, sa.Identity):
        return None
    return _sql(d.arg)  # type: ignore[attr-defined]


def _column(column: sa.Column, attr: str) -> tuple[str, str]:
    """(the mapped_column(...) call, the annotation) of a column."""
    source, py = type_source(column.type)
    args = [repr(column.name), source] if attr != column.name else [source]
    if column.identity is not None:
        i = column.identity
        args.append(f"Identity(always={bool(i.always)}, start={i.start!r}, increment={i.increment!r})")
    if column.computed is not None:
        args.append(f"Computed(literal_column({_sql(column.computed.sqltext)!r}), persisted=True)")
    kw = []
    if column.primary_key:
        kw.append("primary_key=True")
    kw.append(f"nullable={bool(column.nullable)}")
    if not column.identity:
        kw.append("autoincrement=False")
    default = _default(column)
    if default is not None:
        kw.append(f"server_default=literal_column({default!r})")
    if column.comment:
        kw.append(f"comment={column.comment!r}")
    annotation = f"Mapped[{py} | None]" if column.nullable else f"Mapped[{py}]"
    return f"mapped_column({', '.join(args + kw)})", annotation


def _index_expr(expr: object) -> str:
    if isinstance(expr, sa.Column):
        return repr(expr.name)
    text = str(expr.compile(dialect=DIALECT, compile_kwargs={"include_table": False}))  # type: ignore[attr-defined]
    return f"literal_column({text!r})"


def _constraints(table: sa.Table) -> list[str]:
    out = []
    for c in sorted(table.constraints, key=lambda c: (type(c).__name__, c.name or "")):
        if isinstance(c, sa.PrimaryKeyConstraint):
            out.append(f"PrimaryKeyConstraint({', '.join(repr(col.name) for col in c.columns)}, name={c.name!r})")
        elif isinstance(c, sa.UniqueConstraint):
            nnd = ", postgresql_nulls_not_distinct=True" if c.dialect_options["postgresql"].get("nulls_not_distinct") \
                else ""
            out.append(f"UniqueConstraint({', '.join(repr(col.name) for col in c.columns)}, name={c.name!r}{nnd})")
        elif isinstance(c, sa.CheckConstraint):
            out.append(f"CheckConstraint(literal_column({_sql(c.sqltext)!r}), name={c.name!r})")
        elif isinstance(c, sa.ForeignKeyConstraint):
            refs = ", ".join(repr(f"{e.column.table.schema}.{e.column.table.name}.{e.column.name}") for e in c.elements)
            extra = "".join(f", {k}={v!r}" for k, v in (("ondelete", c.ondelete), ("onupdate", c.onupdate),
                                                          ("deferrable", c.deferrable), ("initially", c.initially))
                            if v is not None)
            out.append(f"ForeignKeyConstraint([{', '.join(repr(col) for col in c.column_keys)}], [{refs}], "
                       f"name={c.name!r}{extra})")
    for ix in sorted(table.indexes, key=lambda i: i.name or ""):
        exprs = ", ".join(_index_expr(e) for e in ix.expressions)
        opts = ix.dialect_options["postgresql"]
        kw = [f"unique={bool(ix.unique)}", f"postgresql_using={opts.get('using')!r}"]
        if opts.get("where") is not None:
            kw.append(f"postgresql_where=literal_column({_sql(opts['where'])!r})")
        if opts.get("include"):
            kw.append(f"postgresql_include={list(opts['include'])!r}")
        if opts.get("ops"):
            kw.append(f"postgresql_ops={dict(opts['ops'])!r}")
        out.append(f"Index({ix.name!r}, {exprs}, {', '.join(kw)})")
    return out


def render_models(schema: Schema, *, header: str) -> str:
    metadata = compile_metadata(schema)
    tables = sorted(metadata.tables.values(), key=lambda t: (t.schema or "", t.name))
    names: dict[str, str] = {}
    counts = Counter(class_name(t) for t in tables)
    seen: Counter[str] = Counter()
    for t in tables:
        base = class_name(t)
        seen[base] += 1
        names[t.key] = base if counts[base] == 1 else f"{base}{seen[base]}"
    mapped = {t.key for t in tables if t.primary_key.columns}
    # relationships: (child table key, attribute, parent key, fk) and the parent's collection back
    attrs = {t.key: {c.name for c in t.columns} for t in tables}
    taken: dict[str, set[str]] = {t.key: set() for t in tables}
    col_attr: dict[tuple[str, str], str] = {}
    for t in tables:
        for c in t.columns:
            col_attr[(t.key, c.name)] = _attr(c.name, taken[t.key])
    rel_lines: dict[str, list[str]] = {t.key: [] for t in tables}
    pairs = Counter()
    fks = []
    for t in tables:
        for fk in sorted((c for c in t.constraints if isinstance(c, sa.ForeignKeyConstraint)), key=lambda c: c.name or ""):
            parent = fk.elements[0].column.table
            pairs[(t.key, parent.key)] += 1
            fks.append((t, fk, parent))
    for t, fk, parent in fks:
        if t.key not in mapped or parent.key not in mapped:
            continue
        cols = list(fk.column_keys)
        one = cols[0][:-3] if len(cols) == 1 and cols[0].endswith("_id") and cols[0][:-3] not in attrs[t.key] else \
            (parent.name if len(cols) > 1 or not cols[0].endswith("_id") else f"{cols[0]}_ref")
        if len(cols) == 1 and not cols[0].endswith("_id"):
            one = f"{cols[0]}_{parent.name}"
        many = t.name if pairs[(t.key, parent.key)] == 1 else f"{t.name}_by_{'_'.join(cols)}"
        one_attr = _attr(one, taken[t.key])
        many_attr = _attr(many if t.key != parent.key else f"{many}_children", taken[parent.key])
        fk_list = ", ".join(f"{names[t.key]}.{col_attr[(t.key, c)]}" for c in cols)
        remote = ""
        if t.key == parent.key:
            remote = ", remote_side=" + "[" + ", ".join(
                f"{names[t.key]}.{col_attr[(t.key, e.column.name)]}" for e in fk.elements) + "]"
        optional = " | None" if any(t.c[c].nullable for c in cols) else ""
        rel_lines[t.key].append(f"    {one_attr}: Mapped[{names[parent.key]}{optional}] = relationship("
                                f"foreign_keys=\"[{fk_list}]\", back_populates={many_attr!r}{remote})")
        rel_lines[parent.key].append(f"    {many_attr}: Mapped[list[{names[t.key]}]] = relationship("
                                     f"foreign_keys=\"[{fk_list}]\", back_populates={one_attr!r})")
    out = ["class PgType(UserDefinedType):",
           '    """A PostgreSQL type SQLAlchemy has no class for (a domain, a range...), written as schema.yaml does."""',
           "", "    cache_ok = True", "", "    def __init__(self, ddl: str) -> None:", "        self.ddl = ddl", "",
           "    def get_col_spec(self, **kw: Any) -> str:", "        return self.ddl", "", "",
           "class Base(DeclarativeBase):", "    metadata = MetaData()", ""]
    for t in tables:
        args = _constraints(t)
        table_kw = {"schema": t.schema}
        if t.comment:
            table_kw["comment"] = t.comment
        partition = t.dialect_options["postgresql"].get("partition_by")
        if partition:
            table_kw["postgresql_partition_by"] = partition
        if t.key not in mapped:
            cols = ["    Column(" + _column(c, "")[0][len("mapped_column("):] for c in t.columns]  # named
            out += ["", f"{names[t.key]} = Table(", f"    {t.name!r}, Base.metadata,", *[c + "," for c in cols],
                    *[f"    {a}," for a in args], *[f"    {k}={v!r}," for k, v in table_kw.items()], ")"]
            continue
        out += ["", f"class {names[t.key]}(Base):", f"    __tablename__ = {t.name!r}", "    __table_args__ = ("]
        out += [f"        {a}," for a in args]
        out += ["        " + repr(table_kw) + ",", "    )", ""]
        for c in t.columns:
            call, annotation = _column(c, col_attr[(t.key, c.name)])
            out.append(f"    {col_attr[(t.key, c.name)]}: {annotation} = {call}")
        if rel_lines[t.key]:
            out += [""] + rel_lines[t.key]
        out.append("")
    body = "\n".join(out).rstrip("\n") + "\n"
    return header + "\n" + _imports(body) + "\n\n\n" + body


_IMPORTS = (
    ("sqlalchemy", ("CHAR", "BigInteger", "Boolean", "CheckConstraint", "Column", "Computed", "Date",
                    "ForeignKeyConstraint", "Identity", "Index", "Integer", "MetaData", "Numeric",
                    "PrimaryKeyConstraint", "REAL", "SmallInteger", "String", "Table", "Text", "UniqueConstraint",
                    "literal_column")),
    ("sqlalchemy.dialects.postgresql", ("ARRAY", "BYTEA", "CIDR", "DOUBLE_PRECISION", "ENUM", "INET", "INTERVAL",
                                        "JSON", "JSONB", "MACADDR", "MONEY", "TIME", "TIMESTAMP", "TSVECTOR", "UUID")),
    ("sqlalchemy.orm", ("DeclarativeBase", "Mapped", "mapped_column", "relationship")),
    ("sqlalchemy.types", ("UserDefinedType",)),
)


def _imports(body: str) -> str:
    """The module's docstring and the imports ``body`` uses (a generated module imports nothing it does not)."""
    used = {tok.string for tok in tokenize.generate_tokens(io.StringIO(body).readline) if tok.type == tokenize.NAME}
    out = ['"""SQLAlchemy 2 models of the tables of schema.yaml, generated by finesse generate: do not edit."""', "",
           "from __future__ import annotations", ""]
    out += [f"import {m}" for m in ("datetime", "decimal", "uuid") if m in used]
    out += ["from typing import Any", ""]
    for module, names in _IMPORTS:
        wanted = [n for n in names if n in used]
        if not wanted:
            continue
        line, lines = f"from {module} import ", []
        indent = " " * (len(line) + 1)
        if len(line + ", ".join(wanted)) <= 120:
            lines = [line + ", ".join(wanted)]
        else:
            current = line + "("
            for i, n in enumerate(wanted):
                piece = n + (")" if i == len(wanted) - 1 else ",")
                if len(current) + len(piece) + 1 > 120 and current.strip() not in (line.strip() + "(",):
                    lines.append(current.rstrip())
                    current = indent
                current += ("" if current.endswith("(") or current == indent else " ") + piece
            lines.append(current)
        out += lines
    return "\n".join(out)
