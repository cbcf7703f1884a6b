/*
 * tool_change.c - the admin tool's changes, each in a transaction that also
 * bumps the cache generation (README "Caching"), so that every httpd stops
 * serving what the change touched within about a second
 * (store/generation.c reads it).  Purging does not bump it: it removes only
 * what expired, and no cache entry outlives its token.
 */
#include <apr_dbd.h>

#include "store/tool_db.h"
#include "store/dialect.h"
#include "core/cache_rules.h" /* mto_db_error_no_table */

/* Whether mto_generation exists: read it once per run, outside any
 * transaction (a failed statement would break PostgreSQL's). */
static int db_generation_probe(tool_db_t *db)
{
    const char *sql = mto_statement_sql(MTO_SQL_GENERATION_GET, db->dialect);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    if (db->generation >= 0) {
        return TOOL_OK;
    }
    rv = apr_dbd_select(db->driver, db->pool, db->handle, &res, sql, mto_dbd_random(db->driver));
    if (rv == 0) {
        while (tool_sql_next(db, res, &row)) {
        }
        db->generation = 1;
        return TOOL_OK;
    }
    if (!mto_db_error_no_table(apr_dbd_error(db->driver, db->handle, rv))) {
        return tool_sql_fail(db, "reading the cache generation", rv);
    }
    db->generation = 0;
    tool_note("warning: this database has no table mto_generation (its schema is older than "
              "this tool): httpd's caches learn of this change only after "
              "MyTimetableOAuthCacheTTL. `%s init` adds the table (it leaves existing "
              "tables alone); then reload httpd",
              TOOL_NAME);
    return TOOL_OK;
}

int tool_sql_change_begin(tool_db_t *db, apr_dbd_transaction_t **tx)
{
    int rc;

    if ((rc = db_generation_probe(db)) != TOOL_OK || (rc = tool_sql_begin(db, tx)) != TOOL_OK) {
        return rc;
    }
    if (db->generation == 1) {
        rc = tool_sql_query(db, "bumping the cache generation", NULL, MTO_SQL_TOOL_GENERATION_BUMP,
                            0, NULL);
        if (rc != TOOL_OK) {
            tool_sql_end(db, *tx, rc);
        }
    }
    return rc;
}

int tool_sql_change(tool_db_t *db, const char *what, int *nrows, const char *label, int nargs,
                    const char *const *args)
{
    apr_dbd_transaction_t *tx;
    int rc;

    if ((rc = tool_sql_change_begin(db, &tx)) != TOOL_OK) {
        return rc;
    }
    return tool_sql_end(db, tx, tool_sql_query(db, what, nrows, label, nargs, args));
}
