"""Read a live database's catalog: one query per kind of object, rows as dicts.

This module only asks PostgreSQL; :mod:`finesse_schema.logic.importing.from_catalog` turns
the rows into the model. Every query covers all selected schemas at once (a
database of thousands of tables costs a handful of round trips), skips what
extensions own, and deparses expressions with ``search_path = public`` (see
:func:`.connect.connect`), so names in ``public`` come back unqualified and all
others qualified, whatever the server's own search_path is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..logic.sql.quoting import qualified, quote
from .connect import connect, server_major
from .extra_kinds.grants import DEFAULT_PRIVILEGES_SQL, PRIVILEGES_SQL

Row = dict[str, Any]
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

_NOT_EXTENSION = """NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass
                    AND d.objid = {oid} AND d.deptype = 'e')"""


def _own(oid: str, catalog: str) -> str:
    return _NOT_EXTENSION.format(oid=oid, catalog=catalog)


def _uses_text_search(classid: str, objid: str) -> str:
    """Whether an object reads a text search configuration or dictionary of its own (not an extension's), or calls
    a function whose body names such a configuration (MusicBrainz's indexes on mb_simple_tsvector(name)): schema.yaml
    holds none, so what reads one cannot be built from it either."""
    own = ("{o} >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_depend te WHERE te.classid = {c} AND te.objid = {o} "
           "AND te.deptype = 'e')")
    return (f"EXISTS (SELECT 1 FROM pg_depend ts WHERE ts.classid = '{classid}'::regclass AND ts.objid = {objid} "
            "AND (ts.refclassid IN ('pg_ts_config'::regclass, 'pg_ts_dict'::regclass) AND "
            + own.format(o="ts.refobjid", c="ts.refclassid")
            + " OR ts.refclassid = 'pg_proc'::regclass AND EXISTS (SELECT 1 FROM pg_proc tf JOIN pg_ts_config tc "
            "ON tf.prosrc ~ ('\\m' || tc.cfgname || '\\M') WHERE tf.oid = ts.refobjid AND "
            + own.format(o="tc.oid", c="'pg_ts_config'::regclass") + ")))")


QUERIES: dict[str, str] = {
    "schemas": """
        SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment
        FROM pg_namespace n WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("n.oid", "pg_namespace") + """
        ORDER BY 1""",
    "extensions": """
        SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version,
               (SELECT default_version FROM pg_available_extensions a WHERE a.name = e.extname) AS default_version,
               obj_description(e.oid, 'pg_extension') IS DISTINCT FROM
                   (SELECT comment FROM pg_available_extensions a WHERE a.name = e.extname) AS own_comment
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1""",
    "collations": """
        SELECT n.nspname AS schema, c.collname AS name,
               CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END AS provider,
               coalesce(to_jsonb(c)->>'colllocale', to_jsonb(c)->>'colliculocale') AS icu_locale,
               c.collcollate AS lc_collate, c.collctype AS lc_ctype, c.collisdeterministic AS deterministic,
               obj_description(c.oid, 'pg_collation') AS comment
        FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
        WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("c.oid", "pg_collation") + """ ORDER BY 1, 2""",
    "aggregates": """
        SELECT n.nspname AS schema, p.proname AS name,
               ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)
                     ORDER BY i) AS arg_types,
               tn.nspname AS sfunc_schema, tf.proname AS sfunc_name, format_type(a.aggtranstype, NULL) AS stype,
               fn.nspname AS ffunc_schema, ff.proname AS ffunc_name, a.agginitval AS initcond,
               a.aggkind AS agg_kind, obj_description(p.oid, 'pg_proc') AS comment
        FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_proc tf ON tf.oid = a.aggtransfn JOIN pg_namespace tn ON tn.oid = tf.pronamespace
        LEFT JOIN pg_proc ff ON ff.oid = a.aggfinalfn LEFT JOIN pg_namespace fn ON fn.oid = ff.pronamespace
        WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("p.oid", "pg_proc") + """ ORDER BY 1, 2""",
    "operators": """
        SELECT n.nspname AS schema, o.oprname AS name,
               CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS left_type,
               format_type(o.oprright, NULL) AS right_type,
               fn.nspname AS function_schema, f.proname AS function_name,
               cn.nspname AS commutator_schema, c.oprname AS commutator,
               gn.nspname AS negator_schema, g.oprname AS negator,
               rn.nspname AS restrict_schema, r.proname AS restrict_name,
               jn.nspname AS join_schema, j.proname AS join_name,
               o.oprcanhash AS hashes, o.oprcanmerge AS merges, obj_description(o.oid, 'pg_operator') AS comment
        FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
        JOIN pg_proc f ON f.oid = o.oprcode JOIN pg_namespace fn ON fn.oid = f.pronamespace
        LEFT JOIN pg_operator c ON c.oid = o.oprcom LEFT JOIN pg_namespace cn ON cn.oid = c.oprnamespace
        LEFT JOIN pg_operator g ON g.oid = o.oprnegate LEFT JOIN pg_namespace gn ON gn.oid = g.oprnamespace
        LEFT JOIN pg_proc r ON r.oid = o.oprrest LEFT JOIN pg_namespace rn ON rn.oid = r.pronamespace
        LEFT JOIN pg_proc j ON j.oid = o.oprjoin LEFT JOIN pg_namespace jn ON jn.oid = j.pronamespace
        WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("o.oid", "pg_operator") + """ ORDER BY 1, 2, 3, 4""",
    "types": """
        SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind,
               obj_description(t.oid, 'pg_type') AS comment,
               CASE WHEN t.typtype = 'e' THEN (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder)
                                                 FROM pg_enum e WHERE e.enumtypid = t.oid) END AS labels,
               CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
               t.typnotnull AS not_null, pg_get_expr(t.typdefaultbin, 0) AS default,
               CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN
                   (SELECT c.collname FROM pg_collation c WHERE c.oid = t.typcollation) END AS collation,
               (SELECT array_agg(array[c.conname, pg_get_constraintdef(c.oid)] ORDER BY c.conname)
                  FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') AS checks,
               CASE WHEN t.typtype = 'c' THEN
                   (SELECT array_agg(array[a.attname, format_type(a.atttypid, a.atttypmod),
                                           CASE WHEN a.attcollation <> at.typcollation THEN
                                               (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                                                            ELSE cn.nspname || '.' || co.collname END
                                                  FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                                 WHERE co.oid = a.attcollation) END] ORDER BY a.attnum)
                      FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS attributes
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("t.oid", "pg_type") + """
          AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'b' AND t.typcategory <> 'A')
               OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
        ORDER BY 1, 2""",
    "relations": """
        SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence,
               c.relispartition AS is_partition, c.relrowsecurity AS rls, c.relforcerowsecurity AS rls_forced,
               c.reloptions AS options, obj_description(c.oid, 'pg_class') AS comment,
               pg_get_partkeydef(c.oid) AS partition_key,
               CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
               (SELECT array_agg(pn.nspname || '.' || p.relname ORDER BY i.inhseqno) FROM pg_inherits i
                  JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                 WHERE i.inhrelid = c.oid) AS parents,
               CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition,
               EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.ev_class = c.oid AND """ + _uses_text_search("pg_rewrite", "w.oid")
               + """) AS uses_text_search
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND """ + _own("c.oid", "pg_class") + """
        ORDER BY 2, 3""",
    "columns": """
        SELECT a.attrelid AS table_oid, a.attnum AS num, a.attname AS name,
               format_type(a.atttypid, a.atttypmod) AS type, tn.nspname AS type_schema, et.typname AS type_name,
               et.typtype AS type_kind, a.attnotnull AS not_null,
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
               CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
               a.attidentity AS identity, col_description(a.attrelid, a.attnum) AS comment,
               CASE WHEN a.attcollation <> t.typcollation THEN
                   (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                                ELSE cn.nspname || '.' || co.collname END
                      FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                     WHERE co.oid = a.attcollation) END AS collation,
               a.attstattarget AS stat_target, a.attislocal AS is_local, a.attoptions AS options
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        JOIN pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
        JOIN pg_namespace tn ON tn.oid = et.typnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum""",
    "constraints": """
        SELECT c.conrelid AS table_oid, c.conname AS name, c.contype AS kind,
               (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
               fn.nspname AS ref_schema, f.relname AS ref_table,
               (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS ref_columns,
               c.confdeltype AS on_delete, c.confupdtype AS on_update, c.confmatchtype AS match,
               c.condeferrable AS deferrable, c.condeferred AS deferred, c.convalidated AS validated,
               c.connoinherit AS no_inherit, c.conislocal AS is_local, c.conindid AS index_oid,
               pg_get_constraintdef(c.oid) AS definition, obj_description(c.oid, 'pg_constraint') AS comment,
               """ + _uses_text_search("pg_constraint", "c.oid") + """ AS uses_text_search,
               {set_columns} AS set_columns
        FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        LEFT JOIN pg_class f ON f.oid = c.confrelid LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
        WHERE n.nspname = ANY(%(schemas)s) AND c.contype IN ('p', 'u', 'f', 'c', 'x', 't')
          AND r.relkind IN ('r', 'p', 'f')
        ORDER BY c.conrelid, c.conname""",
    "indexes": """
        SELECT i.indrelid AS table_oid, ic.oid AS oid, ic.relname AS name, i.indisunique AS is_unique,
               am.amname AS method, i.indnkeyatts AS key_count, i.indisvalid AS valid,
               i.indkey::int2[] AS keys, i.indoption::int2[] AS options,
               (SELECT array_agg(CASE WHEN o.opcdefault THEN NULL
                                      WHEN on_.nspname = 'pg_catalog' THEN o.opcname
                                      ELSE on_.nspname || '.' || o.opcname END ORDER BY c.i)
                  FROM unnest(i.indclass::oid[]) WITH ORDINALITY c(oid, i)
                  JOIN pg_opclass o ON o.oid = c.oid JOIN pg_namespace on_ ON on_.oid = o.opcnamespace) AS opclasses,
               (SELECT array_agg(pg_get_indexdef(i.indexrelid, k.i::int, true) ORDER BY k.i)
                  FROM generate_series(1, i.indnatts) k(i)) AS element_sql,
               (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, i)
                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n) AS columns,
               pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
               (SELECT bool_or(k.n > 0 AND coll <> 0 AND coll <> 100 AND coll IS DISTINCT FROM
                                 (SELECT attcollation FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = k.n))
                  FROM unnest(i.indcollation::oid[]) WITH ORDINALITY c(coll, j)
                  JOIN unnest(i.indkey::int2[]) WITH ORDINALITY k(n, i) ON k.i = c.j) AS odd_collation,
               ic.reloptions AS options_storage, obj_description(ic.oid, 'pg_class') AS comment,
               (SELECT array_agg(a.attstattarget ORDER BY a.attnum) FROM pg_attribute a
                  WHERE a.attrelid = ic.oid AND a.attnum > 0) AS element_statistics,
               EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ic.oid AND c.contype IN ('p', 'u', 'x')
                       AND c.conrelid = i.indrelid) AS backs_constraint,
               EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = ic.oid) AS inherited, i.indisclustered AS clustered,
               {nulls_not_distinct} AS nulls_not_distinct,
               """ + _uses_text_search("pg_class", "ic.oid") + """ AS uses_text_search
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = r.relnamespace JOIN pg_am am ON am.oid = ic.relam
        WHERE n.nspname = ANY(%(schemas)s) AND r.relkind IN ('r', 'p', 'm')
        ORDER BY i.indrelid, ic.relname""",
    "triggers": """
        SELECT t.tgrelid AS table_oid, t.tgname AS name, t.tgtype AS type, fn.nspname AS function_schema,
               f.proname AS function_name, t.tgenabled AS enabled, t.tgconstraint <> 0 AS is_constraint,
               t.tgdeferrable AS deferrable, t.tginitdeferred AS initially_deferred,
               (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.n) AS columns,
               t.tgnargs AS nargs, t.tgargs AS args, pg_get_triggerdef(t.oid) AS definition,
               t.tgoldtable AS old_table, t.tgnewtable AS new_table, obj_description(t.oid, 'pg_trigger') AS comment,
               {parent} AS cloned
        FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace
        WHERE n.nspname = ANY(%(schemas)s) AND NOT t.tgisinternal
        ORDER BY t.tgrelid, t.tgname""",
    "policies": """
        SELECT p.polrelid AS table_oid, p.polname AS name, p.polcmd AS command, p.polpermissive AS permissive,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE (SELECT rolname FROM pg_roles WHERE oid = r) END
                       FROM unnest(p.polroles) r ORDER BY 1) AS roles,
               pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
        FROM pg_policy p JOIN pg_class r ON r.oid = p.polrelid JOIN pg_namespace n ON n.oid = r.relnamespace
        WHERE n.nspname = ANY(%(schemas)s) ORDER BY p.polrelid, p.polname""",
    "sequences": """
        SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
               s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min, s.seqmax AS max,
               s.seqcache AS cache, s.seqcycle AS cycle, obj_description(c.oid, 'pg_class') AS comment,
               c.relpersistence AS persistence,
               d.deptype AS owner_kind, on_.nspname AS owner_schema, oc.relname AS owner_table, a.attname AS owner_column
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
        LEFT JOIN pg_class oc ON oc.oid = d.refobjid LEFT JOIN pg_namespace on_ ON on_.oid = oc.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("c.oid", "pg_class") + """
        ORDER BY 1, 2""",
    "functions": """
        SELECT n.nspname AS schema, p.proname AS name, p.prokind AS kind, l.lanname AS language,
               p.prosrc AS body, pg_get_function_arguments(p.oid) AS arguments_sql,
               pg_get_function_identity_arguments(p.oid) AS identity,
               pg_get_function_result(p.oid) AS returns, p.proretset AS returns_set,
               p.proargnames AS arg_names, p.proargmodes::text[] AS arg_modes,
               ARRAY(SELECT format_type(t, NULL) FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[]))
                     WITH ORDINALITY u(t, i) ORDER BY i) AS arg_types,
               p.provolatile AS volatility, p.prosecdef AS security_definer, p.proisstrict AS strict,
               p.proleakproof AS leakproof, p.proparallel AS parallel, p.procost AS cost, p.prorows AS rows,
               p.proconfig AS config, obj_description(p.oid, 'pg_proc') AS comment, p.probin AS bin
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
        WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("p.oid", "pg_proc") + """
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'i')
        ORDER BY 1, 2, 7""",
    "others": """
        SELECT 'rule' AS kind, n.nspname || '.' || c.relname || '.' || r.rulename AS name
          FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND r.rulename <> '_RETURN'

        UNION ALL
        SELECT 'event trigger', e.evtname FROM pg_event_trigger e WHERE """ + _own("e.oid", "pg_event_trigger") + """
        UNION ALL
        SELECT 'text search configuration', n.nspname || '.' || c.cfgname
          FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("c.oid", "pg_ts_config") + """
        UNION ALL
        SELECT 'text search dictionary', n.nspname || '.' || td.dictname
          FROM pg_ts_dict td JOIN pg_namespace n ON n.oid = td.dictnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND """ + _own("td.oid", "pg_ts_dict") + """
        UNION ALL
        SELECT 'cast', '(' || format_type(k.castsource, NULL) || ' AS ' || format_type(k.casttarget, NULL) || ')'
          FROM pg_cast k
         WHERE k.oid >= 16384 AND """ + _own("k.oid", "pg_cast") + """
           AND EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE t.oid IN (k.castsource, k.casttarget) AND n.nspname = ANY(%(schemas)s))
           AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- a range type's own cast to its multirange
                            WHERE d.classid = 'pg_cast'::regclass AND d.objid = k.oid AND d.deptype = 'i')
        UNION ALL
        SELECT 'privileges on column', n.nspname || '.' || c.relname || '.' || a.attname
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%(schemas)s) AND a.attnum > 0 AND NOT a.attisdropped
           AND cardinality(a.attacl) > 0 AND """ + _own("c.oid", "pg_class") + """
        ORDER BY 1, 2""",
    "privileges": PRIVILEGES_SQL,
    "default_privileges": DEFAULT_PRIVILEGES_SQL,
}


@dataclass
class CatalogRows:
    """Everything read from one database, by query name."""

    server_major: int
    schemas: tuple[str, ...]
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> list[Row]:
        return self.rows.get(name, [])


def user_schemas(url: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every schema of the database that a user made: not system, not temporary, not an extension's."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT n.nspname FROM pg_namespace n WHERE n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_%%' AND "
            + _own("n.oid", "pg_namespace") + " ORDER BY 1", [list(SYSTEM_SCHEMAS)]).fetchall()
    return tuple(r[0] for r in rows if r[0] not in exclude)


def installed_extensions(url: str) -> tuple[tuple[str, str, str], ...]:
    """(name, schema, version) of every extension the database has."""
    with connect(url) as conn:
        rows = conn.execute("SELECT e.extname, n.nspname, e.extversion FROM pg_extension e "
                            "JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1").fetchall()
    return tuple((r[0], r[1], r[2]) for r in rows)


def read_catalog(url: str, schemas: tuple[str, ...], progress: Callable[[str], None] = lambda _: None) -> CatalogRows:
    """Run every catalog query over ``schemas`` in one read-only snapshot."""
    with connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        major = server_major(conn)
        fill = {
            "set_columns": "c.confdelsetcols" if major >= 15 else "NULL::int2[]",
            "nulls_not_distinct": "i.indnullsnotdistinct" if major >= 15 else "false",
            "parent": "t.tgparentid <> 0" if major >= 13 else "false",
        }
        out = CatalogRows(major, schemas)
        for name, query in QUERIES.items():
            progress(f"reading {name}")
            cur = conn.execute(query.replace("{set_columns}", fill["set_columns"])
                               .replace("{nulls_not_distinct}", fill["nulls_not_distinct"])
                               .replace("{parent}", fill["parent"]), {"schemas": list(schemas)})
            names = [d.name for d in cur.description or ()]
            out.rows[name] = [dict(zip(names, r)) for r in cur.fetchall()]
        conn.rollback()
    return out


def rows_held(url: str, objects: list[tuple[str, str, str | None]]) -> dict[tuple[str, str, str | None], int]:
    """How many rows each table (schema, table, None) holds, and how many values each column (schema, table,
    column) holds (its rows where it is not NULL), in one read-only snapshot; objects that do not exist are
    left out."""
    out = {}
    with connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for schema, table, column in dict.fromkeys(objects):
            exists = conn.execute("SELECT a.attname IS NOT NULL OR %s::text IS NULL FROM pg_class c JOIN "
                                  "pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = "
                                  "c.oid AND a.attname = %s AND NOT a.attisdropped WHERE n.nspname = %s AND "
                                  "c.relname = %s AND c.relkind IN ('r', 'p')",
                                  [column, column, schema, table]).fetchone()
            if not exists or not exists[0]:
                continue
            query = f"SELECT count(*) FROM {qualified(schema, table)}" + (
                f" WHERE {quote(column)} IS NOT NULL" if column is not None else "")
            out[(schema, table, column)] = conn.execute(query).fetchone()[0]
        conn.rollback()
    return out
