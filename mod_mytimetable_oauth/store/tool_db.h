/*
 * tool_db.h - the admin tool's apr_dbd plumbing (tool_db.c), for the file
 * that maps its rows (tool_rows.c).  Statements are named by label; their
 * SQL is in store/statements.c, which the module runs too.
 *
 * Every function that fails has printed what went wrong (naming the driver
 * and apr_dbd's message) and returns TOOL_FAIL; else TOOL_OK.
 */
#ifndef MTO_TOOL_DB_H
#define MTO_TOOL_DB_H

#include <apr_dbd.h>
#include <apr_hash.h>

#include "tool/tool.h"
#include "store/statements.h"

struct tool_db_t {
    apr_pool_t *pool;
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    const char *name;    /* the driver's name */
    const char *dialect; /* its SQL (store/dialect.h), known once open */
    apr_hash_t *stmts; /* label -> apr_dbd_prepared_t * */
    int generation;    /* mto_generation: -1 not looked for yet, 0 missing, 1 there */
};

/* "… database error while WHAT: message" for the driver's error rv. */
int tool_sql_fail(tool_db_t *db, const char *what, int rv);

/* Runs the INSERT/UPDATE/DELETE label with nargs text parameters (NULL: SQL
 * NULL); *nrows (unless NULL) gets the rows it changed. */
int tool_sql_query(tool_db_t *db, const char *what, int *nrows, const char *label, int nargs,
                   const char *const *args);

/* Runs the SELECT label; read every row with tool_sql_next. */
int tool_sql_select(tool_db_t *db, const char *what, apr_dbd_results_t **res, const char *label,
                    int nargs, const char *const *args);

/* The next row: 1, or 0 once apr_dbd_get_row has said -1 (the end). */
int tool_sql_next(tool_db_t *db, apr_dbd_results_t *res, apr_dbd_row_t **row);

/* Column n as a string of our own, NULL for SQL NULL; as a number, 0 for NULL. */
const char *tool_sql_col(tool_db_t *db, apr_dbd_row_t *row, int n);
apr_int64_t tool_sql_col_int(tool_db_t *db, apr_dbd_row_t *row, int n);

/* A SELECT COUNT(*): its one value. */
int tool_sql_count(tool_db_t *db, const char *what, const char *label, int nargs,
                   const char *const *args, int *count);

/* A transaction; tool_sql_end commits when status is TOOL_OK, else rolls
 * back, and returns the outcome. */
int tool_sql_begin(tool_db_t *db, apr_dbd_transaction_t **tx);
int tool_sql_end(tool_db_t *db, apr_dbd_transaction_t *tx, int status);

/* A transaction for a change httpd's caches must learn of (README
 * "Caching"): it begins by bumping the cache generation, which commits with
 * the change.  On a schema without mto_generation it warns once and goes on
 * without (the change then reaches the caches after their TTL). */
int tool_sql_change_begin(tool_db_t *db, apr_dbd_transaction_t **tx);

/* One statement as such a change: tool_sql_query in its own transaction. */
int tool_sql_change(tool_db_t *db, const char *what, int *nrows, const char *label, int nargs,
                    const char *const *args);

#endif /* MTO_TOOL_DB_H */
