/*
 * dbd.c - the store's plumbing over mod_dbd: registering the statements
 * (store/statements.c), the connection, running a statement, reading rows,
 * transactions, and preparing the statements again after PostgreSQL
 * restarted.
 *
 * Statements are registered once per configuration cycle with mod_dbd
 * (ap_dbd_prepare, from post_config before mod_dbd's) and looked up by label
 * per request.  Every call tells "no such row" (MTO_STORE_NOTFOUND) from "the
 * database failed" (MTO_STORE_ERROR, logged): a dead connection must give a
 * 503, never an "unknown client".
 */
#include "log.h"
#include "store/dbd.h"
#include "stats/stats.h"
#include "store/dialect.h"

#include <apr_optional.h>

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) * mto_dbd_acquire;
static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) * mto_dbd_prepare;

int mto_store_available(void)
{
    mto_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    mto_dbd_prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
    return mto_dbd_acquire && mto_dbd_prepare;
}

/* The module's statements that are alike for every driver; one with a
 * per-driver variant is prepared on each connection at its first use
 * (mto_stmt), once the driver is known. */
static void mto_register_statements(server_rec *s)
{
    size_t pos = 0;
    const char *label;

    while ((label = mto_statement_next(&pos, MTO_SQL_BY_MODULE))) {
        if (!mto_statement_varies(label)) {
            mto_dbd_prepare(s, mto_statement_sql(label, NULL), label);
        }
    }
}

void mto_store_register(apr_pool_t *pconf, server_rec *s)
{
    server_rec *sp;

    /* On every server, not only the main one: mod_dbd merged the virtual
     * hosts' configurations before this hook, so statements registered on the
     * main server alone reach only the virtual hosts that share its pool.  One
     * with its own DBDriver/DBDParams/pool settings, or DBDPersist Off, would
     * have none and answer every request with a 503. */
    module *dbd = ap_find_linked_module("mod_dbd.c");
    apr_hash_t *done = apr_hash_make(pconf);

    mto_store_databases_init(pconf, s);
    for (sp = s; sp; sp = sp->next) {
        /* Once per mod_dbd configuration: virtual hosts without DBD
         * directives share the main server's, and a second registration
         * there makes mod_dbd warn "conflicting SQL statements". */
        void *dbd_conf = dbd ? ap_get_module_config(sp->module_config, dbd) : NULL;

        if (dbd_conf && apr_hash_get(done, &dbd_conf, sizeof(dbd_conf))) {
            continue;
        }
        if (dbd_conf) {
            apr_hash_set(done, apr_pmemdup(pconf, &dbd_conf, sizeof(dbd_conf)), sizeof(dbd_conf),
                         "");
        }
        mto_register_statements(sp);
    }
}

/* ------------------------------------------------------------ values */

const char *mto_i64(apr_pool_t *p, apr_int64_t v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, v);
}

const char *mto_col_raw(const mto_row_t *row, int n)
{
    if (row->vals) {
        return n < row->nvals ? row->vals[n] : NULL;
    }
    return apr_dbd_get_entry(row->dbd->driver, row->row, n);
}

const char *mto_col_str(const mto_row_t *row, int n)
{
    const char *s = mto_col_raw(row, n);

    return s ? apr_pstrdup(row->r->pool, s) : "";
}

/* apr_dbd_pgsql answers "" for a NULL column (PQgetvalue), where sqlite3
 * answers NULL: an optional text column is NULL when it is empty either way. */
const char *mto_col_opt(const mto_row_t *row, int n)
{
    const char *s = mto_col_raw(row, n);

    return s && *s ? apr_pstrdup(row->r->pool, s) : NULL;
}

apr_int64_t mto_col_i64(const mto_row_t *row, int n, apr_int64_t dflt)
{
    const char *s = mto_col_raw(row, n);

    return s && *s ? apr_atoi64(s) : dflt;
}

/* ------------------------------------------------------------ connection */

/* mod_dbd opens a connection and prepares every statement in one go.  With
 * SQLite the prepares fail with "database is locked" while another
 * connection holds the file exclusively for a moment: the last one to close
 * checkpoints the WAL (on every request with DBDPersist Off, and whenever a
 * pool shrinks to nothing).  No busy timeout can be set before mod_dbd's
 * prepares, so an open that failed fast is tried again, with doubling waits,
 * while the retry budget lasts; one that failed slowly (a connect timeout)
 * is not repeated.  Once a connection failed after all its tries, it is an
 * outage: the database is marked down (database.c), and until the down
 * interval ends the requests of this process fail at once.  The one request
 * that tries after each interval retries as above (a database that is back
 * may be locked by a checkpoint just then): an outage costs a process one
 * slow request per interval, not one per request. */
#define MTO_CONN_RETRY_BUDGET apr_time_from_msec(500)
#define MTO_CONN_FIRST_WAIT   apr_time_from_msec(25)

ap_dbd_t *mto_conn(request_rec *r)
{
    mto_db_turn_t turn = mto_db_turn(r);
    apr_time_t give_up = apr_time_now() + MTO_CONN_RETRY_BUDGET;
    apr_interval_time_t wait = MTO_CONN_FIRST_WAIT;
    ap_dbd_t *dbd;

    if (turn == MTO_DB_DOWN) {
        mto_stat_inc(MTO_STAT_DB_CONNECTION);
        return NULL;
    }
    /* A failed ap_dbd_acquire is not remembered: each call opens anew. */
    while (!(dbd = mto_dbd_acquire(r)) && apr_time_now() + wait < give_up) {
        apr_sleep(wait);
        wait *= 2;
    }
    mto_db_outcome(r, turn, dbd != NULL);
    if (!dbd) {
        mto_stat_inc(MTO_STAT_DB_CONNECTION);
    }
    return dbd;
}

/* Prepares label on this connection with its dialect's SQL. */
static int mto_prepare(ap_dbd_t *dbd, const char *label)
{
    const char *sql = mto_statement_sql(label, mto_sql_dialect(dbd->driver, dbd->handle));
    apr_dbd_prepared_t *st = NULL;

    if (!sql || apr_dbd_prepare(dbd->driver, dbd->pool, dbd->handle, sql, label, &st) != 0 || !st) {
        return 0;
    }
    apr_hash_set(dbd->prepared, label, APR_HASH_KEY_STRING, st);
    return 1;
}

static apr_dbd_prepared_t *mto_stmt(request_rec *r, ap_dbd_t *dbd, const char *label)
{
    apr_dbd_prepared_t *st = apr_hash_get(dbd->prepared, label, APR_HASH_KEY_STRING);

    if (!st && mto_statement_varies(label) && mto_prepare(dbd, label)) {
        st = apr_hash_get(dbd->prepared, label, APR_HASH_KEY_STRING);
    }
    if (!st) {
        mto_stat_inc(MTO_STAT_DB_STATEMENT);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0019: statement %s "
                      "is not prepared (does the schema match? run mytimetable-oauth init)",
                      label);
    }
    return st;
}

/* ------------------------------------------------------------ errors */

static const char *mto_db_message(request_rec *r, ap_dbd_t *dbd, int rv)
{
    const char *msg = apr_dbd_error(dbd->driver, dbd->handle, rv);

    return msg ? apr_pstrdup(r->pool, msg) : "(no message)";
}

/* Every failure of a statement, a row or a transaction comes here: logged
 * and counted (the status page's database errors). */
static void mto_log_db_failure(request_rec *r, const char *label, const char *why)
{
    mto_stat_inc(MTO_STAT_DB_STATEMENT);
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "MTO0020: %s failed: %s", label, why);
}

static void mto_log_db_error(request_rec *r, ap_dbd_t *dbd, int rv, const char *label)
{
    mto_log_db_failure(r, label, mto_db_message(r, dbd, rv));
}

/* After PostgreSQL or MariaDB restarts, apr_dbd_pgsql and apr_dbd_mysql
 * reconnect pooled connections silently but their prepared statements are
 * gone.  Prepare ours again on this connection; the caller retries once. */
static int mto_reprepare(request_rec *r, ap_dbd_t *dbd)
{
    size_t pos = 0;
    const char *label;
    int ok = 0;

    if ((strcmp(apr_dbd_name(dbd->driver), "pgsql") != 0
         && strcmp(apr_dbd_name(dbd->driver), "mysql") != 0)
        || apr_dbd_check_conn(dbd->driver, r->pool, dbd->handle) != APR_SUCCESS) {
        return 0;
    }
    while ((label = mto_statement_next(&pos, MTO_SQL_BY_MODULE))) {
        ok |= mto_prepare(dbd, label);
    }
    if (ok) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0021: prepared "
                      "statements were lost (database restarted?); prepared them again");
    }
    return ok;
}

/* ------------------------------------------------------------ running */

/* One run of a prepared statement: a SELECT when res is given, else a
 * query counting its rows into *nrows. */
static int mto_exec(request_rec *r, ap_dbd_t *dbd, apr_dbd_prepared_t *st, int nargs,
                    const char **args, apr_dbd_results_t **res, int *nrows)
{
    if (res) {
        *res = NULL;
        return apr_dbd_pselect(dbd->driver, r->pool, dbd->handle, res, st,
                               mto_dbd_random(dbd->driver), nargs, args);
    }
    *nrows = 0;
    return mto_dbd_query_rv(dbd->driver, dbd->handle,
                            apr_dbd_pquery(dbd->driver, r->pool, dbd->handle, nrows, st, nargs,
                                           args),
                            nrows);
}

/* Runs label; when it fails and may_retry, prepares the statements again
 * (mto_reprepare) and runs it once more.  Logs the failure that counts. */
static int mto_run(request_rec *r, ap_dbd_t *dbd, const char *label, int nargs, const char **args,
                   apr_dbd_results_t **res, int *nrows, int may_retry)
{
    apr_dbd_prepared_t *st = mto_stmt(r, dbd, label);
    int rv;

    if (!st) {
        return -1;
    }
    /* One line per statement at trace2: the tests count them. */
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "db: %s", label);
    rv = mto_exec(r, dbd, st, nargs, args, res, nrows);
    if (rv != 0) {
        /* The first failure's message: re-preparing overwrites it. */
        const char *why = mto_db_message(r, dbd, rv);

        if (may_retry && mto_reprepare(r, dbd) && (st = mto_stmt(r, dbd, label))) {
            rv = mto_exec(r, dbd, st, nargs, args, res, nrows);
            why = rv ? mto_db_message(r, dbd, rv) : why;
        }
        if (rv != 0) {
            mto_log_db_failure(r, label, why);
        }
    }
    return rv;
}

int mto_select(request_rec *r, ap_dbd_t *dbd, const char *label, apr_dbd_results_t **res, int nargs,
               const char **args)
{
    return mto_run(r, dbd, label, nargs, args, res, NULL, 1);
}

/* A write outside a transaction takes the SQLite write lock for its run;
 * one inside a transaction has it already (mto_txn_begin). */
int mto_query(request_rec *r, ap_dbd_t *dbd, const char *label, int *nrows, int nargs,
              const char **args, int in_transaction)
{
    int locked, rv;

    if (in_transaction) {
        return mto_run(r, dbd, label, nargs, args, NULL, nrows, 0);
    }
    locked = mto_write_lock(r, dbd);
    rv = mto_run(r, dbd, label, nargs, args, NULL, nrows, 1);
    mto_write_unlock(locked);
    return rv;
}

/* apr_dbd_sqlite3 fails a prepared PRAGMA that sets a value ("not an
 * error"): such a statement runs from its text. */
int mto_run_unprepared(request_rec *r, ap_dbd_t *dbd, const char *label)
{
    const char *sql = mto_statement_sql(label, apr_dbd_name(dbd->driver));
    int nrows = 0, rv;

    if (!sql) {
        return -1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "db: %s", label);
    rv = apr_dbd_query(dbd->driver, dbd->handle, &nrows, sql);
    if (rv != 0) {
        mto_log_db_error(r, dbd, rv, label);
    }
    return rv;
}

int mto_next_row(mto_row_t *row, apr_dbd_results_t *res, const char *label)
{
    int rv = apr_dbd_get_row(row->dbd->driver, row->r->pool, res, &row->row, -1);

    if (rv == -1) {
        return 0;
    }
    if (rv != 0) {
        mto_log_db_error(row->r, row->dbd, rv, label);
        return -1;
    }
    return 1;
}

/* The first row's columns copied, then the results read to the end: an
 * ODBC cursor stays open until then (the statement cannot run again), and
 * the pgsql and mysql drivers free the row's values at the end. */
mto_store_rc mto_row_by_key(request_rec *r, const char *label, const char *key, mto_row_t *row)
{
    const char *args[1] = { key };
    apr_dbd_results_t *res;
    const char **vals;
    int got, n, ncols;

    row->r = r;
    row->row = NULL;
    row->vals = NULL;
    if (!(row->dbd = mto_conn(r)) || mto_select(r, row->dbd, label, &res, 1, args) != 0) {
        return MTO_STORE_ERROR;
    }
    if ((got = mto_next_row(row, res, label)) != 1) {
        return got < 0 ? MTO_STORE_ERROR : MTO_STORE_NOTFOUND;
    }
    n = ncols = apr_dbd_num_cols(row->dbd->driver, res);
    vals = apr_pcalloc(r->pool, sizeof(*vals) * (n > 0 ? n : 1));
    while (n-- > 0) {
        const char *v = mto_col_raw(row, n);

        vals[n] = v ? apr_pstrdup(r->pool, v) : NULL;
    }
    while ((got = mto_next_row(row, res, label)) == 1) {
        continue;
    }
    row->vals = vals;
    row->nvals = ncols;
    return got < 0 ? MTO_STORE_ERROR : MTO_STORE_OK;
}

mto_store_rc mto_collect(request_rec *r, ap_dbd_t *dbd, const char *label, const char *arg,
                         apr_array_header_t *list)
{
    const char *args[1] = { arg };
    apr_dbd_results_t *res;
    mto_row_t row = { r, dbd, NULL, NULL, 0 };
    int got;

    if (!list) {
        return MTO_STORE_OK;
    }
    if (mto_select(r, dbd, label, &res, 1, args) != 0) {
        return MTO_STORE_ERROR;
    }
    while ((got = mto_next_row(&row, res, label)) == 1) {
        APR_ARRAY_PUSH(list, const char *) = mto_col_str(&row, 0);
    }
    return got < 0 ? MTO_STORE_ERROR : MTO_STORE_OK;
}

/* ------------------------------------------------------------ transactions */

mto_store_rc mto_txn_begin(request_rec *r, ap_dbd_t *dbd, mto_txn_t *txn)
{
    int rv;

    txn->txn = NULL;
    txn->locked = mto_write_lock(r, dbd);
    rv = apr_dbd_transaction_start(dbd->driver, r->pool, dbd->handle, &txn->txn);
    if (rv != 0) {
        mto_write_unlock(txn->locked);
        mto_log_db_error(r, dbd, rv, "transaction start");
        return MTO_STORE_ERROR;
    }
    return MTO_STORE_OK;
}

mto_store_rc mto_txn_end(request_rec *r, ap_dbd_t *dbd, mto_txn_t *txn, mto_store_rc rc)
{
    int rv;

    if (rc != MTO_STORE_OK) {
        apr_dbd_transaction_mode_set(dbd->driver, txn->txn, APR_DBD_TRANSACTION_ROLLBACK);
    }
    rv = apr_dbd_transaction_end(dbd->driver, r->pool, txn->txn);
    mto_write_unlock(txn->locked);
    if (rv != 0 && rc == MTO_STORE_OK) {
        mto_log_db_error(r, dbd, rv, "transaction commit");
        rc = MTO_STORE_ERROR;
    }
    return rc;
}
