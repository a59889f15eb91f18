"""Connections and URLs. The only module that imports psycopg.

URLs are accepted as ``postgresql://``, ``postgres://`` or ``postgresql+psycopg://``;
passwords never leave this module in anything meant for output (:func:`mask_url`).
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
import sqlalchemy as sa
from psycopg import sql as psql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
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
    try:
        conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise InputError(Problem(f"cannot read the URL {mask_url(url)}: {mask_url(str(exc).strip())}",
                                 hint="write it like postgresql://user:password@host:5432/dbname?sslmode=require; "
                                      "percent-encode a password's special characters")) from None
    return url


_URL_RE = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://\S+")
_QUERY_PASSWORD_RE = re.compile(r"([?&]password=)[^&#\s]*", re.I)
_KV_PASSWORD_RE = re.compile(r"\b(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)
_MASK = r"\1***"


def _mask_one_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    query_at = rest.find("?")
    head = rest if query_at < 0 else rest[:query_at]
    # the userinfo ends at the last '@' before the query: a host never holds '@', a password may (and '/',
    # unencoded); with none there, a password holding '?' ends at the last '@' of all
    at = head.rfind("@")
    if at < 0 and query_at >= 0:
        at = rest.rfind("@")
    if at >= 0:
        user, colon, _ = rest[:at].partition(":")
        if colon:
            rest = f"{user}:***{rest[at:]}"
    return f"{scheme}://{_QUERY_PASSWORD_RE.sub(_MASK, rest)}"


def mask_url(text: str) -> str:
    """``text`` (a URL, a key=value conninfo, or a message holding them) with every password replaced by ***:
    in a URL's userinfo whatever characters it holds, in a ``password`` query parameter in any case, and in
    a ``password=`` setting of a conninfo string, quoted or not. Safe to print or write."""
    out, last = [], 0
    for m in _URL_RE.finditer(text):
        out.append(_KV_PASSWORD_RE.sub(_MASK, text[last:m.start()]))
        out.append(_mask_one_url(m.group(0)))
        last = m.end()
    out.append(_KV_PASSWORD_RE.sub(_MASK, text[last:]))
    return "".join(out)


def mask_secrets(text: str, url: str) -> str:
    """``text`` (a program's message about ``url``) masked as :func:`mask_url` does, and without the password
    of ``url`` wherever it appears as it is."""
    out = mask_url(text)
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        password = None
    if password and len(password) >= 3:
        out = out.replace(password, "***")
    return out


@contextmanager
def libpq_arguments(url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """(a conninfo without the password, the environment) for a libpq program such as pg_dump: the password
    goes in a passfile only this user can read, removed afterwards, never on a command line that ``ps``
    shows every local user."""
    params = conninfo_to_dict(normalize_url(url))
    password = params.pop("password", None)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="finesse-") as folder:
        if password is not None:
            path = os.path.join(folder, "pgpass")
            escaped = password.replace("\\", "\\\\").replace(":", "\\:")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(f"*:*:*:*:{escaped}\n")
            env["PGPASSFILE"] = path
            env.pop("PGPASSWORD", None)
        yield make_conninfo(**params), env


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
    """libpq ``options`` for ``url``: the user's own, then finesse's search_path, and string constants as the
    SQL standard reads them (a backslash is a backslash), which the SQL finesse writes assumes."""
    given = conninfo_to_dict(normalize_url(url)).get("options") or ""
    return f"{given} -c search_path={SEARCH_PATH} -c standard_conforming_strings=on".strip()


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
