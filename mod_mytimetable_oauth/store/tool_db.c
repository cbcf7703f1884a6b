/*
 * tool_db.c - the admin tool's apr_dbd plumbing (tool_db.h), opening the
 * database, and `init`'s schema.  Its statements' SQL is in
 * store/statements.c; tool_rows.c runs them and maps their rows.
 *
 * Statements are prepared without a label: apr_dbd_pgsql then lets the
 * server infer each parameter's type from its place (a '1' becomes a
 * BOOLEAN, a number a BIGINT), and SQLite takes every parameter as text and
 * applies the column's affinity.  Selects are synchronous (random = 1): with
 * PostgreSQL an asynchronous select reports a failed query as "no rows".
 * Every result is read to the end (apr_dbd_get_row returns -1), and values
 * are copied before that, since PostgreSQL's result is freed then.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <apr_file_info.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "store/dialect.h"
#include "store/tool_db.h"
#include "core/cache_rules.h" /* mto_db_error_no_table */
#include "mod_mytimetable_oauth/tool/schema_sql.h" /* generated from schema/ */

/* ----------------------------------------------------------------- errors */

/* The driver's message for rv: its first line. */
static const char *db_message(tool_db_t *db, int rv)
{
    const char *msg = apr_dbd_error(db->driver, db->handle, rv);
    char *m;
    apr_size_t n;

    if (!msg || !*msg) {
        return apr_psprintf(db->pool, "error %d", rv);
    }
    /* libpq's further lines hold the statement, a caret, and a DETAIL that
     * may quote a value (a duplicate token): none of them is printed. */
    m = apr_pstrndup(db->pool, msg, strcspn(msg, "\n"));
    n = strlen(m);
    while (n > 0 && apr_isspace(m[n - 1])) {
        m[--n] = '\0';
    }
    return m;
}

int tool_sql_fail(tool_db_t *db, const char *what, int rv)
{
    const char *msg = db_message(db, rv);
    const char *hint = "";

    if (mto_db_error_no_table(msg)) {
        hint = " (has `" TOOL_NAME " init` been run on this database?)";
    }
    return tool_fail("%s database error while %s: %s%s", db->name, what, msg, hint);
}

/* ------------------------------------------------------------- statements */

static int db_prepare(tool_db_t *db, const char *what, const char *label, apr_dbd_prepared_t **st)
{
    const char *sql;
    int rv;

    if ((*st = apr_hash_get(db->stmts, label, APR_HASH_KEY_STRING))) {
        return TOOL_OK;
    }
    if (!(sql = mto_statement_sql(label, db->dialect))) {
        return tool_fail("%s database error while %s: no statement %s for this driver", db->name,
                         what, label);
    }
    *st = NULL;
    rv = apr_dbd_prepare(db->driver, db->pool, db->handle, sql, NULL, st);
    if (rv != 0) {
        return tool_sql_fail(db, what, rv);
    }
    apr_hash_set(db->stmts, label, APR_HASH_KEY_STRING, *st);
    return TOOL_OK;
}

int tool_sql_query(tool_db_t *db, const char *what, int *nrows, const char *label, int nargs,
                   const char *const *args)
{
    apr_dbd_prepared_t *st;
    int rc, rv, n = 0;

    if ((rc = db_prepare(db, what, label, &st)) != TOOL_OK) {
        return rc;
    }
    rv = apr_dbd_pquery(db->driver, db->pool, db->handle, &n, st, nargs, (const char **)args);
    rv = mto_dbd_query_rv(db->driver, db->handle, rv, &n);
    if (rv != 0) {
        return tool_sql_fail(db, what, rv);
    }
    if (nrows) {
        *nrows = n;
    }
    return TOOL_OK;
}

int tool_sql_select(tool_db_t *db, const char *what, apr_dbd_results_t **res, const char *label,
                    int nargs, const char *const *args)
{
    apr_dbd_prepared_t *st;
    int rc, rv;

    if ((rc = db_prepare(db, what, label, &st)) != TOOL_OK) {
        return rc;
    }
    *res = NULL;
    rv = apr_dbd_pselect(db->driver, db->pool, db->handle, res, st, mto_dbd_random(db->driver),
                         nargs, (const char **)args);
    if (rv != 0) {
        return tool_sql_fail(db, what, rv);
    }
    return TOOL_OK;
}

int tool_sql_next(tool_db_t *db, apr_dbd_results_t *res, apr_dbd_row_t **row)
{
    return apr_dbd_get_row(db->driver, db->pool, res, row, -1) == 0;
}

const char *tool_sql_col(tool_db_t *db, apr_dbd_row_t *row, int n)
{
    char *v = NULL;

    if (apr_dbd_datum_get(db->driver, row, n, APR_DBD_TYPE_STRING, &v) != APR_SUCCESS || !v) {
        return NULL;
    }
    return apr_pstrdup(db->pool, v);
}

apr_int64_t tool_sql_col_int(tool_db_t *db, apr_dbd_row_t *row, int n)
{
    const char *v = tool_sql_col(db, row, n);

    return v ? apr_atoi64(v) : 0;
}

int tool_sql_count(tool_db_t *db, const char *what, const char *label, int nargs,
                   const char *const *args, int *count)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    *count = 0;
    if ((rc = tool_sql_select(db, what, &res, label, nargs, args)) != TOOL_OK) {
        return rc;
    }
    while (tool_sql_next(db, res, &row)) {
        *count = (int)tool_sql_col_int(db, row, 0);
    }
    return TOOL_OK;
}

/* ----------------------------------------------------------- transactions */

int tool_sql_begin(tool_db_t *db, apr_dbd_transaction_t **tx)
{
    int rv;

    *tx = NULL;
    rv = apr_dbd_transaction_start(db->driver, db->pool, db->handle, tx);
    if (rv != 0) {
        return tool_sql_fail(db, "starting a transaction", rv);
    }
    return TOOL_OK;
}

int tool_sql_end(tool_db_t *db, apr_dbd_transaction_t *tx, int status)
{
    int rv;

    if (status != TOOL_OK) {
        apr_dbd_transaction_mode_set(db->driver, tx, APR_DBD_TRANSACTION_ROLLBACK);
    }
    rv = apr_dbd_transaction_end(db->driver, db->pool, tx);
    if (status == TOOL_OK && rv != 0) {
        return tool_sql_fail(db, "committing", rv);
    }
    return status;
}

/* -------------------------------------------------------- open and close */

/* An unprepared statement that answers with rows (a PRAGMA), read to the
 * end; *last (unless NULL) gets the last row's first column. */
static int db_select_plain(tool_db_t *db, const char *what, const char *sql, const char **last)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv = apr_dbd_select(db->driver, db->pool, db->handle, &res, sql, mto_dbd_random(db->driver));

    if (rv != 0) {
        return tool_sql_fail(db, what, rv);
    }
    while (tool_sql_next(db, res, &row)) {
        if (last) {
            *last = tool_sql_col(db, row, 0);
        }
    }
    return TOOL_OK;
}

/* The driver's session settings: statements.c has each for the drivers
 * that need it. */
static int db_session(tool_db_t *db)
{
    const char *sql;
    int rc, n;

    /* httpd's children may be writing: wait for them, not fail. */
    if ((sql = mto_statement_sql(MTO_SQL_TOOL_BUSY_TIMEOUT, db->dialect))
        && (rc = db_select_plain(db, "setting busy_timeout", sql, NULL)) != TOOL_OK) {
        return rc;
    }
    /* Quiet the NOTICEs of CREATE … IF NOT EXISTS on a second init. */
    if ((sql = mto_statement_sql(MTO_SQL_TOOL_QUIET_NOTICES, db->dialect))
        && (rc = apr_dbd_query(db->driver, db->handle, &n, sql)) != 0) {
        return tool_sql_fail(db, "setting client_min_messages", rc);
    }
    return TOOL_OK;
}

static int db_sqlite_file_missing(apr_pool_t *p, const char *file)
{
    apr_finfo_t fi;

    if (!strcmp(file, ":memory:") || !strncmp(file, "file:", 5)) {
        return 0;
    }
    return APR_STATUS_IS_ENOENT(apr_stat(&fi, file, APR_FINFO_TYPE, p));
}

/* Why SQLite could not open a file it was told to create. */
static const char *db_sqlite_open_hint(apr_pool_t *p, const char *file)
{
    const char *slash = strrchr(file, '/');
    apr_finfo_t fi;
    const char *dir;

    if (!slash || !strncmp(file, "file:", 5)) {
        return "";
    }
    dir = slash == file ? "/" : apr_pstrmemdup(p, file, (apr_size_t)(slash - file));
    if (apr_stat(&fi, dir, APR_FINFO_TYPE, p) != APR_SUCCESS) {
        return apr_psprintf(p, " (the directory %s does not exist)", dir);
    }
    if (fi.filetype != APR_DIR) {
        return apr_psprintf(p, " (%s is not a directory)", dir);
    }
    return "";
}

int tool_db_open(tool_ctx_t *ctx, int create)
{
    tool_db_t *db;
    apr_status_t rv;
    const char *err = NULL;
    int rc;

    if (ctx->db) {
        return TOOL_OK;
    }
    if ((rc = tool_database(ctx)) != TOOL_OK) {
        return rc;
    }
    if (!ctx->params || !*ctx->params) {
        fprintf(stderr,
                "%s: which database? Give -f /etc/apache2/apache2.conf (httpd's DBDriver and "
                "DBDParams), or --params FILE (sqlite3), or --driver pgsql --params "
                "\"host=… dbname=… user=…\"\n",
                TOOL_NAME);
        return TOOL_USAGE;
    }

    db = apr_pcalloc(ctx->pool, sizeof(*db));
    db->pool = ctx->pool;
    db->name = ctx->driver;
    db->stmts = apr_hash_make(ctx->pool);
    db->generation = -1;

    if ((rv = apr_dbd_init(ctx->pool)) != APR_SUCCESS) {
        char buf[256];

        return tool_fail("apr_dbd_init failed: %s", apr_strerror(rv, buf, sizeof(buf)));
    }
    rv = apr_dbd_get_driver(ctx->pool, ctx->driver, &db->driver);
    if (rv == APR_ENOTIMPL) {
        return tool_fail("unknown apr_dbd driver '%s' (this APR-util has no such driver; "
                         "sqlite3, pgsql, mysql and odbc are the ones the module supports)",
                         ctx->driver);
    }
    if (rv == APR_EDSOOPEN || rv == APR_ESYMNOTFOUND) {
        return tool_fail("cannot load the apr_dbd driver '%s' (apr_dbd_%s-1.so is "
                         "missing or broken); the module supports sqlite3, pgsql, mysql and odbc "
                         "(Debian: libaprutil1-dbd-sqlite3, -pgsql, -mysql, -odbc)",
                         ctx->driver, ctx->driver);
    }
    if (rv != APR_SUCCESS) {
        char buf[256];

        return tool_fail("cannot load the apr_dbd driver '%s': %s", ctx->driver,
                         apr_strerror(rv, buf, sizeof(buf)));
    }

    if (!strcmp(ctx->driver, "sqlite3") && !create
        && db_sqlite_file_missing(ctx->pool, ctx->params)) {
        return tool_fail("the SQLite database %s does not exist (create it with `%s "
                         "--params %s init`)",
                         ctx->params, TOOL_NAME, ctx->params);
    }

    rv = apr_dbd_open_ex(db->driver, ctx->pool, ctx->params, &db->handle, &err);
    if (rv != APR_SUCCESS || !db->handle) {
        if (!strcmp(ctx->driver, "sqlite3")) {
            return tool_fail("cannot open the sqlite3 database %s: %s%s", ctx->params,
                             err ? err : "unknown error",
                             db_sqlite_open_hint(ctx->pool, ctx->params));
        }
        /* pgsql's params may hold a password: name the driver, not them. */
        if (err) {
            char *e = apr_pstrdup(ctx->pool, err);
            apr_size_t n = strlen(e);

            while (n > 0 && apr_isspace(e[n - 1])) {
                e[--n] = '\0';
            }
            err = e;
        }
        return tool_fail("cannot connect to the %s database: %s", ctx->driver,
                         err && *err ? err : "unknown error (check --params)");
    }
    ctx->db = db;
    db->dialect = mto_sql_dialect(db->driver, db->handle);
    return db_session(db);
}

void tool_db_close(tool_ctx_t *ctx)
{
    if (ctx->db && ctx->db->handle) {
        apr_dbd_close(ctx->db->driver, ctx->db->handle);
    }
    ctx->db = NULL;
}

/* ------------------------------------------------------------------ init */

static void db_push_statement(apr_pool_t *p, apr_array_header_t *out, const char *s, apr_size_t len)
{
    while (len > 0 && apr_isspace(*s)) {
        s++, len--;
    }
    while (len > 0 && apr_isspace(s[len - 1])) {
        len--;
    }
    if (len > 0) {
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, s, len);
    }
}

/* Splits a schema file into statements for apr_dbd_query, which runs one at
 * a time: on ';' outside quotes, leaving comments out (the schema's comments
 * hold semicolons). */
static apr_array_header_t *db_split_statements(apr_pool_t *p, const char *sql)
{
    apr_array_header_t *out = apr_array_make(p, 32, sizeof(const char *));
    char *buf = apr_palloc(p, strlen(sql) + 1);
    apr_size_t n = 0;
    const char *s = sql;
    char quote = 0;

    while (*s) {
        if (quote) {
            if (*s == quote) {
                quote = 0; /* a doubled quote closes and reopens */
            }
            buf[n++] = *s++;
        }
        else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n') {
                s++;
            }
        }
        else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");

            s = end ? end + 2 : s + strlen(s);
            buf[n++] = ' ';
        }
        else if (*s == '\'' || *s == '"') {
            quote = *s;
            buf[n++] = *s++;
        }
        else if (*s == ';') {
            db_push_statement(p, out, buf, n);
            n = 0;
            s++;
        }
        else {
            buf[n++] = *s++;
        }
    }
    db_push_statement(p, out, buf, n);
    return out;
}

static const char *db_dbms_name(tool_db_t *db)
{
    const char *dbms = mto_odbc_dbms_name(db->driver, db->handle, db->pool);

    return dbms ? dbms : "not known";
}

/* A statement that answers with rows (SQLite's PRAGMA journal_mode=WAL
 * does): apr_dbd_query would call the row an error. */
static int db_returns_rows(const char *stmt)
{
    return !strncasecmp(stmt, "PRAGMA", 6) || !strncasecmp(stmt, "SELECT", 6);
}

const char *tool_db_dialect(const tool_db_t *db)
{
    return db->dialect;
}

/* The schema file of a dialect, or NULL. */
static const char *db_schema(const char *dialect)
{
    static const struct {
        const char *dialect, *sql;
    } schemas[] = {
        { "sqlite3", mto_tool_schema_sqlite3 },
        { "pgsql", mto_tool_schema_pgsql },
        { "mysql", mto_tool_schema_mysql },
        { "tsql", mto_tool_schema_tsql },
    };
    size_t i;

    for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
        if (!strcmp(schemas[i].dialect, dialect)) {
            return schemas[i].sql;
        }
    }
    return NULL;
}

int tool_db_init(tool_db_t *db, int *nstatements, const char **journal)
{
    const char *schema = db_schema(db->dialect);
    apr_array_header_t *stmts;
    const char *sql;
    int i, rv, nrows;

    *nstatements = 0;
    *journal = NULL;
    if (!schema) {
        return tool_fail("init: no schema for this %s database (its DBMS is %s; there are "
                         "schemas for SQLite, PostgreSQL, MariaDB/MySQL and SQL Server)",
                         db->name, db_dbms_name(db));
    }
    stmts = db_split_statements(db->pool, schema);
    for (i = 0; i < stmts->nelts; i++) {
        const char *stmt = APR_ARRAY_IDX(stmts, i, const char *);
        const char *what = apr_psprintf(db->pool,
                                        "creating the schema (statement %d: "
                                        "%.60s)",
                                        i + 1, stmt);

        if (db_returns_rows(stmt)) {
            if ((rv = db_select_plain(db, what, stmt, NULL)) != TOOL_OK) {
                return rv;
            }
        }
        else if ((rv = apr_dbd_query(db->driver, db->handle, &nrows, stmt)) != 0) {
            return tool_sql_fail(db, what, rv);
        }
        (*nstatements)++;
    }

    if ((sql = mto_statement_sql(MTO_SQL_TOOL_JOURNAL_MODE, db->dialect))) {
        return db_select_plain(db, "reading the journal mode", sql, journal);
    }
    return TOOL_OK;
}
