"""Column types: parse what users write into PostgreSQL's canonical spelling.

Canonical spelling is what ``format_type()`` prints (``character varying(80)``,
``timestamp without time zone``, ``numeric(10,2)``), so a model type compares
equal to what a live database reports. :func:`is_widening` decides whether a
type change keeps every value (used to mark narrowing changes destructive).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# alias -> canonical base name
_BASES: dict[str, str] = {
    "int": "integer", "int4": "integer", "integer": "integer",
    "int8": "bigint", "bigint": "bigint",
    "int2": "smallint", "smallint": "smallint",
    "serial": "serial", "serial4": "serial",
    "bigserial": "bigserial", "serial8": "bigserial",
    "smallserial": "smallserial", "serial2": "smallserial",
    "float4": "real", "real": "real",
    "float8": "double precision", "double precision": "double precision", "float": "double precision",
    "decimal": "numeric", "numeric": "numeric",
    "bool": "boolean", "boolean": "boolean",
    "varchar": "character varying", "character varying": "character varying",
    "char": "character", "character": "character", "bpchar": "character",
    "text": "text", "uuid": "uuid", "json": "json", "jsonb": "jsonb", "bytea": "bytea",
    "date": "date", "interval": "interval", "money": "money", "xml": "xml",
    "inet": "inet", "cidr": "cidr", "macaddr": "macaddr", "macaddr8": "macaddr8",
    "tsvector": "tsvector", "tsquery": "tsquery",
    "point": "point", "line": "line", "lseg": "lseg", "box": "box", "path": "path",
    "polygon": "polygon", "circle": "circle",
    "bit": "bit", "varbit": "bit varying", "bit varying": "bit varying",
    "oid": "oid", "regclass": "regclass", "name": "name", "pg_lsn": "pg_lsn",
    # the other object identifier types (MusicBrainz's immutable_unaccent(regdictionary, text)), and system ones
    **{t: t for t in ("regproc", "regprocedure", "regoper", "regoperator", "regtype", "regrole", "regnamespace",
                      "regconfig", "regdictionary", "regcollation", "xid", "xid8", "cid", "tid", "pg_snapshot",
                      "txid_snapshot", "jsonpath", "aclitem")},
    "int4range": "int4range", "int8range": "int8range", "numrange": "numrange",
    "tsrange": "tsrange", "tstzrange": "tstzrange", "daterange": "daterange",
    "int4multirange": "int4multirange", "int8multirange": "int8multirange",
    "nummultirange": "nummultirange", "tsmultirange": "tsmultirange",
    "tstzmultirange": "tstzmultirange", "datemultirange": "datemultirange",
    "timestamp": "timestamp without time zone",
    "timestamp without time zone": "timestamp without time zone",
    "timestamptz": "timestamp with time zone", "timestamp with time zone": "timestamp with time zone",
    "time": "time without time zone", "time without time zone": "time without time zone",
    "timetz": "time with time zone", "time with time zone": "time with time zone",
}

# types that only exist once an extension is installed: type -> extension
EXTENSION_TYPES: dict[str, str] = {
    "citext": "citext", "hstore": "hstore", "ltree": "ltree", "lquery": "ltree", "cube": "cube",
    "vector": "vector", "halfvec": "vector", "sparsevec": "vector",
    "geometry": "postgis", "geography": "postgis", "isbn": "isn", "ean13": "isn",
    "isbn13": "isn", "ismn": "isn", "ismn13": "isn", "issn": "isn", "issn13": "isn", "upc": "isn",
    "earth": "earthdistance", "seg": "seg", "ltxtquery": "ltree", "lo": "lo",
}

_SERIAL_BASE = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}
_PARAMETRIZED = {"character varying", "character", "numeric", "bit", "bit varying",
                 "timestamp without time zone", "timestamp with time zone",
                 "time without time zone", "time with time zone", "interval", "vector",
                 "halfvec", "sparsevec", "geometry", "geography"}

_TYPE_RE = re.compile(
    r"""^\s*(?P<base>[a-z_][a-z0-9_ ]*?)\s*
        (?:\(\s*(?P<args>[^()]*)\s*\))?\s*
        (?P<tz>with(?:out)?\s+time\s+zone)?\s*
        (?P<arrays>(?:\[\s*\d*\s*\]\s*)*)$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class ParsedType:
    base: str  # canonical base without modifiers: "character varying", "numeric", "public.mood"
    args: tuple[str, ...] = ()
    array_dims: int = 0
    user_type: bool = False  # an enum (or other user-defined type) of the model

    @property
    def canonical(self) -> str:
        base = self.base
        mods = f"({','.join(self.args)})" if self.args else ""
        if mods and base.endswith(" time zone"):
            word, _, rest = base.partition(" ")
            text = f"{word}{mods} {rest}"
        else:
            text = base + mods
        return text + "[]" * self.array_dims

    @property
    def comparable(self) -> str:
        """The type as stored: serial is integer with a default."""
        return stored_type(self.canonical)


def stored_type(canonical: str) -> str:
    """The type a column really has: serial types are integers with a default."""
    base = canonical.replace("[]", "")
    return _SERIAL_BASE.get(base, base) + "[]" * canonical.count("[]")


class TypeError_(ValueError):
    """An unknown or malformed type; ``hint`` suggests a fix."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def parse_type(text: str, *, user_types: dict[str, str] | None = None,
               extensions: frozenset[str] = frozenset()) -> ParsedType:
    """Parse ``text``; ``user_types`` maps names users may write (``mood``, ``public.mood``) to qualified names."""
    user_types = user_types or {}
    raw = str(text).strip()
    m = _TYPE_RE.match(raw)
    if not m:
        # a user-defined qualified type with quotes or odd spacing, maybe an array of it
        base_text, arrays = raw, 0
        while base_text.endswith("[]"):
            base_text, arrays = base_text[:-2].rstrip(), arrays + 1
        if base_text in user_types:
            return ParsedType(user_types[base_text], (), arrays, True)
        raise TypeError_(f"cannot read type '{raw}'", "write it like varchar(80), numeric(10,2) or text[]")
    base = " ".join(m.group("base").lower().split())
    args = tuple(a.strip() for a in m.group("args").split(",")) if m.group("args") is not None else ()
    tz = m.group("tz")
    arrays = m.group("arrays").count("[")
    if tz:
        base = f"{base} {' '.join(tz.lower().split())}"
    name_as_written = m.group("base").strip()
    # PostgreSQL looks in pg_catalog first: an enum or domain named bit or point is reached only qualified
    if (name_as_written in user_types or base in user_types) and not is_builtin_name(" ".join(name_as_written.split())):
        if args:
            raise TypeError_(f"type '{name_as_written}' takes no modifiers")
        return ParsedType(user_types.get(name_as_written) or user_types[base], (), arrays, True)
    if base in _BASES:
        canon = _BASES[base]
        if base in ("timestamptz", "timetz"):
            canon = _BASES[base]
        if args and canon not in _PARAMETRIZED:
            raise TypeError_(f"type '{canon}' takes no modifiers", f"write '{canon}'")
        for a in args:
            if not re.fullmatch(r"-?\d+", a):
                raise TypeError_(f"type modifier '{a}' of '{raw}' must be a whole number")
        if canon == "numeric" and len(args) > 2 or canon != "numeric" and len(args) > 1:
            raise TypeError_(f"too many modifiers in '{raw}'")
        return ParsedType(canon, args, arrays)
    if base in EXTENSION_TYPES:
        ext = EXTENSION_TYPES[base]
        if ext not in extensions:
            raise TypeError_(f"type '{base}' needs the extension '{ext}'",
                             f"declare '{ext}' under extensions:, managed (the default) so that finesse creates it")
        for a in args:
            if not re.fullmatch(r"[A-Za-z0-9_]+", a):
                raise TypeError_(f"type modifier '{a}' of '{raw}' must be a number or a name")
        return ParsedType(base, args, arrays, True)
    choices = sorted(set(_BASES) | set(user_types) | set(EXTENSION_TYPES))
    close = difflib.get_close_matches(base, choices, n=1, cutoff=0.6)
    raise TypeError_(f"unknown type '{raw}'", f"did you mean '{close[0]}'?" if close else
                     "declare it under enums: or use a PostgreSQL type")


def is_builtin_name(name: str) -> bool:
    """Whether ``name``, written unqualified, is a type of pg_catalog (which PostgreSQL searches first)."""
    return name in _BASES


_INT_RANK = {"smallint": 1, "integer": 2, "bigint": 3}
_TEXTUAL = {"character varying", "text", "character"}


def _split(canonical: str) -> tuple[str, tuple[int, ...], int]:
    arrays = canonical.count("[]")
    core = canonical.replace("[]", "")
    m = re.match(r"^([a-z ]+?)\s*(?:\(([\d, ]+)\))?\s*(with(?:out)? time zone)?$", core)
    if not m:
        return core, (), arrays
    base = m.group(1).strip() + (f" {m.group(3)}" if m.group(3) else "")
    args = tuple(int(a) for a in m.group(2).split(",")) if m.group(2) else ()
    return base, args, arrays


def is_widening(old: str, new: str) -> bool:
    """True when every value of canonical type ``old`` converts to ``new`` unchanged."""
    if old == new:
        return True
    ob, oa, odim = _split(old)
    nb, na, ndim = _split(new)
    if odim != ndim:
        return False
    if ob in _INT_RANK and nb in _INT_RANK:
        return _INT_RANK[nb] >= _INT_RANK[ob]
    if ob in _INT_RANK and nb == "numeric":
        digits = {"smallint": 5, "integer": 10, "bigint": 19}[ob]
        return not na or (na[0] - (na[1] if len(na) > 1 else 0)) >= digits
    if ob == "numeric" and nb == "numeric":
        if not na:
            return True
        if not oa:
            return False
        os_, ns = (oa[1] if len(oa) > 1 else 0), (na[1] if len(na) > 1 else 0)
        return ns >= os_ and na[0] - ns >= oa[0] - os_
    if ob == "real" and nb == "double precision":
        return True
    if ob in _TEXTUAL and nb in ("text", "character varying"):
        if nb == "text" or not na:
            return True
        return bool(oa) and na[0] >= oa[0] and ob != "text"
    if ob == nb and ob.startswith(("timestamp", "time ", "interval")):
        return not na or (bool(oa) and na[0] >= oa[0])
    if ob == "json" and nb == "jsonb":
        return False  # jsonb drops duplicate keys and key order
    if ob == "timestamp without time zone" and nb == "timestamp with time zone":
        return True  # every value keeps its meaning under the session time zone
    return False


# PostgreSQL's type categories (pg_type.typcategory) of the built-in types: a foreign key can join columns of
# one category (integer to bigint, varchar to text), never of two
_CATEGORY = {"smallint": "N", "integer": "N", "bigint": "N", "numeric": "N", "real": "N", "double precision": "N",
             "money": "N", "text": "S", "character varying": "S", "character": "S", "name": "S", "boolean": "B",
             "uuid": "U", "date": "D", "timestamp without time zone": "D", "timestamp with time zone": "D",
             "time without time zone": "D", "time with time zone": "D", "interval": "T", "bytea": "U",
             "json": "U", "jsonb": "U", "inet": "I", "cidr": "I"}


def comparable(a: str, b: str) -> bool:
    """Whether a foreign key may join columns of types ``a`` and ``b`` (canonical spellings): the same type,
    or built-in types of one category; a type finesse cannot place (an enum, a domain) is given the benefit."""
    a, b = stored_type(a), stored_type(b)
    if a == b or a.endswith("[]") or b.endswith("[]"):
        return a == b
    ca, cb = _CATEGORY.get(_split(a)[0]), _CATEGORY.get(_split(b)[0])
    return ca is None or cb is None or ca == cb
