/*
 * tool_db.c - every SQL statement of the admin tool, and the apr_dbd
 * plumbing under them.  Nothing else in the tool talks to the database.
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

#include <apr_dbd.h>
#include <apr_file_info.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "tool.h"
#include "mod_mytimetable_oauth/tool/schema_sql.h"   /* generated from schema/ */

struct tool_db_t {
    apr_pool_t *pool;
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    const char *name;               /* the driver's name */
    apr_hash_t *stmts;              /* SQL text -> apr_dbd_prepared_t * */
};

/* ----------------------------------------------------------------- errors */

/* The driver's message for rv: its first line. */
static const char *db_message(tool_db_t *db, int rv)
{
    const char *msg = apr_dbd_error(db->driver, db->handle, rv);
    char *m;
    apr_size_t n;

    if (!msg || !*msg)
        return apr_psprintf(db->pool, "error %d", rv);
    /* libpq's further lines hold the statement, a caret, and a DETAIL that
     * may quote a value (a duplicate token): none of them is printed. */
    m = apr_pstrndup(db->pool, msg, strcspn(msg, "\n"));
    n = strlen(m);
    while (n > 0 && apr_isspace(m[n - 1]))
        m[--n] = '\0';
    return m;
}

static int db_fail(tool_db_t *db, const char *what, int rv)
{
    const char *msg = db_message(db, rv);
    const char *hint = "";

    if (strstr(msg, "no such table") || (strstr(msg, "relation") && strstr(msg, "does not exist")))
        hint = " (has `" TOOL_NAME " init` been run on this database?)";
    return tool_fail("%s database error while %s: %s%s", db->name, what, msg, hint);
}

/* ------------------------------------------------------------- statements */

static int db_prepare(tool_db_t *db, const char *what, const char *sql,
                      apr_dbd_prepared_t **st)
{
    int rv;

    if ((*st = apr_hash_get(db->stmts, sql, APR_HASH_KEY_STRING)))
        return TOOL_OK;
    *st = NULL;
    rv = apr_dbd_prepare(db->driver, db->pool, db->handle, sql, NULL, st);
    if (rv != 0)
        return db_fail(db, what, rv);
    apr_hash_set(db->stmts, sql, APR_HASH_KEY_STRING, *st);
    return TOOL_OK;
}

/* Runs an INSERT/UPDATE/DELETE with nargs text parameters (NULL: SQL NULL);
 * *nrows gets the rows it changed. */
static int db_query(tool_db_t *db, const char *what, int *nrows, const char *sql,
                    int nargs, const char *const *args)
{
    apr_dbd_prepared_t *st;
    int rc, rv, n = 0;

    if ((rc = db_prepare(db, what, sql, &st)) != TOOL_OK)
        return rc;
    rv = apr_dbd_pquery(db->driver, db->pool, db->handle, &n, st, nargs, (const char **)args);
    if (rv != 0)
        return db_fail(db, what, rv);
    if (nrows)
        *nrows = n;
    return TOOL_OK;
}

static int db_select(tool_db_t *db, const char *what, apr_dbd_results_t **res,
                     const char *sql, int nargs, const char *const *args)
{
    apr_dbd_prepared_t *st;
    int rc, rv;

    if ((rc = db_prepare(db, what, sql, &st)) != TOOL_OK)
        return rc;
    *res = NULL;
    rv = apr_dbd_pselect(db->driver, db->pool, db->handle, res, st, 1, nargs,
                         (const char **)args);
    if (rv != 0)
        return db_fail(db, what, rv);
    return TOOL_OK;
}

/* The next row: 1, or 0 once apr_dbd_get_row has said -1 (the end). */
static int db_next(tool_db_t *db, apr_dbd_results_t *res, apr_dbd_row_t **row)
{
    return apr_dbd_get_row(db->driver, db->pool, res, row, -1) == 0;
}

/* Column n as a string of our own, NULL for SQL NULL. */
static const char *db_col(tool_db_t *db, apr_dbd_row_t *row, int n)
{
    char *v = NULL;

    if (apr_dbd_datum_get(db->driver, row, n, APR_DBD_TYPE_STRING, &v) != APR_SUCCESS || !v)
        return NULL;
    return apr_pstrdup(db->pool, v);
}

static apr_int64_t db_col_int(tool_db_t *db, apr_dbd_row_t *row, int n)
{
    const char *v = db_col(db, row, n);

    return v ? apr_atoi64(v) : 0;
}

/* SELECT COUNT(*) … */
static int db_count(tool_db_t *db, const char *what, const char *sql, int nargs,
                    const char *const *args, int *count)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    *count = 0;
    if ((rc = db_select(db, what, &res, sql, nargs, args)) != TOOL_OK)
        return rc;
    while (db_next(db, res, &row))
        *count = (int)db_col_int(db, row, 0);
    return TOOL_OK;
}

/* ----------------------------------------------------------- transactions */

static int db_begin(tool_db_t *db, apr_dbd_transaction_t **tx)
{
    int rv;

    *tx = NULL;
    rv = apr_dbd_transaction_start(db->driver, db->pool, db->handle, tx);
    if (rv != 0)
        return db_fail(db, "starting a transaction", rv);
    return TOOL_OK;
}

/* Commits when status is TOOL_OK, else rolls back; returns the outcome. */
static int db_end(tool_db_t *db, apr_dbd_transaction_t *tx, int status)
{
    int rv;

    if (status != TOOL_OK)
        apr_dbd_transaction_mode_set(db->driver, tx, APR_DBD_TRANSACTION_ROLLBACK);
    rv = apr_dbd_transaction_end(db->driver, db->pool, tx);
    if (status == TOOL_OK && rv != 0)
        return db_fail(db, "committing", rv);
    return status;
}

/* -------------------------------------------------------- open and close */

static int db_sqlite_file_missing(apr_pool_t *p, const char *file)
{
    apr_finfo_t fi;

    if (!strcmp(file, ":memory:") || !strncmp(file, "file:", 5))
        return 0;
    return APR_STATUS_IS_ENOENT(apr_stat(&fi, file, APR_FINFO_TYPE, p));
}

/* Why SQLite could not open a file it was told to create. */
static const char *db_sqlite_open_hint(apr_pool_t *p, const char *file)
{
    const char *slash = strrchr(file, '/');
    apr_finfo_t fi;
    const char *dir;

    if (!slash || !strncmp(file, "file:", 5))
        return "";
    dir = slash == file ? "/" : apr_pstrmemdup(p, file, (apr_size_t)(slash - file));
    if (apr_stat(&fi, dir, APR_FINFO_TYPE, p) != APR_SUCCESS)
        return apr_psprintf(p, " (the directory %s does not exist)", dir);
    if (fi.filetype != APR_DIR)
        return apr_psprintf(p, " (%s is not a directory)", dir);
    return "";
}

int tool_db_open(tool_ctx_t *ctx, int create)
{
    tool_db_t *db;
    apr_status_t rv;
    const char *err = NULL;
    int rc;

    if (ctx->db)
        return TOOL_OK;
    if (!ctx->params || !*ctx->params) {
        fprintf(stderr, "%s: which database? Give --params FILE (sqlite3) or --params "
                "\"host=… dbname=… user=…\" (pgsql)\n", TOOL_NAME);
        return TOOL_USAGE;
    }

    db = apr_pcalloc(ctx->pool, sizeof(*db));
    db->pool = ctx->pool;
    db->name = ctx->driver;
    db->stmts = apr_hash_make(ctx->pool);

    if ((rv = apr_dbd_init(ctx->pool)) != APR_SUCCESS) {
        char buf[256];

        return tool_fail("apr_dbd_init failed: %s", apr_strerror(rv, buf, sizeof(buf)));
    }
    rv = apr_dbd_get_driver(ctx->pool, ctx->driver, &db->driver);
    if (rv == APR_ENOTIMPL)
        return tool_fail("unknown apr_dbd driver '%s' (this APR-util has no such driver; "
                         "sqlite3 and pgsql are the ones the module supports)", ctx->driver);
    if (rv == APR_EDSOOPEN || rv == APR_ESYMNOTFOUND)
        return tool_fail("cannot load the apr_dbd driver '%s' (apr_dbd_%s-1.so is "
                         "missing or broken); the module supports sqlite3 and pgsql "
                         "(Debian: libaprutil1-dbd-sqlite3, libaprutil1-dbd-pgsql)",
                         ctx->driver, ctx->driver);
    if (rv != APR_SUCCESS) {
        char buf[256];

        return tool_fail("cannot load the apr_dbd driver '%s': %s", ctx->driver,
                         apr_strerror(rv, buf, sizeof(buf)));
    }

    if (!strcmp(ctx->driver, "sqlite3") && !create
        && db_sqlite_file_missing(ctx->pool, ctx->params))
        return tool_fail("the SQLite database %s does not exist (create it with `%s "
                         "--params %s init`)", ctx->params, TOOL_NAME, ctx->params);

    rv = apr_dbd_open_ex(db->driver, ctx->pool, ctx->params, &db->handle, &err);
    if (rv != APR_SUCCESS || !db->handle) {
        if (!strcmp(ctx->driver, "sqlite3"))
            return tool_fail("cannot open the sqlite3 database %s: %s%s", ctx->params,
                             err ? err : "unknown error",
                             db_sqlite_open_hint(ctx->pool, ctx->params));
        /* pgsql's params may hold a password: name the driver, not them. */
        if (err) {
            char *e = apr_pstrdup(ctx->pool, err);
            apr_size_t n = strlen(e);

            while (n > 0 && apr_isspace(e[n - 1]))
                e[--n] = '\0';
            err = e;
        }
        return tool_fail("cannot connect to the %s database: %s", ctx->driver,
                         err && *err ? err : "unknown error (check --params)");
    }
    ctx->db = db;

    if (!strcmp(ctx->driver, "sqlite3")) {
        /* httpd's children may be writing: wait for them, not fail. */
        apr_dbd_results_t *res = NULL;
        apr_dbd_row_t *row = NULL;

        rc = apr_dbd_select(db->driver, db->pool, db->handle, &res,
                            "PRAGMA busy_timeout = 10000", 1);
        if (rc != 0)
            return db_fail(db, "setting busy_timeout", rc);
        while (db_next(db, res, &row))
            ;
    }
    else if (!strcmp(ctx->driver, "pgsql")) {
        /* Quiet the NOTICEs of CREATE … IF NOT EXISTS on a second init. */
        int n;

        rc = apr_dbd_query(db->driver, db->handle, &n, "SET client_min_messages = warning");
        if (rc != 0)
            return db_fail(db, "setting client_min_messages", rc);
    }
    return TOOL_OK;
}

void tool_db_close(tool_ctx_t *ctx)
{
    if (ctx->db && ctx->db->handle)
        apr_dbd_close(ctx->db->driver, ctx->db->handle);
    ctx->db = NULL;
}

/* ------------------------------------------------------------------ init */

static void db_push_statement(apr_pool_t *p, apr_array_header_t *out, const char *s,
                              apr_size_t len)
{
    while (len > 0 && apr_isspace(*s))
        s++, len--;
    while (len > 0 && apr_isspace(s[len - 1]))
        len--;
    if (len > 0)
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, s, len);
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
            if (*s == quote)
                quote = 0;          /* a doubled quote closes and reopens */
            buf[n++] = *s++;
        }
        else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
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

/* A statement that answers with rows (SQLite's PRAGMA journal_mode=WAL
 * does): apr_dbd_query would call the row an error. */
static int db_returns_rows(const char *stmt)
{
    return !strncasecmp(stmt, "PRAGMA", 6) || !strncasecmp(stmt, "SELECT", 6);
}

int tool_db_init(tool_db_t *db, int *nstatements, const char **journal)
{
    const char *schema = !strcmp(db->name, "sqlite3") ? mto_tool_schema_sqlite3
                                                       : mto_tool_schema_pgsql;
    apr_array_header_t *stmts = db_split_statements(db->pool, schema);
    int i, rv, nrows;

    *nstatements = 0;
    *journal = NULL;
    for (i = 0; i < stmts->nelts; i++) {
        const char *stmt = APR_ARRAY_IDX(stmts, i, const char *);
        const char *what = apr_psprintf(db->pool, "creating the schema (statement %d: "
                                        "%.60s)", i + 1, stmt);

        if (db_returns_rows(stmt)) {
            apr_dbd_results_t *res = NULL;
            apr_dbd_row_t *row = NULL;

            if ((rv = apr_dbd_select(db->driver, db->pool, db->handle, &res, stmt, 1)) != 0)
                return db_fail(db, what, rv);
            while (db_next(db, res, &row))
                ;
        }
        else if ((rv = apr_dbd_query(db->driver, db->handle, &nrows, stmt)) != 0) {
            return db_fail(db, what, rv);
        }
        (*nstatements)++;
    }

    if (!strcmp(db->name, "sqlite3")) {
        apr_dbd_results_t *res = NULL;
        apr_dbd_row_t *row = NULL;

        if ((rv = apr_dbd_select(db->driver, db->pool, db->handle, &res,
                                 "PRAGMA journal_mode", 1)) != 0)
            return db_fail(db, "reading the journal mode", rv);
        while (db_next(db, res, &row))
            *journal = db_col(db, row, 0);
    }
    return TOOL_OK;
}

/* --------------------------------------------------------------- clients */

#define CLIENT_COLUMNS \
    "client_id, resource_ids, client_secret, scope, authorized_grant_types, " \
    "web_server_redirect_uri, authorities, access_token_validity, " \
    "refresh_token_validity, additional_information, autoapprove"

static tool_client_row_t *db_client_row(tool_db_t *db, apr_dbd_row_t *row)
{
    tool_client_row_t *c = apr_pcalloc(db->pool, sizeof(*c));

    c->client_id               = db_col(db, row, 0);
    c->resource_ids            = db_col(db, row, 1);
    c->client_secret           = db_col(db, row, 2);
    c->scope                   = db_col(db, row, 3);
    c->authorized_grant_types  = db_col(db, row, 4);
    c->web_server_redirect_uri = db_col(db, row, 5);
    c->authorities             = db_col(db, row, 6);
    c->access_token_validity   = db_col(db, row, 7);
    c->refresh_token_validity  = db_col(db, row, 8);
    c->additional_information  = db_col(db, row, 9);
    c->autoapprove             = db_col(db, row, 10);
    return c;
}

int tool_db_client_get(tool_db_t *db, const char *client_id, tool_client_row_t **out)
{
    const char *args[] = { client_id };
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    *out = NULL;
    if ((rc = db_select(db, "looking the client up", &res,
                        "SELECT " CLIENT_COLUMNS " FROM oauth_client_details "
                        "WHERE client_id = %s", 1, args)) != TOOL_OK)
        return rc;
    while (db_next(db, res, &row))
        if (!*out)
            *out = db_client_row(db, row);
    return TOOL_OK;
}

int tool_db_client_insert(tool_db_t *db, const tool_client_row_t *c)
{
    const char *args[] = {
        c->client_id, c->resource_ids, c->client_secret, c->scope,
        c->authorized_grant_types, c->web_server_redirect_uri, c->authorities,
        c->access_token_validity, c->refresh_token_validity, c->additional_information,
        c->autoapprove
    };

    return db_query(db, "adding the client", NULL,
                    "INSERT INTO oauth_client_details (" CLIENT_COLUMNS ") "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %lld, %lld, %s, %s)", 11, args);
}

int tool_db_client_list(tool_db_t *db, apr_array_header_t **rows)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    *rows = apr_array_make(db->pool, 16, sizeof(tool_client_row_t *));
    if ((rc = db_select(db, "listing the clients", &res,
                        "SELECT " CLIENT_COLUMNS " FROM oauth_client_details "
                        "ORDER BY client_id", 0, NULL)) != TOOL_OK)
        return rc;
    while (db_next(db, res, &row))
        APR_ARRAY_PUSH(*rows, tool_client_row_t *) = db_client_row(db, row);
    return TOOL_OK;
}

int tool_db_client_set_secret(tool_db_t *db, const char *client_id, const char *hash,
                              int *found)
{
    const char *args[] = { hash, client_id };
    int rc, n = 0;

    rc = db_query(db, "setting the client's secret", &n,
                  "UPDATE oauth_client_details SET client_secret = %s WHERE client_id = %s",
                  2, args);
    *found = n > 0;
    return rc;
}

int tool_db_client_remove(tool_db_t *db, const char *client_id, int *found,
                          tool_counts_t *removed)
{
    const char *args[] = { client_id };
    apr_dbd_transaction_t *tx;
    int rc, n = 0;

    memset(removed, 0, sizeof(*removed));
    *found = 0;
    if ((rc = db_begin(db, &tx)) != TOOL_OK)
        return rc;
    if ((rc = db_query(db, "deleting the client's codes", &removed->codes,
                       "DELETE FROM mto_code WHERE client_id = %s", 1, args)) == TOOL_OK
        && (rc = db_query(db, "deleting the client's access tokens", &removed->access,
                          "DELETE FROM mto_access_token WHERE client_id = %s",
                          1, args)) == TOOL_OK
        && (rc = db_query(db, "deleting the client's refresh tokens", &removed->refresh,
                          "DELETE FROM mto_refresh_token WHERE client_id = %s",
                          1, args)) == TOOL_OK
        && (rc = db_query(db, "deleting the client's approvals", &removed->approvals,
                          "DELETE FROM mto_approval WHERE client_id = %s",
                          1, args)) == TOOL_OK
        && (rc = db_query(db, "deleting the client", &n,
                          "DELETE FROM oauth_client_details WHERE client_id = %s",
                          1, args)) == TOOL_OK) {
        *found = n > 0;
        if (!*found) {
            /* Nothing to remove: leave even stray rows as they were. */
            memset(removed, 0, sizeof(*removed));
            db_end(db, tx, TOOL_FAIL);
            return TOOL_OK;
        }
    }
    return db_end(db, tx, rc);
}

/* ------------------------------------------------------------ API tokens */

int tool_db_api_token_count_name(tool_db_t *db, const char *name, int *count)
{
    const char *args[] = { name };

    return db_count(db, "looking the API token up",
                    "SELECT COUNT(*) FROM api_tokens WHERE name = %s", 1, args, count);
}

int tool_db_api_token_count_token(tool_db_t *db, const char *clear, const char *hashed,
                                  int *count)
{
    /* The module takes {SHA-256} hex in either case. */
    const char *args[] = { clear, apr_pstrdup(db->pool, hashed) };
    char *c;

    for (c = (char *)args[1]; *c; c++)
        *c = apr_tolower(*c);
    return db_count(db, "looking the API token up",
                    "SELECT COUNT(*) FROM api_tokens WHERE token = %s OR lower(token) = %s",
                    2, args, count);
}

int tool_db_api_token_insert(tool_db_t *db, const tool_api_token_row_t *t)
{
    /* '1'/'0' cast to BOOLEAN: PostgreSQL's boolean reads them, and
     * SQLite's BOOLEAN (numeric affinity) stores 1/0 as MyTimetable does. */
    const char *args[] = {
        t->name, t->token, t->is_elevated ? "1" : "0", t->authentication_required ? "1" : "0"
    };

    return db_query(db, "adding the API token", NULL,
                    "INSERT INTO api_tokens (name, token, is_elevated, "
                    "authentication_required) VALUES (%s, %s, CAST(%s AS BOOLEAN), "
                    "CAST(%s AS BOOLEAN))", 4, args);
}

int tool_db_api_token_list(tool_db_t *db, apr_array_header_t **rows)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    *rows = apr_array_make(db->pool, 16, sizeof(tool_api_token_row_t *));
    if ((rc = db_select(db, "listing the API tokens", &res,
                        "SELECT name, token, is_elevated, authentication_required "
                        "FROM api_tokens ORDER BY name", 0, NULL)) != TOOL_OK)
        return rc;
    while (db_next(db, res, &row)) {
        tool_api_token_row_t *t = apr_pcalloc(db->pool, sizeof(*t));
        const char *token = db_col(db, row, 1);

        t->name = db_col(db, row, 0);
        t->name = t->name ? t->name : "";
        t->token = token ? token : "";
        t->is_elevated = mto_db_bool(db_col(db, row, 2));
        t->authentication_required = mto_db_bool(db_col(db, row, 3));
        APR_ARRAY_PUSH(*rows, tool_api_token_row_t *) = t;
    }
    return TOOL_OK;
}

int tool_db_api_token_remove(tool_db_t *db, const char *name, int *removed)
{
    const char *args[] = { name };

    *removed = 0;
    return db_query(db, "removing the API token", removed,
                    "DELETE FROM api_tokens WHERE name = %s", 1, args);
}

/* ---------------------------------------------------------------- tokens */

/* "client_id = COALESCE(%s, client_id)": a NULL filter matches every row
 * (both columns are NOT NULL), and PostgreSQL infers the parameter's type. */
#define TOKEN_FILTER \
    "client_id = COALESCE(%s, client_id) AND user_name = COALESCE(%s, user_name)"

int tool_db_token_list(tool_db_t *db, const char *client_id, const char *user,
                       apr_array_header_t **rows)
{
    const char *args[] = { client_id, user };
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    *rows = apr_array_make(db->pool, 16, sizeof(tool_token_row_t *));
    if ((rc = db_select(db, "listing the access tokens", &res,
                        "SELECT token_hash, client_id, user_name, scope, issued_at, "
                        "expires_at FROM mto_access_token WHERE " TOKEN_FILTER
                        " ORDER BY issued_at, token_hash", 2, args)) != TOOL_OK)
        return rc;
    while (db_next(db, res, &row)) {
        tool_token_row_t *t = apr_pcalloc(db->pool, sizeof(*t));

        t->kind = "access";
        t->hash = db_col(db, row, 0);
        t->client_id = db_col(db, row, 1);
        t->user = db_col(db, row, 2);
        t->scope = db_col(db, row, 3);
        t->issued = db_col_int(db, row, 4);
        t->expires = db_col_int(db, row, 5);
        APR_ARRAY_PUSH(*rows, tool_token_row_t *) = t;
    }

    row = NULL;
    if ((rc = db_select(db, "listing the refresh tokens", &res,
                        "SELECT token_hash, client_id, user_name, scope, issued_at, "
                        "expires_at, rotated_at FROM mto_refresh_token WHERE "
                        TOKEN_FILTER " ORDER BY issued_at, token_hash", 2, args)) != TOOL_OK)
        return rc;
    while (db_next(db, res, &row)) {
        tool_token_row_t *t = apr_pcalloc(db->pool, sizeof(*t));

        t->kind = "refresh";
        t->hash = db_col(db, row, 0);
        t->client_id = db_col(db, row, 1);
        t->user = db_col(db, row, 2);
        t->scope = db_col(db, row, 3);
        t->issued = db_col_int(db, row, 4);
        t->expires = db_col_int(db, row, 5);
        t->rotated = db_col_int(db, row, 6) != 0;
        APR_ARRAY_PUSH(*rows, tool_token_row_t *) = t;
    }
    return TOOL_OK;
}

int tool_db_token_revoke(tool_db_t *db, const char *client_id, const char *user,
                         tool_counts_t *revoked)
{
    const char *args[] = { client_id, user };
    apr_dbd_transaction_t *tx;
    int rc;

    memset(revoked, 0, sizeof(*revoked));
    if (!client_id && !user)        /* never "revoke everything" by accident */
        return tool_fail("revoke: neither a client nor a user given");
    if ((rc = db_begin(db, &tx)) != TOOL_OK)
        return rc;
    if ((rc = db_query(db, "revoking access tokens", &revoked->access,
                       "DELETE FROM mto_access_token WHERE " TOKEN_FILTER,
                       2, args)) == TOOL_OK
        && (rc = db_query(db, "revoking refresh tokens", &revoked->refresh,
                          "DELETE FROM mto_refresh_token WHERE " TOKEN_FILTER,
                          2, args)) == TOOL_OK)
        rc = db_query(db, "deleting unredeemed codes", &revoked->codes,
                      "DELETE FROM mto_code WHERE used_at = 0 AND " TOKEN_FILTER,
                      2, args);
    return db_end(db, tx, rc);
}

int tool_db_token_revoke_hash(tool_db_t *db, const char *hash, tool_counts_t *revoked)
{
    const char *args[] = { hash, hash };
    apr_dbd_transaction_t *tx;
    int rc;

    memset(revoked, 0, sizeof(*revoked));
    if ((rc = db_begin(db, &tx)) != TOOL_OK)
        return rc;
    /* Access tokens first: the refresh rows name the grant. */
    if ((rc = db_query(db, "revoking the access token", &revoked->access,
                       "DELETE FROM mto_access_token WHERE token_hash = %s "
                       "OR refresh_hash IN (SELECT token_hash FROM mto_refresh_token "
                       "WHERE grant_id IN (SELECT grant_id FROM mto_refresh_token "
                       "WHERE token_hash = %s))", 2, args)) == TOOL_OK)
        rc = db_query(db, "revoking the refresh token", &revoked->refresh,
                      "DELETE FROM mto_refresh_token WHERE grant_id IN "
                      "(SELECT grant_id FROM mto_refresh_token WHERE token_hash = %s)",
                      1, args);
    return db_end(db, tx, rc);
}

/* ----------------------------------------------------------------- purge */

int tool_db_purge(tool_db_t *db, apr_int64_t now, tool_counts_t *purged)
{
    const char *args[] = { apr_psprintf(db->pool, "%" APR_INT64_T_FMT, now) };
    apr_dbd_transaction_t *tx;
    int rc;

    memset(purged, 0, sizeof(*purged));
    if ((rc = db_begin(db, &tx)) != TOOL_OK)
        return rc;
    if ((rc = db_query(db, "purging expired codes", &purged->codes,
                       "DELETE FROM mto_code WHERE " MTO_PURGE_CODE_EXPIRED, 1, args)) == TOOL_OK
        && (rc = db_query(db, "purging expired access tokens", &purged->access,
                          "DELETE FROM mto_access_token WHERE " MTO_PURGE_ACCESS_EXPIRED,
                          1, args)) == TOOL_OK
        && (rc = db_query(db, "purging expired refresh tokens", &purged->refresh,
                          "DELETE FROM mto_refresh_token WHERE " MTO_PURGE_REFRESH_EXPIRED,
                          1, args)) == TOOL_OK)
        rc = db_query(db, "purging expired approvals", &purged->approvals,
                      "DELETE FROM mto_approval WHERE " MTO_PURGE_APPROVAL_EXPIRED, 1, args);
    return db_end(db, tx, rc);
}
