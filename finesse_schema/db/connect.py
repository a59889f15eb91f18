"""Connections and URLs. The only module that imports psycopg.

URLs are accepted as ``postgresql://``, ``postgres://`` or ``postgresql+psycopg://``;
passwords never leave this module in anything meant for output (:func:`mask_url`).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
import sqlalchemy as sa
from psycopg import sql as psql
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.pool import NullPool

from ..core.errors import DatabaseError, InputError, Problem

Error = psycopg.Error


def normalize_url(url: str) -> str:
    """A libpq URL (postgresql://...) from any accepted spelling."""
    url = url.strip()
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql://" + url[len(prefix):]
    if not url.startswith("postgresql://"):
        raise InputError(Problem(f"not a PostgreSQL URL: {mask_url(url)}",
                                 hint="write it like postgresql://user@host:5432/dbname"))
    return url


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, safe to print or write."""
    url = re.sub(r"(://[^:/@]*:)[^@/]+@", r"\1***@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url)


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(normalize_url(url))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "dbname"]
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname), urlencode(query), parts.fragment))


def database_name(url: str) -> str:
    with connect(url) as conn:
        return conn.info.dbname


# Every session finesse opens resolves unqualified names the same way: public, then pg_catalog
# (implicitly). Expressions read back from the catalog and DDL written from them then mean the
# same thing whatever search_path the server, database or role sets.
SEARCH_PATH = "public"


def session_options(url: str) -> str:
    """libpq ``options`` for ``url``: the user's own, then finesse's search_path."""
    given = conninfo_to_dict(normalize_url(url)).get("options") or ""
    return f"{given} -c search_path={SEARCH_PATH}".strip()


@contextmanager
def connect(url: str, *, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    try:
        conn = psycopg.connect(normalize_url(url), autocommit=autocommit, connect_timeout=15,
                               options=session_options(url))
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to {mask_url(url)}: {str(exc).strip()}") from None
    try:
        yield conn
    finally:
        conn.close()


def sa_engine(url: str) -> sa.Engine:
    """A SQLAlchemy engine over psycopg 3 that keeps no pooled connections."""
    return sa.create_engine("postgresql+psycopg://" + normalize_url(url)[len("postgresql://"):], poolclass=NullPool,
                            connect_args={"options": session_options(url)})


def fetch_all(conn: psycopg.Connection, query: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
    return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def identifier(*names: str) -> psql.Composable:
    return psql.Identifier(*names)


def literal(value: object) -> psql.Composable:
    return psql.Literal(value)


def composed(template: str, *args: psql.Composable) -> psql.Composed:
    return psql.SQL(template).format(*args)


def server_major(conn: psycopg.Connection) -> int:
    return conn.info.server_version // 10000


def error_text(exc: BaseException) -> str:
    """PostgreSQL's message with its detail and hint, without the Python noise."""
    if isinstance(exc, psycopg.Error) and exc.diag and exc.diag.message_primary:
        d = exc.diag
        parts = [d.message_primary]
        if d.message_detail:
            parts.append(f"DETAIL: {d.message_detail}")
        if d.message_hint:
            parts.append(f"HINT: {d.message_hint}")
        return " ".join(parts)
    return str(exc).strip()


def error_position(exc: BaseException) -> int | None:
    """The 1-based character position PostgreSQL reports for an error in a statement, if any."""
    if isinstance(exc, psycopg.Error) and exc.diag and exc.diag.statement_position:
        return int(exc.diag.statement_position)
    return None
