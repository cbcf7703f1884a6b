/*
 * dbd.h - the store's plumbing over mod_dbd (store/dbd.c), shared by
 * store/read.c and store/write.c.  Private to store/: the only header
 * outside of it that sees apr_dbd.
 *
 * Every function here that fails has logged why.
 */
#ifndef MTO_STORE_DBD_H
#define MTO_STORE_DBD_H

#include <apr_dbd.h>
#include <mod_dbd.h>

#include "store/store.h"
#include "store/statements.h"

/* A row being read.  Start with row = NULL: the drivers reuse a non-NULL
 * row for the next one.  vals (nvals of them), when set, are the row's
 * columns copied (mto_row_by_key). */
typedef struct {
    request_rec *r;
    ap_dbd_t *dbd;
    apr_dbd_row_t *row;
    const char **vals;
    int nvals;
} mto_row_t;

/* This request's connection, or NULL (logged): at once while the database
 * is marked down (database.c). */
ap_dbd_t *mto_conn(request_rec *r);

/* database.c: each server's database, from post_config on. */
void mto_store_databases_init(apr_pool_t *pconf, server_rec *s);

/* Whether this request may connect: MTO_DB_UP (yes), MTO_DB_PROBE (yes, the
 * one try after a down interval), MTO_DB_DOWN (no: marked down a moment
 * ago).  Then mto_db_outcome says whether it connected; a failure marks
 * the database down and logs, once per interval. */
typedef enum { MTO_DB_UP, MTO_DB_PROBE, MTO_DB_DOWN } mto_db_turn_t;
mto_db_turn_t mto_db_turn(request_rec *r);
void mto_db_outcome(request_rec *r, mto_db_turn_t turn, int connected);

/* database.c: this process's copy of a database's cache generation, read
 * by generation.c.  Atomics: one thread at a time reads the database
 * (busy); the others take value while read_at is recent enough. */
typedef struct {
    apr_uint64_t value;   /* the generation last read (0: none yet, or no table) */
    apr_uint64_t read_at; /* apr_time_t when that read began; 0: never */
    apr_uint32_t busy;    /* 1 while a thread reads it */
    apr_uint32_t missing; /* the table is missing (logged once) */
} mto_generation_t;
mto_generation_t *mto_db_generation(server_rec *s);

/* Runs a SELECT; *res is ready for mto_next_row.  Returns 0, or non-zero.
 * args are the statement's parameters, as strings. */
int mto_select(request_rec *r, ap_dbd_t *dbd, const char *label, apr_dbd_results_t **res, int nargs,
               const char **args);

/* Runs an INSERT/UPDATE/DELETE; *nrows gets the affected rows.  Inside a
 * transaction no retry is possible (the transaction is already broken). */
int mto_query(request_rec *r, ap_dbd_t *dbd, const char *label, int *nrows, int nargs,
              const char **args, int in_transaction);

/* Runs label's SQL as text, not prepared (a PRAGMA that sets a value).
 * Returns 0, or non-zero (logged). */
int mto_run_unprepared(request_rec *r, ap_dbd_t *dbd, const char *label);

/* Next row into row->row: 1 row, 0 no more rows (results drained), -1 error. */
int mto_next_row(mto_row_t *row, apr_dbd_results_t *res, const char *label);

/* The first row of a SELECT by primary key (key: its one parameter), on
 * this request's connection.  MTO_STORE_NOTFOUND: no such row. */
mto_store_rc mto_row_by_key(request_rec *r, const char *label, const char *key, mto_row_t *row);

/* Appends the first column of every row of a SELECT (one parameter) to
 * list, unless list is NULL. */
mto_store_rc mto_collect(request_rec *r, ap_dbd_t *dbd, const char *label, const char *arg,
                         apr_array_header_t *list);

/* A write transaction, and whether it holds the SQLite write lock. */
typedef struct {
    apr_dbd_transaction_t *txn;
    int locked;
} mto_txn_t;

/* Transactions: begin, then end with the outcome so far (rolled back
 * unless MTO_STORE_OK); mto_txn_end returns the final outcome.  On SQLite
 * the write lock (write_lock.c) is held from begin to end. */
mto_store_rc mto_txn_begin(request_rec *r, ap_dbd_t *dbd, mto_txn_t *txn);
mto_store_rc mto_txn_end(request_rec *r, ap_dbd_t *dbd, mto_txn_t *txn, mto_store_rc rc);

/* write_lock.c: 1 when this write took the SQLite write lock (always 0 on
 * other drivers, or when the lock is unavailable, logged); give the answer
 * back to mto_write_unlock. */
int mto_write_lock(request_rec *r, ap_dbd_t *dbd);
void mto_write_unlock(int locked);

/* A number as a statement parameter. */
const char *mto_i64(apr_pool_t *p, apr_int64_t v);

/* Column n: as the driver has it (NULL for SQL NULL, valid until the next
 * row); copied into the request's pool ("" for NULL); as a number (dflt for
 * NULL or ""). */
const char *mto_col_raw(const mto_row_t *row, int n);
const char *mto_col_str(const mto_row_t *row, int n);
const char *mto_col_opt(const mto_row_t *row, int n);    /* NULL for NULL or "" */
apr_int64_t mto_col_i64(const mto_row_t *row, int n, apr_int64_t dflt);

#endif /* MTO_STORE_DBD_H */
